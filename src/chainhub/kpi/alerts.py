"""The overview's alerts, from the documents the caller may see, in a fixed number of queries:
materials that will run out before an order placed now could arrive (stockout risk), and
purchase-order lines the supplier has not confirmed in time (late confirmations).

A material's horizon is its lead time plus one review period: what runs out within it can no
longer be saved by the next order. The lead time is the shortest of its suppliers' mean days
from an order line's date to each receipt against it (the supplier_lead_time KPI's measure, on
the visible documents), else the material master's lead_time_days, else DEFAULT_LEAD_DAYS."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from math import ceil
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.kpi.overview import (
    OPEN_LINE_STATUSES,
    Visible,
    get_demand_lines,
    get_latest_stock,
    get_visible_views,
    plain_decimal,
    receipt_fills_line,
)
from chainhub.kpi.schemas import Alerts, LateConfirmation, LeadSource, StockoutRisk
from chainhub.storage.answers import get_kept_answer, get_statement_text

# The lead time of a material never received and without one in its master record: with a
# week's review, the six weeks the alert looked ahead before it knew lead times.
DEFAULT_LEAD_DAYS: Final = 35
# Days between two reviews of what to order (the plan's default, settings.plan_review_days).
REVIEW_DAYS: Final = 7.0
# A supplier confirms an order line within this many days of the order date.
CONFIRM_WITHIN_DAYS: Final = 7
# The overview lists this many lines of each alert, the gravest first.
ALERT_ROWS: Final = 10
_TYPES: Final = (
    "inventory_snapshot",
    "purchase_order",
    "demand_forecast",
    "goods_receipt",
    "material",
)
_CENT: Final = Decimal("0.01")

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
    joined = po.outerjoin(received, receipt_fills_line(received, po))
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


def _lead_times(
    conn: Connection, vis: Visible, pairs: set[Pair]
) -> dict[Pair, tuple[float, LeadSource]]:
    """Per (buyer, material): the shortest of its suppliers' mean days from a visible order
    line's date to each visible receipt against it, else the master's lead_time_days; pairs
    with neither are left out."""
    po, po_where = vis["purchase_order"]
    gr, gr_where = vis["goods_receipt"]
    days = sa.cast(gr.c.receipt_date - po.c.order_date, sa.Float)
    per_supplier = (
        sa.select(
            po.c.buyer_id,
            po.c.material_code,
            sa.func.avg(days).label("days"),
        )
        .select_from(po.join(gr, receipt_fills_line(gr, po)))
        .where(
            po_where,
            gr_where,
            po.c.buyer_id.in_({h for h, _ in pairs}),
            po.c.material_code.in_({m for _, m in pairs}),
        )
        .group_by(po.c.buyer_id, po.c.supplier_id, po.c.material_code)
        .subquery()
    )
    found: dict[Pair, tuple[float, LeadSource]] = {
        (buyer, material): (round(float(lead), 1), "observed")
        for buyer, material, lead in conn.execute(
            sa.select(
                per_supplier.c.buyer_id,
                per_supplier.c.material_code,
                sa.func.min(per_supplier.c.days),
            ).group_by(per_supplier.c.buyer_id, per_supplier.c.material_code)
        )
    }
    view, where = vis["material"]
    master: dict[str, int] = dict(
        conn.execute(
            sa.select(view.c.material_code, view.c.lead_time_days).where(
                where,
                view.c.material_code.in_({m for _, m in pairs}),
                view.c.lead_time_days.is_not(None),
            )
        ).all()
    )
    for pair in pairs - found.keys():
        if pair[1] in master:
            found[pair] = (float(master[pair[1]]), "master")
    return found


def _run_out(
    on_hand: Decimal,
    periods: list[tuple[date, date, Decimal]],
    arrivals: list[tuple[date, Decimal]],
    as_of: date,
    until: date,
) -> tuple[Decimal, Decimal, date | None]:
    """Stock day by day from the count to the horizon: what arrives (lines already due on the
    count's day), less each day's demand. The demand over the horizon, the inbound, and the
    first day the stock falls below zero, if it does."""
    daily: defaultdict[date, Decimal] = defaultdict(Decimal)
    for start, end, quantity in periods:
        per_day = quantity / (end - start).days
        for offset in range((min(end, until) - max(start, as_of)).days):
            daily[max(start, as_of) + timedelta(days=offset)] += per_day
    due: defaultdict[date, Decimal] = defaultdict(Decimal)
    for day, quantity in arrivals:
        if day < until:
            due[max(day, as_of)] += quantity
    level, first = on_hand, None
    for offset in range((until - as_of).days):
        day = as_of + timedelta(days=offset)
        level += due[day] - daily[day]
        if first is None and level.quantize(_CENT) < 0:
            first = day
    return sum(daily.values(), Decimal(0)), sum(due.values(), Decimal(0)), first


def _risks(
    conn: Connection, vis: Visible, only: AlertFilter, review_days: float
) -> list[StockoutRisk]:
    """Every visible (holder, material) whose stock runs out within its lead time plus a review
    period after its latest count, the soonest first."""
    stock = get_latest_stock(
        conn,
        vis,
        holders=None if only.partner_id is None else {only.partner_id},
        materials=None if only.material is None else {only.material},
        site=only.site,
        until=only.end,
    )
    if not stock:
        return []
    pairs = set(stock)
    demand = _demand(conn, vis, pairs, only)
    inbound = _inbound(conn, vis, pairs, only)
    leads = _lead_times(conn, vis, pairs)
    risks = []
    for (holder, material), (on_hand, as_of) in stock.items():
        lead, source = leads.get((holder, material), (float(DEFAULT_LEAD_DAYS), "default"))
        horizon = ceil(lead + review_days)
        needed, coming, first = _run_out(
            on_hand,
            demand.get((holder, material), []),
            inbound.get((holder, material), []),
            as_of,
            as_of + timedelta(days=horizon),
        )
        if first is None:
            continue
        risks.append(
            StockoutRisk(
                partner_id=holder,
                material_code=material,
                as_of=as_of,
                on_hand=_plain(on_hand),
                inbound=_plain(coming),
                demand=_plain(needed.quantize(_CENT)),
                projected=_plain((on_hand + coming - needed).quantize(_CENT)),
                lead_days=lead,
                lead_source=source,
                horizon_days=horizon,
                stockout_date=first,
            )
        )
    risks.sort(key=lambda r: (r.stockout_date, r.projected, r.partner_id, r.material_code))
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
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    only: AlertFilter | None = None,
    review_days: float = REVIEW_DAYS,
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
        query="\n".join(["kpi.alerts", str(today), repr(only), str(review_days), *reads]),
        compute=lambda: Alerts(
            review_days=review_days,
            default_lead_days=DEFAULT_LEAD_DAYS,
            confirm_within_days=CONFIRM_WITHIN_DAYS,
            stockout=_risks(conn, vis, only, review_days),
            late=_late(conn, vis, today, only),
        ),
    )
