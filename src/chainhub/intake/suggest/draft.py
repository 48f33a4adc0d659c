"""The transforms of one placed field: date format, value maps, crosswalk, default; and reviews.

Value maps are drafted only from knowledge (the adapters' code words, the unit normalizer and the
hub's directory); every value the suggestion cannot place is left for review instead of guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from chainhub.intake.rules import reference_fields
from chainhub.intake.spec import FieldSpec
from chainhub.intake.suggest.directory import Directory, lookup
from chainhub.intake.suggest.text import fold
from chainhub.intake.suggest.values import UNIT_ENUM, ColumnValues, enum_name, enum_words
from chainhub.standard.fields import ID_PATTERN
from chainhub.standard.registry import get_document_type


@dataclass(frozen=True)
class ValueReview:
    """Values of a column the suggestion could not map: a person must supply them."""

    field: str
    column: str
    reason: str
    values: tuple[str, ...]


@dataclass
class Draft:
    """The transforms of one placed field, with what is left for review and notes."""

    mapping: dict[str, object] = field(default_factory=dict)
    reviews: list[ValueReview] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_hub_id(value: str) -> bool:
    return bool(re.fullmatch(ID_PATTERN, value) and re.search("[a-z]", value))


def _unit_map(name: str, column: ColumnValues, draft: Draft) -> None:
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    uncoded: list[str] = []
    for value, (known, code) in column.unit_codes.items():
        if code is not None:
            if code != value:
                mapping[value] = code
        else:
            (uncoded if known else unknown).append(value)
    if mapping:
        draft.mapping["map"] = mapping
    if unknown:
        draft.reviews.append(ValueReview(name, column.name, "unknown unit words", tuple(unknown)))
    if uncoded:
        reason = "package or thousand units without a standard code: needs a value map"
        draft.reviews.append(ValueReview(name, column.name, reason, tuple(uncoded)))


def _word_map(spec: FieldSpec, column: ColumnValues, enum: str, draft: Draft) -> None:
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    words = enum_words(enum)
    for value in column.values.to_list():
        code = value if value in spec.choices else words.get(fold(value))
        if code is None:
            unknown.append(value)
        elif code != value:
            mapping[value] = code
    if mapping:
        draft.mapping["map"] = mapping
    if unknown:
        draft.reviews.append(
            ValueReview(spec.name, column.name, f"unknown {enum} words", tuple(unknown))
        )


def _party_reason(kind: str, unknown: list[str], directory: Directory | None) -> str:
    if all(re.fullmatch(r"[\d-]+", v) for v in unknown):
        return f"{kind} numbers of the partner's ERP: needs a value map"
    if directory is not None:
        return f"{kind} names not in the hub's directory: needs a value map"
    return f"{kind} names: needs a value map (give --db to map them by name)"


def _party_map(
    name: str, kind: str, column: ColumnValues, directory: Directory | None, draft: Draft
) -> None:
    ids: frozenset[str] = frozenset()
    names: dict[str, str] = {}
    if directory is not None:
        partner = kind == "partner"
        ids = directory.partner_ids if partner else directory.site_ids
        names = directory.partner_names if partner else directory.site_names
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for value in column.values.to_list():
        if value in ids or (directory is None and _is_hub_id(value)):
            continue
        found = lookup(value, names) if names else None
        if found is None:
            unknown.append(value)
        else:
            mapping[value] = found
    if mapping:
        draft.mapping["map"] = mapping
    if unknown:
        reason = _party_reason(kind, unknown, directory)
        draft.reviews.append(ValueReview(name, column.name, reason, tuple(unknown)))


def _material(
    name: str,
    column: ColumnValues,
    partner_id: str | None,
    directory: Directory | None,
    draft: Draft,
) -> None:
    values = column.values.to_list()
    if directory is not None:
        golden = sum(v in directory.materials for v in values) / len(values)
        own = sum(v in directory.partner_codes for v in values) / len(values)
        if own > golden and own >= 0.5:
            draft.mapping["crosswalk"] = True
            draft.notes.append(f"{name}: {own:.0%} of codes are in {partner_id}'s crosswalk")
        elif golden < 0.5:
            draft.reviews.append(
                ValueReview(
                    name,
                    column.name,
                    "material codes neither golden nor in the partner's crosswalk",
                    tuple(v for v in values if v not in directory.materials)[:20],
                )
            )
    elif partner_id is not None:
        draft.mapping["crosswalk"] = True
        draft.notes.append(
            f"{name}: assumed to hold {partner_id}'s own codes (crosswalk); "
            "give --db to check them against the golden codes"
        )


def _dates(spec: FieldSpec, column: ColumnValues, draft: Draft) -> None:
    timestamp = spec.kind == "datetime"
    fmt, share = column.best_format(timestamp=timestamp)
    if fmt is not None:
        draft.mapping["date_format"] = fmt
    if 0 < column.values.len() and share < 1:
        bad = column.unparsed(fmt, timestamp=timestamp)
        draft.reviews.append(
            ValueReview(spec.name, column.name, f"values that do not parse as {fmt}", bad)
        )


def _references(
    spec: FieldSpec,
    document_type: str,
    column: ColumnValues,
    partner_id: str | None,
    directory: Directory | None,
    draft: Draft,
) -> None:
    """Value maps of fields naming partners, sites or materials, or defining their ids."""
    doc = get_document_type(document_type)
    kind = reference_fields(document_type, doc.key).get(spec.name)
    defines = {"partner": "partner_id", "site": "site_id"}.get(document_type)
    if kind in ("partner", "site"):
        _party_map(spec.name, kind, column, directory, draft)
    elif spec.name == defines:
        bad = tuple(v for v in column.values.to_list() if not _is_hub_id(v))
        if bad:
            draft.reviews.append(
                ValueReview(spec.name, column.name, "not hub ids: needs a value map", bad)
            )
    elif kind == "material" and document_type != "material_crosswalk" and column.values.len():
        _material(spec.name, column, partner_id, directory, draft)


def draft_field(
    *,
    spec: FieldSpec,
    document_type: str,
    column: ColumnValues,
    partner_id: str | None,
    directory: Directory | None,
) -> Draft:
    """The transforms of one field placed on a column, and what is left for review."""
    draft = Draft(mapping={"column": column.name})
    if spec.kind in ("date", "datetime"):
        _dates(spec, column, draft)
    enum = enum_name(spec)
    if enum == UNIT_ENUM:
        _unit_map(spec.name, column, draft)
    elif enum is not None:
        _word_map(spec, column, enum, draft)
    _references(spec, document_type, column, partner_id, directory, draft)
    numeric = spec.kind in ("int", "decimal") and spec.default is not None
    if column.has_blanks and numeric and Decimal(str(spec.default)) == 0:
        draft.mapping["default"] = "0"
    return draft
