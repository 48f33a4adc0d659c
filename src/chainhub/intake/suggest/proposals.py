"""Values a file leaves out, proposed for its draft profile: the document's date from the title
block, the file name or the file's own date; an accepted quantity equal to the received one."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import fastexcel

from chainhub.intake.readers.encoding import detect_encoding
from chainhub.intake.readers.text import HEAD_BYTES, codec_of
from chainhub.intake.schemas import FieldMapping, SourceFormat
from chainhub.intake.spec import FieldSpec

# Year first (2026-03-06, 2026/3/6, 2026.03.06, 2026年3月6日) or day first (06.03.2026).
_YEAR_FIRST: Final = re.compile(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DAY_FIRST: Final = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(20\d{2})")
_COMPACT: Final = re.compile(r"(?<!\d)(20\d{2})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
# A field a file may leave out when it equals another the file has, unless a third is there.
_IMPLIED: Final = {"accepted_quantity": ("received_quantity", "rejected_quantity")}
# A field a file may leave out when two others it has differ by it: received less accepted is
# what was rejected (到货数量 and 合格数量 without 不合格数量).
_DIFFERENCES: Final = {"rejected_quantity": ("received_quantity", "accepted_quantity")}


def _date_in(text: str) -> date | None:
    """The first valid calendar date written in a piece of text."""
    found = [(m.start(), (int(m[1]), int(m[2]), int(m[3]))) for m in _YEAR_FIRST.finditer(text)] + [
        (m.start(), (int(m[3]), int(m[2]), int(m[1]))) for m in _DAY_FIRST.finditer(text)
    ]
    for _, (year, month, day) in sorted(found):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def title_lines(path: Path, source: SourceFormat) -> list[str]:
    """The lines of a file above its header row (its title block), as text."""
    above = (source.header_row or 1) - 1
    if above <= 0 or source.format == "json":
        return []
    if source.format == "xlsx":
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(
            source.sheet if source.sheet is not None else 0,
            header_row=None,
            n_rows=above,
            dtypes="string",
        ).to_polars()
        return [" ".join(str(v) for v in row if v is not None) for row in sheet.rows()]
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    encoding = source.encoding or detect_encoding(head)
    text = codecs.decode(head, codec_of(encoding), errors="replace").lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:above]


def document_date(path: Path, source: SourceFormat) -> tuple[date, str]:
    """The date a file's documents most likely bear, and where it was found."""
    for line in title_lines(path, source):
        found = _date_in(line)
        if found is not None:
            return found, f"title block ({line.strip()!r})"
    for match in _COMPACT.finditer(path.stem):
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), "file name"
        except ValueError:
            continue
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
    return modified, "the file's modification date"


def propose_missing(
    *,
    fields: dict[str, FieldMapping],
    specs: dict[str, FieldSpec],
    path: Path,
    source: SourceFormat,
) -> list[str]:
    """Fill required fields the file does not hold with proposals; the notes that say so."""
    notes: list[str] = []
    dates = [n for n, s in specs.items() if s.kind == "date" and s.required]
    if dates and dates[0] not in fields:
        value, origin = document_date(path, source)
        fields[dates[0]] = FieldMapping(value=value.isoformat())
        notes.append(f"{dates[0]}: not in the file, proposed {value} from {origin}; review it")
    for name, (first, second) in _DIFFERENCES.items():
        if (
            name in specs
            and name not in fields
            and all(f in fields and fields[f].column is not None for f in (first, second))
        ):
            fields[name] = FieldMapping(difference=(first, second))
            notes.append(
                f"{name}: not in the file, proposed as {first} less {second} "
                f"(columns {fields[first].column!r}, {fields[second].column!r}); review it"
            )
    for name, (same_as, unless) in _IMPLIED.items():
        if name in specs and name not in fields and same_as in fields and unless not in fields:
            fields[name] = fields[same_as].model_copy()
            notes.append(
                f"{name}: not in the file, proposed equal to {same_as} "
                f"(column {fields[same_as].column!r}; no {unless} column); review it"
            )
    return notes
