"""A check on a field, and the errors it reports: one row a failing cell, in both languages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from chainhub.intake.messages import RULE_MESSAGES, malformed_message
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.validate.columns import source_column

ROW_FIELD: Final = "_row"
"""The field named by errors of a whole row that could not be split into fields."""
ERROR_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "column": pl.Utf8(),
    "field": pl.Utf8(),
    "value": pl.Utf8(),
    "rule": pl.Utf8(),
    "message_en": pl.Utf8(),
    "message_zh": pl.Utf8(),
}

# Built once: a frame built from a schema costs a Series a column, each time.
_NO_ERRORS: Final = pl.DataFrame(schema=ERROR_SCHEMA)


@dataclass(frozen=True)
class Check:
    """A rule that fails where `fails` is true (not where null), reported on `field` and its
    source `column`."""

    field: str
    column: str | None
    rule: str
    fails: pl.Expr
    detail: str = ""
    detail_zh: str = ""


def error_columns(check: Check, value: pl.Expr) -> list[pl.Expr]:
    """The columns of the report after the row, for a failure of `check` on `value`."""
    return [
        pl.lit(check.column, dtype=pl.Utf8).alias("column"),
        pl.lit(check.field).alias("field"),
        value.alias("value"),
        pl.lit(check.rule).alias("rule"),
        pl.lit(_message(check, "en")).alias("message_en"),
        pl.lit(_message(check, "zh")).alias("message_zh"),
    ]


def part_error_columns(checks: Sequence[Check], value: pl.Expr, part: str) -> list[pl.Expr]:
    """`error_columns` of one check as each part's plan words it (`checks`, one a part, alike
    but for their columns and details), the part's index in column `part`."""

    def by_part(name: str, words: list[str | None]) -> pl.Expr:
        if len(set(words)) == 1:
            return pl.lit(words[0], dtype=pl.Utf8).alias(name)
        return (
            pl.col(part)
            .replace_strict(list(range(len(words))), words, return_dtype=pl.Utf8)
            .alias(name)
        )

    first = checks[0]
    return [
        by_part("column", [c.column for c in checks]),
        pl.lit(first.field).alias("field"),
        value.alias("value"),
        pl.lit(first.rule).alias("rule"),
        by_part("message_en", [_message(c, "en") for c in checks]),
        by_part("message_zh", [_message(c, "zh") for c in checks]),
    ]


def _message(check: Check, lang: str) -> str:
    en, zh = RULE_MESSAGES[check.rule]
    template = zh if lang == "zh" else en
    return template.format(field=check.field, detail=check.detail, detail_zh=check.detail_zh)


def finish(errors: list[pl.DataFrame]) -> pl.DataFrame:
    """The report, by row and field."""
    errors = [e for e in errors if e.height]
    if not errors:
        return _NO_ERRORS.clear()
    return pl.concat(errors).sort("row", "field", maintain_order=True)


def malformed_errors(malformed: pl.DataFrame) -> pl.DataFrame:
    """Errors of the rows a reader could not split into fields, the line as their value."""
    if malformed.height == 0:
        return _NO_ERRORS.clear()
    kinds = malformed.select("rule", "found", "expected").unique()
    messages = [
        malformed_message(k["rule"], k["found"], k["expected"]) for k in kinds.iter_rows(named=True)
    ]
    worded = kinds.with_columns(
        pl.Series("message_en", [m[0] for m in messages], dtype=pl.Utf8),
        pl.Series("message_zh", [m[1] for m in messages], dtype=pl.Utf8),
    )
    return malformed.join(
        worded, on=["rule", "found", "expected"], how="left", nulls_equal=True
    ).select(
        pl.col("row"),
        pl.lit(None, dtype=pl.Utf8).alias("column"),
        pl.lit(ROW_FIELD).alias("field"),
        pl.col("line").alias("value"),
        "rule",
        "message_en",
        "message_zh",
    )


def column_of(profile: MappingProfile, field: str) -> str | None:
    """The source column a field is mapped from; None for a constant or an unmapped field."""
    mapping = profile.fields.get(field)
    return mapping.column if mapping else None


def source_text(profile: MappingProfile, field: str) -> pl.Expr:
    """The cell as the partner wrote it, for the error report."""
    column = column_of(profile, field)
    if column is not None:
        return pl.col(source_column(column)).cast(pl.Utf8)
    mapping: Any = profile.fields.get(field)
    value = None if mapping is None or mapping.value is None else str(mapping.value)
    return pl.lit(value, dtype=pl.Utf8)
