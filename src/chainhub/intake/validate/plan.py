"""A profile's checks, built once and run on every frame or block of a file."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final, TypeAlias

import numpy as np
import polars as pl

from chainhub.intake.readers import SOURCE_ROW, renamed
from chainhub.intake.rules import CROSS_FIELD_RULES, reference_fields
from chainhub.intake.schemas import FieldMapping, MappingProfile
from chainhub.intake.spec import record_specs
from chainhub.intake.validate.canonical import canonical_profile
from chainhub.intake.validate.columns import source_column
from chainhub.intake.validate.documents import KEY_COLUMNS, DocumentChecks
from chainhub.intake.validate.fields import build_field, mapped_text
from chainhub.intake.validate.profile import check_profile
from chainhub.intake.validate.references import party_check, reference_checks
from chainhub.intake.validate.report import (
    Check,
    column_of,
    error_columns,
    part_error_columns,
    source_text,
)
from chainhub.intake.validate.result import SourceLookup
from chainhub.standard.registry import get_document_type

# The frame each row came from, while several frames are checked together.
PART: Final = "__part"
# Rows of several profiles checked through one plan (`shared`): the profile each row was
# read through, as text (its value maps and crosswalk are keyed by it), and its sender.
TAG: Final = "__tag"
SENDER: Final = "__sender"
_NOT_SOURCE: Final = frozenset({SOURCE_ROW, PART, TAG, SENDER})


@dataclass(frozen=True)
class Checked:
    """One frame checked row by row: its records, errors, and the keys for document checks."""

    records: pl.DataFrame | None
    errors: list[pl.DataFrame]
    keys: pl.DataFrame


def parties_unchecked(document_type: str) -> frozenset[str]:
    """The partner and site fields whose hub ids only the hub's references can check."""
    key = get_document_type(document_type).key
    kinds = reference_fields(document_type, key)
    return frozenset(n for n, kind in kinds.items() if kind in ("partner", "site"))


