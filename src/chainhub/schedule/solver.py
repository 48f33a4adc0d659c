"""The plant model on CP-SAT: alternatives, set-ups, downtime, release and due minutes, the frozen
horizon, the old plan as a hint; weighted tardiness first, then moves, then make-span."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ortools.sat.python import cp_model

from chainhub.schedule.dispatch import dispatch_plan
from chainhub.schedule.problem import OpKey, Order, Problem, Slot, Solution

PRESOLVE_ARCS: Final = 20_000


@dataclass
class _Choice:
    key: OpKey
    machine_id: str
    duration: int
    present: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    interval: cp_model.IntervalVar
    family: str | None


class _FirstFound(cp_model.CpSolverSolutionCallback):
    """Notes when the first feasible plan turns up: what a re-plan keeps the plant waiting for."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first_found_s: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_found_s is None:
            self.first_found_s = time.perf_counter() - self.started


def _horizon(problem: Problem) -> int:
    work = sum(max(op.durations.values()) for o in problem.orders for op in o.operations)
    setups = max(problem.setups.values(), default=0) * sum(
        len(o.operations) for o in problem.orders
    )
    latest = max(
        [o.release for o in problem.orders]
        + [end for m in problem.machines for _, end in m.down]
        + [s.end for s in problem.fixed.values()]
        + [0]
    )
    return latest + work + setups + 1


