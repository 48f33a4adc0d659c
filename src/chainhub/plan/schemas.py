"""Shapes of the plan: MRP results, weekly demand, capacity group-weeks and alerts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel


class DemandSource(StrEnum):
    """Where the independent demand of an MRP run came from."""

    FORECAST_RUN = "forecast_run"
    DEMAND_FORECAST = "demand_forecast"
    NONE = "none"


class MrpWeek(BaseModel):
    """One material's week in the planner's MRP."""

    material_code: str
    level: int
    made: bool
    week_start: date
    gross: float
    scheduled: float
    on_hand: float
    planned: float
    projected: float
    release_week: date


class SupplierWeek(BaseModel):
    """A supplier's demand for one material in one week: open orders due plus planned."""

    supplier_id: str | None
    material_code: str
    week_start: date
    firm: float
    planned: float
    quantity: float


class PublishedWeek(BaseModel):
    """A week of a published weekly_material_demand, as its customer and supplier see it."""

    customer_id: str
    supplier_id: str
    material_code: str
    week_start: date
    quantity: float


class MrpRead(BaseModel):
    """An MRP run: the planner, where its demand came from, the plan and each supplier's demand."""

    customer_id: str
    first_week: date
    weeks: int
    source: DemandSource
    source_version: str | None
    materials: int
    plan: list[MrpWeek]
    demand: list[SupplierWeek]


class PublishRead(BaseModel):
    """What publishing the demand did: documents sent, stored and unchanged, alerts raised."""

    customer_id: str
    documents: int
    changed: int
    unchanged: int
    status: str | None
    submission_id: str | None
    alerts: int


class Light(StrEnum):
    """The CX-0128 traffic light of a capacity group-week."""

    GREEN = "green"
    ORANGE = "orange"
    RED = "red"


class GroupWeek(BaseModel):
    """A capacity group's week: its capacities, the demand on it and its light."""

    supplier_id: str
    customer_id: str
    capacity_group_id: str
    name: str
    week_start: date
    actual: float
    maximum: float
    agreed: float | None
    demand: float
    light: Light


class AlertRead(BaseModel):
    """An alert raised once: a red group-week or a demand swing between two versions."""

    alert_key: str
    kind: str
    customer_id: str
    supplier_id: str
    subject: str
    detail: dict[str, object]
    raised_at: datetime
