"""The job-shop neighbourhood search: it reaches a small optimum and never returns a worse or
infeasible schedule."""

from __future__ import annotations

import random

import pytest

from chainhub.schedule.jobshop import (
    Job,
    JobShopResult,
    best_dispatch,
    check_schedule,
    improve,
)
from tests.schedule.test_solver import FT06_JOBS


def _start(jobs: tuple[Job, ...]) -> JobShopResult:
    span, starts = best_dispatch(jobs)
    return JobShopResult(span, 0, False, tuple(tuple(row) for row in starts))


def _random_jobs(jobs: int, machines: int, seed: int) -> tuple[Job, ...]:
    rng = random.Random(seed)
    rows = []
    for _ in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        rows.append(tuple((m, rng.randint(1, 99)) for m in order))
    return tuple(rows)


def test_the_search_reaches_the_ft06_optimum() -> None:
    start = _start(FT06_JOBS)
    assert start.makespan > 55
    result = improve(FT06_JOBS, start, seconds=3, workers=2)
    assert result.makespan == check_schedule(FT06_JOBS, result.starts) == 55


@pytest.mark.parametrize("seed", [1, 2])
def test_the_search_never_returns_a_worse_or_infeasible_schedule(seed: int) -> None:
    jobs = _random_jobs(15, 8, seed)
    start = _start(jobs)
    result = improve(jobs, start, seconds=1.5, workers=2)
    # check_schedule raises on a broken job order or two operations at once on a machine.
    assert check_schedule(jobs, result.starts) == result.makespan <= start.makespan
    assert result.lower_bound <= result.makespan


def test_check_schedule_names_an_overlap() -> None:
    jobs: tuple[Job, ...] = (((0, 3),), ((0, 2),))
    with pytest.raises(ValueError, match="machine 0"):
        check_schedule(jobs, ((0,), (1,)))
    with pytest.raises(ValueError, match="job 0 operation 1"):
        check_schedule((((0, 3), (1, 2)),), ((0, 2),))
