"""Planning documents of the standard: weekly material demand and capacity groups, after
Catena-X's demand and capacity management (CX-0128)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Self

from pydantic import AwareDatetime, model_validator

from chainhub.standard.fields import (
    Code,
    PartnerId,
    Quantity,
    SiteId,
    StandardModel,
    UnitCode,
    Whole,
    described_zh,
    field,
    lines_field,
)
from chainhub.standard.master import _VERSION

MONDAY = 0
DEFAULT_DEMAND_CATEGORY = "0001"


# What JSON Schema cannot say of a date: the ISO weekday it falls on (1 is Monday).
_MONDAY_SCHEMA = {"x-iso-weekday": 1}


def _given(name: str) -> dict[str, Any]:
    """A JSON Schema that holds when the field is given and not null."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def _not_given(name: str) -> dict[str, Any]:
    """A JSON Schema that holds when the field is left out or null."""
    return {"properties": {name: {"type": "null"}}}


def _check_monday(week_start: date | None, what: str) -> None:
    if week_start is not None and week_start.weekday() != MONDAY:
        raise ValueError(f"{what} {week_start.isoformat()} is not a Monday")


class WeeklyDemandLine(StandardModel):
    """The quantity demanded of the material in one ISO week."""

    model_config = described_zh("某物料在一个 ISO 周内的需求数量。")

    week_start: date = field(
        "Monday the ISO week starts on (Catena-X pointInTime)",
        "ISO 周的周一（Catena-X pointInTime）",
        example="2026-04-06",
        schema=_MONDAY_SCHEMA,
    )
    quantity: Quantity = field(
        "Quantity demanded in the week (Catena-X demand)", "当周需求数量", example="1200", ge=0
    )

    @model_validator(mode="after")
    def _week_is_monday(self) -> Self:
        _check_monday(self.week_start, "week_start")
        return self


class WeeklyMaterialDemand(StandardModel):
    """A customer's weekly demand for one material from one supplier (Catena-X
    WeekBasedMaterialDemand 2.0). Where it differs: partners are hub partner ids, not BPNLs;
    the document is keyed by customer, supplier, material and demand category instead of a
    materialDemandId UUID, so a new version replaces the last; one demand series per document
    (Catena-X allows several, one per customer location and category); weeks are given by their
    Monday as a date; the unit is always given (no unitOfMeasureIsOmitted)."""

    model_config = described_zh(
        "客户对某供应商某物料的周需求（对应 Catena-X WeekBasedMaterialDemand 2.0）。差异：伙伴用"
        "枢纽伙伴编号而非 BPNL；以客户、供应商、物料与需求类别为键（不用 materialDemandId），"
        "新版本替代旧版本；"
        "每份单据一个需求序列；周以其周一日期表示；单位必填。"
    )

    standard_version: str = _VERSION
    customer_id: PartnerId = field(
        "Customer that demands the material (Catena-X customer)",
        "需求方（客户）",
        example="haichuan",
    )
    supplier_id: PartnerId = field(
        "Supplier the demand is addressed to (Catena-X supplier)",
        "供应方",
        example="jinli-motor",
    )
    material_code: Code = field(
        "Golden material code, as the customer knows it (Catena-X materialNumberCustomer)",
        "标准物料编码（客户物料号）",
        example="M004",
    )
    supplier_material_code: str | None = field(
        "The supplier's own code for it (Catena-X materialNumberSupplier)",
        "供应商物料号",
        example="CW-JL-MAT04",
        default=None,
        max_length=40,
    )
    customer_site: SiteId | None = field(
        "Site that needs the material (Catena-X customerLocation)",
        "需求场所",
        example="haichuan-foshan",
        default=None,
    )
    demand_category: Code = field(
        "Catena-X demand category code (0001 default, A1S1 after-sales, ...)",
        "需求类别代码（0001 为默认）",
        example=DEFAULT_DEMAND_CATEGORY,
        default=DEFAULT_DEMAND_CATEGORY,
    )
    unit: UnitCode = field(
        "Unit of the quantities (Catena-X unitOfMeasure)", "数量单位", example="H87"
    )
    changed_at: AwareDatetime = field(
        "When the customer last changed the numbers (Catena-X changedAt)",
        "需求最后变更时间",
        example="2026-04-01T08:00:00+08:00",
    )
    lines: list[WeeklyDemandLine] = lines_field(WeeklyDemandLine, "Weekly demand", "周需求")


