"""What ERP exports call the standard's fields and code values, in Chinese, English and SAP.

Header terms come from the column names of common exports: Kingdee (金蝶 K/3, 云星空), Yonyou
(用友 U8, NC), SAP S/4HANA table fields (EKKO/EKPO, LIKP/LIPS, MKPF/MSEG, AFKO/AFPO, QALS),
Excel templates and English-language ERPs. A term may name different fields in different
documents (SAP VBELN is a sales order or a delivery), so terms specific to one document type
are kept apart and win over the general ones.
"""

from __future__ import annotations

from typing import Final

# Field → header terms used for it in any document type that has the field.
FIELD_TERMS: Final[dict[str, tuple[str, ...]]] = {
    # Parties and sites
    "partner_id": ("伙伴编码", "伙伴代码", "往来单位编码", "合作伙伴", "伙伴", "PARTNER", "Partner",
                   "Partner ID", "Partner code", "BP", "业务伙伴"),
    "owner_id": ("所属伙伴", "制造方", "OWNER", "Owner"),
    "buyer_id": ("采购方", "采购组织", "采购单位", "买方", "EKORG", "Buyer", "Purchaser"),
    "supplier_id": ("供应商", "供应商名称", "供应商编码", "供货单位", "供方", "LIFNR", "Supplier",
                    "Vendor", "Vendor ID", "Supplier ID"),
    "seller_id": ("销售方", "销售组织", "卖方", "VKORG", "Seller"),
    "customer_id": ("客户", "客户名称", "客户编码", "购货单位", "KUNNR", "KUNAG", "Customer",
                    "Customer ID", "Sold-to"),
    "issuer_id": ("预测方", "发布方", "ISSUER", "Issuer"),
    "shipper_id": ("发货方", "发货单位", "发货人", "Shipper", "Consignor"),
    "receiver_id": ("收货方", "收货单位", "收货人", "客户名称", "KUNNR", "KUNWE", "EMPF",
                    "Receiver", "Consignee", "Ship-to party"),
    "manufacturer_id": ("生产方", "生产单位", "制造商", "HERST", "Manufacturer"),
    "inspector_id": ("检验方", "检验单位", "PRUEFER", "Inspector"),
    "site_id": ("场所", "场所编码", "工厂", "工厂编码", "仓库", "仓库编码", "库存组织", "WERKS",
                "WERK", "Plant", "Site", "Warehouse"),
    "ship_to_site": ("收货场所", "收货工厂", "收货仓库", "收货地点", "到货地点", "WERKS",
                     "Ship-to", "Ship to", "Destination"),
    "ship_from_site": ("发货场所", "发货工厂", "发货仓库", "发货地点", "装运点", "VSTEL",
                       "Ship from", "Shipping point", "Origin"),
    # Partner, site and material master
    "name_zh": ("中文名称", "名称", "企业名称", "NAME1", "Chinese name"),
    "name_en": ("英文名称", "NAME2", "English name"),
    "roles": ("角色", "伙伴角色", "ROLLE", "Role"),
    "tier": ("层级", "供应层级", "STUFE", "Tier"),
    "country": ("国家", "国家代码", "LAND1", "Country"),
    "province": ("省份", "省", "REGIO", "Province", "Region"),
    "city": ("城市", "市", "ORT01", "City"),
    "uscc": ("统一社会信用代码", "信用代码", "税号", "STCD5", "USCC", "Tax ID"),
    "gln": ("全球位置码", "GLN", "BBBNR"),
    "site_type": ("场所类型", "WERKTYP", "Site type"),
    "material_code": ("物料编码", "物料代码", "物料编号", "存货编码", "存货代码", "料号", "品号",
                      "物料", "MATNR", "Material", "Material No.", "Part No.", "Part number",
                      "Item", "Item code", "SKU"),
    "category": ("物料类别", "物料类型", "存货分类", "MTART", "Material type", "Category"),
    "base_unit": ("基本计量单位", "基本单位", "主计量单位", "MEINS", "Base unit", "Base UoM"),
    "gtin": ("GTIN", "条码", "条形码", "商品条码", "EAN", "EAN11"),
    "spec": ("规格型号", "规格", "型号", "GROES", "Specification"),
    "net_weight_kg": ("净重", "单位净重", "NTGEW", "Net weight"),
    "shelf_life_days": ("保质期", "保质期天数", "MHDHB", "Shelf life"),
    "partner_material_code": ("伙伴物料编码", "供应商物料编码", "客户物料编码", "对方物料编码",
                              "IDNLF", "KDMAT", "Vendor material", "Customer material"),
    "partner_unit": ("伙伴单位", "采购单位", "BSTME", "Order unit"),
    "units_per_partner_unit": ("换算率", "换算系数", "UMREZ", "Conversion factor"),
    "valid_from": ("生效日期", "有效起始日期", "DATAB", "DATUV", "Valid from", "Effective date"),
    # BOM and routing
    "parent_code": ("父件编码", "母件编码", "父项物料", "Parent", "Parent item"),
    "component_code": ("子件编码", "子项物料", "子件", "IDNRK", "Component"),
    "base_quantity": ("基本数量", "父件基数", "BMENG", "Base quantity"),
    "quantity_per": ("用量", "单位用量", "子件用量", "Quantity per", "Qty per"),
    "component_unit": ("子件单位", "用量单位", "Component unit"),
    "scrap_rate": ("损耗率", "AUSCH", "Scrap"),
    "work_centre_id": ("工作中心", "工作中心编码", "ARBPL", "Work center", "Work centre"),
    "machines": ("设备数", "工位数", "ANZMA", "Machines"),
    "hours_per_day": ("日工作时数", "每日工时", "KAPAZ", "Hours per day"),
    "operation_no": ("工序号", "工序", "VORNR", "Operation", "Op No."),
    "description": ("工序说明", "工序名称", "描述", "LTXA1", "Description"),
    "setup_minutes": ("准备时间", "VGW01", "Setup time"),
    "run_minutes_per_unit": ("单件加工时间", "单件工时", "VGW02", "Run time"),
    # Orders
    "po_number": ("采购订单号", "采购订单编号", "采购单号", "订单编号", "订单号", "EBELN", "BSTNK",
                  "PO", "PO No.", "PO number", "Purchase order"),
    "revision": ("修订版次", "版本号", "变更次数", "REVNO", "Revision", "Rev"),
    "order_date": ("单据日期", "订单日期", "下单日期", "BEDAT", "AUDAT", "Order date", "PO date"),
    "currency": ("币种", "币别", "WAERS", "Currency"),
    "status": ("单据状态", "状态", "订单状态", "STATUS", "Status"),
    "line_no": ("行号", "序号", "项次", "分录号", "POSNR", "Line", "Line No.", "Item No."),
    "quantity": ("数量", "订购数量", "发货数量", "MENGE", "Qty", "Quantity"),
    "unit": ("单位", "计量单位", "主计量单位", "MEINS", "UOM", "UoM", "Unit"),
    "unit_price": ("单价", "不含税单价", "原币单价", "含税单价", "NETPR", "Unit Price", "Price"),
    "requested_date": ("要求到货日期", "要求交货日期", "计划到货日期", "需求日期", "交货日期",
                       "EINDT", "Req. Date", "Requested date", "Need date"),
    "confirmed_date": ("确认交期", "确认交货日期", "供应商确认交期", "LFDAT_AB", "Conf. Date",
                       "Confirmed date"),
    "confirmed_quantity": ("确认数量", "供应商确认数量", "MENGE_AB", "Conf. Qty",
                           "Confirmed qty"),
    "line_status": ("行状态", "LSTAT", "Line status"),
    "cancel_reason": ("取消原因", "关闭原因", "ABGRU_TXT", "ABGRU", "Cancel reason"),
    "so_number": ("销售订单号", "销售订单编号", "VBELN", "SO No.", "SO number", "Sales order"),
    "promised_date": ("承诺交货日期", "承诺交期", "预计交货日期", "LFDAT", "Promised date"),
    # Forecast and inventory
    "forecast_id": ("预测编号", "预测单号", "PBDNR", "Forecast", "Forecast No."),
    "forecast_date": ("预测日期", "编制日期", "ERDAT", "Forecast date"),
    "bucket": ("期间粒度", "时间粒度", "周期", "PERKZ", "Bucket", "Period type"),
    "period_start": ("期间开始日期", "期间首日", "预测期间", "PDATU", "Period start", "Period"),
    "snapshot_date": ("盘点日期", "库存日期", "快照日期", "STICHTAG", "Snapshot date",
                      "Stock date"),
    "lot_number": ("批号", "批次", "批次号", "CHARG", "Lot", "Lot No.", "Batch", "Batch No."),
    "quantity_on_hand": ("现存量", "现有库存数量", "结存数量", "库存数量", "CLABS", "On hand",
                         "Qty on hand"),
    "quantity_blocked": ("冻结数量", "冻结库存", "CSPEM", "Blocked", "Blocked qty"),
    # Shipments and receipts
    "shipment_number": ("发货单号", "发货通知单号", "送货单号", "VBELN", "VBELN_VL", "ASN",
                        "ASN No.", "Delivery", "Delivery No."),
    "ship_date": ("发货日期", "出库日期", "WADAT", "WADAT_IST", "Ship Date", "Shipping date"),
    "expected_delivery_date": ("预计到货日期", "预计到货", "LFDAT", "ETA",
                               "Expected delivery"),
    "carrier": ("承运商", "承运人", "物流公司", "TDLNR", "Carrier", "Forwarder"),
    "po_line_no": ("采购订单行号", "订单行号", "EBELP", "POSEX", "PO Line", "PO item"),
    "supplier_batch": ("供应商批号", "供应商批次", "供应商自有批号", "LICHA", "Vendor Batch",
                       "Supplier batch"),
    "production_date": ("生产日期", "HSDAT", "Production date", "Mfg date"),
    "expiry_date": ("失效日期", "有效期至", "到期日", "VFDAT", "Expiry date", "Exp. date"),
    "receipt_number": ("入库单号", "收货单号", "到货单号", "MBLNR", "GRN", "GRN No.",
                       "Receipt No."),
    "receipt_date": ("入库日期", "收货日期", "到货日期", "BUDAT", "Receipt date", "GR date"),
    "received_quantity": ("实收数量", "到货数量", "收货数量", "ERFMG", "Received qty"),
    "accepted_quantity": ("合格数量", "合格入库数量", "入库数量", "MENGE_QM", "Accepted qty"),
    "rejected_quantity": ("拒收数量", "不合格数量", "退货数量", "MENGE_RJ", "Rejected qty"),
    "rejection_reason": ("拒收原因", "不合格原因", "GRUND", "Rejection reason"),
    # Production
    "order_number": ("生产订单号", "生产任务单号", "工单号", "生产单号", "AUFNR", "Work Order",
                     "WO", "Production order", "MO"),
    "product_code": ("产品编码", "产品代码", "成品编码", "PLNBEZ", "Product", "Product code"),
    "product_unit": ("产品单位", "产品计量单位", "成品单位", "GMEIN", "Product unit"),
    "planned_quantity": ("计划数量", "计划产量", "GAMNG", "Planned qty"),
    "actual_quantity": ("实际产量", "完工数量", "实际产出数量", "IGMNG", "Actual qty"),
    "planned_start": ("计划开工时间", "计划开工日期", "GSTRS", "Planned start"),
    "planned_end": ("计划完工时间", "计划完工日期", "GLTRS", "Planned end", "Planned finish"),
    "actual_start": ("实际开工时间", "实际开工日期", "GSTRI", "Actual start"),
    "actual_end": ("实际完工时间", "实际完工日期", "GLTRI", "Actual end", "Actual finish"),
    "direction": ("投入产出", "投产方向", "出入库类型", "BWART", "Direction", "Movement type"),
    # Quality
    "inspection_number": ("检验单号", "检验批号", "质检单号", "PRUEFLOS", "Inspection lot",
                          "Inspection No."),
    "inspected_at": ("检验时间", "检验日期", "ENSTEHDAT", "PASTRTERM", "Inspected at",
                     "Inspection date"),
    "inspection_type": ("检验类型", "质检类型", "HERKUNFT", "ART", "Inspection type"),
    "sample_size": ("抽样数量", "样本量", "送检数量", "LOSMENGE", "Sample size"),
    "result": ("检验结果", "判定结果", "批次判定", "VBEWERTUNG", "VCODE", "Result", "Decision"),
    "characteristic": ("检验项目", "检验特性", "KURZTEXT", "VERWMERKM", "Characteristic"),
    "measured_value": ("实测值", "测量值", "MESSWERT", "Measured value", "Actual value"),
    "nominal": ("标称值", "标准值", "目标值", "SOLLWERT", "Nominal", "Target"),
    "lower_limit": ("规格下限", "下限", "TOLERANZUN", "Lower limit", "LSL"),
    "upper_limit": ("规格上限", "上限", "TOLERANZOB", "Upper limit", "USL"),
    "measure_unit": ("测量单位", "MASSEINHSW", "Measure unit"),
    "line_result": ("单项判定", "项目判定", "该项判定", "MBEWERTG", "Line result"),
}  # fmt: skip

