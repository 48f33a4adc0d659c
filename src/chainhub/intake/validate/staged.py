"""A file's check as stages that hand their rows out to be checked, so that the rows of many
files read through one plan are checked in one pass (a load's files), or alone (one file)."""

from __future__ import annotations

from collections.abc import Generator, Hashable, Sequence
from dataclasses import dataclass

import polars as pl

from chainhub.intake.validate.plan import Checked, Plan
from chainhub.intake.validate.result import ValidationResult
from chainhub.intake.validate.shared import check_shared


@dataclass(frozen=True)
class RowsToCheck:
    """Rows a file's check hands out: `plan.check_rows(frame, keep=keep, records=records)`."""

    plan: Plan
    frame: pl.DataFrame
    keep: pl.Series | None
    records: bool = True


Stages = Generator[RowsToCheck, Checked, ValidationResult]
"""A file's check: it yields the rows to check, is sent their outcome, returns the result."""


def run_alone(stages: Stages) -> ValidationResult:
    """A file's check, its rows checked as it hands them out."""
    try:
        wanted = next(stages)
        while True:
            wanted = stages.send(_check(wanted))
    except StopIteration as done:
        result: ValidationResult = done.value
        return result


def run_together(stages: Sequence[Stages]) -> list[ValidationResult | Exception]:
    """Several files' checks, in rounds: the rows each hands out in a round are checked in one
    pass with those of the others read through the same plan. A file whose check raises gets
    its error in its place; the others go on."""
    outcomes: dict[int, ValidationResult | Exception] = {}
    waiting: dict[int, RowsToCheck] = {}

    def advance(index: int, checked: Checked | Exception | None) -> None:
        stage = stages[index]
        try:
            if checked is None:
                waiting[index] = next(stage)
            elif isinstance(checked, Exception):
                waiting[index] = stage.throw(checked)
            else:
                waiting[index] = stage.send(checked)
        except StopIteration as done:
            outcomes[index] = done.value
        except Exception as error:  # noqa: BLE001 - the file's own error, raised when it is taken
            outcomes[index] = error

    for index in range(len(stages)):
        advance(index, None)
    while waiting:
        round_, groups = dict(waiting), dict[Hashable, list[int]]()
        waiting.clear()
        for index, wanted in round_.items():
            alone = not (wanted.records and wanted.plan.together)
            # Plans of one type that differ only in what `shared` makes columns share a pass.
            key = wanted.plan.shared_key
            groups.setdefault(-1 - index if alone else (key or id(wanted.plan)), []).append(index)
        for members in groups.values():
            for index, checked in zip(
                members, _check_group([round_[i] for i in members]), strict=True
            ):
                advance(index, checked)
    return [outcomes[index] for index in range(len(stages))]


def _check_group(group: list[RowsToCheck]) -> list[Checked | Exception]:
    """The outcomes of rows read through plans of one `shared_key` (or one plan), checked in
    one pass; if that pass fails, each plan's rows together, and if that fails, each file's
    rows alone, so that an error is its own file's."""
    plans = dict.fromkeys(wanted.plan for wanted in group)
    if len(plans) > 1:
        try:
            return list(check_shared([(w.plan, w.frame, w.keep) for w in group]))
        except Exception:  # noqa: BLE001, S110 - each plan's rows are checked apart below
            pass
        outcomes: dict[int, Checked | Exception] = {}
        for plan in plans:
            members = [i for i, wanted in enumerate(group) if wanted.plan is plan]
            checked = _check_plan([group[i] for i in members])
            outcomes.update(zip(members, checked, strict=True))
        return [outcomes[i] for i in range(len(group))]
    return _check_plan(group)


def _check_plan(group: list[RowsToCheck]) -> list[Checked | Exception]:
    """The outcomes of rows read through one plan, checked in one pass; if that pass fails,
    each file's rows alone."""
    if len(group) > 1:
        try:
            return list(group[0].plan.check_together([(w.frame, w.keep) for w in group]))
        except Exception:  # noqa: BLE001, S110 - each file is checked alone below
            pass
    outcomes: list[Checked | Exception] = []
    for wanted in group:
        try:
            outcomes.append(_check(wanted))
        except Exception as error:  # noqa: BLE001 - handed to the file's stages
            outcomes.append(error)
    return outcomes


def _check(wanted: RowsToCheck) -> Checked:
    return wanted.plan.check_rows(wanted.frame, keep=wanted.keep, records=wanted.records)
