"""Cells the hub writes into CSV or XLSX for people: formulas neutralised (OWASP CSV injection)."""

from __future__ import annotations

import re
from typing import Final

import polars as pl

# A spreadsheet runs a cell starting with these as a formula (=cmd|...), or as its start.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str | None) -> str | None:
    """The value, prefixed with a quote when a spreadsheet would read it as a formula."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column neutralised, for a CSV or XLSX export; stored values stay raw."""
    # Each character escaped: a bare "-" between "+" and "@" would make a range holding the digits.
    starts = "^[" + "".join(re.escape(c) for c in FORMULA_STARTS) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
