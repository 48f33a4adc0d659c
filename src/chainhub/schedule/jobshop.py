"""The job-shop model: a dispatching-rule start, CP-SAT with bounds and hints, then tabu
searches on the critical path from the best schedule found."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

from chainhub.schedule.tabu import TabuSearch

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
    """The solver for the strong model's first phase: CP-SAT's own portfolio.

    Tried on la21, la27 and abz7 at 5 s on 2 workers: interleaved search, LNS-only subsolvers,
    hint repair and fixed search all did worse than the default portfolio once the model
    carries the hint and the head/tail bounds, so those stay at their defaults here.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    return solver


def solve_jobshop(
    jobs: Sequence[Job], *, seconds: float, workers: int = 2, strong: bool = True
) -> JobShopResult:
    """Minimise the make-span; `strong=False` is the textbook model with default parameters.

    The strong path gives CP-SAT the whole model for a first share of the time, which proves
    small instances optimal; if it does not, tabu searches from its schedule spend the rest.
    """
    if not strong:
        return _solve_full(jobs, _plain(seconds, workers), None)
    deadline = time.monotonic() + seconds
    first = min(seconds, max(1.0, seconds * FIRST_SHARE))
    result = _solve_full(jobs, tuned_parameters(first, workers), best_dispatch(jobs))
    left = deadline - time.monotonic()
    if result.optimal or left < 0.5:
        return result
    return improve(jobs, result, seconds=left, workers=workers)


FIRST_SHARE = 0.2
"""Share of the time the whole model gets before the tabu searches take over."""


def _solve_full(
    jobs: Sequence[Job],
    solver: cp_model.CpSolver,
    hint: tuple[int, list[list[int]]] | None,
) -> JobShopResult:
    """The whole model; with a hint, also its heads, tails and one-machine bound."""
    horizon = sum(d for job in jobs for _, d in job)
    upper = hint[0] if hint else horizon
    model = cp_model.CpModel()
    makespan = model.new_int_var(0, upper, "makespan")
    starts = _add_jobs(model, jobs, makespan, upper, tight=hint is not None)
    by_machine: dict[int, list[cp_model.IntervalVar]] = {}
    for j, job in enumerate(jobs):
        for k, (machine, duration) in enumerate(job):
            by_machine.setdefault(machine, []).append(
                model.new_fixed_size_interval_var(starts[j][k], duration, f"i{j}_{k}")
            )
    for intervals in by_machine.values():
        model.add_no_overlap(intervals)
    if hint:
        for row, values in zip(starts, hint[1], strict=True):
            for start, value in zip(row, values, strict=True):
                model.add_hint(start, value)
        model.add_hint(makespan, hint[0])
        model.add(makespan >= _one_machine_bound(jobs))
    model.minimize(makespan)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        fallback = hint or dispatch(jobs)
        return JobShopResult(fallback[0], 0, False, tuple(tuple(r) for r in fallback[1]))
    return JobShopResult(
        makespan=int(solver.objective_value),
        lower_bound=int(solver.best_objective_bound),
        optimal=status == cp_model.OPTIMAL,
        starts=tuple(tuple(int(solver.value(s)) for s in row) for row in starts),
    )


def _add_jobs(
    model: cp_model.CpModel,
    jobs: Sequence[Job],
    makespan: cp_model.IntVar,
    upper: int,
    *,
    tight: bool,
) -> list[list[cp_model.IntVar]]:
    """Start variables in job order; heads and tails (the job's own work before and after)
    bound every start when `tight`."""
    horizon = sum(d for job in jobs for _, d in job)
    starts: list[list[cp_model.IntVar]] = []
    for j, job in enumerate(jobs):
        head, tail = 0, sum(d for _, d in job)
        row: list[cp_model.IntVar] = []
        for k, (_, duration) in enumerate(job):
            tail -= duration
            low, high = (head, upper - duration - tail) if tight else (0, horizon)
            start = model.new_int_var(low, high, f"s{j}_{k}")
            if k:
                model.add(start >= row[-1] + job[k - 1][1])
            row.append(start)
            head += duration
        model.add(makespan >= row[-1] + job[-1][1])
        starts.append(row)
    return starts


def improve(
    jobs: Sequence[Job], start: JobShopResult, *, seconds: float, workers: int = 2
) -> JobShopResult:
    """Improve a feasible schedule by tabu searches on the critical path (`tabu.TabuSearch`),
    one per worker with its own random draws, in rounds; a search that ends a round behind the
    best schedule so far starts the next one from it.

    Measured at 20 s on swv11 and yn1 (bench/schedule.py's instances): CP-SAT's own
    neighbourhood search (`use_lns_only`) beside one tabu search never improved on the tabu
    search's schedule after the first round, and a second tabu search in its place did better
    (swv11 3059 against 3081, yn1 891 against 896). The result is never longer than `start`.
    """
    deadline = time.monotonic() + seconds
    best = start
    bound = max(start.lower_bound, _one_machine_bound(jobs))
    searches = [TabuSearch(jobs, start.starts, seed=w + 1) for w in range(max(1, workers))]
    while best.makespan > bound:
        left = deadline - time.monotonic()
        if left < 0.2:
            break
        span = min(left, max(ROUND_SECONDS, seconds / ROUNDS))
        threads = [threading.Thread(target=s.run, args=(span, bound)) for s in searches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for search in searches:
            if search.makespan < best.makespan:
                best = JobShopResult(search.makespan, bound, False, search.best_starts())
            if search.optimal:
                bound = max(bound, search.makespan)
        for search in searches:
            if best.makespan < search.makespan:
                search.restart(best.starts)
    return JobShopResult(best.makespan, bound, best.makespan <= bound, best.starts)


ROUNDS = 4
"""Rounds of the improvement phase; between rounds the searches share the best schedule."""
ROUND_SECONDS = 2.0
"""Shortest round."""


def check_schedule(jobs: Sequence[Job], starts: Sequence[Sequence[int]]) -> int:
    """The make-span of `starts`, after checking every job's order and that no machine runs
    two operations at once; raises ValueError naming the first violation."""
    by_machine: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
    for j, job in enumerate(jobs):
        for k, (machine, duration) in enumerate(job):
            if starts[j][k] < 0 or (k and starts[j][k] < starts[j][k - 1] + job[k - 1][1]):
                raise ValueError(f"job {j} operation {k} starts before its predecessor ends")
            by_machine.setdefault(machine, []).append((starts[j][k], duration, (j, k)))
    for machine, ops in by_machine.items():
        ops.sort()
        for (start, duration, op), (after, _, other) in zip(ops, ops[1:], strict=False):
            if after < start + duration:
                raise ValueError(f"machine {machine} runs {op} and {other} at once")
    return max(starts[j][-1] + job[-1][1] for j, job in enumerate(jobs))


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
