"""Page text in English and Chinese."""

from typing import Final

TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "chainhub — chain overview",
        "partners": "Partners",
        "documents": "Documents by type",
        "flows": "Monthly document lines",
        "type": "Type", "rows": "Lines", "docs": "Documents",
        "id": "ID", "name": "Name", "roles": "Roles", "tier": "Tier", "city": "City",
        "standard": "Standard", "other_lang": "中文", "other_code": "zh",
    },
    "zh": {
        "title": "chainhub — 产业链总览",
        "partners": "合作伙伴",
        "documents": "各类单据",
        "flows": "每月单据行数",
        "type": "类型", "rows": "行数", "docs": "单据数",
        "id": "标识", "name": "名称", "roles": "角色", "tier": "层级", "city": "城市",
        "standard": "数据标准", "other_lang": "English", "other_code": "en",
    },
}

FLOW_LABELS: Final[dict[str, dict[str, str]]] = {
    "purchase_order": {"en": "Purchase-order lines", "zh": "采购订单行"},
    "shipment": {"en": "Shipment lines", "zh": "发货行"},
    "goods_receipt": {"en": "Receipt lines", "zh": "收货行"},
    "sales_order": {"en": "Sales-order lines", "zh": "销售订单行"},
}
