"""Read a partner's file, as its profile describes it, into a frame of text columns."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import fastexcel
import numpy as np
import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.messages import malformed_message
from chainhub.intake.schemas import SourceFormat

SOURCE_ROW = "_source_row"
MALFORMED_SCHEMA: Final[dict[str, pl.DataType]] = {
    "row": pl.Int64(),
    "rule": pl.Utf8(),
    "found": pl.Int64(),
    "expected": pl.Int64(),
    "line": pl.Utf8(),
}
_PYTHON_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
# Control characters that never occur in text exports; one absent from the file marks line ends.
_SENTINELS: Final = tuple(chr(c) for c in (1, 2, 3, 4, 5, 6, 7, 14, 15, 16, 17, 18, 19))
# A quoted field may span lines (legal CSV), but not more than this many.
_MAX_RECORD_LINES: Final = 1000


@dataclass(frozen=True)
class SourceRows:
    """A file's rows as text columns, and the rows that could not be split into fields.

    `malformed` has the data row, the rule (`ragged_row`, `broken_quote`), the fields found
    (null when unknown) and expected, and the line as written.
    """

    frame: pl.DataFrame
    malformed: pl.DataFrame


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


def _utf8_bytes(path: Path, source: SourceFormat) -> bytes:
    """The file's bytes as UTF-8 with LF line ends; UTF-8 itself is checked by the parser."""
    raw = path.read_bytes()
    if source.encoding != "utf-8":
        try:
            raw = raw.decode(_PYTHON_CODECS[source.encoding]).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _unreadable(
                path,
                f"not valid {source.encoding} text at byte {exc.start}",
                f"第 {exc.start} 字节处不是有效的 {source.encoding} 编码文本",
            ) from None
    return raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw


def _not_utf8(path: Path, raw: bytes, source: SourceFormat) -> ChainhubError:
    """Where the text stops being UTF-8, said precisely."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return _unreadable(
            path,
            f"not valid {source.encoding} text at byte {bad.start}; set the profile's "
            "source.encoding (gbk, gb18030, utf-8-sig)",
            f"第 {bad.start} 字节处不是有效的 {source.encoding} 编码文本；请在映射配置的 "
            "source.encoding 中指定编码（gbk、gb18030、utf-8-sig）",
        )
    return _unreadable(path, "cannot parse CSV: not UTF-8 text", "无法解析 CSV：不是 UTF-8 文本")


@dataclass(frozen=True)
class _Grammar:
    """Regular expressions of one delimiter's CSV fields, quoted ("" inside) or plain."""

    field: str
    record: re.Pattern[str]
    open_record: re.Pattern[str]

    @classmethod
    def of(cls, delimiter: str) -> _Grammar:
        """The grammar of files separated by `delimiter`."""
        d = re.escape(delimiter)
        field = f'"(?:[^"]|"")*"|[^{d}"\\n][^{d}\\n]*'
        return cls(
            field,
            re.compile(f"(?:{field})?(?:{d}(?:{field})?)*"),
            re.compile(f'(?:(?:{field})?{d})*"(?:[^"]|"")*'),
        )

    def fields(self, record: str, delimiter: str) -> int:
        """Fields of a record that matches the grammar."""
        return re.sub(self.field, "", record).count(delimiter) + 1


