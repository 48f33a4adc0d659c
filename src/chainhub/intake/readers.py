"""Read a partner's file, as its profile describes it, into a frame of text columns."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
LINE = "_line"
"""A line's index among the file's lines after the header, 0-based."""
BLOCK_BYTES: Final = 1 << 24
"""Bytes of a CSV file read and checked at a time: memory stays bounded whatever the size."""
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


def _to_utf8(raw: bytes, source: SourceFormat, *, path: Path, offset: int) -> bytes:
    """Bytes of whole lines as UTF-8 with LF line ends; UTF-8 itself is checked by the parser.

    `offset` is where the bytes start in the file, so a decoding error names its file byte.
    """
    if source.encoding != "utf-8":
        try:
            raw = raw.decode(_PYTHON_CODECS[source.encoding]).encode("utf-8")
        except UnicodeDecodeError as exc:
            at = offset + exc.start
            raise _unreadable(
                path,
                f"not valid {source.encoding} text at byte {at}",
                f"第 {at} 字节处不是有效的 {source.encoding} 编码文本",
            ) from None
    return raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw


def _not_utf8(path: Path, raw: bytes, source: SourceFormat, *, offset: int) -> ChainhubError:
    """Where the text stops being UTF-8, said precisely."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        at = offset + bad.start
        return _unreadable(
            path,
            f"not valid {source.encoding} text at byte {at}; set the profile's "
            "source.encoding (gbk, gb18030, utf-8-sig)",
            f"第 {at} 字节处不是有效的 {source.encoding} 编码文本；请在映射配置的 "
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

    def rest(self, text: pl.Expr) -> pl.Expr:
        """Each text without its fields: its delimiters, and what the grammar cannot read."""
        return text.str.replace_all(self.field, "")

    def fields(self, text: pl.Expr) -> pl.Expr:
        """Fields of each text, what the grammar cannot read counted as more."""
        return self.rest(text).str.len_chars().cast(pl.Int64) + 1


RARE_SCHEMA: Final[dict[str, pl.DataType]] = {
    LINE: pl.Int64(),
    "_text": pl.Utf8(),
    "_found": pl.Int64(),
    "_quoted": pl.Boolean(),
    "_blank": pl.Boolean(),
    "_single": pl.Boolean(),
}


@dataclass(frozen=True)
class Block:
    """One block of a CSV file's lines, split on the delimiter.

    `frame` has every line of the block: `_line`, its index among the lines after the header,
    then the header's columns. Lines marked in `plain` were split exactly (as many fields as
    the header, no quotes); each other line is in `rare` with its text, for `CsvFile.resolve`,
    and `quoted` has the rows of quoted lines that are whole records by themselves.
    """

    frame: pl.DataFrame
    plain: pl.Series
    rare: pl.DataFrame
    quoted: pl.DataFrame


@dataclass(frozen=True)
class Resolved:
    """The rare lines of a whole file made into rows.

    `others`: rows of quoted records and blank lines, as `Block.frame`; `malformed`: lines that
    are no row (`_line`, rule, found, expected, line); `continued`: lines that continue a
    record begun on an earlier line, sorted.
    """

    others: pl.DataFrame
    malformed: pl.DataFrame
    continued: pl.Series

    def row(self, line: pl.Expr) -> pl.Expr:
        """A line's 1-based data row: its index less the continuation lines before it."""
        if self.continued.len() == 0:
            return line + 1
        return line + 1 - pl.lit(self.continued).search_sorted(line).cast(pl.Int64)

    def malformed_rows(self) -> pl.DataFrame:
        """The malformed lines by data row, as `SourceRows.malformed`."""
        return self.malformed.select(
            self.row(pl.col(LINE)).alias("row"), "rule", "found", "expected", "line"
        )

    def lines_of(self, rows: pl.Series) -> pl.Series:
        """The first line of each data row (1-based rows in, 0-based lines out)."""
        before = rows.cast(pl.Int64) - 1
        if self.continued.len() == 0:
            return before
        # The r-th line that continues nothing: r plus the continuation lines at or below
        # it, counted against each continuation line less the ones before it.
        shifted = self.continued - pl.int_range(self.continued.len(), eager=True)
        return before + shifted.search_sorted(before, side="right").cast(pl.Int64)


class CsvFile:
    """A CSV file read as its profile describes it, in blocks of whole lines.

    A block's lines are split with quoting off, so the reader is as fast as the plain read;
    every line also gets a sentinel field: where a line has too few fields the sentinel
    arrives early, where it has too many it arrives late or is cut off, so both show in the
    same read. Lines with a quote, few in any file, are parsed again as CSV records.
    """

    def __init__(self, path: Path, source: SourceFormat, *, block_bytes: int = BLOCK_BYTES):
        if not path.is_file():
            raise ChainhubError(
                "file_not_found",
                f"file not found: {path}",
                f"找不到文件：{path}",
                {"file": str(path)},
            )
        self.path = path
        self.source = source
        self.delimiter = source.delimiter
        self.block_bytes = block_bytes
        self.names, self.data_start = self._header()
        self.width = len(self.names)
        self.columns = [f"_c{i}" for i in range(self.width + 2)]
        self.grammar = _Grammar.of(self.delimiter)
        # (first byte, bytes, first line) of each block read, to read some again.
        self.spans: list[tuple[int, int, int]] = []

    def _header(self) -> tuple[list[str], int]:
        with self.path.open("rb") as handle:
            head = handle.read(1 << 16)
            while head.count(b"\n") < self.source.header_row:
                more = handle.read(1 << 16)
                if not more:
                    break
                head += more
        start = 0
        for _ in range(self.source.header_row - 1):
            start = head.find(b"\n", start) + 1 or len(head)
        end = head.find(b"\n", start)
        stop = len(head) if end < 0 else end + 1
        line = _to_utf8(head[start:stop], self.source, path=self.path, offset=start)
        try:
            header = line.decode("utf-8").lstrip("\ufeff").rstrip("\n")
        except UnicodeDecodeError:
            raise _not_utf8(self.path, line, self.source, offset=start) from None
        names = [n.strip() for n in next(csv.reader([header], delimiter=self.delimiter), [])]
        if not any(names):
            raise _unreadable(
                self.path, "cannot parse CSV: no header row", "无法解析 CSV：没有表头行"
            )
        return names, stop

    def _raw_blocks(self) -> Iterator[tuple[int, bytes]]:
        """(first byte, bytes) of each block of whole lines after the header."""
        with self.path.open("rb") as handle:
            handle.seek(self.data_start)
            offset, carry = self.data_start, b""
            while chunk := handle.read(self.block_bytes):
                data = carry + chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data
                    continue
                yield offset, data[:cut]
                offset, carry = offset + cut, data[cut:]
            if carry:
                yield offset, carry

    def _marked(self) -> Iterator[tuple[int, bytes, str]]:
        """Each block as marked UTF-8 with its first line and sentinel, numbering the lines."""
        line = 0
        self.spans = []
        for offset, raw in self._raw_blocks():
            self.spans.append((offset, len(raw), line))
            yield line, *self._mark(raw, offset)
            line += raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)

    def _mark(self, raw: bytes, offset: int) -> tuple[bytes, str]:
        text = _to_utf8(raw, self.source, path=self.path, offset=offset)
        sentinel = next((c for c in _SENTINELS if c.encode() not in text), None)
        if sentinel is None:
            raise _unreadable(
                self.path, "cannot parse CSV: binary content", "无法解析 CSV：含有二进制内容"
            )
        end = (self.delimiter + sentinel + "\n").encode()
        last = b"" if text.endswith(b"\n") else b"\n"
        # A first line as wide as the columns makes the reader expect all of them.
        marked = b"".join(((self.delimiter * self.width).encode(), b"\n", text, last))
        return marked.replace(b"\n", end), sentinel

    def blocks(self) -> Iterator[Block]:
        """Every block in file order; the next block is read and marked while one is parsed."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            marked = self._marked()
            ahead = pool.submit(next, marked, None)
            while (item := ahead.result()) is not None:
                ahead = pool.submit(next, marked, None)
                yield self._split(*item)

    def block(self, index: int) -> Block:
        """One block again, by its place among the blocks already read."""
        offset, _size, line = self.spans[index]
        return self._split(line, *self._mark(self._read_span(index), offset))

    def _read_span(self, index: int) -> bytes:
        """The raw bytes of one block already read."""
        offset, size, _line = self.spans[index]
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(size)

    def _split(self, first_line: int, marked: bytes, sentinel: str) -> Block:
        try:
            table = pl.read_csv(
                marked,
                has_header=False,
                separator=self.delimiter,
                schema=dict.fromkeys(self.columns, pl.Utf8),
                quote_char=None,
                truncate_ragged_lines=True,
            ).slice(1)
        except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
            first = str(exc).splitlines()[0]
            if "utf-8" in first:
                index = next(i for i, span in enumerate(self.spans) if span[2] == first_line)
                offset = self.spans[index][0]
                raw = _to_utf8(self._read_span(index), self.source, path=self.path, offset=offset)
                raise _not_utf8(self.path, raw, self.source, offset=offset) from None
            raise _unreadable(
                self.path, f"cannot parse CSV: {first}", f"无法解析 CSV：{first}"
            ) from None
        data = self.columns[: self.width]
        lines = pl.int_range(pl.len(), dtype=pl.Int64) + first_line
        flags = table.select(
            (pl.col(self.columns[self.width]) == sentinel).fill_null(False).alias("_complete"),
            pl.any_horizontal(pl.col(c).str.starts_with('"') for c in self.columns)
            .fill_null(False)
            .alias("_quoted"),
        )
        plain = (flags.get_column("_complete") & ~flags.get_column("_quoted")).alias("_plain")
        frame = table.select(lines.alias(LINE), *data).rename(
            dict(zip(data, self.names, strict=True))
        )
        if plain.all():
            return Block(frame, plain, pl.DataFrame(schema=RARE_SCHEMA), frame.clear())
        rare, quoted = self._rare(table, flags, plain, marked, sentinel, first_line)
        return Block(frame, plain, rare, quoted)

    def _rare(
        self,
        table: pl.DataFrame,
        flags: pl.DataFrame,
        plain: pl.Series,
        marked: bytes,
        sentinel: str,
        first_line: int,
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The lines of a block that were not split exactly, with their text, and the rows of
        its quoted lines that are whole records by themselves, split."""
        mark = f"{re.escape(self.delimiter)}\\x{ord(sentinel):02x}.*"
        joined = pl.concat_str(
            [pl.col(c).fill_null("") for c in self.columns], separator=self.delimiter
        )
        found = self._fields(sentinel)
        rare = (
            table.with_row_index("_index")
            .hstack(flags.select("_quoted"))
            .filter(~plain)
            .select(
                pl.col("_index").cast(pl.Int64),
                "_quoted",
                # Fields on the line; null when it has two or more beyond the header's.
                found.alias("_found"),
                # The line as written; only its first fields when it has two or more too many.
                pl.when(found.is_null())
                .then(joined + pl.lit(" …"))
                .otherwise(joined.str.replace(mark, ""))
                .alias("_text"),
                pl.col(self.columns[0]).fill_null("").str.strip_chars().alias("_first"),
            )
        )
        cut = rare.filter(pl.col("_quoted") & pl.col("_found").is_null())
        if cut.height:
            # A quoted line with two or more extra delimiters: its whole text, read again.
            unused = next(c for c in _SENTINELS if c.encode() not in marked)
            every = pl.read_csv(
                marked, has_header=False, separator=unused, quote_char=None, schema={"l": pl.Utf8}
            ).slice(1)
            whole = every.get_column("l").gather(cut.get_column("_index"))
            texts = cut.select(
                "_index", whole.str.strip_suffix(self.delimiter + sentinel).alias("_text")
            )
            rare = rare.update(texts, on="_index")
        split = self._split_quoted(rare, sentinel)
        rare = rare.join(split.select("_index", "_fields"), on="_index", how="left")
        # The field grammar, a slow regex, only for quoted lines the reader could not split.
        grammar = pl.col("_quoted") & pl.col("_fields").is_null()
        rest = self.grammar.rest(pl.col("_text"))
        rare = pl.concat(
            [
                rare.filter(~grammar),
                rare.filter(grammar).with_columns(
                    self.grammar.fields(pl.col("_text")).alias("_found"),
                    (rest.str.replace_all(self.delimiter, "", literal=True) == "").alias("_single"),
                ),
            ],
            how="diagonal",
        ).sort("_index")
        lines = rare.select(
            (pl.col("_index") + first_line).alias(LINE),
            "_text",
            pl.coalesce("_fields", "_found").alias("_found"),
            "_quoted",
            (~pl.col("_quoted") & (pl.col("_found") == 1) & (pl.col("_first") == "")).alias(
                "_blank"
            ),
            (pl.col("_fields").is_not_null() | pl.col("_single").fill_null(False)).alias("_single"),
        )
        rows = split.filter(pl.col("_fields") == self.width).select(
            (pl.col("_index") + first_line).alias(LINE),
            *(pl.col(c).alias(n) for c, n in zip(self.columns, self.names, strict=False)),
        )
        return lines, rows

    def _fields(self, sentinel: str) -> pl.Expr:
        """Fields on a line split with the sentinel: where the sentinel arrived; null when it
        was cut off (two or more fields beyond the header's)."""
        return pl.coalesce(
            pl.when(pl.col(c) == sentinel).then(pl.lit(i, pl.Int64))
            for i, c in enumerate(self.columns)
        )

    def _split_quoted(self, rare: pl.DataFrame, sentinel: str) -> pl.DataFrame:
        """Quoted lines with an even count of quotes, split by the quote-aware reader.

        Each gets the sentinel field again, so a line's field count shows as before. When a
        quote stays open after all (the reader joins lines), none is split here and the field
        grammar decides each line instead. `_fields` is null where the count is unknown.
        """
        even = rare.filter(
            pl.col("_quoted") & (pl.col("_text").str.count_matches('"', literal=True) % 2 == 0)
        )
        empty = pl.DataFrame(
            schema={"_index": pl.Int64, "_fields": pl.Int64, **dict.fromkeys(self.columns, pl.Utf8)}
        )
        if even.height == 0:
            return empty
        buffer = io.BytesIO()
        buffer.write((self.delimiter * (self.width + 1) + "\n").encode())
        even.select(pl.col("_text") + pl.lit(self.delimiter + sentinel)).write_csv(
            buffer, include_header=False, quote_style="never"
        )
        try:
            split = pl.read_csv(
                buffer.getvalue(),
                has_header=False,
                separator=self.delimiter,
                schema=dict.fromkeys(self.columns, pl.Utf8),
                truncate_ragged_lines=True,
            ).slice(1)
        except pl.exceptions.ComputeError:
            return empty
        if split.height != even.height:
            return empty
        return split.select(
            even.get_column("_index"), self._fields(sentinel).alias("_fields"), *self.columns
        ).filter(pl.col("_fields").is_not_null())

    def resolve(self, rare: pl.DataFrame, quoted_rows: pl.DataFrame) -> Resolved:
        """The rare lines of every block, in file order, made into rows and malformed lines;
        `quoted_rows` are the blocks' rows of quoted lines already split.

        A quoted field may span lines; lines whose quote never closes are broken rows.
        """
        quoted = rare.filter(pl.col("_quoted"))
        multi, broken = _join_quoted_lines(
            rare, quoted.filter(~pl.col("_single")).get_column(LINE), self.grammar
        )
        continued = _continuation_lines(multi)
        inside = pl.col(LINE).is_in(continued.implode())
        split = pl.col(LINE).is_in(quoted_rows.get_column(LINE).implode())
        records = pl.concat(
            [
                quoted.filter(pl.col("_single") & ~inside & ~split).select(LINE, "_text", "_found"),
                multi.drop("_end"),
            ]
        )
        ragged = pl.lit("ragged_row").alias("rule")
        expected = pl.lit(self.width, pl.Int64).alias("expected")
        as_written = (pl.col("_found").alias("found"), expected, pl.col("_text").alias("line"))
        malformed = pl.concat(
            [
                rare.filter(~pl.col("_quoted") & ~pl.col("_blank") & ~inside).select(
                    LINE, ragged, *as_written
                ),
                records.filter(pl.col("_found") != self.width).select(LINE, ragged, *as_written),
                quoted.filter(pl.col(LINE).is_in(broken.implode())).select(
                    LINE,
                    pl.lit("broken_quote").alias("rule"),
                    pl.lit(None, pl.Int64).alias("found"),
                    expected,
                    pl.col("_text").alias("line"),
                ),
            ]
        ).sort(LINE)
        others = pl.concat(
            [
                rare.filter(pl.col("_blank") & ~inside).select(
                    LINE, *(pl.lit(None, pl.Utf8).alias(n) for n in self.names)
                ),
                _parse_records(
                    records.filter(pl.col("_found") == self.width), self.names, self.delimiter
                ),
                quoted_rows.filter(~inside),
            ]
        ).sort(LINE)
        return Resolved(others, malformed, continued)


