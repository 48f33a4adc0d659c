"""The critical-path tabu search: feasible schedules, never worse than its start, and it stops
at a schedule whose critical path is one machine's work."""

from __future__ import annotations

from chainhub.schedule.jobshop import Job, best_dispatch, check_schedule
from chainhub.schedule.tabu import TabuSearch
from tests.schedule.test_jobshop_lns import _random_jobs


def test_the_search_improves_a_dispatched_schedule_and_keeps_it_feasible() -> None:
    jobs = _random_jobs(12, 6, 3)
    span, starts = best_dispatch(jobs)
    search = TabuSearch(jobs, starts)
    search.run(1.0)
    assert search.iterations > 0
    assert check_schedule(jobs, search.best_starts()) == search.makespan < span


def test_the_search_stops_when_one_machine_is_the_critical_path() -> None:
    # Machine 0 carries 30 of work that cannot start before 1 nor be followed by less than 1.
    jobs: tuple[Job, ...] = tuple(((1, 1), (0, 10), (1, 1)) for _ in range(3))
    search = TabuSearch(jobs, best_dispatch(jobs)[1])
    search.run(5.0)
    assert search.optimal
    assert check_schedule(jobs, search.best_starts()) == search.makespan == 32