class _Lines:
    """The physical lines of a CSV file after its header, split on the delimiter, unquoted.

    Every line gets one more field, a sentinel: where a line has too few fields the sentinel
    arrives early, where it has too many it arrives late or is cut off, so both show in one
    read. Two columns beyond the header's keep the sentinel of a line with one delimiter
    inside quotes, the common case, so its text needs no second read.
    """

    def __init__(self, raw: bytes, *, width: int, delimiter: str, skip: int) -> None:
        self.width = width
        self.delimiter = delimiter
        self.sentinel = next(c for c in _SENTINELS if c.encode() not in raw)
        # Lines dropped after reading: one made as wide as the columns, those above the
        # header, the header.
        self.skip = skip + 2
        self.columns = [f"_c{i}" for i in range(width + 2)]
        last = b"" if raw.endswith(b"\n") else b"\n"
        self.marked = b"".join(((delimiter * width).encode(), b"\n", raw, last))

    def read(self) -> pl.DataFrame:
        """Every line split into fields, as text; the caller has dropped the file's bytes."""
        end = (self.delimiter + self.sentinel + "\n").encode()
        self.marked = self.marked.replace(b"\n", end)
        return pl.read_csv(
            self.marked,
            has_header=False,
            separator=self.delimiter,
            schema=dict.fromkeys(self.columns, pl.Utf8),
            quote_char=None,
            truncate_ragged_lines=True,
        ).slice(self.skip)

    def release(self) -> None:
        """Drop the marked bytes once no line needs its exact text."""
        self.marked = b""

    @property
    def _mark(self) -> str:
        return f"{re.escape(self.delimiter)}\\x{ord(self.sentinel):02x}"

    def complete(self) -> pl.Expr:
        """The line has as many fields as the header."""
        return pl.col(self.columns[self.width]) == self.sentinel

    def text(self) -> pl.Expr:
        """The line as written; only its first fields when it has two or more too many."""
        joined = pl.concat_str(
            [pl.col(c).fill_null("") for c in self.columns], separator=self.delimiter
        )
        return pl.coalesce(joined.str.extract(f"^(.*){self._mark}", 1), joined + pl.lit(" …"))

    def found(self) -> pl.Expr:
        """Fields on the line; null when it has two or more beyond the header's."""
        return pl.coalesce(
            pl.when(pl.col(c) == self.sentinel).then(pl.lit(i, pl.Int64))
            for i, c in enumerate(self.columns)
        )

    def exact_text(self, lines: pl.Series) -> pl.Series:
        """The text of some lines (by 0-based index after the header), however long."""
        unused = next(c for c in _SENTINELS if c.encode() not in self.marked)
        every = pl.read_csv(
            self.marked,
            has_header=False,
            separator=unused,
            quote_char=None,
            schema={"line": pl.Utf8},
        ).slice(self.skip)
        mark = self.delimiter + self.sentinel
        return every.get_column("line").gather(lines).str.strip_suffix(mark)


def _read_csv(path: Path, source: SourceFormat) -> SourceRows:
    raw = _utf8_bytes(path, source)
    start = 0
    for _ in range(source.header_row - 1):
        start = raw.find(b"\n", start) + 1 or len(raw)
    end = raw.find(b"\n", start)
    try:
        header = raw[start : len(raw) if end < 0 else end].decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise _not_utf8(path, raw, source) from None
    names = [n.strip() for n in next(csv.reader([header], delimiter=source.delimiter), [])]
    if not any(names):
        raise _unreadable(path, "cannot parse CSV: no header row", "无法解析 CSV：没有表头行")
    lines = _Lines(raw, width=len(names), delimiter=source.delimiter, skip=source.header_row - 1)
    del raw  # one copy of the file at a time: a large file is most of the memory used
    try:
        return _split_records(lines, names, _Grammar.of(source.delimiter))
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        first = str(exc).splitlines()[0]
        if "utf-8" in first:
            raise _not_utf8(path, _utf8_bytes(path, source), source) from None
        raise _unreadable(path, f"cannot parse CSV: {first}", f"无法解析 CSV：{first}") from None