def _continuation_lines(multi: pl.DataFrame) -> pl.Series:
    """Lines after the first of each record that spans lines, in order."""
    starts = multi.get_column(LINE).to_numpy().astype(np.int64)
    lengths = multi.get_column("_end").to_numpy().astype(np.int64) - starts
    before = np.cumsum(lengths) - lengths
    lines = np.repeat(starts + 1 - before, lengths) + np.arange(lengths.sum())
    return pl.Series(LINE, lines, dtype=pl.Int64)


def _parse_records(records: pl.DataFrame, names: list[str], delimiter: str) -> pl.DataFrame:
    """Fields of records with quoted fields, parsed by the CSV reader itself."""
    columns = [f"_c{i}" for i in range(len(names))]
    if records.height == 0:
        return pl.DataFrame(schema={LINE: pl.Int64, **dict.fromkeys(names, pl.Utf8)})
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
    return parsed.rename(dict(zip(columns, names, strict=True))).insert_column(
        0, records.get_column(LINE)
    )


def _join_quoted_lines(
    rare: pl.DataFrame, openers: pl.Series, grammar: _Grammar
) -> tuple[pl.DataFrame, pl.Series]:
    """Records whose quoted field spans lines, and the lines whose quote never closes.

    A quote stays open over the next lines while none of them is a complete row by itself;
    otherwise the line is broken and is one row, so it cannot swallow the rest of the file.
    Only lines with an unbalanced quote come here.
    """
    schema = {LINE: pl.Int64, "_text": pl.Utf8, "_end": pl.Int64}
    numbers = rare.get_column(LINE).to_numpy().astype(np.int64)
    texts = rare.get_column("_text")
    starts = openers.to_numpy().astype(np.int64)
    at = np.searchsorted(numbers, starts)
    # Most such records span two lines: those are joined and matched in one batch.
    following = np.minimum(at + 1, numbers.size - 1)
    pairs = pl.DataFrame(
        {
            LINE: starts,
            "_text": texts.gather(at) + "\n" + texts.gather(following),
            "_end": starts + 1,
        },
        schema=schema,
    )
    record = f"^(?:{grammar.record.pattern})$"
    closes = (
        pl.Series(numbers[following] == starts + 1) & pairs.get_column("_text").str.contains(record)
    ).to_list()
    paired: list[int] = []
    records: list[tuple[int, str, int]] = []
    broken: list[int] = []
    reached = -1
    for i, (start, k) in enumerate(zip(starts.tolist(), at.tolist(), strict=True)):
        if start <= reached:
            continue
        if closes[i]:
            paired.append(i)
            reached = start + 1
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
    longer = pl.DataFrame(records, schema=schema, orient="row")
    multi = pl.concat([pairs[paired], longer]).sort(LINE)
    found = grammar.fields(pl.col("_text")).alias("_found")
    return multi.select(LINE, "_text", found, "_end"), pl.Series(broken, dtype=pl.Int64)


def _read_csv(path: Path, source: SourceFormat) -> SourceRows:
    """The whole file in memory: for files checked as one frame."""
    csv_file = CsvFile(path, source)
    empty = pl.DataFrame(schema={LINE: pl.Int64, **dict.fromkeys(csv_file.names, pl.Utf8)})
    frames, rares, quoted = [], [pl.DataFrame(schema=RARE_SCHEMA)], [empty]
    for block in csv_file.blocks():
        frames.append(block.frame.filter(block.plain))
        rares.append(block.rare)
        quoted.append(block.quoted)
    resolved = csv_file.resolve(pl.concat(rares), pl.concat(quoted))
    lines = pl.concat([empty, *frames, resolved.others])
    if resolved.others.height:
        lines = lines.sort(LINE)
    frame = lines.select(resolved.row(pl.col(LINE)).alias(SOURCE_ROW), *csv_file.names)
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
