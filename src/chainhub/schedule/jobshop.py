"""The job-shop model: a dispatching-rule start, then CP-SAT with bounds, hints and LNS tuning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

Job = tuple[tuple[int, int], ...]
"""One job: its operations in order, each (machine, duration)."""


@dataclass(frozen=True)
class JobShopResult:
    """Make-span found, the proven lower bound, whether it is optimal, and every start."""

    makespan: int
    lower_bound: int
    optimal: bool
    starts: tuple[tuple[int, ...], ...]


def read_orlib(path: Path) -> tuple[Job, ...]:
    """An instance in OR-Library format: `#` comments, `jobs machines`, then one line per job."""
    numbers: list[int] = []
    for line in path.read_text().splitlines():
        if not line.lstrip().startswith("#"):
            numbers.extend(int(word) for word in line.split())
    jobs, machines = numbers[0], numbers[1]
    body = numbers[2:]
    return tuple(
        tuple(
            (body[j * 2 * machines + 2 * k], body[j * 2 * machines + 2 * k + 1])
            for k in range(machines)
        )
        for j in range(jobs)
    )


def read_bounds(path: Path) -> dict[str, int]:
    """Best-known make-span per instance name (the upper bound of benchmark_instances.json)."""
    data = json.loads(path.read_text())
    return {name: int(entry["metadata"]["upper_bound"]) for name, entry in data.items()}


def dispatch(jobs: Sequence[Job], rule: str = "mwkr") -> tuple[int, list[list[int]]]:
    """A non-delay schedule by a priority rule (most work remaining, shortest processing time or
    most operations remaining): the make-span and every start."""
    next_op = [0] * len(jobs)
    job_ready = [0] * len(jobs)
    machine_ready: dict[int, int] = {}
    starts = [[0] * len(job) for job in jobs]
    remaining = [sum(d for _, d in job) for job in jobs]
    left = sum(len(job) for job in jobs)
    while left:
        candidates = [j for j, job in enumerate(jobs) if next_op[j] < len(job)]
        earliest = {
            j: max(job_ready[j], machine_ready.get(jobs[j][next_op[j]][0], 0)) for j in candidates
        }
        now = min(earliest.values())
        ready = [j for j in candidates if earliest[j] == now]

        def priority(j: int) -> tuple[int, int]:
            duration = jobs[j][next_op[j]][1]
            if rule == "spt":
                return (duration, -remaining[j])
            if rule == "mopnr":
                return (-(len(jobs[j]) - next_op[j]), -remaining[j])
            return (-remaining[j], duration)

        j = min(ready, key=priority)
        machine, duration = jobs[j][next_op[j]]
        starts[j][next_op[j]] = now
        job_ready[j] = machine_ready[machine] = now + duration
        remaining[j] -= duration
        next_op[j] += 1
        left -= 1
    return max(job_ready), starts


def best_dispatch(jobs: Sequence[Job]) -> tuple[int, list[list[int]]]:
    """The best of the dispatching rules."""
    return min((dispatch(jobs, rule) for rule in ("mwkr", "spt", "mopnr")), key=lambda r: r[0])


def tuned_parameters(seconds: float, workers: int) -> cp_model.CpSolver:
    """The solver for the strong model: CP-SAT's own portfolio with its LNS workers.

    Tried on la21, la27 and abz7 at 5 s on 2 workers: interleaved search, LNS-only subsolvers,
    hint repair and fixed search all did worse than the default portfolio once the model
    carries the hint and the head/tail bounds, so those stay at their defaults.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    return solver


def solve_jobshop(
    jobs: Sequence[Job], *, seconds: float, workers: int = 2, strong: bool = True
) -> JobShopResult:
    """Minimise the make-span; `strong=False` is the textbook model with default parameters."""
    model = cp_model.CpModel()
    horizon = sum(d for job in jobs for _, d in job)
    hint_span, hint_starts = best_dispatch(jobs) if strong else (horizon, [])
    upper = hint_span if strong else horizon
    starts: list[list[cp_model.IntVar]] = []
    by_machine: dict[int, list[cp_model.IntervalVar]] = {}
    makespan = model.new_int_var(0, upper, "makespan")
    for j, job in enumerate(jobs):
        head = 0
        tail = sum(d for _, d in job)
        row: list[cp_model.IntVar] = []
        for k, (machine, duration) in enumerate(job):
            tail -= duration
            # Heads and tails (the job's own work before and after) bound every start.
            low, high = (head, upper - duration - tail) if strong else (0, horizon)
            start = model.new_int_var(low, high, f"s{j}_{k}")
            interval = model.new_fixed_size_interval_var(start, duration, f"i{j}_{k}")
            by_machine.setdefault(machine, []).append(interval)
            if k:
                model.add(start >= row[-1] + job[k - 1][1])
            if strong:
                model.add_hint(start, hint_starts[j][k])
            row.append(start)
            head += duration
        model.add(makespan >= row[-1] + job[-1][1])
        starts.append(row)
    for intervals in by_machine.values():
        model.add_no_overlap(intervals)
    if strong:
        model.add_hint(makespan, hint_span)
        model.add(makespan >= _one_machine_bound(jobs))
    model.minimize(makespan)
    solver = tuned_parameters(seconds, workers) if strong else _plain(seconds, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return JobShopResult(hint_span, 0, False, tuple(tuple(r) for r in hint_starts))
    return JobShopResult(
        makespan=int(solver.objective_value),
        lower_bound=int(solver.best_objective_bound),
        optimal=status == cp_model.OPTIMAL,
        starts=tuple(tuple(int(solver.value(s)) for s in row) for row in starts),
    )


def _plain(seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    return solver


def _one_machine_bound(jobs: Sequence[Job]) -> int:
    """Redundant bound: a machine's load plus the least head before and tail after it."""
    best = max(sum(d for _, d in job) for job in jobs)
    load: dict[int, list[tuple[int, int, int]]] = {}
    for job in jobs:
        total = sum(d for _, d in job)
        head = 0
        for machine, duration in job:
            load.setdefault(machine, []).append((head, duration, total - head - duration))
            head += duration
    for ops in load.values():
        bound = min(h for h, _, _ in ops) + sum(d for _, d, _ in ops) + min(t for _, _, t in ops)
        best = max(best, bound)
    return best
