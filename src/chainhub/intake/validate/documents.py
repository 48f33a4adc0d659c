"""Checks across the rows of one document: its header fields agree, no line appears twice."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import polars as pl

from chainhub.intake.readers import SOURCE_ROW
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.spec import FieldSpec
from chainhub.intake.validate.columns import text_column
from chainhub.intake.validate.report import Check, column_of, error_columns, source_text
from chainhub.standard.registry import DocumentType

KEY_COLUMNS: Final = ("_key", "_header", "_line_key", "_line_no")
"""The columns of `DocumentChecks.keys`, beside the row."""


class DocumentChecks:
    """A document type's checks across rows, run on the keys of every row first.

    Keys (by hash) find the few candidate rows in one pass; the exact checks then run on
    those rows' documents, read again, so a hash collision costs time, never a false
    error. Lines of one document are usually adjacent, which spares a grouping.
    """

    def __init__(
        self, doc_type: DocumentType, profile: MappingProfile, specs: dict[str, FieldSpec]
    ) -> None:
        self.doc_type = doc_type
        self.profile = profile
        self.version_key = list(doc_type.version_key)
        self.headers = _header_fields(doc_type)
        self.unique_by = self.version_key + list(doc_type.line_key)
        self.line = _line_value(doc_type, specs)

    def keys(self) -> list[pl.Expr]:
        """Each row's keys (`KEY_COLUMNS`): the hashes of its document version, header fields
        and line, and its line number; from the typed fields."""
        return [
            pl.struct(self.version_key).hash().alias("_key"),
            (pl.struct(self.headers).hash() if self.headers else pl.lit(0, pl.UInt64)).alias(
                "_header"
            ),
            pl.struct(self.unique_by).hash().alias("_line_key"),
            self.line.alias("_line_no"),
        ]

    def suspects(self, keys: pl.DataFrame) -> pl.Series:
        """Rows of every document version whose keys say it may fail a document check."""
        # Most files have no suspect: said without the windows, which cost far more.
        if keys.height == 0 or not _may_fail(keys):
            return pl.Series(SOURCE_ROW, [], dtype=pl.Int64)
        start = (pl.col("_key") != pl.col("_key").shift(1)).fill_null(True)
        new_header = (pl.col("_header") != pl.col("_header").shift(1)).fill_null(True)
        rising = (pl.col("_line_no") > pl.col("_line_no").shift(1)).fill_null(False)
        duplicate = pl.col("_line_key").is_duplicated()
        # Each document version in one run of adjacent lines: a differing header is a change
        # within a run; a repeated line, a line number that does not rise.
        in_run = (~start & new_header) | pl.when(pl.col("_line_no").null_count() == 0).then(
            ~start & ~rising
        ).otherwise(duplicate)
        # A version whose lines are scattered: its headers, and its lines' keys, over all rows.
        scattered = (pl.col("_header").n_unique() > 1) | pl.col("_dup").any()
        any_scattered = pl.col("_key").filter(start).is_duplicated().any()
        return (
            keys.lazy()
            .with_columns(
                in_run.alias("_in_run"),
                start.cum_sum().alias("_run"),
                duplicate.alias("_dup"),
                any_scattered.alias("_scattered"),
            )
            .filter(
                pl.when(pl.col("_scattered"))
                .then(scattered.over("_key"))
                .otherwise(pl.col("_in_run").any().over("_run"))
            )
            .select(SOURCE_ROW)
            .collect()
            .to_series()
        )

    def _mismatch(self, name: str) -> pl.Expr:
        """A header field with two values in one document version. A value that did not parse
        is reported on its own row already, and says nothing of what the document holds."""
        read = pl.col(name).is_not_null() | pl.col(text_column(name)).is_null()
        values = pl.col(name).filter(read).n_unique().over(self.version_key)
        return read & (values > 1)

    def errors(self, typed: pl.DataFrame) -> list[pl.DataFrame]:
        """Header fields that differ within one document version; lines that appear twice;
        `typed` has the suspects' whole documents."""
        exact = {
            "header_mismatch": {n: self._mismatch(n) for n in self.headers},
            "duplicate": {
                _line_field(self.doc_type): pl.int_range(pl.len()).over(self.unique_by) > 0
            },
        }
        found = typed.with_columns(
            expr.alias(f"__d:{rule}:{name}")
            for rule, exprs in exact.items()
            for name, expr in exprs.items()
        )
        unique_by = ", ".join(self.unique_by)
        errors = []
        for rule, exprs in exact.items():
            for name in exprs:
                check = Check(
                    name,
                    column_of(self.profile, name),
                    rule,
                    pl.lit(True),
                    unique_by if rule == "duplicate" else "",
                )
                errors.append(
                    found.filter(pl.col(f"__d:{rule}:{name}")).select(
                        pl.col(SOURCE_ROW).alias("row"),
                        *error_columns(check, source_text(self.profile, name)),
                    )
                )
        return errors


def _may_fail(keys: pl.DataFrame) -> bool:
    """Whether a document version of `keys` (at least one row) has a run of lines whose header
    changes or whose line number does not rise (or, unnumbered, a repeated line), or lines in
    more than one run: `suspects`' expressions, worked out in NumPy, as a Polars query costs
    several times as much on the few rows of a file."""
    key = keys.get_column("_key").to_numpy()
    header = keys.get_column("_header").to_numpy()
    start = np.empty(len(key), dtype=bool)
    start[0] = True
    np.not_equal(key[1:], key[:-1], out=start[1:])
    within = ~start[1:]
    if (within & (header[1:] != header[:-1])).any():
        return True
    line = keys.get_column("_line_no")
    if line.null_count() == 0:
        numbers = line.to_numpy()
        if (within & ~(numbers[1:] > numbers[:-1])).any():
            return True
    elif _repeated(keys.get_column("_line_key").to_numpy()):
        return True
    return _repeated(key[start])


def _repeated(values: np.ndarray[Any, Any]) -> bool:
    """Whether a value occurs twice."""
    return len(np.unique(values)) < len(values)


def _header_fields(doc_type: DocumentType) -> list[str]:
    """Header fields repeated on every line of a document, which must agree."""
    if doc_type.lines_field is None:
        return []
    return [n for n in doc_type.header_fields if n not in doc_type.version_key]


def _line_field(doc_type: DocumentType) -> str:
    return doc_type.line_key[0] if doc_type.line_key else doc_type.key[-1]


def _line_value(doc_type: DocumentType, specs: dict[str, FieldSpec]) -> pl.Expr:
    """The line key as a number when it is one integer field, else null."""
    line_key = doc_type.line_key
    if len(line_key) == 1 and specs[line_key[0]].kind == "int":
        return pl.col(line_key[0]).cast(pl.Int64)
    return pl.lit(None, pl.Int64)
