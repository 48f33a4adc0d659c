"""ERP dialects: how each partner writes its files, and the mapping profile that reads them back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.sim.catalog import CITIES, OEM_ID, OEM_PLANTS
from chainhub.sim.records import LOCAL_TZ, Kind, dec_text, enum_of, optional_fields, record_kinds
from chainhub.standard.registry import (
    DOCUMENT_TYPES,
    MATERIAL_FIELDS,
    PARTNER_FIELDS,
    SITE_FIELDS,
)

if TYPE_CHECKING:
    # The chain assigns descriptions in each partner's dialect, so it imports this module.
    from chainhub.sim.chain import Chain


@dataclass(frozen=True)
class Dialect:
    """One ERP export style: file format, dates, numbers, headers, words and party names."""

    name: str
    fmt: str
    encoding: str
    delimiter: str
    decimal_comma: bool
    date_render: str
    date_parse: str
    ts_render: str
    ts_parse: str
    headers: str
    words: str
    units: tuple[tuple[str, str], ...]
    parties: str
    omit: frozenset[str] = frozenset()
    blank_zero: frozenset[str] = frozenset()
    header_row: int = 1
    line_terminator: str = "\n"
    full_width: float = 0.1  # chance its users type a description's Latin letters full-width

    @property
    def ext(self) -> str:
        """File extension."""
        return self.fmt


DIALECTS: Final[dict[str, Dialect]] = {
    d.name: d
    for d in (
        Dialect(
            "sap_s4",
            "csv",
            "utf-8",
            ",",
            False,
            "%Y%m%d",
            "%Y%m%d",
            "%Y%m%d%H%M%S",
            "%Y%m%d%H%M%S",
            "sap",
            "sap",
            (("H87", "PC"), ("KGM", "KG"), ("GRM", "G")),
            "number",
        ),
        Dialect(
            "sap_de",
            "csv",
            "utf-8-sig",
            ";",
            True,
            "%d.%m.%Y",
            "%d.%m.%Y",
            "%d.%m.%Y %H:%M:%S",
            "%d.%m.%Y %H:%M:%S",
            "sap_list",
            "sap",
            (("H87", "ST"), ("KGM", "KG")),
            "number",
            omit=frozenset({"expiry_date"}),
            line_terminator="\r\n",
        ),
        Dialect(
            "kingdee_xlsx",
            "xlsx",
            "utf-8",
            ",",
            False,
            "%Y-%m-%d",
            "%Y-%m-%d",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "kingdee",
            "zh",
            (("H87", "个"), ("KGM", "千克")),
            "name",
            omit=frozenset({"expiry_date"}),
            blank_zero=frozenset({"rejected_quantity", "quantity_blocked"}),
            header_row=2,
        ),
        Dialect(
            "u8_xlsx",
            "xlsx",
            "utf-8",
            ",",
            False,
            "%Y/%-m/%-d",
            "%Y/%m/%d",
            "%Y/%-m/%-d %H:%M",
            "%Y/%m/%d %H:%M",
            "yonyou",
            "zh",
            (("H87", "件"), ("KGM", "千克")),
            "name",
        ),
        Dialect(
            "yonyou_gbk",
            "csv",
            "gbk",
            ",",
            False,
            "%Y/%-m/%-d",
            "%Y/%m/%d",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M",
            "yonyou",
            "zh",
            (("H87", "件"), ("KGM", "千克")),
            "name",
            omit=frozenset({"supplier_batch", "expiry_date"}),
            line_terminator="\r\n",
        ),
        Dialect(
            "excel_zh_csv",
            "csv",
            "utf-8-sig",
            ",",
            False,
            "%Y-%m-%d",
            "%Y-%m-%d",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "zh",
            "zh",
            (("H87", "件"), ("KGM", "kg"), ("GRM", "g")),
            "slug",
            line_terminator="\r\n",
        ),
        Dialect(
            "english_tab",
            "csv",
            "utf-8",
            "\t",
            False,
            "%m/%d/%Y",
            "%m/%d/%Y",
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M:%S%z",
            "english",
            "en",
            (("H87", "EA"), ("KGM", "kg")),
            "slug",
        ),
        Dialect(
            "legacy_gb18030",
            "csv",
            "gb18030",
            "|",
            False,
            "%Y%m%d",
            "%Y%m%d",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M",
            "zh",
            "zh",
            (("H87", "个"), ("KGM", "KG")),
            "name",
            blank_zero=frozenset({"rejected_quantity", "quantity_blocked"}),
            line_terminator="\r\n",
            full_width=0.5,
        ),
    )
}

_MEASURES: Final = {
    "zh": {"MMT": "毫米", "KPA": "千帕"},
    "en": {"MMT": "mm", "KPA": "kPa"},
    "sap": {"MMT": "MM", "KPA": "KPA"},
}

SELF_FIELD: Final = {
    "purchase_order": "buyer_id",
    "sales_order": "seller_id",
    "demand_forecast": "issuer_id",
    "inventory_snapshot": "partner_id",
    "shipment": "shipper_id",
    "goods_receipt": "receiver_id",
    "production_order": "manufacturer_id",
    "quality_inspection": "inspector_id",
    "weekly_material_demand": "customer_id",
    "capacity_group": "supplier_id",
    "purchasing_terms": "supplier_id",
}

_WORDS: Final[dict[str, dict[str, dict[str, str]]]] = {
    "zh": {
        "OrderStatus": {
            "open": "开立",
            "confirmed": "已确认",
            "closed": "已关闭",
            "cancelled": "已取消",
        },
        "LineStatus": {
            "open": "未交货",
            "confirmed": "已确认",
            "partially_delivered": "部分交货",
            "delivered": "已交货",
            "cancelled": "已取消",
        },
        "ShipmentStatus": {
            "announced": "已通知",
            "in_transit": "已发货",
            "delivered": "已签收",
            "cancelled": "已作废",
        },
        "ProductionStatus": {
            "planned": "计划",
            "released": "下达",
            "in_progress": "生产中",
            "completed": "已完工",
            "cancelled": "已取消",
        },
        "LotDirection": {"input": "投料", "output": "产出"},
        "InspectionType": {
            "incoming": "来料检验",
            "in_process": "过程检验",
            "final": "成品检验",
            "outgoing": "出货检验",
        },
        "InspectionResult": {"pass": "合格", "fail": "不合格", "conditional": "让步接收"},
        "ForecastBucket": {"day": "日", "week": "周", "month": "月"},
        "MaterialCategory": {
            "finished": "成品",
            "semi_finished": "半成品",
            "component": "零部件",
            "raw": "原材料",
            "packaging": "包装材料",
            "spare_part": "备件",
        },
        "PartnerRole": {
            "oem": "主机厂",
            "supplier": "供应商",
            "distributor": "经销商",
            "logistics": "物流商",
        },
        "SiteType": {
            "plant": "工厂",
            "warehouse": "仓库",
            "distribution_centre": "配送中心",
            "office": "办公室",
        },
    },
    "en": {
        "OrderStatus": {
            "open": "Open",
            "confirmed": "Confirmed",
            "closed": "Closed",
            "cancelled": "Cancelled",
        },
        "LineStatus": {
            "open": "Open",
            "confirmed": "Confirmed",
            "partially_delivered": "Partially delivered",
            "delivered": "Delivered",
            "cancelled": "Cancelled",
        },
        "ShipmentStatus": {
            "announced": "Announced",
            "in_transit": "Shipped",
            "delivered": "Delivered",
            "cancelled": "Void",
        },
        "ProductionStatus": {
            "planned": "Planned",
            "released": "Released",
            "in_progress": "In progress",
            "completed": "Completed",
            "cancelled": "Cancelled",
        },
        "LotDirection": {"input": "Consumed", "output": "Produced"},
        "InspectionType": {
            "incoming": "IQC",
            "in_process": "IPQC",
            "final": "FQC",
            "outgoing": "OQC",
        },
        "InspectionResult": {"pass": "OK", "fail": "NG", "conditional": "UAI"},
        "ForecastBucket": {"day": "Daily", "week": "Weekly", "month": "Monthly"},
        "MaterialCategory": {
            "finished": "Finished good",
            "semi_finished": "Semi-finished",
            "component": "Component",
            "raw": "Raw material",
            "packaging": "Packaging",
            "spare_part": "Spare part",
        },
        "PartnerRole": {
            "oem": "OEM",
            "supplier": "Supplier",
            "distributor": "Distributor",
            "logistics": "Carrier",
        },
        "SiteType": {
            "plant": "Plant",
            "warehouse": "Warehouse",
            "distribution_centre": "Distribution centre",
            "office": "Office",
        },
    },
    "sap": {
        "OrderStatus": {"open": "OPEN", "confirmed": "CONF", "closed": "CLSD", "cancelled": "CNCL"},
        "LineStatus": {
            "open": "OPEN",
            "confirmed": "CONF",
            "partially_delivered": "PDLV",
            "delivered": "DLV",
            "cancelled": "CNCL",
        },
        "ShipmentStatus": {"announced": "A", "in_transit": "B", "delivered": "C", "cancelled": "X"},
        "ProductionStatus": {
            "planned": "CRTD",
            "released": "REL",
            "in_progress": "PCNF",
            "completed": "TECO",
            "cancelled": "DLFL",
        },
        "LotDirection": {"input": "261", "output": "101"},
        "InspectionType": {"incoming": "01", "in_process": "03", "final": "04", "outgoing": "10"},
        "InspectionResult": {"pass": "A", "fail": "R", "conditional": "B"},
        "ForecastBucket": {"day": "T", "week": "W", "month": "M"},
        "MaterialCategory": {
            "finished": "FERT",
            "semi_finished": "HALB",
            "component": "ZCOM",
            "raw": "ROH",
            "packaging": "VERP",
            "spare_part": "ERSA",
        },
        "PartnerRole": {
            "oem": "OEM",
            "supplier": "VEND",
            "distributor": "CUST",
            "logistics": "CARR",
        },
        "SiteType": {
            "plant": "WERK",
            "warehouse": "LAGR",
            "distribution_centre": "VZ",
            "office": "BUERO",
        },
    },
}

_SAP: Final = {
    "partner_id": "PARTNER",
    "name_zh": "NAME1",
    "name_en": "NAME2",
    "roles": "ROLLE",
    "tier": "STUFE",
    "country": "LAND1",
    "city": "ORT01",
    "uscc": "STCD5",
    "gln": "BBBNR",
    "site_id": "WERKS",
    "site_type": "WERKTYP",
    "province": "REGIO",
    "material_code": "MATNR",
    "category": "MTART",
    "base_unit": "MEINS",
    "gtin": "EAN11",
    "spec": "GROES",
    "net_weight_kg": "NTGEW",
    "shelf_life_days": "MHDHB",
    "partner_material_code": "IDNLF",
    "partner_unit": "BSTME",
    "units_per_partner_unit": "UMREZ",
    "valid_from": "DATAB",
    "owner_id": "OWNER",
    "parent_code": "MATNR",
    "base_quantity": "BMENG",
    "line_no": "POSNR",
    "component_code": "IDNRK",
    "quantity_per": "MENGE",
    "component_unit": "MEINS",
    "scrap_rate": "AUSCH",
    "work_centre_id": "ARBPL",
    "machines": "ANZMA",
    "hours_per_day": "KAPAZ",
    "operation_no": "VORNR",
    "description": "LTXA1",
    "setup_minutes": "VGW01",
    "run_minutes_per_unit": "VGW02",
    "po_number": "EBELN",
    "revision": "REVNO",
    "buyer_id": "EKORG",
    "supplier_id": "LIFNR",
    "ship_to_site": "WERKS",
    "order_date": "BEDAT",
    "currency": "WAERS",
    "status": "STATUS",
    "quantity": "MENGE",
    "unit": "MEINS",
    "unit_price": "NETPR",
    "requested_date": "EINDT",
    "confirmed_date": "LFDAT_AB",
    "confirmed_quantity": "MENGE_AB",
    "line_status": "LSTAT",
    "cancel_reason": "ABGRU_TXT",
    "so_number": "VBELN",
    "seller_id": "VKORG",
    "customer_id": "KUNNR",
    "ship_from_site": "VSTEL",
    "promised_date": "LFDAT",
    "forecast_id": "PBDNR",
    "issuer_id": "ISSUER",
    "forecast_date": "ERDAT",
    "bucket": "PERKZ",
    "period_start": "PDATU",
    "snapshot_date": "STICHTAG",
    "lot_number": "CHARG",
    "quantity_on_hand": "CLABS",
    "quantity_blocked": "CSPEM",
    "shipment_number": "VBELN",
    "shipper_id": "LIFNR",
    "receiver_id": "KUNNR",
    "ship_date": "WADAT",
    "expected_delivery_date": "LFDAT",
    "carrier": "TDLNR",
    "po_line_no": "EBELP",
    "supplier_batch": "LICHA",
    "production_date": "HSDAT",
    "expiry_date": "VFDAT",
    "receipt_number": "MBLNR",
    "receipt_date": "BUDAT",
    "received_quantity": "ERFMG",
    "accepted_quantity": "MENGE",
    "rejected_quantity": "MENGE_RJ",
    "rejection_reason": "GRUND",
    "order_number": "AUFNR",
    "manufacturer_id": "HERST",
    "product_code": "PLNBEZ",
    "product_unit": "GMEIN",
    "planned_quantity": "GAMNG",
    "actual_quantity": "IGMNG",
    "planned_start": "GSTRS",
    "planned_end": "GLTRS",
    "actual_start": "GSTRI",
    "actual_end": "GLTRI",
    "direction": "BWART",
    "inspection_number": "PRUEFLOS",
    "inspector_id": "PRUEFER",
    "inspected_at": "ENSTEHDAT",
    "inspection_type": "HERKUNFT",
    "sample_size": "LOSMENGE",
    "result": "VBEWERTUNG",
    "characteristic": "KURZTEXT",
    "measured_value": "MESSWERT",
    "nominal": "SOLLWERT",
    "lower_limit": "TOLERANZUN",
    "upper_limit": "TOLERANZOB",
    "measure_unit": "MASSEINHSW",
    "line_result": "MBEWERTG",
}
_SAP_TYPE: Final = {
    ("purchase_order", "line_no"): "EBELP",
    ("goods_receipt", "line_no"): "ZEILE",
    ("goods_receipt", "po_number"): "EBELN",
    ("goods_receipt", "shipment_number"): "VBELN_VL",
    ("goods_receipt", "accepted_quantity"): "MENGE_QM",
    ("goods_receipt", "receiver_id"): "EMPF",
    ("goods_receipt", "site_id"): "WERKS",
    ("goods_receipt", "received_quantity"): "ERFMG",
    ("shipment", "po_number"): "BSTNK",
    ("shipment", "po_line_no"): "POSEX",
    ("quality_inspection", "line_no"): "MERKNR",
    ("quality_inspection", "site_id"): "WERK",
    ("sales_order", "ship_from_site"): "VSTEL",
    ("site", "partner_id"): "PARTNER",
    ("work_centre", "site_id"): "WERKS",
    ("routing", "site_id"): "WERKS",
    ("routing", "material_code"): "MATNR",
    ("material_crosswalk", "material_code"): "MATNR",
    ("demand_forecast", "site_id"): "WERKS",
    ("inventory_snapshot", "site_id"): "WERKS",
    ("inventory_snapshot", "partner_id"): "BUKRS",
    ("production_order", "site_id"): "WERKS",
    ("bom", "line_no"): "POSNR",
    ("bom", "valid_from"): "DATUV",
}
# Column headings of SAP GUI list reports (ME2N purchase orders, MB51 material documents, VL06O
# deliveries, VA05 sales orders, MB52 stock, COOIS production orders) in English logon language,
# as an ALV "Spreadsheet" export writes them; fields without a list column keep their table name,
# and so do deliveries, which such partners download from the tables (SE16 on LIKP/LIPS).
_SAP_LIST: Final = {
    "po_number": "Purchasing Doc.",
    "supplier_id": "Vendor/supplying plant",
    "customer_id": "Sold-To Party",
    "receiver_id": "Ship-To Party",
    "material_code": "Material",
    "quantity": "Quantity",
    "unit": "Order Unit",
    "unit_price": "Net price",
    "order_date": "Document Date",
    "requested_date": "Delivery date",
    "site_id": "Plant",
    "lot_number": "Batch",
    "receipt_number": "Material Document",
    "receipt_date": "Posting Date",
    "received_quantity": "Qty in Un. of Entry",
    "so_number": "Sales Document",
    "order_number": "Order",
    "direction": "Movement Type",
    "quantity_on_hand": "Unrestricted",
    "quantity_blocked": "Blocked",
    "currency": "Currency",
}
_SAP_LIST_TYPE: Final = {
    ("purchase_order", "line_no"): "Item",
    ("purchase_order", "ship_to_site"): "Plant",
    ("purchase_order", "quantity"): "PO Quantity",
    ("goods_receipt", "line_no"): "Item",
    ("goods_receipt", "unit"): "Unit of Entry",
}
_KINGDEE: Final = {
    "po_number": "采购订单号",
    "line_no": "序号",
    "material_code": "物料编码",
    "quantity": "数量",
    "unit": "计价单位",
    "lot_number": "批号",
    "supplier_id": "供应商",
    "receiver_id": "收货单位",
    "shipper_id": "发货单位",
    "unit_price": "单价",
    "order_date": "单据日期",
    "requested_date": "要求到货日期",
    "shipment_number": "发货单号",
    "receipt_number": "入库单号",
    "receipt_date": "入库日期",
    "status": "订单状态",
    "line_status": "行状态",
    "product_code": "产品编码",
    "received_quantity": "实收数量",
    "product_unit": "产品单位",
    "order_number": "生产任务单号",
    "supplier_batch": "供应商批号",
    "inspection_number": "检验单号",
    "buyer_id": "采购组织",
    "customer_id": "客户",
}
# Kingdee 云星空 bills number themselves in 单据编号 and name their source in 订单单号 / 源单编号.
_KINGDEE_TYPE: Final = {
    ("purchase_order", "po_number"): "单据编号",
    ("purchase_order", "quantity"): "采购数量",
    ("purchase_order", "order_date"): "采购日期",
    ("goods_receipt", "receipt_number"): "单据编号",
    ("goods_receipt", "po_number"): "订单单号",
    ("goods_receipt", "shipment_number"): "源单编号",
    ("shipment", "shipment_number"): "单据编号",
    ("shipment", "po_number"): "订单单号",
    ("shipment", "quantity"): "实发数量",
    ("sales_order", "quantity"): "销售数量",
}
_YONYOU: Final = {
    "po_number": "订单编号",
    "line_no": "行号",
    "material_code": "存货编码",
    "quantity": "数量",
    "unit": "主计量",
    "lot_number": "批次",
    "supplier_id": "供应商名称",
    "receiver_id": "客户名称",
    "shipper_id": "发货单位",
    "unit_price": "原币单价",
    "order_date": "单据日期",
    "requested_date": "计划到货日期",
    "ship_date": "发货日期",
    "receipt_date": "入库日期",
    "receipt_number": "入库单号",
    "shipment_number": "发货单号",
    "status": "订单状态",
    "line_status": "行状态",
    "product_code": "产品编码",
    "product_unit": "产品计量单位",
    "order_number": "生产订单号",
    "customer_id": "客户名称",
    "buyer_id": "采购单位",
}
_ZH: Final = {
    "material_code": "物料代码",
    "component_code": "子件编码",
    "parent_code": "父件编码",
    "product_code": "产品代码",
    "supplier_id": "供应商",
    "po_number": "采购订单号",
    "line_no": "行号",
}
_ZH_TYPE: Final = {
    ("goods_receipt", "po_number"): "对应采购订单号",
    ("shipment", "po_number"): "对应采购订单号",
    ("goods_receipt", "shipment_number"): "对应发货单号",
    ("goods_receipt", "line_no"): "收货行号",
    ("shipment", "line_no"): "发货行号",
    ("production_order", "material_code"): "投产物料",
    ("quality_inspection", "line_no"): "检验项次",
}
_ENGLISH: Final = {
    "po_number": "PO Number",
    "line_no": "Line",
    "material_code": "Item Number",
    "quantity": "Qty",
    "unit": "UOM",
    "lot_number": "Lot Number",
    "unit_price": "Unit Price",
    "requested_date": "Need-By Date",
    "confirmed_date": "Conf. Date",
    "confirmed_quantity": "Conf. Qty",
    "po_line_no": "PO Line",
    "shipment_number": "ASN Number",
    "receipt_number": "GRN No.",
    "product_code": "Product",
    "order_number": "Work Order",
    "supplier_batch": "Vendor Batch",
    "expected_delivery_date": "ETA",
    "ship_date": "Ship Date",
}


DESCRIPTION: Final = "material_description"
# The writer's own name of the material, next to its code: SAP's material short text (MAKTX),
# purchase-order item text (TXZ01) and delivery item text (ARKTX); Kingdee's 物料名称, U8's
# 存货名称.
_DESCRIPTION: Final = {
    "sap": "MAKTX",
    "sap_list": "MAKTX",
    "kingdee": "物料名称",
    "yonyou": "存货名称",
    "zh": "物料描述",
    "english": "Description",
}
_DESCRIPTION_TYPE: Final = {
    (style, doc_type): column
    for style in ("sap", "sap_list")
    for doc_type, column in (("purchase_order", "TXZ01"), ("shipment", "ARKTX"))
}


def _zh_description(doc_type: str, name: str) -> str:
    extra = DOCUMENT_TYPES[doc_type].record_fields[name].json_schema_extra
    text = str(extra["x-description-zh"]) if isinstance(extra, dict) else name
    return re.sub(r"（[^）]*）", "", text).replace(" ", "")


def header_name(style: str, doc_type: str, name: str) -> str:
    """The column a dialect's header style uses for a standard field."""
    if style in ("sap", "sap_list"):
        listed = (
            _SAP_LIST_TYPE.get((doc_type, name)) or _SAP_LIST.get(name)
            if style == "sap_list" and doc_type != "shipment"
            else None
        )
        return listed or _SAP_TYPE.get((doc_type, name)) or _SAP.get(name) or name.upper()
    if style == "english":
        return _ENGLISH.get(name) or name.replace("_", " ").capitalize()
    table = {"kingdee": _KINGDEE, "yonyou": _YONYOU}.get(style, {})
    return (
        (_KINGDEE_TYPE.get((doc_type, name)) if style == "kingdee" else None)
        or _ZH_TYPE.get((doc_type, name))
        or table.get(name)
        or _ZH.get(name)
        or _zh_description(doc_type, name)
    )


