"""The overview's alerts, from the documents the caller may see, in a fixed number of queries:
materials whose stock will not cover the forecast demand (stockout risk), and purchase-order
lines the supplier has not confirmed in time (late confirmations)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.kpi.overview import (
    OPEN_LINE_STATUSES,
    Visible,
    get_demand_lines,
    get_visible_views,
    plain_decimal,
)
from chainhub.kpi.schemas import Alerts, LateConfirmation, StockoutRisk
from chainhub.storage.answers import get_kept_answer, get_statement_text

# Demand and inbound orders are counted over this many days after the latest stock count.
HORIZON_DAYS: Final = 42
# A supplier confirms an order line within this many days of the order date.
CONFIRM_WITHIN_DAYS: Final = 7
# The overview lists this many lines of each alert, the gravest first.
ALERT_ROWS: Final = 10
_TYPES: Final = ("inventory_snapshot", "purchase_order", "demand_forecast", "goods_receipt")

Pair = tuple[str, str]


def _plain(value: Decimal) -> Decimal:
    found = plain_decimal(value)
    assert found is not None
    return found


@dataclass(frozen=True)
class AlertFilter:
    """What the alerts are narrowed to: the holder or party, a material, a site, order dates."""

    partner_id: str | None = None
    material: str | None = None
    site: str | None = None
    start: date | None = None
    end: date | None = None


def _stock(conn: Connection, vis: Visible, only: AlertFilter) -> dict[Pair, tuple[Decimal, date]]:
    """Per (holder, material): on hand at each site's latest visible count, summed over sites,
    and the newest of those counts' dates."""
    view, where = vis["inventory_snapshot"]
    narrow = [where]
    if only.partner_id is not None:
        narrow.append(view.c.partner_id == only.partner_id)
    if only.material is not None:
        narrow.append(view.c.material_code == only.material)
    if only.site is not None:
        narrow.append(view.c.site_id == only.site)
    if only.end is not None:
        narrow.append(view.c.snapshot_date <= only.end)
    ranked = (
        sa.select(
            view.c.partner_id,
            view.c.material_code,
            view.c.quantity_on_hand,
            view.c.snapshot_date,
            sa.func.max(view.c.snapshot_date)
            .over(partition_by=(view.c.partner_id, view.c.material_code, view.c.site_id))
            .label("latest"),
        )
        .where(*narrow)
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            ranked.c.partner_id,
            ranked.c.material_code,
            sa.func.sum(ranked.c.quantity_on_hand),
            sa.func.max(ranked.c.snapshot_date),
        )
        .where(ranked.c.snapshot_date == ranked.c.latest)
        .group_by(ranked.c.partner_id, ranked.c.material_code)
    )
    return {(h, m): (Decimal(total or 0), day) for h, m, total, day in rows}


def _demand(
    conn: Connection, vis: Visible, pairs: set[Pair], only: AlertFilter
) -> dict[Pair, list[tuple[date, date, Decimal]]]:
    """Per (holder, material): its latest visible forecast's demand by period (its first day,
    the day after its last)."""
    lines = get_demand_lines(vis, {h for h, _ in pairs}, {m for _, m in pairs})
    ranked = sa.select(
        lines,
        sa.func.max(lines.c.forecast_date)
        .over(partition_by=(lines.c.buyer, lines.c.material))
        .label("latest"),
    )
    if only.site is not None:
        ranked = ranked.where(lines.c.site_id == only.site)
    latest = ranked.subquery()
    rows = conn.execute(
        sa.select(
            latest.c.buyer,
            latest.c.material,
            latest.c.period_start,
            latest.c.bucket,
            sa.cast(sa.func.sum(latest.c.quantity), sa.Numeric(18, 6)),
        )
        .where(latest.c.forecast_date == latest.c.latest)
        .group_by(latest.c.buyer, latest.c.material, latest.c.period_start, latest.c.bucket)
    )
    found: dict[Pair, list[tuple[date, date, Decimal]]] = defaultdict(list)
    for buyer, material, start, bucket, quantity in rows:
        found[(buyer, material)].append((start, _period_end(start, bucket), Decimal(quantity or 0)))
    return found


def _period_end(start: date, bucket: str) -> date:
    """The day after a forecast period's last day."""
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "month":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=7)


def _within(periods: list[tuple[date, date, Decimal]], since: date, until: date) -> Decimal:
    """The demand of the days from `since` to before `until`: each period's quantity spread
    evenly over its days."""
    total = Decimal(0)
    for start, end, quantity in periods:
        overlap = (min(end, until) - max(start, since)).days
        if overlap > 0:
            total += quantity * overlap / (end - start).days
    return total


