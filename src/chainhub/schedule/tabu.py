"""Tabu search on the job-shop's critical path (the N5 neighbourhood of Nowicki and Smutnicki):
swap the first or the last two operations of a critical block, pick the best move by Taillard's
estimate, forbid undoing it for a while; back to the best schedule with a random kick when the
search stalls.

The inner loop is compiled by Numba and releases the interpreter, so it runs beside a CP-SAT
call on another core (`jobshop.improve`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numba import njit

Ints = npt.NDArray[np.int64]
Job = tuple[tuple[int, int], ...]

# Indices into the search's state vector.
_ITERATION, _BEST, _IMPROVED, _SEED = 0, 1, 2, 3


@njit(nogil=True, cache=True)
def _heads_tails(
    p: Ints, jpred: Ints, jsucc: Ints, mpred: Ints, msucc: Ints, r: Ints, q: Ints, order: Ints
) -> int:
    """Heads (earliest starts) and tails (work after each end) in topological order; the
    make-span, or -1 when the machine orders make a cycle."""
    n = p.shape[0]
    indeg = np.zeros(n, np.int64)
    top = 0
    for o in range(n):
        indeg[o] = (jpred[o] >= 0) + (mpred[o] >= 0)
        if indeg[o] == 0:
            order[top] = o
            top += 1
    head = 0
    while head < top:
        o = order[head]
        head += 1
        for s in (jsucc[o], msucc[o]):
            if s >= 0:
                indeg[s] -= 1
                if indeg[s] == 0:
                    order[top] = s
                    top += 1
    if top < n:
        return -1
    span = 0
    for i in range(n):
        o = order[i]
        a, b = jpred[o], mpred[o]
        r[o] = max(r[a] + p[a] if a >= 0 else 0, r[b] + p[b] if b >= 0 else 0)
        span = max(span, r[o] + p[o])
    for i in range(n - 1, -1, -1):
        o = order[i]
        a, b = jsucc[o], msucc[o]
        q[o] = max(q[a] + p[a] if a >= 0 else 0, q[b] + p[b] if b >= 0 else 0)
    return span


@njit(nogil=True, cache=True)
def _critical_moves(
    p: Ints, jpred: Ints, mach: Ints, mpred: Ints, r: Ints, span: int, path: Ints, moves: Ints
) -> int:
    """The N5 moves of one critical path as (u, v) rows, u just before v on their machine."""
    n = p.shape[0]
    last = -1
    for o in range(n):
        if r[o] + p[o] == span:
            last = o
            break
    length = 0
    o = last
    while o >= 0:
        path[length] = o
        length += 1
        a, b = mpred[o], jpred[o]
        # Prefer the machine predecessor: it makes blocks longer and moves fewer.
        if a >= 0 and r[a] + p[a] == r[o]:
            o = a
        elif b >= 0 and r[b] + p[b] == r[o]:
            o = b
        else:
            o = -1
    path[:length] = path[:length][::-1].copy()
    count = 0
    start = 0
    while start < length:
        end = start
        while end + 1 < length and mach[path[end + 1]] == mach[path[start]]:
            end += 1
        if end > start:
            if start > 0:
                moves[count, 0], moves[count, 1] = path[start], path[start + 1]
                count += 1
            if end < length - 1 and (end - 1 > start or start == 0):
                moves[count, 0], moves[count, 1] = path[end - 1], path[end]
                count += 1
        start = end + 1
    return count


@njit(nogil=True, cache=True)
def _estimate(
    u: int, v: int, p: Ints, jpred: Ints, jsucc: Ints, mpred: Ints, msucc: Ints, r: Ints, q: Ints
) -> int:
    """Taillard's estimate of the make-span after swapping u and v (u just before v)."""
    a, b = mpred[u], msucc[v]
    ju, jv = jpred[u], jpred[v]
    rv = max(r[jv] + p[jv] if jv >= 0 else 0, r[a] + p[a] if a >= 0 else 0)
    ru = max(r[ju] + p[ju] if ju >= 0 else 0, rv + p[v])
    su, sv = jsucc[u], jsucc[v]
    qu = max(q[su] + p[su] if su >= 0 else 0, q[b] + p[b] if b >= 0 else 0)
    qv = max(q[sv] + p[sv] if sv >= 0 else 0, qu + p[u])
    return max(rv + p[v] + qv, ru + p[u] + qu)  # type: ignore[no-any-return]


@njit(nogil=True, cache=True)
def _swap(u: int, v: int, mpred: Ints, msucc: Ints) -> None:
    """Put v just before u on their machine (u was just before v)."""
    a, b = mpred[u], msucc[v]
    if a >= 0:
        msucc[a] = v
    if b >= 0:
        mpred[b] = u
    mpred[v], msucc[v] = a, u
    mpred[u], msucc[u] = v, b