def party_words(chain: Chain, *, writer: str) -> tuple[dict[str, str], dict[str, str]]:
    """How a writer names partners and sites: standard id → its word (empty for slugs)."""
    style = DIALECTS[chain.partners[writer].dialect].parties
    if style == "slug":
        return {}, {}
    ids = chain.counterparties(writer)
    sites = [s for s in chain.sites.values() if s.partner_id in set(ids)]
    if style == "number":

        def number(pid: str) -> str:
            p = chain.partners[pid]
            return (
                "1000" if pid == OEM_ID else f"{2 if p.role == 'distributor' else 1}{p.index:05d}"
            )

        plants = {f"{OEM_ID}-{CITIES[p[0]].slug}": p[3] for p in OEM_PLANTS}
        return (
            {pid: number(pid) for pid in ids},
            {s.site_id: plants.get(s.site_id, f"{number(s.partner_id)}-01") for s in sites},
        )
    short = {
        pid: chain.partners[pid].name_zh.replace("股份有限公司", "").replace("有限公司", "")
        for pid in ids
    }
    return short, {s.site_id: s.name_zh for s in sites}


@dataclass(frozen=True)
class Column:
    """How one standard field is written: a column (with its transform) or a constant.

    The column of the writer's own description of the material is not a standard field: its
    `field` is the profile's `material_description` and `describes` the code field it follows.
    """

    field: str
    kind: Kind
    header: str | None
    value: str | None
    words: dict[str, str] | None
    crosswalk: bool
    date_render: str | None
    date_parse: str | None
    blank_zero: bool
    describes: str | None = None