# (document type, field) → terms that mean this field in that document only.
TYPE_TERMS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("partner", "partner_id"): ("PARTNER", "KUNNR", "LIFNR", "伙伴编码"),
    ("site", "site_id"): ("WERKS", "场所编码", "工厂编码"),
    ("site", "partner_id"): ("PARTNER", "所属伙伴"),
    ("material_crosswalk", "partner_id"): ("PARTNER", "LIFNR", "KUNNR"),
    ("material_crosswalk", "material_code"): ("MATNR", "标准物料编码"),
    ("bom", "parent_code"): ("MATNR", "父件编码"),
    ("bom", "owner_id"): ("OWNER",),
    ("bom", "quantity_per"): ("MENGE", "用量"),
    ("bom", "component_unit"): ("MEINS",),
    ("bom", "line_no"): ("POSNR",),
    ("inventory_snapshot", "partner_id"): ("BUKRS", "库存组织", "货主"),
    ("purchase_order", "line_no"): ("EBELP",),
    ("sales_order", "so_number"): ("VBELN",),
    ("sales_order", "promised_date"): ("LFDAT",),
    ("shipment", "shipment_number"): ("VBELN",),
    ("shipment", "line_no"): ("发货行号", "送货行号"),
    ("shipment", "shipper_id"): ("LIFNR", "供应商"),
    ("shipment", "receiver_id"): ("KUNNR", "客户", "客户名称"),
    ("shipment", "expected_delivery_date"): ("LFDAT",),
    ("shipment", "po_number"): ("BSTNK",),
    ("shipment", "po_line_no"): ("POSEX",),
    ("goods_receipt", "line_no"): ("ZEILE", "收货行号", "入库行号"),
    ("goods_receipt", "po_line_no"): ("EBELP",),
    ("goods_receipt", "shipment_number"): ("VBELN_VL", "VBELN", "发货单号", "送货单号"),
    ("goods_receipt", "site_id"): ("WERKS", "收货场所", "收货仓库"),
    ("goods_receipt", "receiver_id"): ("EMPF",),
    ("quality_inspection", "line_no"): ("MERKNR", "检验项次", "检验项目序号"),
    ("quality_inspection", "site_id"): ("WERK", "WERKS"),
    ("production_order", "material_code"): ("MATNR", "投产物料", "子件编码", "Component"),
    ("production_order", "quantity"): ("MENGE", "数量"),
    ("production_order", "unit"): ("MEINS",),
}

