"""Shapes of the plan: MRP results, weekly demand, capacity group-weeks and alerts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, computed_field


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


class BufferRead(BaseModel):
    """A material at a site: its inventory policy, DDMRP buffer, net flow and days of supply."""

    material_code: str
    site_id: str
    supplier_id: str | None = Field(description="The supplier managing it (VMI), if any")
    adu: float = Field(description="Average daily usage over the plan's weeks")
    sigma_day: float = Field(description="Standard deviation of daily demand")
    sigma_source: str = Field(description="forecast_interval or plan_spread")
    lead_days: float
    lead_source: str = Field(
        description="terms, material, observed, what_if or none (0 days: nothing gives one)"
    )
    lead_sd: float = Field(description="Standard deviation of the lead time, days, from receipts")
    moq: float = Field(description="Minimum order quantity of the purchasing terms (0: none)")
    order_multiple: float | None = Field(
        description="Order multiple (lot size) of the purchasing terms (null: none)"
    )
    safety_stock: float
    reorder_point: float = Field(description="s of (s, S)")
    order_up_to: float = Field(description="S of (s, S)")
    periodic_order_up_to: float = Field(description="S of (R, S)")
    ltf: float = Field(description="DDMRP lead-time factor")
    vf: float = Field(description="DDMRP variability factor")
    red: float
    yellow: float
    green: float
    tor: float
    toy: float
    tog: float
    on_hand: float
    on_order: float
    qualified: float = Field(description="Qualified demand: due now plus spikes")
    nfp: float = Field(description="Net flow position: on hand + on order - qualified demand")
    zone: str = Field(description="red, yellow, green or over (the net flow's zone)")
    priority: float | None = Field(description="nfp / tog; lower is more urgent")
    recommended: float = Field(description="Order the buffer calls for now")
    days_of_supply: float | None = Field(
        description="Days the stock lasts with the orders already open (null: the horizon)"
    )


class StockoutRead(BaseModel):
    """A material that runs out within the horizon unless replenished, by how soon."""

    material_code: str
    site_id: str
    supplier_id: str | None
    days: float
    runs_out: date
    avoided: bool = Field(description="The VMI proposals keep its projected stock above zero")


class ProjectedWeek(BaseModel):
    """A buffer's stock at the end of a week with the orders already open and no new ones, and
    the zone it falls in (out: below zero)."""

    material_code: str
    site_id: str
    week_start: date
    projected: float
    zone: str


class BuffersRead(BaseModel):
    """The buffer board of a customer, as the caller may see it."""

    customer_id: str
    first_week: date
    service_level: float
    buffers: list[BufferRead]
    stockouts: list[StockoutRead]
    projection: list[ProjectedWeek]


class ProposalStatus(StrEnum):
    """Where a VMI proposal stands; `received` once the receipts cover its commitment."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RECEIVED = "received"


