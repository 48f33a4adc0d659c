"""Exact optima of the job-shop model and the plant model on tiny instances."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainhub.schedule.jobshop import best_dispatch, read_orlib, solve_jobshop
from chainhub.schedule.problem import Machine, Operation, Order, Problem, Slot
from chainhub.schedule.solver import solve_plan

FT06 = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "jobshop"
FT06_JOBS = (
    ((2, 1), (0, 3), (1, 6), (3, 7), (5, 3), (4, 6)),
    ((1, 8), (2, 5), (4, 10), (5, 10), (0, 10), (3, 4)),
    ((2, 5), (3, 4), (5, 8), (0, 9), (1, 1), (4, 7)),
    ((1, 5), (0, 5), (2, 5), (3, 3), (4, 8), (5, 9)),
    ((2, 9), (1, 3), (4, 5), (5, 4), (0, 3), (3, 1)),
    ((1, 3), (3, 3), (5, 9), (0, 10), (4, 4), (2, 1)),
)
TWO_MACHINES = (Machine("A", "WA"), Machine("B", "WB"))


@pytest.mark.parametrize("strong", [True, False])
def test_ft06_optimum_is_55(strong: bool) -> None:
    result = solve_jobshop(FT06_JOBS, seconds=10, workers=2, strong=strong)
    assert (result.makespan, result.optimal) == (55, True)
    for j, job in enumerate(FT06_JOBS):
        for k in range(1, len(job)):
            assert result.starts[j][k] >= result.starts[j][k - 1] + job[k - 1][1]


def test_the_reader_reads_orlib_ft06() -> None:
    path = FT06 / "instances" / "ft06"
    if not path.exists():
        pytest.skip("job-shop reference instances are not beside the repository")
    assert read_orlib(path) == FT06_JOBS


def test_dispatching_rule_gives_a_feasible_start() -> None:
    span, starts = best_dispatch(FT06_JOBS)
    assert span >= 55
    assert max(starts[j][-1] + FT06_JOBS[j][-1][1] for j in range(6)) == span


def test_two_orders_two_machines_tardiness_then_makespan() -> None:
    orders = (
        Order("o1", (Operation(10, {"A": 3}), Operation(20, {"B": 2})), due=5),
        Order("o2", (Operation(10, {"A": 2}), Operation(20, {"B": 4})), due=6),
    )
    plan = solve_plan(Problem(TWO_MACHINES, orders), seconds=5)
    # Either order first leaves 3 minutes late; o2 first ends at 8 rather than 9.
    assert (plan.status, sum(plan.tardiness.values()), plan.makespan) == ("OPTIMAL", 3, 8)
    assert plan.tardiness == {"o1": 3, "o2": 0}
    # The first plan cannot come after the solve that found it ended.
    assert plan.first_found_s is not None and 0 < plan.first_found_s < 5


def test_orders_due_long_ago_are_planned_and_reported_late() -> None:
    # Due 90 days before now (minute 0): lateness exceeds any horizon counted from now.
    long_ago = -90 * 24 * 60
    orders = (
        Order("o1", (Operation(10, {"A": 3}), Operation(20, {"B": 2})), due=long_ago),
        Order("o2", (Operation(10, {"A": 2}),), due=10),
    )
    plan = solve_plan(Problem(TWO_MACHINES, orders), seconds=5)
    assert plan.status == "OPTIMAL"
    assert plan.tardiness == {"o1": 5 - long_ago, "o2": 0}


def test_alternative_machine_and_downtime() -> None:
    machines = (Machine("A", "W", down=((0, 10),)), Machine("B", "W"))
    orders = (Order("o1", (Operation(10, {"A": 2, "B": 5}),), due=100),)
    plan = solve_plan(Problem(machines, orders), seconds=5)
    # A is down until 10, so the slower B finishes first (5 < 12).
    assert plan.slots == (Slot("o1", 10, "B", 0, 5),)


def test_sequence_dependent_setups_order_the_families() -> None:
    machines = (Machine("A", "W"),)
    orders = tuple(
        Order(name, (Operation(10, {"A": 1}, family=family),), due=100)
        for name, family in (("r1", "red"), ("b1", "blue"), ("r2", "red"))
    )
    setups = {("red", "blue"): 10, ("blue", "red"): 10, ("red", "red"): 0, ("blue", "blue"): 0}
    plan = solve_plan(Problem(machines, orders, setups=setups), seconds=5)
    # Reds together, one change-over: 1 + 1 + 10 + 1.
    assert plan.makespan == 13


def test_release_and_frozen_operation() -> None:
    orders = (
        Order("o1", (Operation(10, {"A": 3}),), due=100, release=4),
        Order("o2", (Operation(10, {"A": 3}),), due=100),
    )
    fixed = {("o2", 10): Slot("o2", 10, "A", 7, 10)}
    plan = solve_plan(Problem(TWO_MACHINES, orders, fixed=fixed), seconds=5)
    assert {(s.order_number, s.start) for s in plan.slots} == {("o1", 4), ("o2", 7)}
