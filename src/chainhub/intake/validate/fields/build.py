"""One standard field made from a profile's mapping: its text, typed value and checks.

The three are evaluated in stages, text then typed then checks, so each check reads
materialized columns instead of recomputing the transforms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

from chainhub.intake.schemas import FieldMapping, SourceFormat
from chainhub.intake.spec import FieldSpec, Kind
from chainhub.intake.validate.columns import source_column, text_column
from chainhub.intake.validate.fields.draft import Field, FieldDraft
from chainhub.intake.validate.fields.numbers import decimal_field, int_field, number_text
from chainhub.intake.validate.fields.text import enum_list_field, text_field
from chainhub.intake.validate.fields.times import date_field, datetime_field

_DIFFERENCE: Final = pl.Decimal(18, 6)
# Between a row's tag and its text in a tagged key: a tag (a number) never holds it.
TAG_SEPARATOR: Final = "\x1f"
# Each kind of field: the type it is stored as, and what types and checks its text.
_KINDS: Final[dict[Kind, tuple[pl.DataType, Callable[[FieldDraft], pl.Expr]]]] = {
    "str": (pl.Utf8(), text_field),
    "enum": (pl.Utf8(), text_field),
    "enum_list": (pl.List(pl.Utf8()), enum_list_field),
    "int": (pl.Int64(), int_field),
    "decimal": (pl.Decimal(18, 6), decimal_field),
    "date": (pl.Date(), date_field),
    "datetime": (pl.Datetime("us", "UTC"), datetime_field),
}


# Fields built, by what they read; bounded, as profiles come and go while the hub runs.
_SHARED: Final[dict[tuple[FieldSpec, str, tuple[bool, str | None] | None], Field]] = {}
_SHARED_MAX: Final = 4096


def build_field(
    spec: FieldSpec,
    mapping: FieldMapping | None,
    source: SourceFormat,
    crosswalk: dict[str, str] | None,
    documents: list[pl.Expr] | None = None,
    operands: tuple[pl.Expr, pl.Expr] | None = None,
    tag: pl.Expr | None = None,
) -> Field:
    """One field's mapped text, its typed value (from the text column) and the checks on it;
    `documents` (the mapped texts of the document key) number the lines a profile asks for,
    `operands` (two fields' mapped texts) give a difference. With `tag`, the value map and the
    crosswalk are keyed by each row's tag (see `tagged`)."""
    tagged_map = tag is not None and mapping is not None and mapping.map
    if operands is None and (
        mapping is None or not (mapping.crosswalk or mapping.number_lines or tagged_map)
    ):
        # A field that reads nothing but its mapping (and a decimal, the number format) is
        # built once for every profile that maps it alike (partners of one ERP do): building
        # the expressions is most of what a profile's checks cost to build. The repr tells
        # apart what JSON would not (a timestamp constant from the text of one).
        number = (source.decimal_comma, source.thousands_separator)
        key = (spec, repr(mapping), number if spec.kind == "decimal" else None)
        field = _SHARED.get(key)
        if field is None:
            if len(_SHARED) >= _SHARED_MAX:
                _SHARED.clear()
            field = _SHARED[key] = _build_field(spec, mapping, source, None, None, None, None)
        return field
    return _build_field(spec, mapping, source, crosswalk, documents, operands, tag)


def _build_field(
    spec: FieldSpec,
    mapping: FieldMapping | None,
    source: SourceFormat,
    crosswalk: dict[str, str] | None,
    documents: list[pl.Expr] | None,
    operands: tuple[pl.Expr, pl.Expr] | None,
    tag: pl.Expr | None,
) -> Field:
    """`build_field`, built afresh."""
    text = pl.col(text_column(spec.name))
    draft = FieldDraft(spec, mapping, source, text=text, literal=text, present=text.is_not_null())
    if spec.required:
        draft.check("required", text.is_null())
    if mapping is not None and mapping.crosswalk:
        _through_crosswalk(draft, crosswalk, tag)
    dtype, build = _KINDS[spec.kind]
    typed = build(draft)
    if operands is not None:
        minuend, subtrahend = (
            number_text(o, source).cast(_DIFFERENCE, strict=False) for o in operands
        )
        text_expr = (minuend - subtrahend).cast(pl.Utf8).alias(text_column(spec.name))
    else:
        text_expr = mapped_text(mapping, spec, documents, tag).alias(text_column(spec.name))
    return Field(text_expr, [typed.cast(dtype).alias(spec.name), *draft.helpers], draft.checks)


def _through_crosswalk(
    draft: FieldDraft, crosswalk: dict[str, str] | None, tag: pl.Expr | None
) -> None:
    """The partner's code becomes the golden one; the text checks then read the golden code.

    Without a hub (`crosswalk` None: a partner checking its file before sending it) the
    partner's own code is checked as it stands; the caller says the crosswalk was skipped.
    """
    if crosswalk is None:
        return
    code = draft.text if tag is None else tagged(tag, draft.text)
    draft.text = code.replace_strict(crosswalk, default=None, return_dtype=pl.Utf8)
    draft.check("crosswalk", draft.present & draft.value.is_null())
    draft.present = draft.value.is_not_null()
    draft.literal = draft.value


def tagged(tag: pl.Expr, text: pl.Expr) -> pl.Expr:
    """`text` keyed by the row's `tag`, as the keys of `tag_key` are: rows of several
    profiles (their value maps, their partners' crosswalks) read through one plan."""
    return pl.concat_str([tag, pl.lit(TAG_SEPARATOR), text])


def tag_key(tag: str, text: str) -> str:
    """The key of `text` under `tag` in a map read through `tagged`."""
    return f"{tag}{TAG_SEPARATOR}{text}"


def mapped_text(
    mapping: FieldMapping | None,
    spec: FieldSpec,
    documents: list[pl.Expr] | None = None,
    tag: pl.Expr | None = None,
) -> pl.Expr:
    """The field's value as trimmed text after value maps and defaults; null when empty.
    Numbered lines count the rows of each document (same `documents` texts) in file order.
    With `tag`, the value map's keys are tagged (`tag_key`): a row's text not found is kept."""
    if mapping is None:
        expr = pl.lit(None, dtype=pl.Utf8)
    elif mapping.number_lines:
        rank = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
        numbered = rank.over(documents) if documents else rank
        expr = numbered.cast(pl.Utf8)
    elif mapping.column is not None:
        expr = (
            pl.col(source_column(mapping.column)).cast(pl.Utf8).str.strip_chars().replace("", None)
        )
    else:
        expr = pl.lit(str(mapping.value), dtype=pl.Utf8)
    if mapping is not None and mapping.map and tag is not None:
        expr = tagged(tag, expr).replace_strict(mapping.map, default=expr, return_dtype=pl.Utf8)
    elif mapping is not None and mapping.map:
        expr = expr.replace({str(k): str(v) for k, v in mapping.map.items()})
    for default in (mapping.default if mapping else None, spec.default):
        if default is not None:
            expr = expr.fill_null(pl.lit(str(default)))
    return expr
