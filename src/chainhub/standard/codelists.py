"""Code lists of the standard with their Chinese names, for the published schemas and reference."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from chainhub.standard import fields as f
from chainhub.standard.units import UNITS


@dataclass(frozen=True)
class CodeList:
    """A code list (an enum of the standard) with a Chinese title and a Chinese label per code."""

    enum: type[StrEnum]
    title_zh: str
    labels_zh: dict[str, str]


CODE_LISTS: Final[tuple[CodeList, ...]] = (
    CodeList(
        f.PartnerRole,
        "伙伴角色",
        {
            "oem": "整机厂（链主）",
            "supplier": "供应商",
            "distributor": "经销商",
            "logistics": "物流商",
        },
    ),
    CodeList(
        f.SiteType,
        "场所类型",
        {
            "plant": "工厂",
            "warehouse": "仓库",
            "distribution_centre": "配送中心",
            "office": "办公场所",
        },
    ),
    CodeList(
        f.MaterialCategory,
        "物料类别",
        {
            "finished": "成品",
            "semi_finished": "半成品",
            "component": "零部件",
            "raw": "原材料",
            "packaging": "包装材料",
            "spare_part": "备件",
        },
    ),
    CodeList(
        f.OrderStatus,
        "订单状态",
        {"open": "待确认", "confirmed": "已确认", "closed": "已关闭", "cancelled": "已取消"},
    ),
    CodeList(
        f.LineStatus,
        "订单行状态",
        {
            "open": "待确认",
            "confirmed": "已确认",
            "partially_delivered": "部分交货",
            "delivered": "已交货",
            "cancelled": "已取消",
        },
    ),
    CodeList(
        f.ShipmentStatus,
        "发货状态",
        {
            "announced": "已通知",
            "in_transit": "在途",
            "delivered": "已送达",
            "cancelled": "已取消",
        },
    ),
    CodeList(f.ForecastBucket, "预测期间粒度", {"day": "日", "week": "周", "month": "月"}),
    CodeList(
        f.ProductionStatus,
        "生产订单状态",
        {
            "planned": "计划",
            "released": "已下达",
            "in_progress": "生产中",
            "completed": "已完工",
            "cancelled": "已取消",
        },
    ),
    CodeList(f.LotDirection, "批次方向", {"input": "投入", "output": "产出"}),
    CodeList(
        f.InspectionType,
        "检验类型",
        {
            "incoming": "来料检验",
            "in_process": "过程检验",
            "final": "最终检验",
            "outgoing": "出货检验",
        },
    ),
    CodeList(
        f.InspectionResult,
        "检验结论",
        {"pass": "合格", "fail": "不合格", "conditional": "让步接收"},
    ),
    CodeList(f.UnitCode, "计量单位", {code: unit.name_zh for code, unit in UNITS.items()}),
)

CODE_LISTS_BY_ENUM: Final[dict[type[StrEnum], CodeList]] = {c.enum: c for c in CODE_LISTS}
