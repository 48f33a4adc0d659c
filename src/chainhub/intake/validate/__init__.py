"""Apply a mapping profile to a partner's file and check every row, vectorized.

Each standard field becomes one Polars expression (text → transform → typed value) plus one
boolean expression per rule; all are evaluated in a single pass and every failing cell is
reported with its source row and column, never just the first.
"""

from chainhub.intake.validate.blockwise import check_csv
from chainhub.intake.validate.check_digits import gs1_fails, uscc_fails
from chainhub.intake.validate.frame import check_frame
from chainhub.intake.validate.result import SourceLookup, ValidationResult

__all__ = [
    "SourceLookup",
    "ValidationResult",
    "check_csv",
    "check_frame",
    "gs1_fails",
    "uscc_fails",
]
