"""Production KPIs of the manufacturer, one fact per production order (its header)."""

from __future__ import annotations

from typing import Final

import ibis

from chainhub.kpi.catalogue import (
    KpiDefinition,
    Sources,
    Window,
    epoch_seconds,
    share,
    summarize,
)

# Plans are kept by the day at the plant: an order is on time when it finishes by the end of its
# planned end's calendar day, in the chain's time zone (China Standard Time, UTC+8).
PLANT_UTC_OFFSET_SECONDS: Final = 8 * 3600


def _plant_day(src: Sources, stamp: ibis.TimestampValue) -> ibis.IntegerValue:
    """Days since 1970-01-01 in the plant's time zone."""
    return (epoch_seconds(src, stamp) + PLANT_UTC_OFFSET_SECONDS) // 86400


def _plan_on_time(src: Sources, window: Window) -> ibis.Table:
    made = src.table("production_order")
    done = made.filter(made.status == "completed", made.actual_end.notnull())
    orders = done.select(
        "_doc_key",
        partner_id=done.manufacturer_id,
        day=done.planned_end.cast("date"),
        on_time=(_plant_day(src, done.actual_end) <= _plant_day(src, done.planned_end))
        & (done.actual_quantity.fill_null(0) >= done.planned_quantity),
    ).distinct()
    return summarize(window, orders, lambda t: share(t.on_time))


KPIS: Final = (
    KpiDefinition(
        kpi_id="production_plan_on_time_rate",
        name_en="Production plan on-time rate",
        name_zh="生产计划准时率",
        formula_en="completed production orders that finished by the end of their planned end's "
        "day (UTC+8) and made at least the planned quantity / completed production orders, "
        "in the month of the planned end",
        formula_zh="在计划完工当日（北京时间）内完工且实际产量不少于计划产量的已完"
        "成生产订单 / 已完成生产订单，计入计划完工所在月份",
        unit="%",
        direction="higher",
        grain=("partner", "site", "period"),
        sources=("production_order",),
        standard="no ISO 22400-2 KPI defines it; built from ISO 22400-2 order elements: planned "
        "and actual order end, planned order quantity (POQ) and produced quantity (PQ)",
        compute=_plan_on_time,
    ),
)
