"""Shapes of the schedule domain: a downtime window, a named problem, a run and its slots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

# Published on the schema (an OpenAPI extension): `later` comes after `earlier` (or on it, with
# `equal`); JSON Schema alone cannot relate two fields.
ENDS_AFTER_START: Final[dict[str, Any]] = {
    "x-ordered": [{"earlier": "start", "later": "end", "equal": False}]
}


class Downtime(BaseModel):
    """A machine (`WC-01#1`) or a whole work centre (`WC-01`) out from `start` to `end`."""

    model_config = ConfigDict(json_schema_extra=ENDS_AFTER_START)

    machine: str = Field(min_length=1, max_length=200)
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class DowntimeSource(StrEnum):
    """Why a machine is out."""

    BREAKDOWN = "breakdown"
    MAINTENANCE = "maintenance"
    PLANNER = "planner"


class PlannedSource(StrEnum):
    """Why a planner takes a machine out: breakdowns come from the machines' telemetry."""

    MAINTENANCE = "maintenance"
    PLANNER = "planner"


class DowntimeCreate(Downtime):
    """A window a planner opens: maintenance (e.g. after an early warning) or any other."""

    source: PlannedSource = Field(
        PlannedSource.MAINTENANCE,
        description="maintenance or planner; breakdowns come from the machines' telemetry",
    )
    reason: str | None = Field(default=None, max_length=200)
    replan: bool = Field(default=True, description="Re-plan the site from now at once")


class DowntimeWindow(BaseModel):
    """A stored downtime window of a site's machine or work centre."""

    downtime_id: str
    site_id: str
    machine: str
    start_at: datetime
    end_at: datetime
    source: DowntimeSource
    reason: str | None
    opened_at: datetime

    def window(self) -> Downtime:
        """The window as the planner takes it."""
        return Downtime(machine=self.machine, start=self.start_at, end=self.end_at)


class Issue(BaseModel):
    """A problem in the input, named by order, operation and field; the rest is still planned."""

    order_number: str
    operation_no: int | None
    field: str
    message: str


class SlotRead(BaseModel):
    """One scheduled operation."""

    order_number: str
    operation_no: int
    work_centre_id: str
    machine_id: str
    start_at: AwareDatetime
    end_at: AwareDatetime
    due_at: AwareDatetime
    moved: bool


class NeedRead(BaseModel):
    """When an order needs a component on hand."""

    order_number: str
    material_code: str
    quantity: float
    need_at: AwareDatetime


class RunRead(BaseModel):
    """A stored plan: its slots, late orders, what moved and the problems named."""

    run_id: str
    site_id: str
    manufacturer_id: str
    planned_from: AwareDatetime
    status: str
    makespan_end: AwareDatetime | None
    late_orders: list[str]
    moved: list[SlotRead]
    issues: list[Issue]
    slots: list[SlotRead]
    needs: list[NeedRead]


class RunSummary(BaseModel):
    """A stored plan in a site's history: when it was made, its counts, the plan it replaced."""

    run_id: str
    site_id: str
    created_at: AwareDatetime
    planned_from: AwareDatetime
    status: str
    late_orders: int
    moved_operations: int
    previous_run_id: str | None


class RunParameters(BaseModel):
    """How to plan: the solver's time limit, the frozen horizon, machines known to be down."""

    seconds: float = Field(10.0, gt=0, le=60, description="Solver time limit in seconds")
    frozen_minutes: int = Field(
        0, ge=0, le=7 * 24 * 60, description="Operations starting this soon stay where they are"
    )
    downtime: list[Downtime] = Field(default_factory=list, max_length=1000)


class SiteNeedRead(NeedRead):
    """A need date in a site's latest plan, as its supplier sees it."""

    site_id: str
    manufacturer_id: str
    run_id: str
    planned_from: AwareDatetime


class LateOrder(BaseModel):
    """An order that ends after its due date, and why."""

    order_number: str
    due_at: AwareDatetime
    end_at: AwareDatetime
    minutes_late: int
    reasons: list[str]


class Explanation(BaseModel):
    """The named problems of a plan's input and the reasons its orders are late."""

    run_id: str
    site_id: str
    issues: list[Issue]
    late: list[LateOrder]