def _split_records(lines: _Lines, names: list[str], grammar: _Grammar) -> SourceRows:
    """Well-formed rows as fields and the others as malformed rows, numbered as data rows."""
    data = lines.columns[: lines.width]
    table = (
        lines.read()
        .with_row_index("_line")
        .with_columns(
            pl.any_horizontal(pl.col(c).str.starts_with('"') for c in lines.columns)
            .fill_null(False)
            .alias("_quoted"),
            lines.complete().fill_null(False).alias("_complete"),
        )
    )
    plain = pl.col("_complete") & ~pl.col("_quoted")
    if table.get_column("_complete").all() and not table.get_column("_quoted").any():
        frame = table.select((pl.col("_line").cast(pl.Int64) + 1).alias(SOURCE_ROW), *data)
        return SourceRows(_named(frame, names), pl.DataFrame(schema=MALFORMED_SCHEMA))
    rare = table.filter(~plain).with_columns(
        lines.text().alias("_text"), lines.found().alias("_found")
    )
    blank = (
        ~pl.col("_quoted")
        & (pl.col("_found") == 1)
        & (pl.col(data[0]).fill_null("").str.strip_chars() == "")
    )
    quoted = rare.filter(pl.col("_quoted"))
    if quoted.get_column("_found").null_count():
        quoted = quoted.with_columns(lines.exact_text(quoted.get_column("_line")).alias("_text"))
    lines.release()
    rest = pl.col("_text").str.replace_all(grammar.field, "")
    quoted = quoted.with_columns(
        (rest.str.replace_all(lines.delimiter, "", literal=True) == "").alias("_single"),
        (rest.str.len_chars().cast(pl.Int64) + 1).alias("_fields"),
    )
    multi, broken = _join_quoted_lines(
        rare.update(quoted.select("_line", "_text"), on="_line"),
        quoted.filter(~pl.col("_single")).get_column("_line"),
        grammar,
        lines.delimiter,
    )
    continued = _continuation_lines(multi)
    inside = pl.col("_line").is_in(continued.implode())
    records = pl.concat(
        [
            quoted.filter(pl.col("_single") & ~inside).select(
                "_line", "_text", pl.col("_fields").alias("_found")
            ),
            multi.drop("_end"),
        ]
    )
    ragged = pl.lit("ragged_row").alias("rule")
    malformed = pl.concat(
        [
            rare.filter(~pl.col("_quoted") & ~blank & ~inside).select(
                "_line", ragged, "_found", "_text"
            ),
            records.filter(pl.col("_found") != lines.width).select(
                "_line", ragged, "_found", "_text"
            ),
            quoted.filter(pl.col("_line").is_in(broken.implode())).select(
                "_line",
                pl.lit("broken_quote").alias("rule"),
                pl.lit(None, pl.Int64).alias("_found"),
                "_text",
            ),
        ]
    )
    others = pl.concat(
        [
            rare.filter(blank & ~inside).select(
                "_line", *(pl.lit(None, pl.Utf8).alias(c) for c in data)
            ),
            _parse_records(records.filter(pl.col("_found") == lines.width), data, lines.delimiter),
        ]
    ).sort("_line")
    # One gather puts the kept lines in file order: the table's views are most of the memory,
    # so a filter then a merge (two copies) would nearly double it.
    slot = np.full(table.height, -1, dtype=np.int64)
    plain_lines = table.select(plain).to_series().arg_true().to_numpy()
    slot[plain_lines] = plain_lines
    slot[others.get_column("_line").to_numpy()] = table.height + np.arange(others.height)
    combined = pl.concat([table.select("_line", *data), others], rechunk=False)
    del table
    kept = combined.select(pl.all().gather(slot[slot >= 0]))
    # A line's data row: its index less the continuation lines before it.
    row = (
        pl.col("_line").cast(pl.Int64)
        + 1
        - pl.lit(continued.sort()).search_sorted(pl.col("_line")).cast(pl.Int64)
        if continued.len()
        else pl.col("_line").cast(pl.Int64) + 1
    )
    frame = kept.select(row.alias(SOURCE_ROW), *data)
    errors = malformed.sort("_line").select(
        row.alias("row"),
        "rule",
        pl.col("_found").alias("found"),
        pl.lit(lines.width, pl.Int64).alias("expected"),
        pl.col("_text").alias("line"),
    )
    return SourceRows(_named(frame, names), errors)


