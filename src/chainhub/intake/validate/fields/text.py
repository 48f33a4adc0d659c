"""Text fields (codes, names, enums, lists of enums): pattern, length, code list, check digit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

from chainhub.intake.validate.check_digits import gs1_fails, uscc_fails
from chainhub.intake.validate.fields.draft import FieldDraft

_CHECK_DIGITS: Final[dict[str, tuple[Callable[[pl.Expr], pl.Expr], str]]] = {
    "uscc": (uscc_fails, "GB 32100-2015"),
    "gtin": (lambda text: gs1_fails(text, (8, 12, 13, 14)), "GTIN"),
    "gln": (lambda text: gs1_fails(text, (13,)), "GLN"),
}


def text_field(draft: FieldDraft) -> pl.Expr:
    """A text or enum field: the text itself, checked against the spec's constraints."""
    spec, literal, present = draft.spec, draft.literal, draft.present
    # These checks are null, not failing, where the field has no value: each node of an
    # expression costs planning time on every frame checked, whatever its rows.
    if spec.pattern:
        draft.check("pattern", ~literal.str.contains(spec.pattern), spec.pattern)
    if spec.max_length is not None or spec.min_length is not None:
        low, high = spec.min_length or 0, spec.max_length or 10**9
        length = literal.str.len_chars()
        detail = f"{low}..{high}" if spec.max_length is not None else f">= {low}"
        # A bound no text can cross (no minimum, no maximum) is left out.
        bounds = [
            b for b, needed in ((length < low, low > 0), (length > high, high < 10**9)) if needed
        ]
        if bounds:
            draft.check("length", bounds[0] if len(bounds) == 1 else bounds[0] | bounds[1], detail)
    if spec.choices:
        draft.check("code_list", ~literal.is_in(list(spec.choices)), choices_detail(spec.choices))
    if spec.check is not None:
        fails, name = _CHECK_DIGITS[spec.check]
        draft.check("check_digit", present & fails(literal), name)
    return draft.text


def enum_list_field(draft: FieldDraft) -> pl.Expr:
    """A list of enum codes, written with any common separator; each must be a known code."""
    typed = draft.text.str.replace_all(r"[;|、，\s]+", ",").str.split(",")
    choices = draft.spec.choices
    ok = draft.value.list.eval(pl.element().is_in(list(choices))).list.all()
    draft.check("code_list", draft.present & ~ok, choices_detail(choices))
    return typed


def choices_detail(choices: tuple[str, ...]) -> str:
    """The allowed codes for a message, the first few of a long list."""
    shown = ", ".join(choices[:8])
    return f"{shown}, … ({len(choices)} codes)" if len(choices) > 8 else shown
