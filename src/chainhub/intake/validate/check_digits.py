"""Check digits of GS1 keys (GTIN, GLN) and of the unified social credit code, vectorized."""

from __future__ import annotations

import polars as pl

from chainhub.standard.fields import USCC_CHARSET


def gs1_fails(text: pl.Expr, lengths: tuple[int, ...]) -> pl.Expr:
    """Where a GS1 key of one of `lengths` digits has a wrong check digit, or is no key."""
    padded = text.str.zfill(18)
    total = pl.lit(0, dtype=pl.Int32)
    for i in range(17):
        digit = padded.str.slice(i, 1).cast(pl.Int32, strict=False)
        total = total + digit * (3 if (16 - i) % 2 == 0 else 1)
    check = padded.str.slice(17, 1).cast(pl.Int32, strict=False)
    ok = (
        text.str.contains(r"^\d+$")
        & text.str.len_chars().is_in(list(lengths))
        & (((10 - total % 10) % 10) == check)
    )
    return ~ok


def uscc_fails(text: pl.Expr) -> pl.Expr:
    """Where a unified social credit code (GB 32100-2015) has a wrong check character."""
    index = {c: i for i, c in enumerate(USCC_CHARSET)}
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(weights):
        value = text.str.slice(i, 1).replace_strict(index, default=None, return_dtype=pl.Int64)
        total = total + value * w
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_CHARSET)), default=None, return_dtype=pl.Utf8
    )
    ok = (text.str.len_chars() == 18) & (text.str.slice(17, 1) == expected)
    return ~ok.fill_null(False)
