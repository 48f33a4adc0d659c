"""The plant model on CP-SAT: alternatives, set-ups, downtime, release and due minutes, the frozen
horizon, the old plan as a hint; weighted tardiness first, then moves, then make-span."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from chainhub.schedule.problem import OpKey, Order, Problem, Slot, Solution


@dataclass
class _Choice:
    machine_id: str
    present: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    interval: cp_model.IntervalVar
    family: str | None


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
    model = cp_model.CpModel()
    horizon = _horizon(problem)
    by_machine: dict[str, list[_Choice]] = defaultdict(list)
    ends: dict[str, cp_model.IntVar] = {}
    choices: dict[OpKey, list[_Choice]] = {}
    move_terms: list[cp_model.IntVar] = []
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
            _hint_and_moves(model, problem, key, start, options, move_terms)
        assert previous is not None  # noqa: S101 - every order has operations (checked upstream)
        ends[order.order_number] = previous
    makespan = model.new_int_var(0, horizon, "makespan")
    for end in ends.values():
        model.add(makespan >= end)
    for machine in problem.machines:
        tasks = by_machine.get(machine.machine_id, [])
        downs = [
            model.new_fixed_size_interval_var(a, b - a, f"down{machine.machine_id}{a}")
            for a, b in machine.down
            if b > a
        ]
        model.add_no_overlap([c.interval for c in tasks] + downs)
        if problem.setups and len(tasks) > 1:
            _setups(model, problem, tasks)
    tardiness = {}
    for order in problem.orders:
        # An order due before now is late by more than the horizon counted from now.
        late = model.new_int_var(0, horizon + max(0, -order.due), f"late{order.order_number}")
        model.add(late >= ends[order.order_number] - order.due)
        tardiness[order.order_number] = late
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
    status = solver.solve(model)
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
        options.append(_Choice(machine_id, present, s, e, interval, family))
    if fixed is not None:
        # The frozen horizon: the operation stays where the released plan put it.
        model.add(start == fixed.start)
    return options


def _hint_and_moves(
    model: cp_model.CpModel,
    problem: Problem,
    key: OpKey,
    start: cp_model.IntVar,
    options: list[_Choice],
    move_terms: list[cp_model.IntVar],
) -> None:
    old = problem.hint.get(key)
    if old is None:
        return
    model.add_hint(start, old.start)
    for choice in options:
        model.add_hint(choice.present, choice.machine_id == old.machine_id)
        model.add_hint(choice.start, old.start)
    if key in problem.released:
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


def _setups(model: cp_model.CpModel, problem: Problem, tasks: list[_Choice]) -> None:
    """Sequence-dependent set-ups on one machine: a circuit through its present tasks."""
    arcs: list[tuple[int, int, cp_model.LiteralT]] = []
    for i, a in enumerate(tasks, start=1):
        arcs.append((0, i, model.new_bool_var("")))
        arcs.append((i, 0, model.new_bool_var("")))
        arcs.append((i, i, ~a.present))
        for j, b in enumerate(tasks, start=1):
            if i == j:
                continue
            literal = model.new_bool_var("")
            arcs.append((i, j, literal))
            gap = problem.setups.get((a.family or "", b.family or ""), 0)
            model.add(b.start >= a.end + gap).only_enforce_if(literal)
    model.add_circuit(arcs)


def earliest_finish(order: Order) -> int:
    """The soonest the order can end: its release plus its shortest operations."""
    return order.release + sum(min(op.durations.values()) for op in order.operations)
