"""What a reader gives: a file's rows as text columns, and the rows it could not split."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias

import polars as pl

Note: TypeAlias = tuple[str, str]
"""A choice the reader made about a file, in English and Chinese."""
SOURCE_ROW = "_source_row"
LINE = "_line"
"""A line's index among the file's lines after the header, 0-based."""
MALFORMED_SCHEMA: Final[dict[str, pl.DataType]] = {
    "row": pl.Int64(),
    "rule": pl.Utf8(),
    "found": pl.Int64(),
    "expected": pl.Int64(),
    "line": pl.Utf8(),
}


def renamed(frame: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    """The frame with its columns in `names` renamed; cheaper than `DataFrame.rename`, a
    query each time."""
    out = frame.clone()
    out.columns = [names.get(c, c) for c in frame.columns]
    return out


@dataclass(frozen=True)
class SourceRows:
    """A file's rows as text columns, and the rows that could not be split into fields.

    `malformed` has the data row, the rule (`ragged_row`, `broken_quote`), the fields found
    (null when unknown) and expected, and the line as written; `notes` say what the reader
    chose (encoding, header line, totals).
    """

    frame: pl.DataFrame
    malformed: pl.DataFrame
    notes: tuple[Note, ...] = ()
