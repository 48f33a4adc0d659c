"""One field while it is built: its expressions so far, the checks found, and the result."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from chainhub.intake.schemas import FieldMapping, SourceFormat
from chainhub.intake.spec import FieldSpec
from chainhub.intake.validate.report import Check


@dataclass(frozen=True)
class Field:
    """One field's mapped text, its typed value and helper columns, and the checks on it."""

    text: pl.Expr
    typed: list[pl.Expr]
    checks: list[Check]


@dataclass
class FieldDraft:
    """A field being built. `text` is its mapped text (a crosswalk's code, if any);
    `literal` is what the text checks read; `present` is where the field has a value."""

    spec: FieldSpec
    mapping: FieldMapping | None
    source: SourceFormat
    text: pl.Expr
    literal: pl.Expr
    present: pl.Expr
    checks: list[Check] = field(default_factory=list)
    helpers: list[pl.Expr] = field(default_factory=list)

    @property
    def value(self) -> pl.Expr:
        """The typed value, read from its materialized column."""
        return pl.col(self.spec.name)

    @property
    def date_format(self) -> str | None:
        """The profile's format of dates and timestamps in this field, if it gives one."""
        return self.mapping.date_format if self.mapping else None

    def check(self, rule: str, fails: pl.Expr, detail: str = "", detail_zh: str = "") -> None:
        """Add a check that fails where `fails` is true."""
        column = self.mapping.column if self.mapping else None
        self.checks.append(Check(self.spec.name, column, rule, fails, detail, detail_zh or detail))
