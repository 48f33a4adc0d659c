"""Read a partner's file, as its profile describes it, into a frame of text columns."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import fastexcel
import numpy as np
import polars as pl

from chainhub.intake.messages import malformed_message
from chainhub.intake.readers.blocks import CsvFile
from chainhub.intake.readers.errors import file_not_found, unreadable
from chainhub.intake.readers.records import read_json
from chainhub.intake.readers.rows import (
    LINE,
    MALFORMED_SCHEMA,
    SOURCE_ROW,
    Note,
    SourceRows,
    renamed,
)
from chainhub.intake.readers.table import (
    HEAD_ROWS,
    drop_totals,
    drop_unnamed_empty,
    find_header,
    header_note,
    is_totals,
    name_columns,
)
from chainhub.intake.schemas import SourceFormat


def read_rows(*, path: Path, source: SourceFormat) -> SourceRows:
    """Every well-formed row of the file as text, with the 1-based data row in `_source_row`,
    the rows that could not be split into fields (CSV only), and what the reader chose."""
    if not path.is_file():
        raise file_not_found(path)
    totals = None
    if source.format == "csv":
        rows = _read_csv(path, source)
    else:
        if source.format == "xlsx":
            frame, notes, totals = _read_xlsx(path, source)
        else:
            frame, notes = read_json(path)
        # Numbered from NumPy: a Polars row index of Int64 would take a query.
        numbered = frame.insert_column(
            0, pl.Series(SOURCE_ROW, np.arange(1, frame.height + 1, dtype=np.int64))
        )
        rows = SourceRows(numbered, _NO_MALFORMED.clear(), tuple(notes))
    if not source.skip_totals:
        return rows
    names = [c for c in rows.frame.columns if c != SOURCE_ROW]
    kept, note = drop_totals(rows.frame, names, SOURCE_ROW, totals)
    if note is None:
        return rows
    return SourceRows(kept, rows.malformed, (*rows.notes, note))


def read_source(path: Path, source: SourceFormat) -> pl.DataFrame:
    """All rows of the file as text, with the 1-based data row in `_source_row`; a file with
    a row that cannot be split into fields is unreadable."""
    rows = read_rows(path=path, source=source)
    if rows.malformed.height:
        first = rows.malformed.row(0, named=True)
        en, zh = malformed_message(first["rule"], first["found"], first["expected"])
        raise unreadable(path, f"row {first['row']}: {en}", f"第 {first['row']} 行：{zh}")
    return rows.frame


def _read_csv(path: Path, source: SourceFormat) -> SourceRows:
    """The whole file in memory: for files checked as one frame."""
    csv_file = CsvFile(path, source)
    names = csv_file.layout.names
    frames = [block.frame.filter(block.plain) for block in csv_file.blocks()]
    resolved = csv_file.resolve()
    lines = pl.concat([csv_file.layout.no_rows(), *frames, resolved.others])
    if resolved.others.height:
        lines = lines.sort(LINE)
    frame = lines.select(resolved.row(pl.col(LINE)).alias(SOURCE_ROW), *names)
    frame = drop_unnamed_empty(frame, csv_file.unnamed)
    return SourceRows(frame, resolved.malformed_rows(), csv_file.notes)


_NO_MALFORMED: Final = pl.DataFrame(schema=MALFORMED_SCHEMA)
_MIDNIGHT: Final = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$"
# A control character first, as no header label has.
_TOTALS_ROWS: Final = "\x1ftotals"


def _read_xlsx(
    path: Path, source: SourceFormat
) -> tuple[pl.DataFrame, list[Note], pl.Series | None]:
    """The sheet's table below any title and note rows, a date cell read as its date; and
    its totals rows (`is_totals`), when it has a row."""
    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(
            source.sheet if source.sheet is not None else 0, header_row=None, dtypes="string"
        )
        table = pl.DataFrame(sheet.to_polars())
        if any(dtype != pl.Utf8 for dtype in table.dtypes):
            table = table.cast(pl.Utf8)
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of bad file
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "zip" in first.lower() or "eocd" in first.lower():
            first = "it is not an XLSX workbook (no zip archive inside)"
        raise unreadable(path, f"cannot read XLSX: {first}", f"无法读取 XLSX：{first}") from None
    notes: list[Note] = []
    if source.header_row is None:
        index = find_header(table.head(HEAD_ROWS).rows())
        if index:
            notes.append(header_note(index))
    else:
        index = source.header_row - 1
    if table.height <= index:
        raise unreadable(path, f"no header row on row {index + 1}", f"第 {index + 1} 行没有表头行")
    named = name_columns(list(table.row(index)))
    notes.extend(named.notes)
    frame = renamed(table.slice(index + 1), dict(zip(table.columns, named.names, strict=True)))
    # The pattern is matched only in the columns holding a midnight at all (the date columns).
    # The same pass finds the totals rows: no date holds a totals label, and a column without
    # a value (dropped below) adds nothing to a row's cells.
    totals = None
    if frame.height:
        found = frame.select(
            pl.all().str.contains("00:00:00", literal=True).any(),
            is_totals(frame.columns).alias(_TOTALS_ROWS),
        )
        midnight = found.row(0)[:-1]
        totals = found.get_column(_TOTALS_ROWS)
    else:
        midnight = frame.select(pl.all().str.contains("00:00:00", literal=True).any()).row(0)
    dates = [name for name, found in zip(frame.columns, midnight, strict=True) if found]
    if dates:
        frame = frame.with_columns(pl.col(dates).str.replace(_MIDNIGHT, "$1"))
    return drop_unnamed_empty(frame, named.unnamed), notes, totals
