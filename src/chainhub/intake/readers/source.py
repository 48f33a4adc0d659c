"""Read a partner's file, as its profile describes it, into a frame of text columns."""

from __future__ import annotations

import json
from pathlib import Path

import fastexcel
import polars as pl

from chainhub.intake.messages import malformed_message
from chainhub.intake.readers.blocks import CsvFile
from chainhub.intake.readers.errors import file_not_found, unreadable
from chainhub.intake.readers.rows import LINE, MALFORMED_SCHEMA, SOURCE_ROW, SourceRows
from chainhub.intake.schemas import SourceFormat


def read_rows(*, path: Path, source: SourceFormat) -> SourceRows:
    """Every well-formed row of the file as text, with the 1-based data row in `_source_row`,
    and the rows that could not be split into fields (CSV only)."""
    if not path.is_file():
        raise file_not_found(path)
    if source.format == "csv":
        return _read_csv(path, source)
    frame = _read_xlsx(path, source) if source.format == "xlsx" else _read_json(path)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    numbered = frame.with_row_index(SOURCE_ROW, offset=1).with_columns(
        pl.col(SOURCE_ROW).cast(pl.Int64)
    )
    return SourceRows(numbered, pl.DataFrame(schema=MALFORMED_SCHEMA))


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
    return SourceRows(frame, resolved.malformed_rows())


def _read_xlsx(path: Path, source: SourceFormat) -> pl.DataFrame:
    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(
            source.sheet if source.sheet is not None else 0,
            header_row=source.header_row - 1,
            dtypes="string",
        )
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of bad file
        first = str(exc).splitlines()[0]
        raise unreadable(path, f"cannot read XLSX: {first}", f"无法读取 XLSX：{first}") from None
    return pl.DataFrame(sheet.to_polars()).cast(pl.Utf8)


def _read_json(path: Path) -> pl.DataFrame:
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise unreadable(path, f"not valid JSON: {exc}", f"不是有效的 JSON：{exc}") from None
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise unreadable(
            path,
            'JSON must be a list of flat records or {"records": [...]}',
            'JSON 必须是扁平记录列表或 {"records": [...]}',
        )
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(
        {c: [None if r.get(c) is None else str(r[c]) for r in records] for c in columns},
        schema=dict.fromkeys(columns, pl.Utf8),
    )
