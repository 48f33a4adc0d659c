"""Transaction documents of the standard: orders, forecasts, stock, shipments, receipts,
production and quality."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Self

from pydantic import AwareDatetime, model_validator

from chainhub.standard.fields import (
    CURRENCY_PATTERN,
    Code,
    ForecastBucket,
    InspectionResult,
    InspectionType,
    LineStatus,
    LotDirection,
    LotNumber,
    Money,
    OrderStatus,
    PartnerId,
    ProductionStatus,
    Quantity,
    ShipmentStatus,
    SiteId,
    StandardModel,
    UnitCode,
    Whole,
    described_zh,
    field,
    lines_field,
)
from chainhub.standard.master import _VERSION

_LINE_NO = field("Line number within the document", "文档内行号", example=10, ge=1)
_MATERIAL = field("Golden material code", "标准物料编码", example="M001")
_UNIT = field(
    "Unit of measure (UN/ECE Rec 20 code)", "计量单位（UN/ECE 第 20 号建议书代码）", example="H87"
)
_CURRENCY = field(
    "ISO 4217 currency code",
    "ISO 4217 币种代码",
    example="CNY",
    pattern=CURRENCY_PATTERN,
    default="CNY",
)


class PurchaseOrderLine(StandardModel):
    """One line of a purchase order."""

    model_config = described_zh("采购订单的一行。")

    line_no: Whole = _LINE_NO
    material_code: Code = _MATERIAL
    quantity: Quantity = field("Ordered quantity", "订购数量", example="500", gt=0)
    unit: UnitCode = _UNIT
    unit_price: Money | None = field(
        "Price per unit, excluding tax", "不含税单价", example="812.50", default=None
    )
    requested_date: date = field(
        "Delivery date the buyer asks for", "要求交货日期", example="2026-03-15"
    )
    confirmed_date: date | None = field(
        "Delivery date the supplier confirms", "供应商确认交期", example="2026-03-17", default=None
    )
    confirmed_quantity: Quantity | None = field(
        "Quantity the supplier confirms", "供应商确认数量", example="500", default=None, ge=0
    )
    line_status: LineStatus = field(
        "Status of the line", "行状态", example="open", default=LineStatus.OPEN
    )
    cancel_reason: str | None = field(
        "Why the line was cancelled", "取消原因", example="需求取消", default=None, max_length=200
    )


class PurchaseOrder(StandardModel):
    """An order from a buyer to a supplier; a changed order is sent again as a new revision."""

    model_config = described_zh(
        "采购方向供应方下达的订单；订单变更时以新修订版本重新发送。",
        ordered=(("order_date", "lines/*/requested_date"),),
    )

    standard_version: str = _VERSION
    po_number: Code = field(
        "Purchase-order number, unique for the buyer", "采购订单号", example="4500012345"
    )
    revision: Whole = field(
        "Revision of the order, 0 for the original",
        "订单修订版次（原始为 0）",
        example=0,
        ge=0,
        default=0,
    )
    buyer_id: PartnerId = field("Buying partner", "采购方", example="haichuan")
    supplier_id: PartnerId = field("Supplying partner", "供应方", example="jinli-motor")
    ship_to_site: SiteId = field("Site the goods go to", "收货场所", example="haichuan-foshan")
    order_date: date = field("Date the order was placed", "下单日期", example="2026-03-01")
    currency: str = _CURRENCY
    status: OrderStatus = field(
        "Status of the order", "订单状态", example="open", default=OrderStatus.OPEN
    )
    lines: list[PurchaseOrderLine] = lines_field(PurchaseOrderLine, "Order lines", "订单行")

    @model_validator(mode="after")
    def _dates_follow_order(self) -> Self:
        for line in self.lines:
            if line.requested_date < self.order_date:
                raise ValueError(f"line {line.line_no}: requested_date is before order_date")
        return self


class SalesOrderLine(StandardModel):
    """One line of a sales order."""

    model_config = described_zh("销售订单的一行。")

    line_no: Whole = _LINE_NO
    material_code: Code = _MATERIAL
    quantity: Quantity = field("Ordered quantity", "订购数量", example="40", gt=0)
    unit: UnitCode = _UNIT
    unit_price: Money | None = field(
        "Price per unit, excluding tax", "不含税单价", example="2399.00", default=None
    )
    requested_date: date = field(
        "Delivery date the customer asks for", "客户要求交货日期", example="2026-03-10"
    )
    promised_date: date | None = field(
        "Delivery date the seller promises", "承诺交货日期", example="2026-03-12", default=None
    )
    line_status: LineStatus = field(
        "Status of the line", "行状态", example="open", default=LineStatus.OPEN
    )


class SalesOrder(StandardModel):
    """An order a customer (a distributor) places with a seller (the chain leader)."""

    model_config = described_zh(
        "客户（经销商）向销售方（链主）下达的订单。",
        ordered=(("order_date", "lines/*/requested_date"),),
    )

    standard_version: str = _VERSION
    so_number: Code = field(
        "Sales-order number, unique for the seller", "销售订单号", example="SO-2026-000123"
    )
    seller_id: PartnerId = field("Selling partner", "销售方", example="haichuan")
    customer_id: PartnerId = field("Buying customer", "客户", example="huadong-trading")
    ship_from_site: SiteId | None = field(
        "Site the goods leave from", "发货场所", example="haichuan-foshan", default=None
    )
    order_date: date = field("Date the order was placed", "下单日期", example="2026-03-01")
    currency: str = _CURRENCY
    status: OrderStatus = field(
        "Status of the order", "订单状态", example="open", default=OrderStatus.OPEN
    )
    lines: list[SalesOrderLine] = lines_field(SalesOrderLine, "Order lines", "订单行")

    @model_validator(mode="after")
    def _dates_follow_order(self) -> Self:
        for line in self.lines:
            if line.requested_date < self.order_date:
                raise ValueError(f"line {line.line_no}: requested_date is before order_date")
        return self


class DemandForecastLine(StandardModel):
    """Forecast quantity of one material in one period."""

    model_config = described_zh("某物料在某期间的预测数量。")

    material_code: Code = _MATERIAL
    period_start: date = field("First day of the period", "预测期间首日", example="2026-04-06")
    quantity: Quantity = field(
        "Forecast quantity for the period", "期间预测数量", example="1200", ge=0
    )
    unit: UnitCode = _UNIT


class DemandForecast(StandardModel):
    """A demand forecast issued by a partner for a site, in period buckets."""

    model_config = described_zh("伙伴针对某场所按期间发布的需求预测。")

    standard_version: str = _VERSION
    forecast_id: Code = field(
        "Forecast identifier, unique for the issuer", "预测编号", example="FC-2026W14-FS"
    )
    issuer_id: PartnerId = field(
        "Partner that issued the forecast", "发布预测的伙伴", example="haichuan"
    )
    site_id: SiteId = field(
        "Site whose demand is forecast", "预测所针对的场所", example="haichuan-foshan"
    )
    forecast_date: date = field("Date the forecast was made", "预测编制日期", example="2026-04-01")
    bucket: ForecastBucket = field("Length of each period", "期间粒度", example="week")
    lines: list[DemandForecastLine] = lines_field(DemandForecastLine, "Forecast lines", "预测行")


class InventoryLine(StandardModel):
    """Stock of one material (and lot) at the snapshot time."""

    model_config = described_zh("快照时点某物料（及批次）的库存。")

    material_code: Code = _MATERIAL
    lot_number: LotNumber | None = field(
        "Lot, when stock is kept by lot", "批次号", example="L260301-01", default=None
    )
    quantity_on_hand: Quantity = field("Quantity on hand", "现有库存数量", example="320", ge=0)
    quantity_blocked: Quantity = field(
        "Quantity blocked for quality or other reasons",
        "冻结数量（质量等原因）",
        example="0",
        ge=0,
        default=Decimal(0),
    )
    unit: UnitCode = _UNIT


class InventorySnapshot(StandardModel):
    """Stock of a partner at one site on one day."""

    model_config = described_zh("伙伴某日在某场所的库存。")

    standard_version: str = _VERSION
    partner_id: PartnerId = field("Partner that holds the stock", "库存持有方", example="haichuan")
    site_id: SiteId = field("Site where the stock is", "库存所在场所", example="haichuan-foshan")
    snapshot_date: date = field(
        "Day the stock was counted (end of day)", "盘点日期（日终）", example="2026-03-31"
    )
    lines: list[InventoryLine] = lines_field(InventoryLine, "Stock lines", "库存行")


class ShipmentLine(StandardModel):
    """One lot of one material in a shipment."""

    model_config = described_zh("发货中某物料的一个批次。")

    line_no: Whole = _LINE_NO
    po_number: Code | None = field(
        "Purchase order the line delivers", "对应采购订单号", example="4500012345", default=None
    )
    po_line_no: Whole | None = field(
        "Line of that purchase order", "对应采购订单行号", example=10, default=None, ge=1
    )
    material_code: Code = _MATERIAL
    quantity: Quantity = field("Shipped quantity", "发货数量", example="200", gt=0)
    unit: UnitCode = _UNIT
    lot_number: LotNumber = field(
        "Lot number in the chain's standard form", "标准批次号", example="JL260305A"
    )
    supplier_batch: str | None = field(
        "The supplier's own batch number",
        "供应商自有批号",
        example="B2603-0517",
        default=None,
        max_length=40,
    )
    production_date: date | None = field(
        "Date the lot was made", "生产日期", example="2026-03-05", default=None
    )
    expiry_date: date | None = field(
        "Date the lot expires", "失效日期", example="2028-03-05", default=None
    )


class Shipment(StandardModel):
    """An advance shipping notice: what leaves a site, in which lots, for which order."""

    model_config = described_zh(
        "提前发货通知：从哪个场所发出什么物料、哪些批次、对应哪张订单。",
        ordered=(("ship_date", "expected_delivery_date"),),
    )

    standard_version: str = _VERSION
    shipment_number: Code = field(
        "Shipment (ASN) number, unique for the shipper", "发货单号", example="ASN-JL-260305-01"
    )
    shipper_id: PartnerId = field("Partner that ships", "发货方", example="jinli-motor")
    receiver_id: PartnerId = field("Partner that receives", "收货方", example="haichuan")
    ship_from_site: SiteId = field("Site the goods leave", "发货场所", example="jinli-ningbo")
    ship_to_site: SiteId = field("Site the goods go to", "收货场所", example="haichuan-foshan")
    ship_date: date = field("Day the goods leave", "发货日期", example="2026-03-05")
    expected_delivery_date: date = field(
        "Day the goods are expected", "预计到货日期", example="2026-03-08"
    )
    carrier: str | None = field(
        "Carrier", "承运商", example="顺丰速运", default=None, max_length=100
    )
    status: ShipmentStatus = field(
        "Status of the shipment", "发货状态", example="announced", default=ShipmentStatus.ANNOUNCED
    )
    lines: list[ShipmentLine] = lines_field(ShipmentLine, "Shipment lines", "发货行")

    @model_validator(mode="after")
    def _delivery_after_ship(self) -> Self:
        if self.expected_delivery_date < self.ship_date:
            raise ValueError("expected_delivery_date is before ship_date")
        return self


class GoodsReceiptLine(StandardModel):
    """One received lot, split into accepted and rejected quantities."""

    model_config = described_zh(
        "收到的一个批次，分为合格数量与拒收数量。",
        # JSON Schema cannot add two fields; a part left out counts as its default, 0.
        schema={
            "x-sums": [
                {"total": "received_quantity", "parts": ["accepted_quantity", "rejected_quantity"]}
            ]
        },
    )

    line_no: Whole = _LINE_NO
    po_number: Code | None = field(
        "Purchase order received against", "对应采购订单号", example="4500012345", default=None
    )
    po_line_no: Whole | None = field(
        "Line of that purchase order", "对应采购订单行号", example=10, default=None, ge=1
    )
    material_code: Code = _MATERIAL
    lot_number: LotNumber = field("Lot number received", "收货批次号", example="JL260305A")
    received_quantity: Quantity = field("Quantity received", "实收数量", example="200", gt=0)
    accepted_quantity: Quantity = field(
        "Quantity accepted into stock", "合格入库数量", example="198", ge=0
    )
    rejected_quantity: Quantity = field(
        "Quantity rejected", "拒收数量", example="2", ge=0, default=Decimal(0)
    )
    unit: UnitCode = _UNIT
    rejection_reason: str | None = field(
        "Why goods were rejected", "拒收原因", example="外观划伤", default=None, max_length=200
    )

    @model_validator(mode="after")
    def _quantities_balance(self) -> Self:
        if self.accepted_quantity + self.rejected_quantity != self.received_quantity:
            raise ValueError("accepted_quantity + rejected_quantity must equal received_quantity")
        return self


class GoodsReceipt(StandardModel):
    """Goods received at a site against a shipment."""

    model_config = described_zh("某场所依据发货通知收到的货物。")

    standard_version: str = _VERSION
    receipt_number: Code = field(
        "Receipt number, unique for the receiver", "收货单号", example="GR-FS-260308-004"
    )
    receiver_id: PartnerId = field("Partner that receives", "收货方", example="haichuan")
    supplier_id: PartnerId = field("Partner that delivered", "供货方", example="jinli-motor")
    site_id: SiteId = field("Receiving site", "收货场所", example="haichuan-foshan")
    receipt_date: date = field("Day the goods were received", "收货日期", example="2026-03-08")
    shipment_number: Code | None = field(
        "Shipment (ASN) the goods came with",
        "对应发货单号",
        example="ASN-JL-260305-01",
        default=None,
    )
    lines: list[GoodsReceiptLine] = lines_field(GoodsReceiptLine, "Receipt lines", "收货行")


class ProductionLotLine(StandardModel):
    """A lot consumed or produced by a production order."""

    model_config = described_zh("生产订单消耗或产出的一个批次。")

    line_no: Whole = _LINE_NO
    direction: LotDirection = field(
        "Whether the lot is consumed or produced", "批次是投入（消耗）还是产出", example="input"
    )
    material_code: Code = _MATERIAL
    lot_number: LotNumber = field("Lot number", "批次号", example="JL260305A")
    quantity: Quantity = field(
        "Quantity consumed or produced", "消耗或产出数量", example="120", gt=0
    )
    unit: UnitCode = _UNIT


class ProductionOrder(StandardModel):
    """A production order: planned and actual output, and the lots it consumed and produced."""

    model_config = described_zh(
        "生产订单：计划与实际产量，以及消耗和产出的批次。",
        ordered=(("planned_start", "planned_end"), ("actual_start", "actual_end")),
    )

    standard_version: str = _VERSION
    order_number: Code = field(
        "Production-order number, unique for the manufacturer",
        "生产订单号",
        example="MO-FS-2603-0042",
    )
    manufacturer_id: PartnerId = field("Partner that produces", "生产方", example="haichuan")
    site_id: SiteId = field("Producing site", "生产场所", example="haichuan-foshan")
    work_centre_id: Code | None = field(
        "Main work centre", "主要工作中心", example="WC-ASSY-1", default=None
    )
    product_code: Code = field(
        "Golden code of the material produced", "产出物料标准编码", example="FG-AC-35"
    )
    product_unit: UnitCode = field("Unit of the produced quantities", "产出数量单位", example="H87")
    planned_quantity: Quantity = field("Quantity planned", "计划数量", example="600", gt=0)
    actual_quantity: Quantity | None = field(
        "Quantity actually produced", "实际产出数量", example="596", default=None, ge=0
    )
    planned_start: AwareDatetime = field(
        "Planned start, with time zone", "计划开工时间", example="2026-03-10T08:00:00+08:00"
    )
    planned_end: AwareDatetime = field(
        "Planned end, with time zone", "计划完工时间", example="2026-03-10T20:00:00+08:00"
    )
    actual_start: AwareDatetime | None = field(
        "Actual start", "实际开工时间", example="2026-03-10T08:20:00+08:00", default=None
    )
    actual_end: AwareDatetime | None = field(
        "Actual end", "实际完工时间", example="2026-03-10T19:40:00+08:00", default=None
    )
    status: ProductionStatus = field("Status of the order", "生产订单状态", example="completed")
    lines: list[ProductionLotLine] = lines_field(
        ProductionLotLine, "Input and output lots", "投入与产出批次"
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.planned_end < self.planned_start:
            raise ValueError("planned_end is before planned_start")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            raise ValueError("actual_end is before actual_start")
        return self


class InspectionLine(StandardModel):
    """One measured characteristic with its specification limits."""

    model_config = described_zh(
        "一个检验项目的实测值及其规格限。", ordered=(("lower_limit", "upper_limit"),)
    )

    line_no: Whole = _LINE_NO
    characteristic: str = field(
        "What was measured", "检验项目", example="外径", min_length=1, max_length=100
    )
    measured_value: Decimal = field(
        "Measured value", "实测值", example="12.02", max_digits=18, decimal_places=6
    )
    nominal: Decimal | None = field(
        "Nominal value", "标称值", example="12.00", default=None, max_digits=18, decimal_places=6
    )
    lower_limit: Decimal | None = field(
        "Lower specification limit",
        "规格下限",
        example="11.95",
        default=None,
        max_digits=18,
        decimal_places=6,
    )
    upper_limit: Decimal | None = field(
        "Upper specification limit",
        "规格上限",
        example="12.05",
        default=None,
        max_digits=18,
        decimal_places=6,
    )
    measure_unit: UnitCode | None = field(
        "Unit of the measurement", "测量单位", example="MMT", default=None
    )
    line_result: InspectionResult = field(
        "Verdict for this characteristic", "该项判定", example="pass"
    )

    @model_validator(mode="after")
    def _limits_ordered(self) -> Self:
        if (
            self.lower_limit is not None
            and self.upper_limit is not None
            and self.lower_limit > self.upper_limit
        ):
            raise ValueError("lower_limit is above upper_limit")
        return self


class QualityInspection(StandardModel):
    """An inspection of a lot: characteristics, measurements against limits, and a verdict."""

    model_config = described_zh("对一个批次的检验：检验项目、对照规格限的实测值与判定。")

    standard_version: str = _VERSION
    inspection_number: Code = field(
        "Inspection number, unique for the inspector", "检验单号", example="IQC-260308-017"
    )
    inspector_id: PartnerId = field("Partner that inspected", "检验方", example="haichuan")
    supplier_id: PartnerId | None = field(
        "Supplier of the lot, for incoming inspections",
        "来料供应商（来料检验时）",
        example="jinli-motor",
        default=None,
    )
    site_id: SiteId = field("Site of the inspection", "检验场所", example="haichuan-foshan")
    inspected_at: AwareDatetime = field(
        "When the inspection was made", "检验时间", example="2026-03-08T14:30:00+08:00"
    )
    inspection_type: InspectionType = field("Kind of inspection", "检验类型", example="incoming")
    material_code: Code = _MATERIAL
    lot_number: LotNumber = field("Lot inspected", "被检批次号", example="JL260305A")
    sample_size: Whole = field("Units sampled", "抽样数量", example=32, ge=1)
    result: InspectionResult = field("Verdict for the lot", "批次判定", example="pass")
    lines: list[InspectionLine] = lines_field(
        InspectionLine, "Measured characteristics", "检验项目"
    )


__all__ = [
    "DemandForecast",
    "GoodsReceipt",
    "InventorySnapshot",
    "ProductionOrder",
    "PurchaseOrder",
    "QualityInspection",
    "SalesOrder",
    "Shipment",
    "datetime",
]