# Header terms of the partner's own description of the material next to its code, kept with
# unknown codes for matching (not a standard field): Kingdee 物料名称, U8 存货名称, SAP material
# short text MAKTX, purchase-order item text TXZ01, delivery item text ARKTX.
DESCRIPTION_TERMS: Final[tuple[str, ...]] = (
    "物料描述", "物料名称", "物料说明", "存货名称", "品名", "货品名称", "商品名称", "产品描述",
    "规格描述", "MAKTX", "ARKTX", "TXZ01", "Materialkurztext", "Materialbezeichnung",
    "Description", "Item description", "Material description", "Part description",
    "Item name", "Short text",
)  # fmt: skip

# Enumeration (class name in the standard) → standard value → words exports write for it.
ENUM_WORDS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "OrderStatus": {
        "open": ("开立", "未审核", "保存", "新建", "Open", "New", "OPEN"),
        "confirmed": ("已确认", "已审核", "审核", "Confirmed", "Approved", "CONF", "REL"),
        "closed": ("已关闭", "关闭", "完成", "Closed", "CLSD", "Complete"),
        "cancelled": ("已取消", "作废", "已作废", "Cancelled", "Canceled", "CNCL"),
    },
    "LineStatus": {
        "open": ("未交货", "开立", "未发货", "Open", "OPEN"),
        "confirmed": ("已确认", "Confirmed", "CONF"),
        "partially_delivered": ("部分交货", "部分到货", "部分入库", "Partially delivered",
                                "Partial", "PDLV"),
        "delivered": ("已交货", "全部交货", "已到货", "已入库", "Delivered", "DLV"),
        "cancelled": ("已取消", "已关闭", "Cancelled", "Canceled", "CNCL"),
    },
    "ShipmentStatus": {
        # SAP delivery goods-movement status (WBSTK): A not yet, B partly, C completely.
        "announced": ("已通知", "已审核", "待发货", "Announced", "Created", "A"),
        "in_transit": ("已发货", "在途", "运输中", "Shipped", "In transit", "B"),
        "delivered": ("已签收", "已到货", "已收货", "Delivered", "Received", "C"),
        "cancelled": ("已作废", "作废", "已取消", "Void", "Cancelled", "Canceled", "X"),
    },
    "ProductionStatus": {
        "planned": ("计划", "已计划", "Planned", "CRTD"),
        "released": ("下达", "已下达", "Released", "REL"),
        "in_progress": ("生产中", "开工", "已开工", "In progress", "Started", "PCNF"),
        "completed": ("已完工", "完工", "结案", "Completed", "Finished", "TECO", "CNF"),
        "cancelled": ("已取消", "作废", "Cancelled", "Canceled", "DLFL"),
    },
    "LotDirection": {
        # SAP movement types: 261 goods issue to order, 101 goods receipt from order.
        "input": ("投料", "投入", "领料", "消耗", "Consumed", "Input", "Issue", "261"),
        "output": ("产出", "入库", "完工入库", "Produced", "Output", "Receipt", "101"),
    },
    "InspectionType": {
        # SAP QM inspection lot origins: 01 goods receipt, 03 production, 04 GR from
        # production, 10 delivery to customer.
        "incoming": ("来料检验", "进货检验", "IQC", "Incoming", "01"),
        "in_process": ("过程检验", "制程检验", "IPQC", "In process", "03"),
        "final": ("成品检验", "最终检验", "FQC", "Final", "04"),
        "outgoing": ("出货检验", "出厂检验", "OQC", "Outgoing", "10"),
    },
    "InspectionResult": {
        # SAP usage decision codes: A accept, R reject, B accept with deviation.
        "pass": ("合格", "通过", "OK", "Pass", "Passed", "Accept", "A"),
        "fail": ("不合格", "拒收", "判退", "NG", "Fail", "Failed", "Reject", "R"),
        "conditional": ("让步接收", "特采", "UAI", "Conditional", "Deviation", "B"),
    },
    "ForecastBucket": {
        "day": ("日", "天", "Daily", "Day", "T"),
        "week": ("周", "Weekly", "Week", "W"),
        "month": ("月", "Monthly", "Month", "M"),
    },
    "MaterialCategory": {
        "finished": ("成品", "产成品", "Finished good", "Finished", "FERT"),
        "semi_finished": ("半成品", "Semi-finished", "HALB"),
        "component": ("零部件", "零件", "外购件", "Component", "ZCOM"),
        "raw": ("原材料", "原料", "Raw material", "Raw", "ROH"),
        "packaging": ("包装材料", "包材", "Packaging", "VERP"),
        "spare_part": ("备件", "备品备件", "Spare part", "ERSA"),
    },
    "PartnerRole": {
        "oem": ("主机厂", "链主", "OEM"),
        "supplier": ("供应商", "Supplier", "Vendor", "VEND"),
        "distributor": ("经销商", "分销商", "Distributor", "Dealer", "CUST"),
        "logistics": ("物流商", "承运商", "Carrier", "Logistics", "CARR"),
    },
    "SiteType": {
        "plant": ("工厂", "Plant", "Factory", "WERK"),
        "warehouse": ("仓库", "Warehouse", "LAGR"),
        "distribution_centre": ("配送中心", "Distribution centre", "Distribution center", "DC",
                                "VZ"),
        "office": ("办公室", "办事处", "Office", "BUERO"),
    },
}  # fmt: skip

# Legal-form suffixes dropped when matching a partner's short name to its registered name.
COMPANY_SUFFIXES: Final = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "Co., Ltd.",
    "Co.,Ltd.",
    "Ltd.",
    "Inc.",
)
