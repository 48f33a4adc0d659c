"""Re-plan after a machine breakdown in a plant schedule: chainhub's re-plan (the old plan as
the hint, a penalty on moving released work, running operations kept) beside a cold re-plan
(the same model from scratch), same seconds and workers: time to a feasible plan, operations
moved, weighted tardiness.

    python bench/replan.py [--smoke] [--orders N] [--operations K] [--seconds S] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace

from chainhub.schedule.problem import Machine, Operation, Order, Problem, Solution
from chainhub.schedule.solver import solve_plan

CENTRES = 10
MACHINES_PER_CENTRE = 2
FAMILIES = ("A", "B", "C", "D")
BREAKS_AT = 120  # minutes into the plan
REPAIR = 480


def _plant(orders: int, operations: int, seed: int) -> Problem:
    """A flexible job shop: each order visits `operations` distinct work centres; each centre
    has two machines of slightly different speed; set-ups between product families."""
    rng = random.Random(seed)
    machines = tuple(
        Machine(f"WC{c:02d}#{k}", f"WC{c:02d}")
        for c in range(CENTRES)
        for k in range(1, MACHINES_PER_CENTRE + 1)
    )
    made = []
    for n in range(orders):
        family = rng.choice(FAMILIES)
        ops = []
        for position, centre in enumerate(rng.sample(range(CENTRES), operations), start=1):
            base = rng.randint(20, 120)
            durations = {
                f"WC{centre:02d}#{k}": base + rng.randint(0, base // 4)
                for k in range(1, MACHINES_PER_CENTRE + 1)
            }
            ops.append(Operation(position * 10, durations, family))
        work = sum(min(op.durations.values()) for op in ops)
        release = rng.randint(0, 600)
        due = release + int(work * rng.uniform(2.0, 6.0))
        made.append(
            Order(
                f"MO{n:04d}", tuple(ops), due=due, weight=rng.choice((1, 1, 2, 3)), release=release
            )
        )
    setups = {(a, b): 0 if a == b else rng.randint(10, 30) for a in FAMILIES for b in FAMILIES}
    return Problem(machines=machines, orders=tuple(made), setups=setups)


def _busiest(solution: Solution) -> str:
    """The machine with the most work after the breakdown: where it hurts."""
    load: dict[str, int] = {}
    for slot in solution.slots:
        if slot.end > BREAKS_AT:
            load[slot.machine_id] = (
                load.get(slot.machine_id, 0) + slot.end - max(slot.start, BREAKS_AT)
            )
    return max(sorted(load), key=load.__getitem__)


def _after_breakdown(problem: Problem, plan: Solution, broken: str, keep: bool) -> Problem:
    """The plant at the breakdown, in minutes from it: finished operations gone, running ones
    on other machines left to finish (their machine busy, their order's next step after), the
    broken machine out for the repair and its running operation to start again; with the old
    plan as the hint and moves of released work penalised when `keep`."""
    by_key = {(s.order_number, s.operation_no): s for s in plan.slots}
    busy: dict[str, int] = {}
    orders = []
    for order in problem.orders:
        left, release = [], max(0, order.release - BREAKS_AT)
        for op in order.operations:
            slot = by_key[(order.order_number, op.operation_no)]
            if slot.end <= BREAKS_AT:
                continue
            if slot.start < BREAKS_AT and slot.machine_id != broken:
                busy[slot.machine_id] = slot.end - BREAKS_AT
                release = max(release, slot.end - BREAKS_AT)
                continue
            left.append(op)
        if left:
            orders.append(replace(order, operations=tuple(left), due=order.due - BREAKS_AT,
                                  release=release))  # fmt: skip
    machines = tuple(
        replace(m, down=((0, REPAIR),))
        if m.machine_id == broken
        else replace(m, down=((0, busy[m.machine_id]),) if m.machine_id in busy else ())
        for m in problem.machines
    )
    left_keys = {(o.order_number, op.operation_no) for o in orders for op in o.operations}
    shifted = {
        k: replace(s, start=s.start - BREAKS_AT, end=s.end - BREAKS_AT)
        for k, s in by_key.items()
        if k in left_keys
    }
    return Problem(
        machines=machines,
        orders=tuple(orders),
        setups=problem.setups,
        hint=shifted if keep else {},
        released=frozenset(shifted) if keep else frozenset(),
    )


def _moved(before: Problem, after: Solution) -> int:
    return sum(
        1
        for s in after.slots
        if (old := before.hint.get((s.order_number, s.operation_no))) is not None
        and (old.start, old.machine_id) != (s.start, s.machine_id)
    )


def _weighted(problem: Problem, solution: Solution) -> int:
    weights = {o.order_number: o.weight for o in problem.orders}
    return sum(weights[n] * t for n, t in solution.tardiness.items())


def main(argv: list[str] | None = None) -> int:
    """Plan the plant, break its busiest machine, re-plan both ways; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--operations", type=int, default=5, help="operations per order")
    parser.add_argument("--seconds", type=float, default=5.0, help="re-plan time limit")
    parser.add_argument("--plan-seconds", type=float, default=30.0, help="first plan's limit")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="20 orders, 1 s re-plans")
    args = parser.parse_args(argv)
    if args.smoke:
        args.orders, args.seconds, args.plan_seconds = 20, 1.0, 3.0
    problem = _plant(args.orders, args.operations, args.seed)
    count = sum(len(o.operations) for o in problem.orders)
    started = time.perf_counter()
    plan = solve_plan(problem, seconds=args.plan_seconds, workers=args.workers)
    took = time.perf_counter() - started
    print(f"plan: {count} operations on {len(problem.machines)} machines, {plan.status} in "
          f"{took:.1f} s, weighted tardiness {_weighted(problem, plan)}")  # fmt: skip
    if not plan.slots:
        print("no first plan found", file=sys.stderr)
        return 1
    broken = _busiest(plan)
    print(f"{broken} breaks down at minute {BREAKS_AT} for {REPAIR} minutes")
    results = {}
    for label, keep in (("chainhub", True), ("cold", False)):
        again = _after_breakdown(problem, plan, broken, keep)
        hinted = _after_breakdown(problem, plan, broken, True)
        started = time.perf_counter()
        solution = solve_plan(again, seconds=args.seconds, workers=args.workers)
        took = time.perf_counter() - started
        on_broken = sum(1 for s in solution.slots if s.machine_id == broken and s.start < REPAIR)
        results[label] = (
            took,
            solution.status,
            _moved(hinted, solution),
            _weighted(again, solution),
            solution.first_found_s or took,
        )
        print(f"{label:8} first plan in {results[label][4]:.2f} s, {solution.status} in "
              f"{took:.2f} s: {results[label][2]} of "
              f"{len(hinted.hint)} operations moved, weighted tardiness {results[label][3]}, "
              f"{on_broken} on the broken machine during its repair")  # fmt: skip
    mine, cold = results["chainhub"], results["cold"]
    print(f"replan {count} operations chainhub first plan {mine[4]:.2f} s, best {mine[0]:.2f} s, "
          f"moved {mine[2]} "
          f"tardiness {mine[3]} cold moved {cold[2]} tardiness {cold[3]}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
