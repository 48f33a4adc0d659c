"""The rare lines of a whole CSV file made into rows, and into malformed lines that are none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from chainhub.intake.readers.layout import Layout
from chainhub.intake.readers.multiline import continuation_lines, join_quoted_lines
from chainhub.intake.readers.rows import LINE

MALFORMED_SCHEMA: Final[dict[str, pl.DataType]] = {
    LINE: pl.Int64(),
    "rule": pl.Utf8(),
    "found": pl.Int64(),
    "expected": pl.Int64(),
    "line": pl.Utf8(),
}
_NO_LINES: Final = pl.Series(LINE, [], dtype=pl.Int64)
_NO_MALFORMED: Final = pl.DataFrame(schema=MALFORMED_SCHEMA)


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


def resolve(layout: Layout, rare: pl.DataFrame, quoted_rows: pl.DataFrame) -> Resolved:
    """The rare lines of every block, in file order, made into rows and malformed lines;
    `quoted_rows` are the blocks' rows of quoted lines already split.

    A quoted field may span lines; lines whose quote never closes are broken rows.
    """
    if rare.height == 0 and quoted_rows.height == 0:
        # Every line was plain, as in most files: nothing to make into rows.
        return Resolved(layout.no_rows(), _NO_MALFORMED.clear(), _NO_LINES)
    quoted = rare.filter(pl.col("_quoted"))
    multi, broken = join_quoted_lines(
        rare, quoted.filter(~pl.col("_single")).get_column(LINE), layout.grammar
    )
    continued = continuation_lines(multi)
    inside = pl.col(LINE).is_in(continued.implode())
    split = pl.col(LINE).is_in(quoted_rows.get_column(LINE).implode())
    records = pl.concat(
        [
            quoted.filter(pl.col("_single") & ~inside & ~split).select(LINE, "_text", "_found"),
            multi.drop("_end"),
        ]
    )
    ragged = pl.lit("ragged_row").alias("rule")
    expected = pl.lit(layout.width, pl.Int64).alias("expected")
    as_written = (pl.col("_found").alias("found"), expected, pl.col("_text").alias("line"))
    malformed = pl.concat(
        [
            rare.filter(~pl.col("_quoted") & ~pl.col("_blank") & ~inside).select(
                LINE, ragged, *as_written
            ),
            records.filter(pl.col("_found") != layout.width).select(LINE, ragged, *as_written),
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
                LINE, *(pl.lit(None, pl.Utf8).alias(n) for n in layout.names)
            ),
            _parse_records(records.filter(pl.col("_found") == layout.width), layout),
            quoted_rows.filter(~inside),
        ]
    ).sort(LINE)
    return Resolved(others, malformed, continued)


def _parse_records(records: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Fields of records with quoted fields, split by the grammar that counted them.

    Polars' CSV reader is not asked: a quote inside a plain field (`3/4"`) makes it read on
    over the end of the record.
    """
    fields = layout.grammar.split(records.get_column("_text"), layout.names)
    return fields.insert_column(0, records.get_column(LINE))