@cache
def _enum_words(words: str, doc_type: str, name: str) -> dict[str, str] | None:
    enum = enum_of(DOCUMENT_TYPES[doc_type].record_fields[name].annotation)
    if enum is None or enum.__name__ == "UnitCode":
        return None
    return dict(_WORDS[words][enum.__name__])


def column_plan(chain: Chain, *, writer: str, doc_type: str) -> tuple[Column, ...]:
    """The columns a writer's file of `doc_type` has, in order, with their transforms."""
    dialect = DIALECTS[chain.partners[writer].dialect]
    partners, sites = party_words(chain, writer=writer)
    units = dict(dialect.units)
    skip = dialect.omit & optional_fields(doc_type)
    plan: list[Column] = []
    for name, kind in record_kinds(doc_type).items():
        if name in skip:
            continue
        value = None
        if name == SELF_FIELD.get(doc_type):
            value = writer
        elif name == "currency" and dialect.words != "sap":
            value = "CNY"
        if value is not None:
            plan.append(Column(name, kind, None, value, None, False, None, None, False))
            continue
        words = _enum_words(dialect.words, doc_type, name)
        enum = enum_of(DOCUMENT_TYPES[doc_type].record_fields[name].annotation)
        if enum is not None and enum.__name__ == "UnitCode":
            words = units | _MEASURES[dialect.words]
        elif name in PARTNER_FIELDS and partners:
            words = partners
        elif name in SITE_FIELDS and sites:
            words = sites
        render, parse = {
            "date": (dialect.date_render, dialect.date_parse),
            "ts": (dialect.ts_render, dialect.ts_parse),
        }.get(kind, (None, None))
        # A capacity group and purchasing terms name the customer's material (Catena-X
        # materialNumberCustomer).
        crosswalk = (
            name in MATERIAL_FIELDS
            and writer != OEM_ID
            and doc_type not in ("capacity_group", "purchasing_terms")
        )
        plan.append(
            Column(
                name,
                kind,
                header_name(dialect.headers, doc_type, name),
                None,
                words,
                crosswalk,
                render,
                parse,
                name in dialect.blank_zero,
            )
        )
        if crosswalk and name == "material_code":
            header = _DESCRIPTION_TYPE.get((dialect.headers, doc_type))
            plan.append(
                Column(
                    DESCRIPTION,
                    "str",
                    header or _DESCRIPTION[dialect.headers],
                    None,
                    None,
                    False,
                    None,
                    None,
                    False,
                    describes=name,
                )
            )
    headers = [c.header for c in plan if c.header]
    if len(headers) != len(set(headers)):
        raise ValueError(f"{dialect.name}/{doc_type}: duplicate column names {headers}")
    return tuple(plan)


