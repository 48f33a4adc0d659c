"""What the plant solver takes and gives, in whole minutes from the plan's start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

OpKey = tuple[str, int]
"""An operation: (order number, operation number)."""


@dataclass(frozen=True)
class Machine:
    """One machine of a work centre, with the windows it cannot work (maintenance, breakdown)."""

    machine_id: str
    work_centre_id: str
    down: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Operation:
    """An operation and its duration on each machine that can run it (its alternatives)."""

    operation_no: int
    durations: Mapping[str, int]
    family: str | None = None


@dataclass(frozen=True)
class Order:
    """An order: its operations in sequence, due minute, weight and release minute (material)."""

    order_number: str
    operations: tuple[Operation, ...]
    due: int
    weight: int = 1
    release: int = 0


@dataclass(frozen=True)
class Slot:
    """Where and when one operation runs."""

    order_number: str
    operation_no: int
    machine_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Problem:
    """Orders on machines; `setups` are minutes between product families on a machine, `fixed`
    operations sit in the frozen horizon, `hint` is the old plan and `released` operations pay
    `move_penalty` when they move from it."""

    machines: tuple[Machine, ...]
    orders: tuple[Order, ...]
    setups: Mapping[tuple[str, str], int] = field(default_factory=dict)
    fixed: Mapping[OpKey, Slot] = field(default_factory=dict)
    hint: Mapping[OpKey, Slot] = field(default_factory=dict)
    released: frozenset[OpKey] = frozenset()


@dataclass(frozen=True)
class Solution:
    """The plan: every slot, each order's end and tardiness, the make-span and solver status;
    `first_found_s`, seconds from the solve's start (model built) to its first feasible plan."""

    slots: tuple[Slot, ...]
    order_end: Mapping[str, int]
    tardiness: Mapping[str, int]
    makespan: int
    status: str
    first_found_s: float | None = None
