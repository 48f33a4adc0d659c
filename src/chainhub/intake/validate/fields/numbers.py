"""Number fields (whole and decimal): parsed as the profile writes them, digits, range."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Final

import polars as pl

from chainhub.intake.schemas import SourceFormat
from chainhub.intake.validate.columns import precision_column
from chainhub.intake.validate.fields.draft import FieldDraft

# Each bound of a spec: how a message writes it, its attribute, and when a value breaks it.
_BOUNDS: Final[tuple[tuple[str, str, Callable[[pl.Expr, pl.Expr], pl.Expr]], ...]] = (
    (">", "gt", operator.le),
    (">=", "ge", operator.lt),
    ("<", "lt", operator.ge),
    ("<=", "le", operator.gt),
)


def int_field(draft: FieldDraft) -> pl.Expr:
    """A whole number; a spreadsheet's "12.0" is one too."""
    text = draft.text
    plain = text.cast(pl.Int64, strict=False)
    # A spreadsheet's "12.0" is parsed only where the plain cast failed: a regex over
    # every row costs several times the cast.
    spreadsheet = pl.when(plain.is_null()).then(text).str.replace(r"\.0+$", "")
    typed = pl.coalesce(plain, spreadsheet.cast(pl.Int64, strict=False))
    draft.check("integer", draft.present & draft.value.is_null())
    _check_range(draft, lambda bound: pl.lit(int(bound)))
    return typed


def decimal_field(draft: FieldDraft) -> pl.Expr:
    """A decimal number within the spec's digits, in the profile's number format."""
    spec, name, present = draft.spec, draft.spec.name, draft.present
    cleaned = number_text(draft.text, draft.source)
    typed = cleaned.cast(pl.Decimal(18, 6), strict=False)
    places = spec.decimal_places if spec.decimal_places is not None else 6
    whole = (spec.max_digits or 18) - places
    # More whole digits, or a non-zero digit beyond the last decimal place: one regex,
    # evaluated once with the typed values and read by both checks.
    pattern = rf"^[+-]?(\d{{{whole + 1},}}(\.0*)?|\d*\.\d{{{places}}}\d*[1-9]0*)$"
    draft.helpers.append(cleaned.str.contains(pattern).alias(precision_column(name)))
    too_long = pl.col(precision_column(name))
    draft.check("precision", present & too_long, f"{whole}.{places}")
    draft.check("number", present & draft.value.is_null() & ~too_long)
    _check_range(draft, pl.lit)
    return typed


def number_text(text: pl.Expr, source: SourceFormat) -> pl.Expr:
    """Number text as the profile writes it, made plain: no thousands separator, a dot."""
    if source.thousands_separator:
        text = text.str.replace_all(source.thousands_separator, "", literal=True)
    if source.decimal_comma:
        text = text.str.replace(",", ".", literal=True)
    return text


def _check_range(draft: FieldDraft, limit: Callable[[Decimal], pl.Expr]) -> None:
    """The spec's bounds, when it has any, each bound a `limit` of the field's type."""
    spec = draft.spec
    bounds = [
        (sign, breaks, bound)
        for sign, name, breaks in _BOUNDS
        if (bound := getattr(spec, name)) is not None
    ]
    if not bounds:
        return
    # Null where the value is (an empty or unreadable field): no failure of this check.
    out = functools.reduce(
        operator.or_, (breaks(draft.value, limit(b)) for _s, breaks, b in bounds)
    )
    detail = " and ".join(f"{sign} {bound}" for sign, _breaks, bound in bounds)
    draft.check("range", out, detail)