def _continuation_lines(multi: pl.DataFrame) -> pl.Series:
    """Lines after the first of each record that spans lines, in order."""
    starts = multi.get_column("_line").to_numpy().astype(np.int64)
    lengths = multi.get_column("_end").to_numpy().astype(np.int64) - starts
    before = np.cumsum(lengths) - lengths
    lines = np.repeat(starts + 1 - before, lengths) + np.arange(lengths.sum())
    return pl.Series(lines, dtype=pl.UInt32)


def _named(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Data columns under the header's names."""
    return frame.rename(dict(zip(frame.columns[1:], names, strict=True)))


def _parse_records(records: pl.DataFrame, columns: list[str], delimiter: str) -> pl.DataFrame:
    """Fields of records with quoted fields, parsed by the CSV reader itself."""
    if records.height == 0:
        return pl.DataFrame(schema={"_line": pl.UInt32, **dict.fromkeys(columns, pl.Utf8)})
    buffer = io.BytesIO()
    records.select("_text").write_csv(buffer, include_header=False, quote_style="never")
    parsed = pl.read_csv(
        buffer.getvalue(),
        has_header=False,
        separator=delimiter,
        schema=dict.fromkeys(columns, pl.Utf8),
    )
    if parsed.height != records.height:
        raise ChainhubError(
            "file_unreadable",
            "quoted fields could not be read consistently",
            "引号字段无法一致地读取",
        )
    return parsed.insert_column(0, records.get_column("_line"))


def _join_quoted_lines(
    rare: pl.DataFrame, openers: pl.Series, grammar: _Grammar, delimiter: str
) -> tuple[pl.DataFrame, pl.Series]:
    """Records whose quoted field spans lines, and the lines whose quote never closes.

    A quote stays open over the next lines while none of them is a complete row by itself;
    otherwise the line is broken and is one row, so it cannot swallow the rest of the file.
    Only lines with an unbalanced quote come here, few in any file.
    """
    numbers = rare.get_column("_line").to_numpy().astype(np.int64)
    texts = rare.get_column("_text")
    starts = openers.to_numpy().astype(np.int64)
    records: list[tuple[int, str, int]] = []
    broken: list[int] = []
    reached = -1
    for start, k in zip(starts.tolist(), np.searchsorted(numbers, starts).tolist(), strict=True):
        if start <= reached:
            continue
        joined, end, closed = texts[k], start, False
        while not closed and end - start < _MAX_RECORD_LINES:
            k += 1
            # The next line must be a malformed one too: a complete row ends the search.
            if k == numbers.size or numbers[k] != end + 1:
                break
            end += 1
            joined += "\n" + texts[k]
            closed = grammar.record.fullmatch(joined) is not None
            if not closed and grammar.open_record.fullmatch(joined) is None:
                break
        if closed:
            records.append((start, joined, end))
            reached = end
        else:
            broken.append(start)
    multi = pl.DataFrame(
        {
            "_line": [r[0] for r in records],
            "_text": [r[1] for r in records],
            "_found": [grammar.fields(r[1], delimiter) for r in records],
            "_end": [r[2] for r in records],
        },
        schema={"_line": pl.UInt32, "_text": pl.Utf8, "_found": pl.Int64, "_end": pl.UInt32},
    )
    return multi, pl.Series(broken, dtype=pl.UInt32)


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


def read_rows(*, path: Path, source: SourceFormat) -> SourceRows:
    """Every well-formed row of the file as text, with the 1-based data row in `_source_row`,
    and the rows that could not be split into fields (CSV only)."""
    if not path.is_file():
        raise ChainhubError(
            "file_not_found", f"file not found: {path}", f"找不到文件：{path}", {"file": str(path)}
        )
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
        raise _unreadable(path, f"row {first['row']}: {en}", f"第 {first['row']} 行：{zh}")
    return rows.frame
