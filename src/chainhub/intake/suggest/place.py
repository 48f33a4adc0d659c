"""Columns placed on fields one-to-one, by header evidence times value evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from chainhub.intake.rules import reference_fields
from chainhub.intake.spec import FieldSpec, record_specs
from chainhub.intake.suggest.headers import (
    OTHER_DOCUMENT_CAP,
    description_terms,
    field_terms,
    header_score,
    lead_adapter,
    names_approval,
    names_other_document,
)
from chainhub.intake.suggest.values import UNIT_ENUM, ColumnValues, enum_name
from chainhub.standard.registry import get_document_type

THRESHOLD: Final = 0.5
DESCRIPTION: Final = "material_description"
NAME_PENALTY: Final = 0.15
"""Share of a reference field's score lost when every value of its column is a name."""


@dataclass(frozen=True)
class Placement:
    """One field drawn from one column, with how sure the suggestion is and why."""

    field: str
    column: str
    confidence: float
    evidence: str


def value_fit(spec: FieldSpec, column: ColumnValues) -> tuple[float, str]:
    """Factor in (0, 1] for how well a column's values suit a field's kind, and why."""
    if column.values.len() == 0:
        return 0.9, "column empty"
    if spec.kind in ("date", "datetime"):
        fmt, share = column.best_format(timestamp=spec.kind == "datetime")
        return 0.3 + 0.7 * share, f"{share:.0%} parse as {fmt}"
    if spec.kind == "int":
        return 0.3 + 0.7 * column.int_share, f"{column.int_share:.0%} whole numbers"
    if spec.kind == "decimal":
        return 0.3 + 0.7 * column.number_share, f"{column.number_share:.0%} numbers"
    enum = enum_name(spec)
    if enum == UNIT_ENUM:
        return 0.3 + 0.7 * column.unit_share, f"{column.unit_share:.0%} unit words"
    if enum is not None:
        share = column.word_share(enum, spec.choices)
        return 0.6 + 0.4 * share, f"{share:.0%} known {enum} words"
    return 1.0, ""


def description_fit(column: ColumnValues) -> tuple[float, str]:
    """Factor in (0, 1] for how much a column's values look like descriptions of materials."""
    if column.values.len() == 0:
        return 0.9, "column empty"
    share, variety = column.free_text_share, column.shape_variety
    return (
        0.3 + 0.7 * share * (0.5 + 0.5 * variety),
        f"{share:.0%} free text, {variety:.0%} varied",
    )


def _names_for_codes(
    document_type: str, name: str, column: ColumnValues, fit: float, why: str
) -> tuple[float, str]:
    """A partner, site or material field whose column holds names rather than codes is less
    sure: names serve only through the hub's name map, and a code column beside it is likelier
    the field (Oracle's Supplier beside Supplier Number, a warehouse name beside its org)."""
    kind = reference_fields(document_type, get_document_type(document_type).key).get(name)
    if kind not in ("partner", "site", "material") or column.values.len() == 0:
        return fit, why
    names = column.free_text_share
    if names == 0:
        return fit, why
    return fit * (1 - NAME_PENALTY * names), ", ".join(
        w for w in (why, f"{names:.0%} names, not codes") if w
    )


def _qualified(
    document_type: str, name: str, header: str, score: float, why: str
) -> tuple[float, str]:
    """Header evidence less what the header's other words take back: a column naming another
    document is never the file's own key and at most a reviewed reference; a column about the
    ERP's approval workflow is no business status."""
    if names_other_document(header):
        if name in get_document_type(document_type).key:
            return 0.0, ""
        if score > OTHER_DOCUMENT_CAP:
            return OTHER_DOCUMENT_CAP, f"{why}; names another document: review"
    if name.endswith("status") and names_approval(header):
        return 0.0, ""
    return score, why


def _describable(document_type: str) -> bool:
    """Transactions that name materials may carry the partner's own description of them."""
    doc = get_document_type(document_type)
    return not doc.master and "material_code" in doc.record_fields


def _score(
    name: str, column: ColumnValues, document_type: str, lead: str | None
) -> tuple[float, Placement] | None:
    """The score and placement of a column on a field, if its evidence reaches the threshold."""
    terms = (
        description_terms(lead) if name == DESCRIPTION else field_terms(document_type, lead)[name]
    )
    header, why = header_score(column.name, terms)
    header, why = _qualified(document_type, name, column.name, header, why)
    if header == 0:
        return None
    if name == DESCRIPTION:
        fit, fit_why = description_fit(column)
    else:
        fit, fit_why = value_fit(record_specs(document_type)[name], column)
        fit, fit_why = _names_for_codes(document_type, name, column, fit, fit_why)
    score = header * fit
    if score < THRESHOLD:
        return None
    evidence = f"{why}; values: {fit_why}" if fit_why else why
    return score, Placement(name, column.name, round(score, 3), evidence)


def place(document_type: str, columns: list[ColumnValues]) -> list[tuple[Placement, ColumnValues]]:
    """The best one-to-one placement of columns on fields, greedy on descending score."""
    specs = record_specs(document_type)
    order = [*specs, DESCRIPTION] if _describable(document_type) else list(specs)
    lead = lead_adapter(c.name for c in columns)
    scored: list[tuple[float, int, int, Placement]] = []
    for ci, column in enumerate(columns):
        for fi, name in enumerate(order):
            found = _score(name, column, document_type, lead)
            if found is not None:
                scored.append((found[0], ci, fi, found[1]))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    taken_columns: set[int] = set()
    taken_fields: set[str] = set()
    placed: list[tuple[Placement, ColumnValues]] = []
    for _, ci, _, placement in scored:
        if ci in taken_columns or placement.field in taken_fields:
            continue
        taken_columns.add(ci)
        taken_fields.add(placement.field)
        placed.append((placement, columns[ci]))
    return sorted(placed, key=lambda p: order.index(p[0].field))
