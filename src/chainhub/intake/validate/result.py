"""What a check of a file gives: typed records, the error report, and the rows as written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from chainhub.intake.readers import SOURCE_ROW

SourceLookup = Callable[[pl.Series], pl.DataFrame]
"""Rows as written (`_source_row` and the source columns), by their 1-based data rows."""


@dataclass(frozen=True)
class ValidationResult:
    """Typed records of every row, every error found by source row, and the rows read."""

    document_type: str
    records: pl.DataFrame
    errors: pl.DataFrame
    rows: int
    """Data rows read, with those that could not be split into fields."""
    source_of: SourceLookup
    malformed_rows: int = 0
    unmapped: tuple[str, ...] = ()
    """Required fields the profile leaves out, when the check went on without them."""

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one error."""
        return self.errors.get_column("row").n_unique() if self.errors.height else 0

    @property
    def valid_rows(self) -> int:
        """Rows without errors."""
        return self.rows - self.invalid_rows

    def valid_records(self) -> pl.DataFrame:
        """Records of the rows without errors."""
        bad = self.errors.select(pl.col("row").alias(SOURCE_ROW)).unique()
        return self.records.join(bad, on=SOURCE_ROW, how="anti")
