"""The dispatch that gives CP-SAT its first plan: feasible, and a repair moves little."""

from __future__ import annotations

from chainhub.schedule.dispatch import dispatch_plan
from chainhub.schedule.problem import Machine, Operation, Order, Problem, Slot


def _feasible(problem: Problem, plan: dict[tuple[str, int], Slot]) -> None:
    """Every operation once, in its order's sequence, never overlapping on a machine or its
    down windows, set-ups kept between families."""
    family = {
        (o.order_number, op.operation_no): op.family for o in problem.orders for op in o.operations
    }
    assert set(plan) == set(family)
    for order in problem.orders:
        slots = [plan[(order.order_number, op.operation_no)] for op in order.operations]
        assert slots[0].start >= order.release
        assert all(a.end <= b.start for a, b in zip(slots, slots[1:], strict=False))
    for machine in problem.machines:
        here = sorted(
            (s for s in plan.values() if s.machine_id == machine.machine_id), key=lambda s: s.start
        )
        for a, b in zip(here, here[1:], strict=False):
            pair = (
                family[(a.order_number, a.operation_no)],
                family[(b.order_number, b.operation_no)],
            )
            gap = problem.setups.get((pair[0] or "", pair[1] or ""), 0)
            assert a.end + gap <= b.start
        for start, end in machine.down:
            assert all(s.end <= start or end <= s.start for s in here)


MACHINES = (
    Machine("WC1#1", "WC1", down=((30, 90),)),
    Machine("WC1#2", "WC1"),
    Machine("WC2#1", "WC2"),
)


def _order(n: int, family: str) -> Order:
    first = Operation(10, {"WC1#1": 20, "WC1#2": 25}, family)
    return Order(
        f"MO{n}", (first, Operation(20, {"WC2#1": 15}, family)), 100 + 10 * n, release=5 * n
    )


PROBLEM = Problem(
    machines=MACHINES,
    orders=tuple(_order(n, family) for n, family in enumerate("ABAB")),
    setups={("A", "B"): 7, ("B", "A"): 7},
)


def test_a_dispatch_is_feasible() -> None:
    _feasible(PROBLEM, dispatch_plan(PROBLEM))


def test_a_repair_keeps_what_still_fits_and_moves_what_the_breakdown_hits() -> None:
    old = dispatch_plan(PROBLEM)
    broken = Machine("WC1#2", "WC1", down=((0, 200),))
    after = Problem(
        machines=(PROBLEM.machines[0], broken, PROBLEM.machines[2]),
        orders=PROBLEM.orders,
        setups=PROBLEM.setups,
    )
    repaired = dispatch_plan(after, old)
    _feasible(after, repaired)
    hit = {k for k, s in old.items() if s.machine_id == "WC1#2"}
    assert hit  # the dispatch used the second machine
    kept = {
        k
        for k, s in repaired.items()
        if (s.machine_id, s.start) == (old[k].machine_id, old[k].start)
    }
    assert not hit & kept
    assert {k for k, s in old.items() if s.machine_id == "WC1#1" and s.end <= 30} <= kept