class CapacityGroupLine(StandardModel):
    """A line of a capacity group: either one week's capacities or one material the group
    serves with its load factor (Catena-X capacities and linkedDemandSeries in one table)."""

    model_config = described_zh(
        "产能组的一行：某周的产能，或该组所服务的一个物料及其负荷系数（对应 Catena-X capacities 与 "
        "linkedDemandSeries）。",
        ordered=(("actual_capacity", "maximum_capacity"),),
        schema={
            "oneOf": [
                {
                    "allOf": [
                        _given("week_start"),
                        _given("actual_capacity"),
                        _given("maximum_capacity"),
                        _not_given("material_code"),
                    ]
                },
                {"allOf": [_given("material_code"), _not_given("week_start")]},
            ]
        },
    )

    line_no: Whole = field("Line number within the group", "组内行号", example=10, ge=1)
    week_start: date | None = field(
        "Monday of the ISO week, on a capacity line",
        "产能行：ISO 周的周一",
        example="2026-04-06",
        default=None,
        schema=_MONDAY_SCHEMA,
    )
    actual_capacity: Quantity | None = field(
        "Capacity planned for the week", "当周实际（计划）产能", example="1000", default=None, ge=0
    )
    maximum_capacity: Quantity | None = field(
        "Most the group can make in the week with every measure taken",
        "当周最大产能",
        example="1300",
        default=None,
        ge=0,
    )
    agreed_capacity: Quantity | None = field(
        "Capacity agreed with the customer for the week",
        "与客户约定的产能",
        example="1100",
        default=None,
        ge=0,
    )
    material_code: Code | None = field(
        "Golden code of a material the group serves, on a material line",
        "物料行：该组服务的标准物料编码",
        example=None,
        default=None,
    )
    load_factor: Decimal | None = field(
        "Capacity units one unit of the material takes (default 1)",
        "每单位物料占用的产能单位（默认 1）",
        example=None,
        default=None,
        gt=0,
        max_digits=18,
        decimal_places=6,
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.week_start is None) == (self.material_code is None):
            raise ValueError("a line gives either week_start (with capacities) or material_code")
        _check_monday(self.week_start, "week_start")
        if self.week_start is not None and (
            self.actual_capacity is None or self.maximum_capacity is None
        ):
            raise ValueError("a capacity line needs actual_capacity and maximum_capacity")
        if (
            self.actual_capacity is not None
            and self.maximum_capacity is not None
            and self.maximum_capacity < self.actual_capacity
        ):
            raise ValueError("maximum_capacity is below actual_capacity")
        return self


class CapacityGroup(StandardModel):
    """A supplier's capacity group: weekly actual, maximum and agreed capacity and the customer
    materials it serves (Catena-X WeekBasedCapacityGroup 2.0). Where it differs: partners are
    hub partner ids; capacities and linked demands are lines of one table, told apart by which
    fields they fill; a linked demand names the customer's golden material (any demand category)
    with its load factor; linked capacity groups and deltaProductionResult are left out."""

    model_config = described_zh(
        "供应商的产能组：每周实际、最大与约定产能及其服务的客户物料"
        "（对应 Catena-X WeekBasedCapacityGroup 2.0）。差异：伙伴用枢纽编号；"
        "产能与关联需求同为一张表的行；关联需求以客户标准物料编码及负荷系数表示。"
    )

    standard_version: str = _VERSION
    supplier_id: PartnerId = field(
        "Supplier whose capacity this is", "产能所属供应商", example="jinli-motor"
    )
    capacity_group_id: Code = field(
        "Group identifier, unique for the supplier (Catena-X capacityGroupId)",
        "产能组编号",
        example="CG-MOTOR-1",
    )
    customer_id: PartnerId = field(
        "Customer the group's capacity is shown to (Catena-X customer)",
        "客户",
        example="haichuan",
    )
    name: str = field(
        "Name of the group", "产能组名称", example="电机装配线 1", min_length=1, max_length=100
    )
    unit: UnitCode = field("Unit of the capacities", "产能单位", example="H87")
    changed_at: AwareDatetime | None = field(
        "When the supplier last changed the group",
        "最后变更时间",
        example="2026-04-02T09:00:00+08:00",
        default=None,
    )
    lines: list[CapacityGroupLine] = lines_field(
        CapacityGroupLine, "Weekly capacities and served materials", "周产能与服务物料"
    )


class PurchasingTerms(StandardModel):
    """The terms a supplier sells one material to a customer on: minimum order quantity, order
    multiple (lot size or packaging multiple) and lead time, as a purchasing info record holds
    them. Catena-X has no such aspect; quantities are in the material's base unit."""

    model_config = described_zh(
        "供应商向客户供应某物料的采购条件：最小订货量、订货倍数（批量或包装倍数）与提前期，"
        "相当于采购信息记录。Catena-X 无对应模型；数量以物料的基本单位计。",
        schema={
            "anyOf": [
                _given(name)
                for name in ("minimum_order_quantity", "order_multiple", "lead_time_days")
            ]
        },
    )

    standard_version: str = _VERSION
    buyer_id: PartnerId = field("Customer that buys the material", "采购方", example="haichuan")
    supplier_id: PartnerId = field(
        "Supplier that sells the material", "供应方", example="jinli-motor"
    )
    material_code: Code = field(
        "Golden material code, as the customer knows it", "标准物料编码", example="M004"
    )
    minimum_order_quantity: Quantity | None = field(
        "Least quantity one order may ask for, in the material's base unit",
        "单笔订单的最小订货量（物料基本单位）",
        example="500",
        default=None,
        gt=0,
    )
    order_multiple: Quantity | None = field(
        "Quantities are ordered in whole multiples of this (lot size, pack size)",
        "订货量须为此数的整数倍（批量、包装量）",
        example="100",
        default=None,
        gt=0,
    )
    lead_time_days: Whole | None = field(
        "Days from the order to the delivery at the customer's site",
        "从下单到送达客户场所的天数",
        example=21,
        default=None,
        ge=0,
    )
    changed_at: AwareDatetime | None = field(
        "When the terms were last agreed",
        "条件最后约定时间",
        example="2026-03-02T09:00:00+08:00",
        default=None,
    )

    @model_validator(mode="after")
    def _some_term(self) -> Self:
        if (
            self.minimum_order_quantity is None
            and self.order_multiple is None
            and self.lead_time_days is None
        ):
            raise ValueError(
                "give at least one of minimum_order_quantity, order_multiple, lead_time_days"
            )
        return self