def sheet_name(chain: Chain, *, writer: str, doc_type: str) -> str | int:
    """The sheet an XLSX export puts its table on."""
    dialect = DIALECTS[chain.partners[writer].dialect]
    return DOCUMENT_TYPES[doc_type].title_zh if dialect.header_row > 1 else 0


def build_profile(chain: Chain, *, writer: str, doc_type: str) -> MappingProfile:
    """The true mapping profile of a writer's files of `doc_type`."""
    dialect = DIALECTS[chain.partners[writer].dialect]
    fields: dict[str, FieldMapping] = {}
    description = None
    for col in column_plan(chain, writer=writer, doc_type=doc_type):
        if col.value is not None:
            fields[col.field] = FieldMapping(value=col.value)
            continue
        if col.describes is not None:
            description = col.header
            continue
        spec: dict[str, Any] = {"column": col.header}
        if col.date_parse:
            spec["date_format"] = col.date_parse
        if col.words:
            spec["map"] = {word: std for std, word in col.words.items()}
        if col.crosswalk:
            spec["crosswalk"] = True
        if col.blank_zero:
            spec["default"] = "0"
        fields[col.field] = FieldMapping(**spec)
    xlsx = dialect.fmt == "xlsx"
    source = SourceFormat(
        format="xlsx" if xlsx else "csv",
        encoding="utf-8" if xlsx else dialect.encoding,
        delimiter="," if xlsx else dialect.delimiter,
        sheet=sheet_name(chain, writer=writer, doc_type=doc_type) if xlsx else None,
        header_row=dialect.header_row,
        decimal_comma=dialect.decimal_comma,
    )
    return MappingProfile(
        partner_id=writer,
        document_type=doc_type,
        source=source,
        fields=fields,
        material_description=description,
    )


