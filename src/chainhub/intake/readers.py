"""Read a partner's file, as its profile describes it, into a frame of text columns."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import fastexcel
import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.schemas import SourceFormat

SOURCE_ROW = "_source_row"
_PYTHON_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unreadable(path: Path, en: str, zh: str) -> ChainhubError:
    return ChainhubError(
        "file_unreadable", f"{path.name}: {en}", f"{path.name}：{zh}", {"file": str(path)}
    )


def _read_csv(path: Path, source: SourceFormat) -> pl.DataFrame:
    raw = path.read_bytes()
    if source.encoding not in ("utf-8",):
        try:
            raw = raw.decode(_PYTHON_CODECS[source.encoding]).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _unreadable(
                path,
                f"not valid {source.encoding} text at byte {exc.start}",
                f"第 {exc.start} 字节处不是有效的 {source.encoding} 编码文本",
            ) from None
    try:
        return pl.read_csv(
            io.BytesIO(raw),
            separator=source.delimiter,
            skip_rows=source.header_row - 1,
            infer_schema=False,
            encoding="utf8",
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        first = str(exc).splitlines()[0]
        if "utf-8" in first:
            # Only on failure: find where the text stops being UTF-8, to say so precisely.
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise _unreadable(
                    path,
                    f"not valid {source.encoding} text at byte {bad.start}; set the profile's "
                    "source.encoding (gbk, gb18030, utf-8-sig)",
                    f"第 {bad.start} 字节处不是有效的 {source.encoding} 编码文本；请在映射配置的 "
                    "source.encoding 中指定编码（gbk、gb18030、utf-8-sig）",
                ) from None
        raise _unreadable(path, f"cannot parse CSV: {first}", f"无法解析 CSV：{first}") from None


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
        raise _unreadable(path, f"cannot read XLSX: {first}", f"无法读取 XLSX：{first}") from None
    return pl.DataFrame(sheet.to_polars()).cast(pl.Utf8)


def _read_json(path: Path) -> pl.DataFrame:
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _unreadable(path, f"not valid JSON: {exc}", f"不是有效的 JSON：{exc}") from None
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _unreadable(
            path,
            'JSON must be a list of flat records or {"records": [...]}',
            'JSON 必须是扁平记录列表或 {"records": [...]}',
        )
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(
        {c: [None if r.get(c) is None else str(r[c]) for r in records] for c in columns},
        schema=dict.fromkeys(columns, pl.Utf8),
    )


def read_source(path: Path, source: SourceFormat) -> pl.DataFrame:
    """All columns of the file as text, with the 1-based data row number in `_source_row`."""
    if not path.is_file():
        raise ChainhubError(
            "file_not_found", f"file not found: {path}", f"找不到文件：{path}", {"file": str(path)}
        )
    if source.format == "csv":
        frame = _read_csv(path, source)
    elif source.format == "xlsx":
        frame = _read_xlsx(path, source)
    else:
        frame = _read_json(path)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    return frame.with_row_index(SOURCE_ROW, offset=1).with_columns(
        pl.col(SOURCE_ROW).cast(pl.Int64)
    )
