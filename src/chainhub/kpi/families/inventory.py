"""Inventory KPIs of the partner holding the stock. Stock and outflow of different materials are
valued at each material's average order price (`Sources.prices`), so they add up in money;
materials without a visible price are left out."""

from __future__ import annotations

from typing import Final

import ibis

from chainhub.kpi.catalogue import KpiDefinition, Sources, Window

_GRAIN: Final = ("partner", "material", "site", "period")
_SOURCES: Final = ("inventory_snapshot", "shipment", "production_order", "purchase_order",
                   "sales_order")  # fmt: skip


def _stock(src: Sources) -> ibis.Table:
    """Value on hand per partner and snapshot date, over its sites and materials."""
    snap, prices = src.table("inventory_snapshot"), src.prices()
    valued = snap.join(prices, snap.material_code == prices.material_code)
    return (
        valued.group_by([valued.partner_id, valued.snapshot_date])
        .aggregate(stock=(valued.quantity_on_hand.cast("float64") * valued.price).sum())
        .rename(day="snapshot_date")
    )


def _outflow(src: Sources) -> ibis.Table:
    """Value leaving a partner's stock: what it ships, and what its production orders consume."""
    ship, made, prices = src.table("shipment"), src.table("production_order"), src.prices()
    consumed = made.filter(made.direction == "input")
    flows = ibis.union(
        ship.select(
            partner_id=ship.shipper_id,
            day=ship.ship_date.cast("date"),
            material_code=ship.material_code,
            quantity=ship.quantity.cast("float64"),
        ),
        consumed.select(
            partner_id=consumed.manufacturer_id,
            day=consumed.actual_end.fill_null(consumed.planned_end).cast("date"),
            material_code=consumed.material_code,
            quantity=consumed.quantity.cast("float64"),
        ),
    )
    valued = flows.join(prices, flows.material_code == prices.material_code)
    return valued.select("partner_id", "day", outflow=valued.quantity * valued.price)


def _stock_and_flow(src: Sources, window: Window) -> tuple[ibis.Table, ibis.Table]:
    """Per partner and period: stock facts (one per snapshot date) and total outflow value."""
    stock = window.clip(_stock(src))
    flow = window.clip(_outflow(src))
    flows = flow.group_by(["partner_id", "period"]).aggregate(
        outflow=flow.outflow.sum(), first=flow.day.min(), last=flow.day.max()
    )
    return stock, flows


def _per_day(window: Window, held: ibis.Table, flows: ibis.Table, stock: str) -> ibis.Table:
    """Stock value over the average outflow value per day of the period."""
    # A total's period is null on both sides, so it is matched as identical, not equal.
    joined = held.join(
        flows,
        [held.partner_id == flows.partner_id, held.period.identical_to(flows.period)],
    )
    days = window.days(joined.period, joined.first, joined.last).cast("float64")
    return joined.select(
        partner_id=held.partner_id,
        period=held.period,
        value=(joined[stock] * days / joined.outflow.nullif(0)).cast("float64"),
        observations=joined.observations,
    )


def _turnover_days(src: Sources, window: Window) -> ibis.Table:
    stock, flows = _stock_and_flow(src, window)
    held = stock.group_by(["partner_id", "period"]).aggregate(
        average=stock.stock.mean(), observations=stock.count()
    )
    return _per_day(window, held, flows, "average")


def _days_of_supply(src: Sources, window: Window) -> ibis.Table:
    stock, flows = _stock_and_flow(src, window)
    latest = stock.mutate(
        latest=stock.day.max().over(group_by=["partner_id", "period"]),
        observations=stock.count().over(group_by=["partner_id", "period"]),
    )
    closing = latest.filter(latest.day == latest.latest)
    return _per_day(window, closing, flows, "stock")


KPIS: Final = (
    KpiDefinition(
        kpi_id="inventory_turnover_days",
        name_en="Inventory turnover days",
        name_zh="库存周转天数",
        formula_en="average value on hand over the period's stock snapshots / (value shipped "
        "out and consumed in production in the period / days in the period); every material "
        "valued at its average order unit price in the chain",
        formula_zh="期内各次库存快照的平均在库金额 /（期内发货与生产领用金额 / 期内天数）；"
        "各物料按其在链内订单的平均单价计值",
        unit="days",
        direction="lower",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="the average-inventory form of SCOR AM.2.2 inventory days of supply "
        "(365 / inventory turns)",
        compute=_turnover_days,
        drill=False,
    ),
    KpiDefinition(
        kpi_id="days_of_supply",
        name_en="Inventory days of supply",
        name_zh="库存可供天数",
        formula_en="value on hand at the period's last stock snapshot / (value shipped out and "
        "consumed in production in the period / days in the period); valued as for turnover days",
        formula_zh="期末最后一次库存快照的在库金额 /"
        "（期内发货与生产领用金额 / 期内天数）；计值方法同库存周转天数",
        unit="days",
        direction="lower",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="SCOR AM.2.2 inventory days of supply, on the closing stock",
        compute=_days_of_supply,
        drill=False,
    ),
)
