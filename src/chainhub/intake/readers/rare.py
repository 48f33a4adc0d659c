"""The lines of a block the fast split could not read exactly: ragged, blank or quoted."""

from __future__ import annotations

import io
import re
from typing import Final

import polars as pl

from chainhub.intake.readers.layout import Layout
from chainhub.intake.readers.rows import LINE
from chainhub.intake.readers.sentinel import SENTINELS, sentinel_fields

RARE_SCHEMA: Final[dict[str, pl.DataType]] = {
    LINE: pl.Int64(),
    "_text": pl.Utf8(),
    "_found": pl.Int64(),
    "_quoted": pl.Boolean(),
    "_blank": pl.Boolean(),
    "_single": pl.Boolean(),
}
_NO_RARE: Final = pl.DataFrame(schema=RARE_SCHEMA)


def no_rare_lines() -> pl.DataFrame:
    """A frame of rare lines with none (a new one each time, cheaper than from the schema)."""
    return _NO_RARE.clear()


def rare_lines(
    layout: Layout,
    table: pl.DataFrame,
    quoted: pl.Series,
    plain: pl.Series,
    marked: bytes,
    sentinel: str,
    first_line: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines of a block that were not split exactly, with their text, and the rows of
    its quoted lines that are whole records by themselves, split."""
    delimiter, columns = layout.delimiter, layout.columns
    mark = f"{re.escape(delimiter)}\\x{ord(sentinel):02x}.*"
    joined = pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=delimiter)
    found = sentinel_fields(columns, sentinel)
    rare = (
        table.with_row_index("_index")
        .hstack([quoted])
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
            pl.col(columns[0]).fill_null("").str.strip_chars().alias("_first"),
        )
    )
    cut = rare.filter(pl.col("_quoted") & pl.col("_found").is_null())
    if cut.height:
        # A quoted line with two or more extra delimiters: its whole text, read again.
        unused = next(c for c in SENTINELS if c.encode() not in marked)
        every = pl.read_csv(
            marked, has_header=False, separator=unused, quote_char=None, schema={"l": pl.Utf8}
        ).slice(1)
        whole = every.get_column("l").gather(cut.get_column("_index"))
        texts = cut.select("_index", whole.str.strip_suffix(delimiter + sentinel).alias("_text"))
        rare = rare.update(texts, on="_index")
    split = _split_quoted(layout, rare, sentinel)
    rare = rare.join(split.select("_index", "_fields"), on="_index", how="left")
    # The field grammar, a slow regex, only for quoted lines the reader could not split.
    grammar = pl.col("_quoted") & pl.col("_fields").is_null()
    rare = pl.concat(
        [
            rare.filter(~grammar),
            rare.filter(grammar).with_columns(
                layout.grammar.fields(pl.col("_text")).alias("_found"),
                # Text after a closing quote (`"a"b`) leaves no field open, yet is no record.
                layout.grammar.is_record(pl.col("_text")).alias("_single"),
            ),
        ],
        how="diagonal",
    ).sort("_index")
    lines = rare.select(
        (pl.col("_index") + first_line).alias(LINE),
        "_text",
        pl.coalesce("_fields", "_found").alias("_found"),
        "_quoted",
        (~pl.col("_quoted") & (pl.col("_found") == 1) & (pl.col("_first") == "")).alias("_blank"),
        (pl.col("_fields").is_not_null() | pl.col("_single").fill_null(False)).alias("_single"),
    )
    rows = split.filter(pl.col("_fields") == layout.width).select(
        (pl.col("_index") + first_line).alias(LINE),
        *(pl.col(c).alias(n) for c, n in zip(columns, layout.names, strict=False)),
    )
    return lines, rows


def _split_quoted(layout: Layout, rare: pl.DataFrame, sentinel: str) -> pl.DataFrame:
    """Quoted lines with an even count of quotes, split by the quote-aware reader.

    Each gets the sentinel field again, so a line's field count shows as before. When a
    quote stays open after all (the reader joins lines), none is split here and the field
    grammar decides each line instead. `_fields` is null where the count is unknown.
    """
    even = rare.filter(
        pl.col("_quoted") & (pl.col("_text").str.count_matches('"', literal=True) % 2 == 0)
    )
    empty = pl.DataFrame(
        schema={"_index": pl.Int64, "_fields": pl.Int64, **dict.fromkeys(layout.columns, pl.Utf8)}
    )
    if even.height == 0:
        return empty
    buffer = io.BytesIO()
    buffer.write((layout.delimiter * (layout.width + 1) + "\n").encode())
    even.select(pl.col("_text") + pl.lit(layout.delimiter + sentinel)).write_csv(
        buffer, include_header=False, quote_style="never"
    )
    try:
        split = layout.split(buffer.getvalue(), layout.columns, ragged=True).slice(1)
    except pl.exceptions.ComputeError:
        return empty
    if split.height != even.height:
        return empty
    return split.select(
        even.get_column("_index"),
        sentinel_fields(layout.columns, sentinel).alias("_fields"),
        *layout.columns,
    ).filter(pl.col("_fields").is_not_null())
