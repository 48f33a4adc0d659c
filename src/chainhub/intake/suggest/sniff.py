"""How a partner's file is written: format, encoding, delimiter, header row and number style."""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from pathlib import Path
from typing import Final

import fastexcel
import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.formats import check_file_format
from chainhub.intake.readers import SOURCE_ROW, read_source
from chainhub.intake.readers.encoding import detect_encoding
from chainhub.intake.readers.text import HEAD_BYTES, TextFile, codec_of
from chainhub.intake.schemas import SourceFormat
from chainhub.intake.suggest.text import distinct, fold
from chainhub.standard.registry import get_document_type

SAMPLE_ROWS: Final = 5000
NUMBER: Final = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_DELIMITERS: Final = (",", ";", "\t", "|")
_COMMA_NUMBER: Final = r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$"
_GROUPED_NUMBER: Final = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"


def _csv_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into a steady count of fields."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best: tuple[int, int, str] | None = None
    for rank, delimiter in enumerate(_DELIMITERS):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        modal, hits = Counter(counts).most_common(1)[0]
        if modal < 2 or hits < 0.8 * len(counts):
            continue
        candidate = (modal, -rank, delimiter)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else ","


def _is_label(value: object) -> bool:
    text = "" if value is None else str(value).strip()
    return bool(text) and re.fullmatch(r"[+-]?[\d.,:/\- ]+", text) is None


def _xlsx_layout(path: Path, document_type: str) -> tuple[str | None, int]:
    """Sheet (None for a one-sheet book) and the header row below any title rows."""
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
        doc = get_document_type(document_type)
        wanted = {fold(doc.title_zh), fold(doc.title_en), fold(doc.name)}
        sheet = next((n for n in names if fold(n) in wanted), names[0])
        top = reader.load_sheet(sheet, header_row=None, n_rows=8, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of bad file
        first = str(exc).splitlines()[0]
        raise ChainhubError(
            "file_unreadable", f"cannot read XLSX: {first}", f"无法读取 XLSX：{first}"
        ) from None
    scores = []
    for row in top.head(5).rows():
        labels = [str(v).strip() for v in row if _is_label(v)]
        scores.append(len(set(labels)))
    header_row = scores.index(max(scores)) + 1 if scores else 1
    return (sheet if len(names) > 1 else None), header_row


def _number_style(frame: pl.DataFrame, delimiter: str) -> tuple[bool, str | None]:
    """Whether numbers use a decimal comma, and the thousands separator if any.

    Without a decimal in sight, a semicolon-separated file is taken to use the decimal comma:
    that is why European spreadsheets separate fields with semicolons.
    """
    comma_columns: list[pl.Series] = []
    grouped_columns: list[pl.Series] = []
    dot_decimals = False
    for name in frame.columns:
        values = distinct(frame.get_column(name))
        if values.len() == 0:
            continue
        if values.str.contains(_COMMA_NUMBER).all() and values.str.contains(",").any():
            # `1,250` alone reads either way; a comma-separated file quotes it for thousands.
            ambiguous = values.str.contains(r"^[+-]?\d{1,3},\d{3}$|^[^,]*$").all()
            (grouped_columns if ambiguous and delimiter != ";" else comma_columns).append(values)
        elif values.str.contains(f"{_GROUPED_NUMBER}|{NUMBER}").all():
            dot_decimals = dot_decimals or values.str.contains(r"\d\.\d").any()
            # Some value here is no decimal-comma number, so a comma groups thousands.
            if values.str.contains(",").any():
                grouped_columns.append(values)
    if comma_columns:
        dotted = any(v.str.contains(r"\d\.\d{3}(,|$)").any() for v in comma_columns)
        return True, "." if dotted else None
    if delimiter == ";" and not dot_decimals:
        return True, None
    return False, "," if grouped_columns else None


def sniff_source(path: Path, document_type: str) -> SourceFormat:
    """How a file is written: format from its extension, then encoding, layout and numbers."""
    file_format = check_file_format(path, delimiter_known=True)
    if file_format == "xlsx":
        sheet, header_row = _xlsx_layout(path, document_type)
        source = SourceFormat(format="xlsx", sheet=sheet, header_row=header_row)
    elif file_format == "json":
        return SourceFormat(format="json")
    else:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        text = codecs.decode(head, codec_of(detect_encoding(head)), errors="replace")
        source = TextFile(
            path, SourceFormat(format="csv", delimiter=_csv_delimiter(text))
        ).file_source
    frame = read_source(path, source).drop(SOURCE_ROW).head(SAMPLE_ROWS)
    decimal_comma, thousands = _number_style(frame, source.delimiter)
    return source.model_copy(
        update={"decimal_comma": decimal_comma, "thousands_separator": thousands}
    )
