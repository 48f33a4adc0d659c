"""A control character that marks line ends: where it arrives tells a line's field count."""

from __future__ import annotations

from typing import Final

import polars as pl

# Control characters that never occur in text exports; one absent from the file marks line ends.
SENTINELS: Final = tuple(chr(c) for c in (1, 2, 3, 4, 5, 6, 7, 14, 15, 16, 17, 18, 19))


def sentinel_fields(columns: list[str], sentinel: str) -> pl.Expr:
    """Fields on a line split with the sentinel: where the sentinel arrived; null when it
    was cut off (two or more fields beyond the header's)."""
    return pl.coalesce(
        pl.when(pl.col(c) == sentinel).then(pl.lit(i, pl.Int64)) for i, c in enumerate(columns)
    )