@njit(nogil=True, cache=True)
def _search(
    p: Ints,
    jpred: Ints,
    jsucc: Ints,
    mach: Ints,
    mpred: Ints,
    msucc: Ints,
    best_pred: Ints,
    best_succ: Ints,
    tabu: Ints,
    state: Ints,
    iterations: int,
    tenure: int,
    stall: int,
) -> None:
    """`iterations` steps of the tabu search; the machine orders and `state` carry over."""
    n = p.shape[0]
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    path = np.zeros(n, np.int64)
    moves = np.zeros((n, 2), np.int64)
    np.random.seed(state[_SEED] + state[_ITERATION])
    for _ in range(iterations):
        it = state[_ITERATION]
        state[_ITERATION] = it + 1
        span = _heads_tails(p, jpred, jsucc, mpred, msucc, r, q, order)
        if span < state[_BEST]:
            state[_BEST], state[_IMPROVED] = span, it
            best_pred[:] = mpred
            best_succ[:] = msucc
        count = _critical_moves(p, jpred, mach, mpred, r, span, path, moves)
        if count == 0:
            return  # one block: the make-span is one machine's load, optimal
        if it - state[_IMPROVED] > stall:
            # Back to the best schedule, kicked by a few random critical swaps.
            mpred[:] = best_pred
            msucc[:] = best_succ
            state[_IMPROVED] = it
            for _k in range(2 + np.random.randint(4)):
                _heads_tails(p, jpred, jsucc, mpred, msucc, r, q, order)
                count = _critical_moves(p, jpred, mach, mpred, r, state[_BEST], path, moves)
                if count == 0:
                    break
                pick = np.random.randint(count)
                _swap(moves[pick, 0], moves[pick, 1], mpred, msucc)
            continue
        chosen, chosen_value = -1, 1 << 62
        for i in range(count):
            u, v = moves[i, 0], moves[i, 1]
            value = _estimate(u, v, p, jpred, jsucc, mpred, msucc, r, q)
            allowed = tabu[u, v] <= it or value < state[_BEST]
            # Random tie-breaking among equal estimates keeps plateaus moving.
            if allowed and (
                value < chosen_value or (value == chosen_value and np.random.randint(2) == 0)
            ):
                chosen, chosen_value = i, value
        if chosen < 0:
            chosen = np.random.randint(count)
        u, v = moves[chosen, 0], moves[chosen, 1]
        _swap(u, v, mpred, msucc)
        tabu[v, u] = it + tenure + np.random.randint(tenure + 1)


@njit(nogil=True, cache=True)
def _starts(p: Ints, jpred: Ints, jsucc: Ints, mpred: Ints, msucc: Ints) -> Ints:
    """Earliest starts of the given machine orders."""
    n = p.shape[0]
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    _heads_tails(p, jpred, jsucc, mpred, msucc, r, q, order)
    return r


class TabuSearch:
    """A tabu search from one schedule, run in slices of time; it keeps the best found."""

    def __init__(self, jobs: Sequence[Job], starts: Sequence[Sequence[int]], seed: int = 1):
        self.shape = [len(job) for job in jobs]
        flat = [(j, k, m, d) for j, job in enumerate(jobs) for k, (m, d) in enumerate(job)]
        n = len(flat)
        self.p = np.array([d for *_, d in flat], np.int64)
        self.mach = np.array([m for _, _, m, _ in flat], np.int64)
        self.jpred = np.array([i - 1 if k else -1 for i, (_, k, _, _) in enumerate(flat)])
        self.jsucc = np.array(
            [i + 1 if k + 1 < self.shape[j] else -1 for i, (j, k, _, _) in enumerate(flat)]
        )
        self.mpred = np.full(n, -1, np.int64)
        self.msucc = np.full(n, -1, np.int64)
        self.tabu = np.zeros((n, n), np.int64)
        self.state = np.zeros(4, np.int64)
        self.state[_SEED] = seed
        machines = len({m for _, _, m, _ in flat})
        # Tenure grows with jobs per machine, as Taillard suggests (n/m plus a floor).
        self.tenure = 8 + len(jobs) // max(1, machines)
        self.optimal = False
        self.restart(starts)

    def restart(self, starts: Sequence[Sequence[int]]) -> None:
        """Continue from the machine orders of `starts` (tabu memory kept)."""
        flat_starts = [s for row in starts for s in row]
        by_machine: dict[int, list[tuple[int, int]]] = {}
        for i, start in enumerate(flat_starts):
            by_machine.setdefault(int(self.mach[i]), []).append((start, i))
        self.mpred[:] = -1
        self.msucc[:] = -1
        for ops in by_machine.values():
            ops.sort()
            for (_, a), (_, b) in zip(ops, ops[1:], strict=False):
                self.msucc[a], self.mpred[b] = b, a
        self.best_pred = self.mpred.copy()
        self.best_succ = self.msucc.copy()
        self.state[_BEST] = 1 << 62
        self.state[_IMPROVED] = self.state[_ITERATION]

    def run(self, seconds: float, target: int = 0, stall: int = 3000, chunk: int = 500) -> None:
        """Search for about `seconds`, or until a make-span of `target` (a lower bound)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.state[_BEST] > target:
            before = self.state[_ITERATION]
            _search(
                self.p, self.jpred, self.jsucc, self.mach, self.mpred, self.msucc,
                self.best_pred, self.best_succ, self.tabu, self.state, chunk, self.tenure, stall,
            )  # fmt: skip
            if self.state[_ITERATION] - before < chunk:
                self.optimal = True  # one critical block: one machine's work, back to back
                break

    @property
    def makespan(self) -> int:
        """The best make-span found."""
        return int(self.state[_BEST])

    @property
    def iterations(self) -> int:
        """Steps taken so far."""
        return int(self.state[_ITERATION])

    def best_starts(self) -> tuple[tuple[int, ...], ...]:
        """Every start of the best schedule, job by job."""
        r = _starts(self.p, self.jpred, self.jsucc, self.best_pred, self.best_succ)
        out: list[tuple[int, ...]] = []
        i = 0
        for size in self.shape:
            out.append(tuple(int(s) for s in r[i : i + size]))
            i += size
        return tuple(out)
