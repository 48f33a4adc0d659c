"""Headers and words folded for comparison."""

from __future__ import annotations

import re
import unicodedata

import polars as pl


def fold(text: str) -> str:
    """A header or word folded for comparison: half-width, lower case, no punctuation or notes."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    bare = re.sub(r"\([^)]*\)", "", folded)
    return re.sub(r"[\W_]+", "", bare or folded)


def distinct(column: pl.Series) -> pl.Series:
    """A column's distinct non-blank values as stripped text, in order of appearance."""
    text = column.cast(pl.Utf8).str.strip_chars()
    return text.filter(text.is_not_null() & (text != "")).unique(maintain_order=True)
