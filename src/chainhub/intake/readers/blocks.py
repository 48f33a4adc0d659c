"""A CSV file read in blocks of whole lines, each split fast with a sentinel field per line."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.readers.encoding import not_utf8, to_utf8
from chainhub.intake.readers.errors import file_not_found, unreadable
from chainhub.intake.readers.header import read_header
from chainhub.intake.readers.layout import Layout
from chainhub.intake.readers.rare import no_rare_lines, rare_lines
from chainhub.intake.readers.resolve import Resolved, resolve
from chainhub.intake.readers.rows import LINE, renamed
from chainhub.intake.readers.sentinel import SENTINELS
from chainhub.intake.readers.table import may_hold_totals
from chainhub.intake.readers.text import TextFile
from chainhub.intake.schemas import SourceFormat

BLOCK_BYTES: Final = 1 << 24
"""Bytes of a CSV file read and checked at a time: memory stays bounded whatever the size."""
# Names of a split's flag columns beside the header's: a control character first, as no
# real export's header label has.
_PLAIN: Final = "\x1fplain"
_QUOTED: Final = "\x1fquoted"
_LINES: Final = "\x1flines"
_SENTINEL: Final = "\x1fsentinel"
_RESERVED: Final = frozenset({LINE, _PLAIN, _QUOTED})
# Files of at most this many bytes of lines are split together (`split_together`).
_JOINT_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class Block:
    """One block of a CSV file's lines, split on the delimiter.

    `frame` has every line of the block: `_line`, its index among the lines after the header,
    then the header's columns. Lines marked in `plain` were split exactly (as many fields as
    the header, no quotes); each other line is in `rare` with its text, for `resolve`,
    and `quoted` has the rows of quoted lines that are whole records by themselves;
    `totals` is false when no line can be a totals row (see `may_hold_totals`).
    """

    frame: pl.DataFrame
    plain: pl.Series
    rare: pl.DataFrame
    quoted: pl.DataFrame
    totals: bool


class CsvFile:
    """A CSV file read as its profile describes it, in blocks of whole lines.

    A block's lines are split with quoting off, so the reader is as fast as the plain read;
    every line also gets a sentinel field: where a line has too few fields the sentinel
    arrives early, where it has too many it arrives late or is cut off, so both show in the
    same read. Lines with a quote, few in any file, are parsed again as CSV records.
    """

    def __init__(self, path: Path, source: SourceFormat, *, block_bytes: int = BLOCK_BYTES):
        if not path.is_file():
            raise file_not_found(path)
        self.path = path
        self.text = TextFile(path, source)
        self.source = self.text.source
        self.block_bytes = block_bytes
        named, self.data_start = read_header(self.text.data, self.source, shown=path)
        self.notes = (*self.text.notes, *named.notes)
        self.unnamed = named.unnamed
        self.layout = Layout(source.delimiter, named.names)
        # (first byte, bytes, first line) of each block read, to read some again.
        self.spans: list[tuple[int, int, int]] = []
        # The rare lines and quoted rows of the blocks read, for `resolve`.
        self._rare: list[pl.DataFrame] = []
        self._quoted: list[pl.DataFrame] = []
        # The one block's marked text, and its split when split with others (`split_together`).
        self._one: tuple[bytes, str] | None = None
        self._one_size = 0
        self._one_split: tuple[pl.DataFrame, pl.DataFrame] | None = None

    def _raw_blocks(self) -> Iterator[tuple[int, bytes]]:
        """(first byte, bytes) of each block of whole lines after the header."""
        with self.text.data.open("rb") as handle:
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
        if self._one is not None:
            # Taken once: a block is read again (`block`) from the file, as any other.
            one, self._one = self._one, None
            self.spans.append((self.data_start, self._one_size, 0))
            yield 0, *one
            return
        for offset, raw in self._raw_blocks():
            self.spans.append((offset, len(raw), line))
            yield line, *self._mark(raw, offset)
            line += raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)

    def _mark(self, raw: bytes, offset: int) -> tuple[bytes, str]:
        text = to_utf8(raw, self.source, path=self.path, offset=offset)
        sentinel = next((c for c in SENTINELS if c.encode() not in text), None)
        if sentinel is None:
            raise unreadable(
                self.path, "cannot parse CSV: binary content", "无法解析 CSV：含有二进制内容"
            )
        delimiter = self.layout.delimiter
        end = (delimiter + sentinel + "\n").encode()
        last = b"" if text.endswith(b"\n") else b"\n"
        # A first line as wide as the columns makes the reader expect all of them.
        marked = b"".join(((delimiter * self.layout.width).encode(), b"\n", text, last))
        return marked.replace(b"\n", end), sentinel

    def blocks(self) -> Iterator[Block]:
        """Every block in file order; the next block is read and marked while one is parsed."""
        self._rare = [no_rare_lines()]
        self._quoted = [self.layout.no_rows()]
        if self.one_block:
            # Nothing to read ahead: handing the one block to a thread only costs a switch.
            for line, marked_text, sentinel in self._marked():
                yield self._keep(self._split(line, marked_text, sentinel))
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            marked = self._marked()
            ahead = pool.submit(next, marked, None)
            while (item := ahead.result()) is not None:
                ahead = pool.submit(next, marked, None)
                yield self._keep(self._split(*item))

    @property
    def one_block(self) -> bool:
        """Whether the lines after the header fit in one block."""
        return self.text.data.stat().st_size - self.data_start <= self.block_bytes

    def _keep(self, block: Block) -> Block:
        """A block read, its rare lines and quoted rows kept for `resolve`."""
        self._rare.append(block.rare)
        self._quoted.append(block.quoted)
        return block

    def resolve(self) -> Resolved:
        """The rare lines of every block read, in file order, made into rows."""
        rare = [r for r in self._rare if r.height]
        quoted = [q for q in self._quoted if q.height]
        # Most files have no rare line: nothing to concatenate, each concat being a query.
        return resolve(
            self.layout,
            pl.concat(rare) if rare else self._rare[0],
            pl.concat(quoted) if quoted else self._quoted[0],
        )

    def block(self, index: int) -> Block:
        """One block again, by its place among the blocks already read."""
        offset, _size, line = self.spans[index]
        return self._split(line, *self._mark(self._read_span(index), offset))

    def _read_span(self, index: int) -> bytes:
        """The raw bytes of one block already read."""
        offset, size, _line = self.spans[index]
        with self.text.data.open("rb") as handle:
            handle.seek(offset)
            return handle.read(size)

    def marked_one(self) -> tuple[bytes, str] | None:
        """The marked text and sentinel of the file's one block (None when it has more, or
        none), kept for `blocks`."""
        if not self.one_block:
            return None
        blocks = list(self._raw_blocks())
        if len(blocks) != 1:
            return None
        offset, raw = blocks[0]
        self._one, self._one_size = self._mark(raw, offset), len(raw)
        return self._one

    def take_split(self, table: pl.DataFrame, split: pl.DataFrame) -> None:
        """The one block's lines as `marked_one` split them (without the wide first line) and
        their rows and flags (`_flags`, by the reader's column names), with other files' in
        one read: `blocks` takes them instead of reading them again."""
        names = dict(zip(self.layout.columns, self.layout.names, strict=False))
        self._one_split = table, renamed(split, names)

    def _split(self, first_line: int, marked: bytes, sentinel: str) -> Block:
        layout = self.layout
        if first_line == 0 and self._one_split is not None:
            (table, split), self._one_split = self._one_split, None
        else:
            try:
                table = layout.split(marked, layout.columns, quoted=False, ragged=True).slice(1)
            except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
                raise self._parse_error(exc, first_line) from None
            # One pass makes the rows and their flags; the frame is then taken without one.
            lines = pl.int_range(pl.len(), dtype=pl.Int64) + first_line
            split = table.select(
                *_flags(layout, lines, pl.lit(sentinel), layout.names, quotes=b'"' in marked)
            )
        frame = split[[LINE, *layout.names]]
        plain = split.get_column(_PLAIN).alias("_plain")
        totals = may_hold_totals(marked)
        if plain.all():
            return Block(frame, plain, no_rare_lines(), frame.clear(), totals)
        quoted_lines = split.get_column(_QUOTED).alias("_quoted")
        rare, quoted_rows = rare_lines(
            layout, table, quoted_lines, plain, marked, sentinel, first_line
        )
        return Block(frame, plain, rare, quoted_rows, totals)

    def _parse_error(self, exc: Exception, first_line: int) -> ChainhubError:
        """Why the block that starts at `first_line` could not be split, for the partner."""
        first = str(exc).splitlines()[0]
        if "utf-8" in first:
            index = next(i for i, span in enumerate(self.spans) if span[2] == first_line)
            offset = self.spans[index][0]
            raw = to_utf8(self._read_span(index), self.source, path=self.path, offset=offset)
            return not_utf8(self.path, raw, self.source, offset=offset)
        return unreadable(self.path, f"cannot parse CSV: {first}", f"无法解析 CSV：{first}")


def _flags(
    layout: Layout, lines: pl.Expr, sentinel: pl.Expr, names: list[str], *, quotes: bool
) -> list[pl.Expr]:
    """A split block's rows (its line, then its data columns as `names`) and their flags:
    split exactly, or holding a quoted field."""
    complete = (pl.col(layout.columns[layout.width]) == sentinel).fill_null(False)
    # A block without a quote has no quoted field: no test a field is needed.
    quoted = (
        pl.any_horizontal(pl.col(c).str.starts_with('"') for c in layout.columns)
        if quotes
        else pl.lit(False)
    ).fill_null(False)
    return [
        lines.alias(LINE),
        *(pl.col(c).alias(n) for c, n in zip(layout.columns, names, strict=False)),
        (complete & ~quoted).alias(_PLAIN),
        quoted.alias(_QUOTED),
    ]


def split_together(files: list[CsvFile]) -> None:
    """Split the one block of each of `files` (those of one delimiter and width together) in
    one read, as a read costs a fixed time however few its lines; each file takes its lines.
    Files whose lines the joint read cannot be shown to split as their own read would (a
    read that fails, line counts that disagree) are left to read alone."""
    groups: dict[tuple[str, int], list[list[tuple[CsvFile, bytes, str]]]] = {}
    for file in files:
        if file.text.data.stat().st_size - file.data_start > _JOINT_BYTES:
            continue  # a read of this many lines costs their own time: nothing to share
        try:
            one = file.marked_one()
        except Exception:  # noqa: BLE001, S112 - raised again when the file is read, as its own
            continue
        # A header whose names repeat, or that a split's own columns would shadow, is left to
        # its own read (and its error).
        names = file.layout.names
        if one is None or len(set(names)) < len(names) or not _RESERVED.isdisjoint(names):
            continue
        joint = groups.setdefault((file.layout.delimiter, len(file.layout.columns)), [[]])
        if sum(len(m) for _f, m, _s in joint[-1]) + len(one[0]) > BLOCK_BYTES:
            joint.append([])
        joint[-1].append((file, *one))
    for group in (g for joint in groups.values() for g in joint):
        if len(group) < 2:
            continue
        layout = group[0][0].layout
        try:
            table = layout.split(
                b"".join(m for _f, m, _s in group), layout.columns, quoted=False, ragged=True
            )
        except (pl.exceptions.ComputeError, pl.exceptions.NoDataError):
            continue
        # Each file's first line is its wide one (`_mark`), its sentinel in the last column.
        counts = [m.count(b"\n") for _f, m, _s in group]
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        if table.height != sum(counts):
            continue
        sentinels = [sentinel for _f, _m, sentinel in group]
        if table.get_column(layout.columns[-1]).gather(starts).to_list() != sentinels:
            continue
        # Each file's lines numbered from its own first (after its wide line), and its sentinel
        # on each of its lines, as columns: the flags of all are then made in one pass.
        part = np.repeat(np.arange(len(group)), counts)
        lines = np.arange(table.height, dtype=np.int64) - np.repeat(starts + 1, counts)
        split = table.hstack(
            [
                pl.Series(_LINES, lines),
                pl.Series(_SENTINEL, sentinels, dtype=pl.Utf8).gather(part).alias(_SENTINEL),
            ]
        ).select(
            *_flags(
                layout,
                pl.col(_LINES),
                pl.col(_SENTINEL),
                layout.columns[: layout.width],
                quotes=any(b'"' in m for _f, m, _s in group),
            )
        )
        for (file, _m, _s), start, count in zip(group, starts, counts, strict=True):
            file.take_split(
                table.slice(int(start) + 1, count - 1), split.slice(int(start) + 1, count - 1)
            )
