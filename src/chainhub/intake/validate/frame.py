"""Check a frame of a whole file's rows, as read into memory."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import polars as pl

from chainhub.intake.readers import SOURCE_ROW
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.validate.plan import PlanCache, get_plan
from chainhub.intake.validate.report import finish, malformed_errors
from chainhub.intake.validate.result import ValidationResult
from chainhub.intake.validate.staged import RowsToCheck, Stages, run_alone


def check_frame(
    *,
    frame: pl.DataFrame,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None = None,
    submitted_by: str | None = None,
    references: Mapping[str, Collection[str]] | None = None,
    plans: PlanCache | None = None,
    malformed: pl.DataFrame | None = None,
    partial: bool = False,
) -> ValidationResult:
    """Map a frame of source text columns to standard records and check every row.

    With `submitted_by`, a record the submitter is not a party to is an error (the caller asks
    the visibility module whether the rule applies); with `references` (partner, site,
    material → known codes), so is an unknown code;
    `malformed` rows (from `read_rows`) are reported as they are; with `partial`, required
    fields the profile leaves out are listed in the result instead of stopping the check.
    """
    return run_alone(
        frame_stages(
            frame=frame,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            plans=plans,
            malformed=malformed,
            partial=partial,
        )
    )


def frame_stages(
    *,
    frame: pl.DataFrame,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None = None,
    submitted_by: str | None = None,
    references: Mapping[str, Collection[str]] | None = None,
    plans: PlanCache | None = None,
    malformed: pl.DataFrame | None = None,
    partial: bool = False,
) -> Stages:
    """`check_frame` as stages (see `staged`): it hands its rows out once."""
    plan = get_plan(
        profile=profile,
        columns=[c for c in frame.columns if c != SOURCE_ROW],
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
        plans=plans,
        partial=partial,
    )

    def source_of(rows: pl.Series) -> pl.DataFrame:
        return frame.filter(pl.col(SOURCE_ROW).is_in(rows.implode()))

    checked = yield RowsToCheck(plan, frame, None)
    errors = [malformed_errors(malformed)] if malformed is not None else []
    errors.extend(checked.errors)
    errors.extend(plan.document_errors(checked.keys, source_of))
    return ValidationResult(
        document_type=plan.doc_type.name,
        records=checked.records if checked.records is not None else frame.clear(),
        errors=finish(errors),
        rows=frame.height + (malformed.height if malformed is not None else 0),
        source_of=source_of,
        malformed_rows=malformed.height if malformed is not None else 0,
        unmapped=plan.unmapped,
    )
