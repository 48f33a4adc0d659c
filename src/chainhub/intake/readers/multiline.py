"""Records whose quoted field spans lines (legal CSV), and lines whose quote never closes."""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from chainhub.intake.readers.grammar import Grammar
from chainhub.intake.readers.rows import LINE

# A quoted field may span lines, but not more than this many.
_MAX_RECORD_LINES: Final = 1000


def join_quoted_lines(
    rare: pl.DataFrame, openers: pl.Series, grammar: Grammar
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
    closes = (
        pl.Series(numbers[following] == starts + 1)
        & pairs.select(grammar.is_record(pl.col("_text"))).to_series()
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


def continuation_lines(multi: pl.DataFrame) -> pl.Series:
    """Lines after the first of each record that spans lines, in order."""
    starts = multi.get_column(LINE).to_numpy().astype(np.int64)
    lengths = multi.get_column("_end").to_numpy().astype(np.int64) - starts
    before = np.cumsum(lengths) - lengths
    lines = np.repeat(starts + 1 - before, lengths) + np.arange(lengths.sum())
    return pl.Series(LINE, lines, dtype=pl.Int64)
