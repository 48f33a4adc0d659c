"""Checks of what a record names: known partners, sites and materials; the submitter a party."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

import polars as pl

from chainhub.intake.rules import reference_fields
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.validate.report import Check, column_of
from chainhub.partners.visibility import is_party_expr
from chainhub.standard.registry import DocumentType

_REFERENCE_ZH: Final = {"partner": "合作伙伴", "site": "场所", "material": "物料"}


def party_check(
    doc_type: DocumentType, profile: MappingProfile, submitted_by: str | pl.Expr
) -> Check:
    """The submitter must be a party to every document it sends (each row's own, when
    `submitted_by` is a column: its message then names none)."""
    is_party = is_party_expr(document_type=doc_type.name, partner_id=submitted_by)
    first = doc_type.parties[0]
    detail = submitted_by if isinstance(submitted_by, str) else ""
    return Check(first, column_of(profile, first), "not_a_party", ~is_party, detail)


def reference_checks(
    doc_type: DocumentType, profile: MappingProfile, references: Mapping[str, Collection[str]]
) -> list[Check]:
    """Each field naming a partner, site or material must name a known one."""
    checks = []
    for name, kind in reference_fields(doc_type.name, doc_type.key).items():
        known = _known(kind, references.get(kind, ()))
        checks.append(
            Check(
                name,
                column_of(profile, name),
                "unknown_reference",
                # Null, no failure, where the field is empty.
                ~pl.col(name).is_in(known),
                kind,
                _REFERENCE_ZH[kind],
            )
        )
    return checks


# The codes of each kind as a Series of one list (what `is_in` takes), with the collection
# they were made from: a load's plans, one a profile, all check against the same collections.
_KNOWN: dict[str, tuple[Collection[str], pl.Series]] = {}


def _known(kind: str, codes: Collection[str]) -> pl.Series:
    """`codes` as a Series of one list, made once for as long as the same frozen collection
    is asked for (one that may change is made afresh)."""
    if not isinstance(codes, frozenset):
        return pl.Series(list(codes), dtype=pl.Utf8).implode()
    made = _KNOWN.get(kind)
    if made is None or made[0] is not codes:
        made = _KNOWN[kind] = (codes, pl.Series(list(codes), dtype=pl.Utf8).implode())
    return made[1]
