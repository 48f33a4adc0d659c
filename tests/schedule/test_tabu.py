"""The critical-path tabu search: feasible schedules, never worse than its start, and it stops
at a schedule whose critical path is one block, or at the lower bound."""

from __future__ import annotations

import time

from chainhub.schedule.jobshop import Job, JobShopResult, best_dispatch, check_schedule, improve
from chainhub.schedule.tabu import TabuSearch
from tests.schedule.test_jobshop_lns import _random_jobs


def test_the_search_improves_a_dispatched_schedule_and_keeps_it_feasible() -> None:
    jobs = _random_jobs(12, 6, 3)
    span, starts = best_dispatch(jobs)
    search = TabuSearch(jobs, starts)
    search.run(1.0)
    assert search.iterations > 0
    assert check_schedule(jobs, search.best_starts()) == search.makespan < span


def test_the_search_stops_when_the_critical_path_is_one_block() -> None:
    jobs: tuple[Job, ...] = (((0, 3),), ((0, 4),), ((0, 2),))
    search = TabuSearch(jobs, best_dispatch(jobs)[1])
    search.run(5.0)
    assert search.optimal
    assert check_schedule(jobs, search.best_starts()) == search.makespan == 9


def test_improve_stops_at_the_one_machine_bound() -> None:
    # Machine 0 carries 30 of work that cannot start before 1 nor be followed by less than 1.
    jobs: tuple[Job, ...] = tuple(((1, 1), (0, 10), (1, 1)) for _ in range(3))
    # One job after the other: make-span 36.
    start = JobShopResult(36, 0, False, tuple((12 * j, 12 * j + 1, 12 * j + 11) for j in range(3)))
    began = time.monotonic()
    result = improve(jobs, start, seconds=30, workers=2)
    assert time.monotonic() - began < 15
    assert result.optimal
    assert check_schedule(jobs, result.starts) == result.makespan == 32