def _num(value: float) -> str:
    """A quantity as the documents carry it: up to three decimals, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


class ProposalRead(BaseModel):
    """A proposed delivery of a supplier-managed material to a customer's site, with when it
    must be ordered and how its quantity follows the purchasing terms."""

    proposal_id: str | None
    customer_id: str
    supplier_id: str
    material_code: str
    site_id: str
    week_start: date = Field(description="Monday the delivery is needed on")
    quantity: float
    status: ProposalStatus
    committed_quantity: float | None = None
    committed_date: date | None = None
    po_number: str | None = None
    received: float = 0.0
    shortfall: float | None = Field(
        default=None, description="What the buffer lacks, before the purchasing terms"
    )
    minimum_order_quantity: float | None = None
    order_multiple: float | None = None
    capped: bool | None = Field(default=None, description="Cut to the capacity left")
    lead_days: int | None = Field(default=None, description="Days from order to delivery")
    lead_source: str | None = Field(
        default=None, description="terms, material, observed, what_if or default"
    )
    order_date: date | None = Field(default=None, description="Need date less the lead time")
    expected_date: date | None = Field(
        default=None, description="When it arrives if ordered now: the need date unless late"
    )
    late: bool | None = Field(
        default=None, description="The order date has passed: expedite, it arrives after the need"
    )

    def _terms(self) -> tuple[str, str]:
        """The purchasing terms that shape the quantity, in English and Chinese ('' for none)."""
        en: list[str] = []
        zh: list[str] = []
        if self.minimum_order_quantity:
            en.append(f"minimum order {_num(self.minimum_order_quantity)}")
            zh.append(f"最小订货量 {_num(self.minimum_order_quantity)}")
        if self.order_multiple:
            en.append(f"multiple of {_num(self.order_multiple)}")
            zh.append(f"{_num(self.order_multiple)} 的整数倍")
        return ", ".join(en), "、".join(zh)

    def _parts(self) -> list[tuple[str, str]]:
        """(English, Chinese) sentences explaining the quantity and the dates."""
        parts: list[tuple[str, str]] = []
        en, zh = self._terms()
        short, quantity = _num(self.shortfall or 0.0), _num(self.quantity)
        if self.capped:
            on_en, on_zh = (f" in whole lots ({en})", f"（{zh}）") if en else ("", "")
            parts.append(
                (
                    f"Short {short}, cut to the capacity left{on_en}: {quantity}.",
                    f"缺口 {short}，按剩余产能削减{on_zh}为 {quantity}。",
                )
            )
        elif en and self.shortfall is not None and short != quantity:
            parts.append(
                (
                    f"Short {short}, rounded up to {en}: {quantity}.",
                    f"缺口 {short}，按{zh}向上取整为 {quantity}。",
                )
            )
        if self.order_date is not None and self.lead_days is not None:
            source = self.lead_source or "default"
            parts.append(
                (
                    f"Order by {self.order_date} ({self.lead_days} days lead time, {source}).",
                    f"须于 {self.order_date} 前下单（提前期 {self.lead_days} 天，来源 {source}）。",
                )
            )
        if self.late and self.expected_date is not None:
            parts.append(
                (
                    f"Late: expedite; ordered now it arrives {self.expected_date}.",
                    f"已延误：需加急；现在下单预计 {self.expected_date} 到货。",
                )
            )
        return parts

    @computed_field  # type: ignore[prop-decorator]
    @property
    def explanation(self) -> str:
        """Why this quantity and these dates, in English."""
        return " ".join(e for e, _ in self._parts())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def explanation_zh(self) -> str:
        """The same, in Chinese."""
        return "".join(z for _, z in self._parts())


class ProposalDecision(BaseModel):
    """A supplier's answer to a proposal: accept (as proposed or changed) or reject."""

    accept: bool
    quantity: float | None = Field(default=None, gt=0, description="Changed quantity")
    delivery_date: date | None = Field(default=None, description="Changed delivery date")


class WhatIfCreate(BaseModel):
    """A what-if on the plan's inputs; nothing is stored."""

    customer_id: str | None = None
    # Numbers as the schema says, not false or "1".
    demand_factor: float = Field(
        default=1.0, ge=0, le=10, strict=True, description="Demand times this"
    )
    lead_time_days: dict[str, Annotated[int, Field(ge=0, le=730, strict=True)]] = Field(
        default_factory=dict, description="New lead time in days per material"
    )
    capacity_factor: float = Field(
        default=1.0, ge=0, le=10, strict=True, description="Capacity times this"
    )


class BufferChange(BaseModel):
    """A buffer whose zone or recommended order the what-if changes."""

    material_code: str
    site_id: str
    zone_before: str
    zone_after: str
    recommended_before: float
    recommended_after: float


class ProposalChange(BaseModel):
    """A proposed delivery the what-if changes (0: none)."""

    supplier_id: str
    material_code: str
    site_id: str
    week_start: date
    before: float
    after: float


class StockoutChange(BaseModel):
    """A material whose stockout the what-if brings, moves or removes (null: none)."""

    material_code: str
    site_id: str
    days_before: float | None
    days_after: float | None


class LightChange(BaseModel):
    """A capacity group-week whose light the what-if changes."""

    supplier_id: str
    capacity_group_id: str
    week_start: date
    before: Light | None
    after: Light | None


class WhatIfRead(BaseModel):
    """What the what-if changes against the plan as it stands."""

    customer_id: str
    scenario: WhatIfCreate
    buffers: list[BufferChange]
    proposals: list[ProposalChange]
    stockouts: list[StockoutChange]
    lights: list[LightChange]
