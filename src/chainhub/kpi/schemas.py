"""Shapes of KPI views: the supplier overview, data-quality scorecards, the KPI catalogue."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

JsonRecord = dict[str, Any]


class ReceiptLine(BaseModel):
    """One received line, newest first in an overview."""

    receipt_number: str
    receipt_date: date
    lot_number: str
    received_quantity: Decimal
    unit: str


class OverviewLine(BaseModel):
    """Stock, orders, forecast and receipts of one material between a buyer and a supplier."""

    material_code: str
    buyer_id: str
    supplier_id: str
    on_hand: Decimal | None
    stock_date: date | None
    open_order_quantity: Decimal
    open_order_lines: int
    forecast_quantity: Decimal | None
    forecast_date: date | None
    recent_receipts: list[ReceiptLine]


class Overview(BaseModel):
    """The caller's own view: what it supplies (库存-订单-预测) and what it buys."""

    partner_id: str | None
    supplied: list[OverviewLine]
    purchased: list[OverviewLine]


class RuleCount(BaseModel):
    """How often one rule failed on one field."""

    rule: str
    field: str
    errors: int


class Scorecard(BaseModel):
    """Data quality of one partner's submissions."""

    partner_id: str
    attempts: int
    stored: int
    partial: int
    rejected: int
    duplicates: int
    rows_accepted: int
    rows_rejected: int
    acceptance_rate: float
    top_rules: list[RuleCount]
    median_lag_days: float | None
    on_time_share: float | None


class KpiRead(BaseModel):
    """A KPI's definition as a business user reads it."""

    kpi_id: str
    name_en: str
    name_zh: str
    formula_en: str
    formula_zh: str
    unit: str
    direction: Literal["higher", "lower"]
    grain: list[str]
    sources: list[str]
    standard: str
    drill: bool = Field(default=True, description="Whether its rows can be listed (/rows)")


class KpiValue(BaseModel):
    """A KPI of one partner in one period (none for a total over the window)."""

    partner_id: str
    period: date | None
    value: float | None
    observations: int


class KpiValues(BaseModel):
    """A KPI's values per partner and period over a window."""

    kpi: KpiRead
    start: date | None
    end: date | None
    by: Literal["month", "total"]
    values: list[KpiValue]


class KpiRows(BaseModel):
    """The facts behind one partner's KPI value in one month (a drill-down), oldest first."""

    kpi: KpiRead
    partner_id: str
    month: date
    columns: list[str]
    rows: list[list[str | float | bool | None]]
    truncated: bool = Field(description="More facts than listed; the first ones are listed")


class KpiChange(BaseModel):
    """One partner's KPI before and after (协同前/协同后), and whether it improved."""

    partner_id: str
    before: float | None
    after: float | None
    change: float | None
    improved: bool | None


class KpiComparison(BaseModel):
    """A KPI per partner over two windows."""

    kpi: KpiRead
    before: tuple[date, date]
    after: tuple[date, date]
    changes: list[KpiChange]


class KpiPoint(BaseModel):
    """A KPI in one month over a set of partners."""

    period: date
    value: float | None
    observations: int


class KpiTrend(BaseModel):
    """A KPI month by month for a dashboard card: the caller's own figures when it has any,
    else every visible partner's, pooled (each partner weighted by its observations)."""

    kpi: KpiRead
    own: bool
    points: list[KpiPoint]
    latest: KpiPoint | None
    previous: KpiPoint | None
    change: float | None
    improved: bool | None


class SupplierRank(BaseModel):
    """One supplier's KPI over a window and its rank (1 is best); another supplier is named
    only to a caller that sees the whole chain, else it is a letter."""

    partner_id: str | None
    alias: str | None
    value: float
    observations: int
    rank: int


class MaterialRow(BaseModel):
    """A material of the golden list that the caller may open in Material 360."""

    material_code: str
    name_zh: str | None
    name_en: str | None
    category: str | None
    base_unit: str | None


class MonthFigures(BaseModel):
    """One month of a material at one buyer: stock at month end, orders still open at month
    end, forecast demand for the month, receipts and consumption in it."""

    month: date
    on_hand: Decimal | None
    open_orders: Decimal | None
    forecast: Decimal | None
    receipts: Decimal
    consumption: Decimal | None


class SupplierMonth(BaseModel):
    """One month of one supplier's orders and deliveries of the material."""

    month: date
    ordered: Decimal
    received: Decimal
    open_orders: Decimal | None


class SupplierFigures(BaseModel):
    """What one supplier has open, has delivered and delivered last, for one buyer."""

    supplier_id: str
    open_quantity: Decimal
    open_lines: int
    received: Decimal
    last_receipt: ReceiptLine | None
    months: list[SupplierMonth]


class Material360(BaseModel):
    """库存-订单-预测 of one material at one buyer, as the caller may see it: the latest figures,
    the months, and each supplier's part."""

    material: MaterialRow
    buyer_id: str | None
    buyers: list[str]
    on_hand: Decimal | None
    stock_date: date | None
    open_quantity: Decimal
    open_lines: int
    forecast_quantity: Decimal | None
    forecast_date: date | None
    last_receipt: ReceiptLine | None
    last_receipt_supplier: str | None
    months: list[MonthFigures]
    suppliers: list[SupplierFigures]


class RowError(BaseModel):
    """One error of a rejected row, where the partner's file has it and what is wrong."""

    column: str | None
    field: str | None
    value: str | None
    rule: str
    message_en: str
    message_zh: str


class RejectedRow(BaseModel):
    """A row kept aside (quarantined) with its errors, and the file it came in."""

    partner_id: str
    document_type: str
    source_file: str
    received_at: datetime
    row: int
    errors: list[RowError]


class RejectedFile(BaseModel):
    """A file rejected whole, with how often each rule failed on each field."""

    partner_id: str
    document_type: str
    source_file: str
    received_at: datetime
    rows: int
    rules: list[RuleCount]


class DataQuality(BaseModel):
    """The scorecards and recent rejections the caller may see."""

    partner_id: str | None
    scorecards: list[Scorecard]
    rejected_rows: list[RejectedRow]
    rejected_files: list[RejectedFile]


# Where a stockout alert's lead time comes from: receipts against orders, the material master, or
# the alerts' default.
LeadSource = Literal["observed", "master", "default"]


class StockoutRisk(BaseModel):
    """A material whose holder will run out before an order placed now could arrive: on hand at
    the latest count, plus inbound order lines as they fall due, minus the forecast demand day
    by day, falls below zero within the lead time plus a review period after the count."""

    partner_id: str
    material_code: str
    as_of: date
    on_hand: Decimal
    inbound: Decimal = Field(description="Open order lines due before the horizon's end")
    demand: Decimal = Field(description="Forecast demand from the count to the horizon's end")
    projected: Decimal = Field(description="Stock at the horizon's end: on hand + inbound - demand")
    lead_days: float = Field(description="Days from an order to its receipt")
    lead_source: LeadSource
    horizon_days: int = Field(description="The lead time plus a review period, in whole days")
    stockout_date: date = Field(description="The first day the projected stock is below zero")


class LateConfirmation(BaseModel):
    """An open purchase-order line the supplier has not confirmed in time."""

    buyer_id: str
    supplier_id: str
    po_number: str
    line_no: int
    material_code: str
    order_date: date
    quantity: Decimal
    waiting_days: int


class Alerts(BaseModel):
    """The overview's alerts, from the documents the caller may see."""

    review_days: float
    default_lead_days: int
    confirm_within_days: int
    stockout: list[StockoutRisk]
    late: list[LateConfirmation]
