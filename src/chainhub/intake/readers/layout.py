"""How a CSV file's lines split into columns: delimiter, header names, the reader's columns."""

from __future__ import annotations

import functools

import polars as pl

from chainhub.intake.readers.grammar import Grammar
from chainhub.intake.readers.rows import LINE


class Layout:
    """A CSV file's delimiter and header, and the columns its lines are split into."""

    def __init__(self, delimiter: str, names: list[str]) -> None:
        self.delimiter = delimiter
        self.names = names
        self.width = len(names)
        # Two beyond the header's: a line with one field too many, and then the sentinel.
        self.columns = [f"_c{i}" for i in range(self.width + 2)]
        self.grammar = Grammar.of(delimiter)

    def no_rows(self) -> pl.DataFrame:
        """A frame of rows by line, as a block's, with no row (a new one each time)."""
        return _no_rows(tuple(self.names)).clear()

    def split(
        self, data: bytes, columns: list[str], *, quoted: bool = True, ragged: bool = False
    ) -> pl.DataFrame:
        """Lines of `data` split on the delimiter into text `columns`; with `ragged`, fields
        beyond the columns are cut off and missing ones are null."""
        return pl.read_csv(
            data,
            has_header=False,
            separator=self.delimiter,
            schema=dict.fromkeys(columns, pl.Utf8),
            quote_char='"' if quoted else None,
            truncate_ragged_lines=ragged,
        )


# Built once per header (files of one export share theirs): a frame built from a schema costs
# a Series a column, each time.
@functools.lru_cache(maxsize=1024)
def _no_rows(names: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(schema={LINE: pl.Int64, **dict.fromkeys(names, pl.Utf8)})