class Plan:
    """A profile's checks, built once and run on every block of a file."""

    def __init__(
        self,
        *,
        profile: MappingProfile,
        columns: list[str],
        crosswalk: dict[str, str] | None,
        submitted_by: str | pl.Expr | None,
        references: Mapping[str, Collection[str]] | None,
        partial: bool = False,
        tagged: bool = False,
    ) -> None:
        """With `tagged`, the profile's value maps and `crosswalk` are keyed by each row's `TAG`
        (see `fields.tagged`)."""
        doc_type = get_document_type(profile.document_type)
        self.unmapped = check_profile(doc_type, profile, columns, partial=partial)
        self.profile = profile
        self.crosswalk = crosswalk
        self.submitted_by = submitted_by
        self.references = references
        self.partial = partial
        self.doc_type = doc_type
        self.specs = record_specs(doc_type.name)
        documents = [
            mapped_text(profile.fields.get(k), self.specs[k]) for k in doc_type.version_key
        ]
        self.fields = [
            build_field(
                spec,
                profile.fields.get(name),
                profile.source,
                crosswalk,
                documents,
                self._operands(profile.fields.get(name)),
                pl.col(TAG) if tagged else None,
            )
            for name, spec in self.specs.items()
        ]
        # Without the hub's references (a partner checking its own file) a partner or site
        # field may still hold the partner's own codes, awaiting the profile's value map: whether
        # it names a hub id is the reference check, skipped and said so by the caller.
        offline = parties_unchecked(doc_type.name) if references is None else frozenset()
        checks = [
            c
            for f in self.fields
            for c in f.checks
            if not (c.rule == "pattern" and c.field in offline)
            # A required field the profile leaves out is reported once, not on every row.
            and not (c.rule == "required" and c.field in self.unmapped)
        ]
        checks.extend(
            Check(
                rule.field,
                column_of(profile, rule.field),
                "cross_field",
                rule.fails,
                rule.message_en,
                rule.message_zh,
            )
            for rule in CROSS_FIELD_RULES.get(doc_type.name, ())
        )
        if submitted_by is not None and doc_type.parties:
            checks.append(party_check(doc_type, profile, submitted_by))
        if references is not None:
            checks.extend(reference_checks(doc_type, profile, references))
        self.checks = checks
        self.documents = DocumentChecks(doc_type, profile, self.specs)
        # Numbered lines count a document's rows over its whole frame: one file's, alone.
        self.together = not any(m.number_lines for m in profile.fields.values())

    @cached_property
    def shared_key(self) -> Hashable | None:
        """What plans whose rows one plan of their type checks together have alike (see
        `shared`); None when this plan's rows are checked only through itself."""
        canonical = canonical_profile(self.profile)
        if canonical is None or not self.together:
            return None
        return (
            canonical.model_dump_json(),
            self.submitted_by is None,
            self.crosswalk is None,
            id(self.references),
            self.partial,
            self.unmapped,
        )

    def _operands(self, mapping: FieldMapping | None) -> tuple[pl.Expr, pl.Expr] | None:
        """The mapped texts a difference is taken of, if the field is one."""
        if mapping is None or mapping.difference is None:
            return None
        first, second = mapping.difference
        fields = self.profile.fields
        return (
            mapped_text(fields[first], self.specs[first]),
            mapped_text(fields[second], self.specs[second]),
        )

    def _typed(self, frame: pl.DataFrame) -> pl.DataFrame:
        # Eager stages: Polars' lazy common-subexpression search costs more than the work here.
        return (
            renamed(frame, {c: source_column(c) for c in frame.columns if c not in _NOT_SOURCE})
            .with_columns(f.text for f in self.fields)
            .with_columns(e for f in self.fields for e in f.typed)
        )

    def check_rows(
        self,
        frame: pl.DataFrame,
        *,
        keep: pl.Series | None = None,
        records: bool = True,
        labels: Sequence[Sequence[Check]] | None = None,
    ) -> Checked:
        """Every check of one record on each row; rows not in `keep` are skipped. With
        `labels` (each `PART`'s plan's checks, one for one with this plan's), each part's errors
        are worded as its own plan words them.

        Precondition: with `keep`, the plan's fields read no other row than their own (no
        numbered lines), as the skipped rows are left out before any check.
        """
        if keep is not None and not keep.all():
            frame = frame.filter(keep)
        # A null flag (a check on a null) is no failure: `any` and the filters take it so.
        flags = [c.fails.alias(f"__c{i}") for i, c in enumerate(self.checks)]
        evaluated = self._typed(frame).with_columns(*flags, *self.documents.keys())
        # Columns are taken and flags summed without a query each: each costs more than that.
        failing = [i for i in range(len(self.checks)) if evaluated.get_column(f"__c{i}").any()]
        carried = [PART] if PART in frame.columns else []
        errors = self._errors(evaluated, failing, carried, labels) if failing else []
        keys = evaluated[[SOURCE_ROW, *KEY_COLUMNS, *carried]]
        typed = evaluated[[SOURCE_ROW, *self.specs, *carried]] if records else None
        return Checked(typed, errors, keys)

    def check_together(
        self,
        parts: Sequence[tuple[pl.DataFrame, pl.Series | None]],
        labels: Sequence[Sequence[Check]] | None = None,
        by_part: Mapping[str, Sequence[str]] | None = None,
    ) -> list[Checked]:
        """`check_rows` of several frames (several files' rows, of this plan's columns) in one
        pass, each frame's outcome apart: a record's checks read no other row. `labels`: as
        `check_rows` takes them, one a frame; `by_part`: columns of one text a frame.

        Precondition: `together` holds of this plan.
        """
        if len(parts) == 1 and labels is None and by_part is None:
            frame, keep = parts[0]
            return [self.check_rows(frame, keep=keep)]
        frame = pl.concat([f for f, _k in parts], how="vertical_relaxed")
        # Each row's part, and its part's texts, taken by index: no query a part.
        heights = [f.height for f, _k in parts]
        part = pl.Series(PART, np.repeat(np.arange(len(parts), dtype=np.uint32), heights))
        frame = frame.hstack(
            [
                part,
                *(
                    pl.Series(name, texts, dtype=pl.Utf8).gather(part).alias(name)
                    for name, texts in (by_part or {}).items()
                ),
            ]
        )
        keep = (
            pl.concat(
                [
                    pl.Series([True]).new_from_index(0, f.height) if k is None else k
                    for f, k in parts
                ]
            )
            if any(k is not None for _f, k in parts)
            else None
        )
        checked = self.check_rows(frame, keep=keep, labels=labels)
        assert checked.records is not None
        records = _split(checked.records, len(parts))
        keys = _split(checked.keys, len(parts))
        errors = [_split(e, len(parts)) for e in checked.errors]
        return [
            Checked(records[i], [e[i] for e in errors if e[i].height], keys[i])
            for i in range(len(parts))
        ]

    def _errors(
        self,
        evaluated: pl.DataFrame,
        failing: list[int],
        carried: list[str],
        labels: Sequence[Sequence[Check]] | None,
    ) -> list[pl.DataFrame]:
        """The report of the `failing` checks, one frame a check (worded by `labels`)."""
        # Only the failing rows, few, are kept before the report is built check by check.
        sources = {c.field: source_text(self.profile, c.field) for c in self.checks}
        rows = evaluated.filter(pl.any_horizontal(f"__c{i}" for i in failing)).select(
            SOURCE_ROW,
            *(e.alias(f"__v:{name}") for name, e in sources.items()),
            *(f"__c{i}" for i in failing),
            *carried,
        )

        def columns(i: int) -> list[pl.Expr]:
            value = pl.col(f"__v:{self.checks[i].field}")
            if labels is None:
                return error_columns(self.checks[i], value)
            return part_error_columns([checks[i] for checks in labels], value, PART)

        return [
            rows.filter(pl.col(f"__c{i}")).select(
                pl.col(SOURCE_ROW).alias("row"), *columns(i), *carried
            )
            for i in failing
        ]

    def document_errors(self, keys: pl.DataFrame, source_of: SourceLookup) -> list[pl.DataFrame]:
        """The document checks, on the documents of the rows whose keys make them suspect."""
        suspects = self.documents.suspects(keys)
        if suspects.len() == 0:
            return []
        return self.documents.errors(self._typed(source_of(suspects)))


