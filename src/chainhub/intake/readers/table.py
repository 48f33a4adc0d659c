"""Where the table is in a file: its header line below titles and notes, its column names, its
totals rows; each choice reported as a note the partner reads."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Final, NamedTuple

import polars as pl

from chainhub.intake.readers.rows import LINE, SOURCE_ROW, Note

HEAD_ROWS: Final = 50
"""Rows looked at for the header: real exports keep titles and notes to a few lines."""
TOTALS: Final = re.compile(
    r"(?i)^\s*(合\s*计|小\s*计|总\s*计|合計|小計|總計|sub-?totals?|grand\s+totals?|totals?"
    r"|summe|gesamtsumme|zwischensumme|gesamt)\s*[:：]?\s*$"
)
_NUMBERISH: Final = re.compile(r"^[\s\d.,:/+\-%]*$")
RESERVED: Final = frozenset({LINE, SOURCE_ROW})
"""The reader's own columns beside the file's, whose names no column of the file may take."""


def find_header(rows: Sequence[Sequence[str | None]]) -> int:
    """0-based index of the header among the first rows: the first row as wide as the table,
    of labels rather than numbers, below any title, blank or note lines."""
    counts = [sum(1 for v in row if v is not None and str(v).strip()) for row in rows]
    wide = [c for c in counts if c >= 2]
    if not wide:
        return 0
    width = Counter(wide).most_common(1)[0][0]
    needed = max(2, math.ceil(0.6 * width))
    for index, row in enumerate(rows[:HEAD_ROWS]):
        cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
        if len(cells) < needed:
            continue
        labels = sum(1 for c in cells if not _NUMBERISH.match(c))
        if labels * 2 >= len(cells):
            return index
    return 0


def header_note(index: int) -> Note:
    """The note of a header found below the first line."""
    return (
        f"header found on line {index + 1}; the lines above it are skipped "
        f"(pin it with the profile's source.header_row)",
        f"表头位于第 {index + 1} 行，其上各行已跳过（可在映射配置的 source.header_row 中指定）",
    )


class Named(NamedTuple):
    """A header's column names, the notes on those the reader named, and those without one."""

    names: list[str]
    notes: list[Note]
    unnamed: list[str]


def name_columns(raw: Sequence[str | None]) -> Named:
    """Names for the header's cells: an empty one is named by its place, and a repeated one or
    one of the reader's own numbered, each reported."""
    unnamed: list[str] = []
    names: list[str] = []
    notes: list[Note] = []
    seen: set[str] = set(RESERVED)
    for index, cell in enumerate(raw):
        name = "" if cell is None else str(cell).strip()
        if not name:
            name = f"column_{index + 1}"
            unnamed.append(name)
            notes.append(
                (
                    f"column {index + 1} has no header name; named {name}",
                    f"第 {index + 1} 列没有列名；命名为 {name}",
                )  # fmt: skip
            )
        elif name in seen:
            base, name = name, numbered(name, seen)
            why = (
                ("is the reader's own", "为读取器保留")
                if base in RESERVED
                else ("is repeated", "重复")
            )
            notes.append(
                (
                    f"header name {base!r} {why[0]}; column {index + 1} is named {name}",
                    f"列名 {base!r} {why[1]}；第 {index + 1} 列命名为 {name}",
                )  # fmt: skip
            )
        seen.add(name)
        names.append(name)
    return Named(names, notes, unnamed)


def numbered(base: str, taken: Collection[str]) -> str:
    """`base` numbered from 2 up to the first name not `taken`."""
    number = 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


# TOTALS on any cell of a row whose cells are joined by the unit separator (one regex pass
# a row rather than one a cell; a cell holding that control character is not text anyway).
_CELL: Final = "\x1f"
_TOTALS_CELL: Final = (
    "(?i)(?:^|"
    + _CELL
    + ")"
    + TOTALS.pattern.removeprefix("(?i)^").removesuffix("$")
    + "(?:"
    + _CELL
    + "|$)"
)


# Words every TOTALS label holds, the ASCII ones in lower case ("ſ" is an "s" to the pattern's
# case-insensitive match): a text without any holds no totals row.
_TOTALS_WORDS: Final = (b"total", b"summe", b"gesamt")
_TOTALS_CHARS: Final = ("计", "計", "ſ")


def may_hold_totals(text: bytes) -> bool:
    """Whether UTF-8 `text` may hold a totals row: it has a word every totals label has. A
    test of the whole text costs a fraction of `is_totals` on its rows."""
    lowered = text.lower()
    if any(word in lowered for word in _TOTALS_WORDS):
        return True
    if text.isascii():
        return False
    decoded = text.decode(errors="replace")
    return any(char in decoded for char in _TOTALS_CHARS)


def is_totals(names: Sequence[str]) -> pl.Expr:
    """Rows that are totals or subtotals: one of their cells says so, and nothing else does."""
    if not names:
        return pl.lit(False)
    cells = pl.concat_str(names, separator=_CELL, ignore_nulls=True)
    return cells.str.contains(_TOTALS_CELL).fill_null(False)


def _unlabelled_total(frame: pl.DataFrame, names: Sequence[str]) -> bool:
    """Whether the last row is a total without a label, as list reports (SAP ALV) write one:
    numbers only, and empty in a column every other row fills."""
    if frame.height < 3 or not names:
        return False
    # One row's cells as Python text: cheaper than a Polars expression a column.
    row = frame.row(-1, named=True)
    last = [None if row[n] is None else str(row[n]).strip() for n in names]
    filled = [v for v in last if v]
    if not filled or not all(re.fullmatch(r"[+-]?[\d,.]+-?", v) for v in filled):
        return False
    above = frame.head(frame.height - 1)
    return any(
        not value
        and above.get_column(name).cast(pl.Utf8).str.strip_chars().fill_null("").ne("").all()
        for name, value in zip(names, last, strict=True)
    )


def drop_totals(
    frame: pl.DataFrame, names: Sequence[str], row: str, labelled: pl.Series | None = None
) -> tuple[pl.DataFrame, Note | None]:
    """The frame without its totals rows, and the note saying which were skipped; `labelled`,
    the rows `is_totals` finds, when found already."""
    mask = frame.select(is_totals(names)).to_series() if labelled is None else labelled
    if _unlabelled_total(frame, names):
        mask = mask.scatter(frame.height - 1, True)
    if not mask.any():
        return frame, None
    skipped = frame.filter(mask).get_column(row).to_list()
    last = frame.height > 0 and bool(mask[-1]) and len(skipped) == 1
    shown = ", ".join(str(r) for r in skipped[:10]) + (" …" if len(skipped) > 10 else "")
    note: Note = (
        ("the last row is a totals row, skipped" if last
         else f"totals or subtotal rows skipped: {shown}")
        + " (keep them with the profile's source.skip_totals: false)",
        ("最后一行是合计行，已跳过" if last else f"已跳过合计或小计行：{shown}")
        + "（如需保留，请在映射配置中设 source.skip_totals: false）",
    )  # fmt: skip
    return frame.filter(~mask), note


def drop_unnamed_empty(frame: pl.DataFrame, unnamed: Sequence[str]) -> pl.DataFrame:
    """The frame without the columns that have neither a header name nor a value (trailing
    delimiters and empty spreadsheet columns)."""
    empty = [
        c
        for c in unnamed
        if c in frame.columns and frame.get_column(c).null_count() == frame.height
    ]
    return frame.drop(empty) if empty else frame
