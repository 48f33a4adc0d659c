"""A first feasible plan by list scheduling, for CP-SAT to start from.

Without a starting point CP-SAT can spend its whole time limit looking for any plan of a few
hundred operations with set-ups; a dispatch gives it one in milliseconds. A re-plan starts
from the plan it replaces, repaired: after a breakdown that plan overlaps the down window and
is no start at all, so its operations are dispatched again in their old order, each where it
was when it still can be, else on the machine where it ends first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from chainhub.schedule.problem import Operation, OpKey, Order, Problem, Slot


def _after_downs(start: int, duration: int, downs: list[tuple[int, int]]) -> int:
    """The earliest start from `start` whose run does not overlap a down window."""
    for a, b in downs:
        if start < b and a < start + duration:
            start = b
    return start


def _sequence(problem: Problem, old: Mapping[OpKey, Slot]) -> list[tuple[Order, Operation]]:
    """Operations in their old plan's order, then the rest by due date; an order's operations
    keep their sequence either way."""
    steps = []
    for order in problem.orders:
        for position, op in enumerate(order.operations):
            before = old.get((order.order_number, op.operation_no))
            was = before.start if before is not None else math.inf
            steps.append(((was, order.due, order.order_number, position), order, op))
    steps.sort(key=lambda step: step[0])
    return [(order, op) for _, order, op in steps]


def dispatch_plan(problem: Problem, old: Mapping[OpKey, Slot] | None = None) -> dict[OpKey, Slot]:
    """Each operation on the machine where it ends first, after what that machine already
    does, its set-up and its down windows, and after its order's previous operation; frozen
    operations stay put."""
    old = old or {}
    free = {m.machine_id: 0 for m in problem.machines}
    family: dict[str, str | None] = {}
    downs = {m.machine_id: sorted(m.down) for m in problem.machines}
    plan: dict[OpKey, Slot] = dict(problem.fixed)
    ready = {o.order_number: o.release for o in problem.orders}
    for slot in problem.fixed.values():
        free[slot.machine_id] = max(free.get(slot.machine_id, 0), slot.end)
        ready[slot.order_number] = max(ready.get(slot.order_number, 0), slot.end)
    for order, op in _sequence(problem, old):
        key = (order.order_number, op.operation_no)
        if key in plan:
            continue
        was = old.get(key)
        best: tuple[int, bool, Slot] | None = None
        for machine_id, duration in sorted(op.durations.items()):
            if machine_id not in free:
                continue
            gap = 0
            if machine_id in family:
                gap = problem.setups.get((family[machine_id] or "", op.family or ""), 0)
            earliest = max(ready[order.order_number], free[machine_id] + gap)
            if was is not None and was.machine_id == machine_id:
                earliest = max(earliest, was.start)  # where it was, if it still can be
            start = _after_downs(earliest, duration, downs[machine_id])
            slot = Slot(order.order_number, op.operation_no, machine_id, start, start + duration)
            if was is not None and (was.machine_id, was.start) == (machine_id, start):
                best = (slot.end, False, slot)  # unmoved beats any earlier end elsewhere
                break
            moved = was is None or was.machine_id != machine_id
            if best is None or (slot.end, moved) < best[:2]:
                best = (slot.end, moved, slot)
        if best is None:
            continue  # no machine for it: the solver says so
        slot = best[2]
        plan[key] = slot
        free[slot.machine_id], family[slot.machine_id] = slot.end, op.family
        ready[order.order_number] = slot.end
    return plan