def _split(frame: pl.DataFrame, parts: int) -> list[pl.DataFrame]:
    """A frame of rows checked together, by the frame each came from (without `PART`):
    each frame's rows are one slice, as the frames were concatenated in order and checks and
    filters keep it (sorted again, stably, should one not have)."""
    part = frame.get_column(PART).to_numpy()
    if (part[1:] < part[:-1]).any():
        frame = frame.sort(PART, maintain_order=True)
        part = frame.get_column(PART).to_numpy()
    counts = np.bincount(part, minlength=parts)
    rows = frame[[c for c in frame.columns if c != PART]]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return [rows.slice(int(s), int(n)) for s, n in zip(starts, counts, strict=True)]


PlanCache: TypeAlias = MutableMapping[Hashable, Plan]


def get_plan(
    *,
    profile: MappingProfile,
    columns: list[str],
    crosswalk: dict[str, str] | None,
    submitted_by: str | None,
    references: Mapping[str, Collection[str]] | None,
    plans: PlanCache | None = None,
    partial: bool = False,
) -> Plan:
    """The profile's plan, built once per profile, columns, submitter and `partial` in `plans`.

    Precondition: every plan in `plans` was built with the same `crosswalk` and `references`
    (whoever changes those clears the cache).
    """
    key = (profile.model_dump_json(), tuple(columns), submitted_by, partial)
    plan = plans.get(key) if plans is not None else None
    if plan is None:
        plan = Plan(
            profile=profile,
            columns=columns,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            partial=partial,
        )
        if plans is not None:
            plans[key] = plan
    return plan
