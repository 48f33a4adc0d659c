"""Rows read through several plans of one document type checked in one pass: each plan's
rows made into the columns its type's canonical profile reads (`canonical`), with the plan's
tag and sender beside them, then checked through one plan keyed by tag, and each part's
errors worded as its own plan words them.

A check pass costs a fixed planning time whatever its rows (the medium chain's ~2.5 ms), so a
load's files of a type are checked together whichever partner sent them.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from chainhub.intake.readers import SOURCE_ROW
from chainhub.intake.validate.canonical import canonical_profile
from chainhub.intake.validate.fields.build import tag_key
from chainhub.intake.validate.plan import SENDER, TAG, Checked, Plan


def check_shared(group: Sequence[tuple[Plan, pl.DataFrame, pl.Series | None]]) -> list[Checked]:
    """The outcomes of rows (each read through a plan, to keep where given) whose plans have
    one `shared_key`, checked in one pass.

    Precondition: that `shared_key` is not None.
    """
    plans = list(dict.fromkeys(plan for plan, _frame, _keep in group))
    shared = _shared_plan(plans)
    steps = [(c.field, c.rule) for c in shared.checks]
    if any([(c.field, c.rule) for c in plan.checks] != steps for plan in plans):
        raise ValueError("the plans' checks are not one for one")
    tags = {plan: str(index) for index, plan in enumerate(plans)}
    by_part = {TAG: [tags[plan] for plan, _frame, _keep in group]}
    if shared.submitted_by is not None:
        by_part[SENDER] = [str(plan.submitted_by) for plan, _frame, _keep in group]
    return shared.check_together(
        [(_canonical_rows(frame, plan), keep) for plan, frame, keep in group],
        labels=[plan.checks for plan, _frame, _keep in group],
        by_part=by_part,
    )


def _shared_plan(plans: list[Plan]) -> Plan:
    """The plan of `plans`' canonical profile, their value maps and crosswalks keyed by tag."""
    first = plans[0]
    canonical = canonical_profile(first.profile)
    assert canonical is not None
    fields = {}
    for name, mapping in canonical.fields.items():
        maps = {
            tag_key(str(index), str(key)): str(value)
            for index, plan in enumerate(plans)
            for key, value in (plan.profile.fields[name].map or {}).items()
        }
        fields[name] = mapping.model_copy(update={"map": maps or None})
    crosswalk = None
    if first.crosswalk is not None:
        crosswalk = {
            tag_key(str(index), code): golden
            for index, plan in enumerate(plans)
            for code, golden in (plan.crosswalk or {}).items()
        }
    return Plan(
        profile=canonical.model_copy(update={"fields": fields}),
        columns=list(fields),
        crosswalk=crosswalk,
        submitted_by=None if first.submitted_by is None else pl.col(SENDER),
        references=first.references,
        partial=first.partial,
        tagged=True,
    )


def _canonical_rows(frame: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """A part's rows as its canonical profile reads them: each field's column (a constant's
    repeated) under the field's name."""
    columns = [frame.get_column(SOURCE_ROW)]
    for name, mapping in sorted(plan.profile.fields.items()):
        if mapping.column is None:
            constant = pl.Series(name, [str(mapping.value)], dtype=pl.Utf8)
            columns.append(constant.new_from_index(0, frame.height))
            continue
        column = frame.get_column(mapping.column)
        # Another type's text would be read otherwise once its rows are concatenated.
        if column.dtype != pl.Utf8:
            raise TypeError(f"column {mapping.column} is {column.dtype}, not text")
        columns.append(column.alias(name))
    return pl.DataFrame(columns)
