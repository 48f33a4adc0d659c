"""Draft a mapping profile from a partner's file: sniff the source, place columns, pick transforms.

Columns are placed on fields by a score that multiplies header evidence (the ERP adapters'
vocabulary, the standard's own names, fuzzy matching for unseen variants) by value evidence
(dates, numbers, unit and code words compatible with the field's kind); the best pairs are
taken one-to-one. The partner's own description of the material competes for a column too,
as the profile's `material_description`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import Connection

from chainhub.intake.readers import SOURCE_ROW, read_source
from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.intake.spec import FieldSpec, record_specs
from chainhub.intake.suggest.directory import get_directory
from chainhub.intake.suggest.draft import ValueReview, draft_field
from chainhub.intake.suggest.place import DESCRIPTION, Placement, place
from chainhub.intake.suggest.proposals import propose_missing
from chainhub.intake.suggest.sniff import SAMPLE_ROWS, sniff_source
from chainhub.intake.suggest.text import distinct
from chainhub.intake.suggest.values import ColumnValues
from chainhub.standard.registry import get_document_type

__all__ = ["Placement", "ProfileSuggestion", "ValueReview", "sniff_source", "suggest_profile"]


@dataclass(frozen=True)
class ProfileSuggestion:
    """A drafted profile and the evidence a reviewer needs to accept or correct it."""

    profile: MappingProfile
    placements: tuple[Placement, ...]
    unplaced: tuple[str, ...]
    missing: tuple[str, ...]
    reviews: tuple[ValueReview, ...]
    notes: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Every column placed and every required field covered."""
        return not self.unplaced and not self.missing


def _fill_empty_dates(fields: dict[str, FieldMapping], specs: dict[str, FieldSpec]) -> None:
    """Empty date columns take the format the file's other dates of their kind are written in."""
    for kind in ("date", "datetime"):
        named = [n for n, m in fields.items() if specs[n].kind == kind]
        used = Counter(fields[n].date_format for n in named if fields[n].date_format)
        if not used:
            continue
        common = used.most_common(1)[0][0]
        for name in named:
            if fields[name].date_format is None:
                fields[name] = fields[name].model_copy(update={"date_format": common})


def _columns(frame: pl.DataFrame, source: SourceFormat) -> list[ColumnValues]:
    """The value evidence of every column of a file."""
    sample = frame.head(SAMPLE_ROWS)
    return [
        ColumnValues(
            name=c,
            values=distinct(frame.get_column(c)),
            has_blanks=bool(
                sample.get_column(c).cast(pl.Utf8).str.strip_chars().fill_null("").eq("").any()
            ),
            source=source,
        )
        for c in frame.columns
    ]


def suggest_profile(
    *,
    path: Path,
    document_type: str,
    partner_id: str | None = None,
    conn: Connection | None = None,
) -> ProfileSuggestion:
    """Draft the mapping profile of a partner's file of one document type."""
    doc = get_document_type(document_type)
    source = sniff_source(path, document_type)
    frame = read_source(path, source).drop(SOURCE_ROW)
    directory = get_directory(conn=conn, partner_id=partner_id) if conn is not None else None
    specs = record_specs(document_type)
    placed = place(document_type, _columns(frame, source))
    fields: dict[str, FieldMapping] = {}
    reviews: list[ValueReview] = []
    notes: list[str] = []
    for placement, column in placed:
        if placement.field == DESCRIPTION:
            continue
        draft = draft_field(
            spec=specs[placement.field],
            document_type=document_type,
            column=column,
            partner_id=partner_id,
            directory=directory,
        )
        fields[placement.field] = FieldMapping.model_validate(draft.mapping)
        reviews.extend(draft.reviews)
        notes.extend(draft.notes)
    _fill_empty_dates(fields, specs)
    own_party = _own_party(doc.parties if not doc.master else (), fields)
    if own_party is not None and partner_id is not None:
        fields[own_party] = FieldMapping(value=partner_id)
        notes.append(f"{own_party}: not in the file, set to the submitting partner {partner_id}")
    line = doc.line_key[0] if len(doc.line_key) == 1 else None
    if line is not None and line not in fields and specs[line].kind == "int":
        fields[line] = FieldMapping(number_lines=True)
        notes.append(
            f"{line}: the file has no line numbers; the hub numbers the lines of each "
            "document 1, 2, 3 … in file order (number_lines: true)"
        )
    notes.extend(propose_missing(fields=fields, specs=specs, path=path, source=source))
    if partner_id is None:
        notes.append("partner_id of the profile is a placeholder: give --partner")
    placed_columns = {p.column for p, _ in placed}
    described = [p.column for p, _ in placed if p.field == DESCRIPTION]
    profile = MappingProfile(
        partner_id=partner_id or "unknown",
        document_type=document_type,
        source=source,
        fields={n: fields[n] for n in specs if n in fields},
        material_description=described[0] if described else None,
    )
    return ProfileSuggestion(
        profile=profile,
        placements=tuple(p for p, _ in placed),
        unplaced=tuple(c for c in frame.columns if c not in placed_columns),
        missing=tuple(
            n for n, s in specs.items() if s.required and s.default is None and n not in fields
        ),
        reviews=tuple(reviews),
        notes=tuple(notes),
    )


def _own_party(parties: Sequence[str], fields: Mapping[str, object]) -> str | None:
    """The party field a file leaves to its sender: the first party when the file does not
    name it, or the only one it does not name (purchasing terms sent by their supplier)."""
    missing = [party for party in parties if party not in fields]
    if missing and (missing[0] == parties[0] or len(missing) == 1):
        return missing[0]
    return None