def _inbound(
    conn: Connection, vis: Visible, pairs: set[Pair], only: AlertFilter
) -> dict[Pair, list[tuple[date, Decimal]]]:
    """Per (buyer, material): what its open visible order lines still bring, by requested date
    (ordered less received)."""
    po, po_where = vis["purchase_order"]
    gr, gr_where = vis["goods_receipt"]
    received = (
        sa.select(
            gr.c.receiver_id,
            gr.c.supplier_id,
            gr.c.po_number,
            gr.c.po_line_no,
            sa.func.sum(gr.c.received_quantity).label("received"),
        )
        .where(gr_where, gr.c.po_number.is_not(None))
        .group_by(gr.c.receiver_id, gr.c.supplier_id, gr.c.po_number, gr.c.po_line_no)
        .subquery()
    )
    joined = po.outerjoin(
        received,
        sa.and_(
            received.c.receiver_id == po.c.buyer_id,
            received.c.supplier_id == po.c.supplier_id,
            received.c.po_number == po.c.po_number,
            received.c.po_line_no == po.c.line_no,
        ),
    )
    remaining = po.c.quantity - sa.func.coalesce(received.c.received, 0)
    query = (
        sa.select(
            po.c.buyer_id,
            po.c.material_code,
            po.c.requested_date,
            sa.func.sum(sa.case((remaining > 0, remaining), else_=0)),
        )
        .select_from(joined)
        .where(
            po_where,
            po.c.line_status.in_(OPEN_LINE_STATUSES),
            po.c.buyer_id.in_({h for h, _ in pairs}),
            po.c.material_code.in_({m for _, m in pairs}),
        )
        .group_by(po.c.buyer_id, po.c.material_code, po.c.requested_date)
    )
    if only.site is not None:
        query = query.where(po.c.ship_to_site == only.site)
    found: dict[Pair, list[tuple[date, Decimal]]] = defaultdict(list)
    for buyer, material, due, quantity in conn.execute(query):
        found[(buyer, material)].append((due, Decimal(quantity or 0)))
    return found


def _risks(conn: Connection, vis: Visible, only: AlertFilter) -> list[StockoutRisk]:
    """Every visible (holder, material) whose projected stock falls below zero, the largest
    shortfall first."""
    stock = _stock(conn, vis, only)
    if not stock:
        return []
    pairs = set(stock)
    demand = _demand(conn, vis, pairs, only)
    inbound = _inbound(conn, vis, pairs, only)
    risks = []
    for (holder, material), (on_hand, as_of) in stock.items():
        until = as_of + timedelta(days=HORIZON_DAYS)
        needed = _within(demand.get((holder, material), []), as_of, until)
        coming = sum((q for day, q in inbound.get((holder, material), []) if day < until),
                     Decimal(0))  # fmt: skip
        projected = (on_hand + coming - needed).quantize(Decimal("0.01"))
        if needed == 0 or projected >= 0:
            continue
        risks.append(
            StockoutRisk(
                partner_id=holder,
                material_code=material,
                as_of=as_of,
                on_hand=_plain(on_hand),
                inbound=_plain(coming),
                demand=_plain(needed.quantize(Decimal("0.01"))),
                projected=_plain(projected),
                cover_days=round(float(on_hand) * HORIZON_DAYS / float(needed), 1),
            )
        )
    risks.sort(key=lambda r: (r.projected, r.partner_id, r.material_code))
    return risks


def _late(conn: Connection, vis: Visible, today: date, only: AlertFilter) -> list[LateConfirmation]:
    """Visible open order lines without the supplier's confirmation, ordered more than
    CONFIRM_WITHIN_DAYS days before `today`, the oldest first."""
    po, where = vis["purchase_order"]
    query = sa.select(
        po.c.buyer_id,
        po.c.supplier_id,
        po.c.po_number,
        po.c.line_no,
        po.c.material_code,
        po.c.order_date,
        po.c.quantity,
    ).where(
        where,
        po.c.line_status == "open",
        po.c.confirmed_date.is_(None),
        po.c.order_date < today - timedelta(days=CONFIRM_WITHIN_DAYS),
    )
    if only.partner_id is not None:
        query = query.where(
            sa.or_(po.c.buyer_id == only.partner_id, po.c.supplier_id == only.partner_id)
        )
    if only.material is not None:
        query = query.where(po.c.material_code == only.material)
    if only.site is not None:
        query = query.where(po.c.ship_to_site == only.site)
    if only.start is not None:
        query = query.where(po.c.order_date >= only.start)
    if only.end is not None:
        query = query.where(po.c.order_date <= only.end)
    rows = conn.execute(
        query.order_by(po.c.order_date, po.c.po_number, po.c.line_no, po.c.buyer_id)
    ).mappings()
    return [
        LateConfirmation(
            **{k: v for k, v in r.items() if k != "quantity"},
            quantity=_plain(Decimal(r["quantity"])),
            waiting_days=(today - r["order_date"]).days,
        )
        for r in rows
    ]


def access_alerts(
    *, conn: Connection, principal: Principal, today: date, only: AlertFilter | None = None
) -> Alerts:
    """Stockout risks and late confirmations among the documents the caller may see."""
    only = only or AlertFilter()
    vis = get_visible_views(conn, principal, today, _TYPES)
    # What the alerts read: the rows each visibility clause lets the caller see.
    reads = [
        get_statement_text(conn=conn, statement=sa.select(view).where(clause))
        for view, clause in vis.values()
    ]
    return get_kept_answer(
        conn=conn,
        query="\n".join(["kpi.alerts", str(today), repr(only), *reads]),
        compute=lambda: Alerts(
            horizon_days=HORIZON_DAYS,
            confirm_within_days=CONFIRM_WITHIN_DAYS,
            stockout=_risks(conn, vis, only),
            late=_late(conn, vis, today, only),
        ),
    )
