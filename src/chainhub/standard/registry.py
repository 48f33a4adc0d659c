"""The registry of document types: each type's model, key, parties and flat record layout."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from pydantic import create_model
from pydantic.fields import FieldInfo

from chainhub.errors import ChainhubError
from chainhub.standard import documents as d
from chainhub.standard import master as m
from chainhub.standard import planning as p
from chainhub.standard.fields import StandardModel

ENVELOPE_FIELDS: Final = ("standard_version",)


@dataclass(frozen=True)
class DocumentType:
    """A document type of the standard and how its documents are keyed, shared and flattened.

    A document is a header with optional lines. Its flat record (one row per line, header
    fields repeated) is the tabular form partners exchange as CSV or XLSX and the form
    the hub stores; header and line field names never collide so the flat form is lossless.
    A type with a `revision_field` may carry several revisions of one document in one file;
    each becomes its own version, in revision order. A status of `cancel_fields` set to
    "cancelled" is a cancellation, which only the parties named in `cancel_parties` may send.
    """

    name: str
    title_en: str
    title_zh: str
    model: type[StandardModel]
    key: tuple[str, ...]
    parties: tuple[str, ...]
    master: bool
    lines_field: str | None = None
    line_key: tuple[str, ...] = ()
    revision_field: str | None = None
    cancel_fields: tuple[str, ...] = ()
    cancel_parties: tuple[str, ...] = ()

    @property
    def version_key(self) -> tuple[str, ...]:
        """Fields identifying one version of a document within a submission."""
        return self.key + ((self.revision_field,) if self.revision_field else ())

    @cached_property
    def line_model(self) -> type[StandardModel] | None:
        """The model of one line, or None for a type without lines."""
        if self.lines_field is None:
            return None
        annotation = self.model.model_fields[self.lines_field].annotation
        return annotation.__args__[0]  # type: ignore[union-attr, no-any-return]

    @cached_property
    def header_fields(self) -> dict[str, FieldInfo]:
        """Header fields, without the envelope and the lines."""
        skip = {*ENVELOPE_FIELDS, self.lines_field}
        return {k: v for k, v in self.model.model_fields.items() if k not in skip}

    @cached_property
    def line_fields(self) -> dict[str, FieldInfo]:
        """Fields of one line (empty for a type without lines)."""
        return dict(self.line_model.model_fields) if self.line_model else {}

    @cached_property
    def record_fields(self) -> dict[str, FieldInfo]:
        """Fields of the flat record: header fields then line fields."""
        clash = self.header_fields.keys() & self.line_fields.keys()
        if clash:
            raise TypeError(f"{self.name}: header and line share field names {sorted(clash)}")
        return {**self.header_fields, **self.line_fields}

    @cached_property
    def record_model(self) -> type[StandardModel]:
        """A Pydantic model of one flat record (no cross-line rules)."""
        fields: dict[str, Any] = {
            name: (info.annotation, info) for name, info in self.record_fields.items()
        }
        return create_model(f"{self.model.__name__}Record", __base__=StandardModel, **fields)


_TYPES: Final = (
    DocumentType(
        "partner",
        "Partner",
        "合作伙伴",
        m.Partner,
        key=("partner_id",),
        parties=("partner_id",),
        master=True,
    ),
    DocumentType(
        "site", "Site", "场所", m.Site, key=("site_id",), parties=("partner_id",), master=True
    ),
    DocumentType(
        "material", "Material", "物料", m.Material, key=("material_code",), parties=(), master=True
    ),
    DocumentType(
        "material_crosswalk",
        "Material crosswalk",
        "物料编码对照",
        m.MaterialCrosswalk,
        key=("partner_id", "partner_material_code"),
        parties=("partner_id",),
        master=True,
    ),
    DocumentType(
        "bom",
        "Bill of materials",
        "物料清单",
        m.Bom,
        key=("owner_id", "parent_code"),
        parties=("owner_id",),
        master=True,
        lines_field="lines",
        line_key=("line_no",),
    ),
    DocumentType(
        "work_centre",
        "Work centre",
        "工作中心",
        m.WorkCentre,
        key=("site_id", "work_centre_id"),
        parties=("partner_id",),
        master=True,
    ),
    DocumentType(
        "routing",
        "Routing",
        "工艺路线",
        m.Routing,
        key=("owner_id", "site_id", "material_code"),
        parties=("owner_id",),
        master=True,
        lines_field="operations",
        line_key=("operation_no",),
    ),
    DocumentType(
        "purchase_order",
        "Purchase order",
        "采购订单",
        d.PurchaseOrder,
        key=("buyer_id", "po_number"),
        parties=("buyer_id", "supplier_id"),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
        revision_field="revision",
        cancel_fields=("status", "line_status"),
        cancel_parties=("buyer_id",),
    ),
    DocumentType(
        "sales_order",
        "Sales order",
        "销售订单",
        d.SalesOrder,
        key=("seller_id", "so_number"),
        parties=("seller_id", "customer_id"),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
        cancel_fields=("status", "line_status"),
        cancel_parties=("seller_id",),
    ),
    DocumentType(
        "demand_forecast",
        "Demand forecast",
        "需求预测",
        d.DemandForecast,
        key=("issuer_id", "forecast_id"),
        parties=("issuer_id",),
        master=False,
        lines_field="lines",
        line_key=("material_code", "period_start"),
    ),
    DocumentType(
        "inventory_snapshot",
        "Inventory snapshot",
        "库存快照",
        d.InventorySnapshot,
        key=("partner_id", "site_id", "snapshot_date"),
        parties=("partner_id",),
        master=False,
        lines_field="lines",
        line_key=("material_code", "lot_number"),
    ),
    DocumentType(
        "shipment",
        "Shipment (ASN)",
        "发货通知",
        d.Shipment,
        key=("shipper_id", "shipment_number"),
        parties=("shipper_id", "receiver_id"),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
        cancel_fields=("status",),
        cancel_parties=("shipper_id",),
    ),
    DocumentType(
        "goods_receipt",
        "Goods receipt",
        "收货单",
        d.GoodsReceipt,
        key=("receiver_id", "receipt_number"),
        parties=("receiver_id", "supplier_id"),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
    ),
    DocumentType(
        "production_order",
        "Production order",
        "生产订单",
        d.ProductionOrder,
        key=("manufacturer_id", "order_number"),
        parties=("manufacturer_id",),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
    ),
    DocumentType(
        "quality_inspection",
        "Quality inspection",
        "质量检验",
        d.QualityInspection,
        key=("inspector_id", "inspection_number"),
        parties=("inspector_id", "supplier_id"),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
    ),
    DocumentType(
        "weekly_material_demand",
        "Weekly material demand",
        "周物料需求",
        p.WeeklyMaterialDemand,
        key=("customer_id", "supplier_id", "material_code", "demand_category"),
        parties=("customer_id", "supplier_id"),
        master=False,
        lines_field="lines",
        line_key=("week_start",),
    ),
    DocumentType(
        "capacity_group",
        "Capacity group",
        "产能组",
        p.CapacityGroup,
        key=("supplier_id", "capacity_group_id"),
        parties=("supplier_id", "customer_id"),
        master=False,
        lines_field="lines",
        line_key=("line_no",),
    ),
    DocumentType(
        "purchasing_terms",
        "Purchasing terms",
        "采购条件",
        p.PurchasingTerms,
        key=("buyer_id", "supplier_id", "material_code"),
        parties=("buyer_id", "supplier_id"),
        master=False,
    ),
)

DOCUMENT_TYPES: Final[dict[str, DocumentType]] = {t.name: t for t in _TYPES}

PARTNER_FIELDS: Final = frozenset({
    "partner_id", "owner_id", "buyer_id", "supplier_id", "seller_id", "customer_id",
    "issuer_id", "shipper_id", "receiver_id", "manufacturer_id", "inspector_id",
})  # fmt: skip
SITE_FIELDS: Final = frozenset({"site_id", "ship_to_site", "ship_from_site", "customer_site"})
MATERIAL_FIELDS: Final = frozenset({"material_code", "component_code", "parent_code",
                                    "product_code"})  # fmt: skip
# The field holding the day a document's business happened on (an order's date, a count's).
BUSINESS_DATES: Final[dict[str, str]] = {
    "purchase_order": "order_date",
    "sales_order": "order_date",
    "demand_forecast": "forecast_date",
    "inventory_snapshot": "snapshot_date",
    "shipment": "ship_date",
    "goods_receipt": "receipt_date",
    "production_order": "planned_start",
    "quality_inspection": "inspected_at",
}
REFERENCES: Final[dict[str, tuple[str, str, frozenset[str]]]] = {
    "partner": ("partner", "partner_id", PARTNER_FIELDS),
    "site": ("site", "site_id", SITE_FIELDS),
    "material": ("material", "material_code", MATERIAL_FIELDS),
}
"""What a field may refer to: kind → (master-data type defining it, its key, referring fields)."""


class UnknownDocumentTypeError(ChainhubError):
    """Raised for a document type name the standard does not define."""

    def __init__(self, name: str) -> None:
        known = ", ".join(DOCUMENT_TYPES)
        super().__init__(
            "unknown_document_type",
            f"unknown document type {name!r}; the standard has: {known}",
            f"未知的单据类型 {name!r}；标准包含：{known}",
            {"document_type": name},
            404,
        )
        self.name = name


def get_document_type(name: str) -> DocumentType:
    """The document type called `name`, or UnknownDocumentTypeError."""
    try:
        return DOCUMENT_TYPES[name]
    except KeyError:
        raise UnknownDocumentTypeError(name) from None