def solve_plan(problem: Problem, *, seconds: float, workers: int = 2) -> Solution:
    """The best plan found in `seconds`; every order in `problem` must be schedulable."""
    started = time.perf_counter()
    model = cp_model.CpModel()
    horizon = _horizon(problem)
    by_machine: dict[str, list[_Choice]] = defaultdict(list)
    ends: dict[str, cp_model.IntVar] = {}
    choices: dict[OpKey, list[_Choice]] = {}
    move_terms: list[cp_model.IntVar] = []
    # A first plan starts from a dispatch; a re-plan from the plan it replaces, repaired.
    hints = dispatch_plan(problem, problem.hint)
    for order in problem.orders:
        previous: cp_model.IntVar | None = None
        for op in order.operations:
            key = (order.order_number, op.operation_no)
            start = model.new_int_var(order.release, horizon, f"s{key}")
            end = model.new_int_var(order.release, horizon, f"e{key}")
            options = _choices(model, problem, key, op.durations, op.family, start, end, horizon)
            model.add_exactly_one(c.present for c in options)
            for choice in options:
                by_machine[choice.machine_id].append(choice)
            choices[key] = options
            if previous is not None:
                model.add(start >= previous)
            previous = end
            _hint_and_moves(model, problem, hints, key, (start, end), options, move_terms)
        assert previous is not None  # noqa: S101 - every order has operations (checked upstream)
        ends[order.order_number] = previous
    makespan = model.new_int_var(0, horizon, "makespan")
    for end in ends.values():
        model.add(makespan >= end)
    hinted_end = _hinted_ends(problem, hints)
    for machine in problem.machines:
        tasks = by_machine.get(machine.machine_id, [])
        downs = [
            model.new_fixed_size_interval_var(a, b - a, f"down{machine.machine_id}{a}")
            for a, b in machine.down
            if b > a
        ]
        model.add_no_overlap([c.interval for c in tasks] + downs)
        if problem.setups and len(tasks) > 1:
            _setups(model, problem, tasks, _hinted_order(tasks, hints))
    tardiness = {}
    for order in problem.orders:
        # An order due before now is late by more than the horizon counted from now.
        late = model.new_int_var(0, horizon + max(0, -order.due), f"late{order.order_number}")
        model.add(late >= ends[order.order_number] - order.due)
        tardiness[order.order_number] = late
        if order.order_number in hinted_end:
            model.add_hint(late, max(0, hinted_end[order.order_number] - order.due))
    if len(hinted_end) == len(problem.orders):
        model.add_hint(makespan, max(hinted_end.values(), default=0))
    weighted = sum(o.weight * tardiness[o.order_number] for o in problem.orders)
    # Lexicographic through weights: one minute of weighted tardiness outweighs any make-span.
    moves = sum(move_terms)
    model.minimize(
        weighted * (horizon + 1) * (len(move_terms) + 1) + moves * (horizon + 1) + makespan
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    # Presolve grows with the square of the set-up arcs: at a few hundred operations it takes
    # the whole time limit before the search starts from the hint; the search alone finds a
    # plan at once.
    arcs = sum(len(tasks) ** 2 for tasks in by_machine.values()) if problem.setups else 0
    solver.parameters.cp_model_presolve = arcs <= PRESOLVE_ARCS
    first = _FirstFound(started)
    status = solver.solve(model, first)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution((), {}, {}, 0, solver.status_name(status))
    slots = []
    for (number, op_no), options in choices.items():
        chosen = next(c for c in options if solver.boolean_value(c.present))
        slots.append(
            Slot(
                number,
                op_no,
                chosen.machine_id,
                solver.value(chosen.start),
                solver.value(chosen.end),
            )
        )
    return Solution(
        slots=tuple(sorted(slots, key=lambda s: (s.start, s.machine_id))),
        order_end={n: solver.value(e) for n, e in ends.items()},
        tardiness={n: solver.value(t) for n, t in tardiness.items()},
        makespan=solver.value(makespan),
        first_found_s=first.first_found_s,
        status=solver.status_name(status),
    )


def _choices(
    model: cp_model.CpModel,
    problem: Problem,
    key: OpKey,
    durations: Mapping[str, int],
    family: str | None,
    start: cp_model.IntVar,
    end: cp_model.IntVar,
    horizon: int,
) -> list[_Choice]:
    fixed = problem.fixed.get(key)
    options = []
    for machine_id, duration in durations.items():
        if fixed is not None and machine_id != fixed.machine_id:
            continue
        present = model.new_bool_var(f"p{key}{machine_id}")
        s = model.new_int_var(0, horizon, f"s{key}{machine_id}")
        e = model.new_int_var(0, horizon, f"e{key}{machine_id}")
        interval = model.new_optional_interval_var(s, duration, e, present, f"i{key}{machine_id}")
        model.add(start == s).only_enforce_if(present)
        model.add(end == e).only_enforce_if(present)
        options.append(_Choice(key, machine_id, duration, present, s, e, interval, family))
    if fixed is not None:
        # The frozen horizon: the operation stays where the released plan put it.
        model.add(start == fixed.start)
    return options


def _hinted_ends(problem: Problem, hints: Mapping[OpKey, Slot]) -> dict[str, int]:
    """Each order's end in the hint, for orders the hint places whole."""
    return {
        order.order_number: hints[(order.order_number, order.operations[-1].operation_no)].end
        for order in problem.orders
        if all((order.order_number, op.operation_no) in hints for op in order.operations)
    }


def _hinted_order(tasks: list[_Choice], hints: Mapping[OpKey, Slot]) -> list[int]:
    """Positions (from 1) of the tasks the hint runs on their machine, by hinted start."""
    here = [
        (hints[c.key].start, i)
        for i, c in enumerate(tasks, start=1)
        if c.key in hints and hints[c.key].machine_id == c.machine_id
    ]
    return [i for _, i in sorted(here)]


def _hint_and_moves(
    model: cp_model.CpModel,
    problem: Problem,
    hints: Mapping[OpKey, Slot],
    key: OpKey,
    span: tuple[cp_model.IntVar, cp_model.IntVar],
    options: list[_Choice],
    move_terms: list[cp_model.IntVar],
) -> None:
    """Hint the operation where `hints` puts it; if released, make moving it from where the
    old plan had it cost."""
    start, end = span
    hinted = hints.get(key)
    if hinted is not None:
        model.add_hint(start, hinted.start)
        model.add_hint(end, hinted.end)
        for choice in options:
            here = choice.machine_id == hinted.machine_id
            model.add_hint(choice.present, here)
            model.add_hint(choice.start, hinted.start if here else 0)
            model.add_hint(choice.end, hinted.end if here else choice.duration)
    old = problem.hint.get(key)
    if old is None or key not in problem.released:
        return
    moved = model.new_bool_var(f"moved{key}")
    same = [c.present for c in options if c.machine_id == old.machine_id]
    stays = model.new_bool_var(f"stays{key}")
    model.add(start == old.start).only_enforce_if(stays)
    if same:
        model.add_implication(stays, same[0])
    else:
        model.add(stays == 0)
    model.add(moved + stays == 1)
    move_terms.append(moved)
    if hinted is not None:
        kept = (hinted.machine_id, hinted.start) == (old.machine_id, old.start)
        model.add_hint(stays, kept)
        model.add_hint(moved, not kept)


def _setups(
    model: cp_model.CpModel, problem: Problem, tasks: list[_Choice], hinted: list[int]
) -> None:
    """Sequence-dependent set-ups on one machine: a circuit through its present tasks. `hinted`
    are the positions (from 1) of the tasks the hint runs here, in its order: the circuit's
    arcs are hinted too, or CP-SAT may not find the hinted plan complete."""
    follows = dict(zip([0, *hinted], [*hinted, 0], strict=True)) if hinted else {}
    arcs: list[tuple[int, int, cp_model.LiteralT]] = []

    def arc(i: int, j: int) -> cp_model.IntVar:
        literal = model.new_bool_var("")
        if follows:
            model.add_hint(literal, follows.get(i) == j)
        arcs.append((i, j, literal))
        return literal

    for i, a in enumerate(tasks, start=1):
        arc(0, i)
        arc(i, 0)
        arcs.append((i, i, ~a.present))
        for j, b in enumerate(tasks, start=1):
            if i == j:
                continue
            gap = problem.setups.get((a.family or "", b.family or ""), 0)
            model.add(b.start >= a.end + gap).only_enforce_if(arc(i, j))
    model.add_circuit(arcs)


def earliest_finish(order: Order) -> int:
    """The soonest the order can end: its release plus its shortest operations."""
    return order.release + sum(min(op.durations.values()) for op in order.operations)