def render(
    frame: pl.DataFrame, *, chain: Chain, writer: str, doc_type: str, numeric: bool
) -> pl.DataFrame:
    """A batch of standard records as the writer's ERP exports them (numbers typed if `numeric`)."""
    dialect = DIALECTS[chain.partners[writer].dialect]
    mine = chain.partner_materials.get(writer, ())
    codes = {m: chain.code(writer, m) for m in mine}
    descriptions = {m: chain.description(writer, m) for m in mine}
    exprs: list[pl.Expr] = []
    for col in column_plan(chain, writer=writer, doc_type=doc_type):
        if col.value is not None:
            continue
        if col.describes is not None:
            exprs.append(
                pl.col(col.describes)
                .replace_strict(descriptions, return_dtype=pl.String)
                .alias(col.header or col.field)
            )
            continue
        expr = pl.col(col.field)
        if col.kind == "list":
            expr = expr.list.first()
        if col.crosswalk:
            expr = expr.replace_strict(codes, return_dtype=pl.String)
        if col.words:
            expr = expr.replace_strict(col.words, return_dtype=pl.String)
        if col.kind == "date":
            expr = expr.cast(pl.Date).dt.strftime(col.date_render or "")
        elif col.kind == "ts":
            stamp = (expr * 60_000_000).cast(pl.Datetime("us"))
            if "%z" in (col.date_render or ""):
                stamp = stamp.dt.replace_time_zone(LOCAL_TZ)
            expr = stamp.dt.strftime(col.date_render or "")
        elif col.kind in ("dec", "int"):
            zero = expr == 0
            if numeric:
                expr = expr / 1000 if col.kind == "dec" else expr
            else:
                expr = (
                    dec_text(expr, decimal_comma=dialect.decimal_comma)
                    if col.kind == "dec"
                    else expr.cast(pl.String)
                )
            if col.blank_zero:
                expr = pl.when(zero).then(None).otherwise(expr)
        exprs.append(expr.alias(col.header or col.field))
    return frame.select(exprs)
