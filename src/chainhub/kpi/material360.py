"""Material 360 (库存-订单-预测): one material at one buyer over the months, its stock, open
orders, forecast, receipts and consumption, and each supplier's part; read in a fixed number
of queries through the same visibility clauses as the overview.

A buyer sees its own suppliers (named or aliased by the pages); a supplier sees the buyers it
supplies the material to, and of their orders and receipts only its own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.kpi.overview import Visible, get_demand_lines, get_visible_views, plain_decimal
from chainhub.kpi.schemas import (
    Material360,
    MaterialRow,
    MonthFigures,
    ReceiptLine,
    SupplierFigures,
    SupplierMonth,
)
from chainhub.partners.visibility import CANCELLED
from chainhub.storage.answers import get_kept_answer, get_statement_text
from chainhub.storage.models import current_view

_TYPES: Final = (
    "inventory_snapshot",
    "purchase_order",
    "demand_forecast",
    "goods_receipt",
    "production_order",
)
# Production orders that have drawn their inputs.
CONSUMING: Final = ("in_progress", "completed")
ZERO: Final = Decimal(0)


def month_of(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month that starts on `month`."""
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _months(first: date, last: date) -> list[date]:
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = month_of(month + timedelta(days=32))
    return months


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _row(mapping: Any) -> MaterialRow:
    return MaterialRow(
        material_code=mapping["material_code"],
        name_zh=mapping["name_zh"],
        name_en=mapping["name_en"],
        category=mapping["category"],
        base_unit=mapping["base_unit"],
    )


def _not_found(code: str) -> ChainhubError:
    return ChainhubError(
        "material_not_found",
        f"no material {code!r} that you may see; /materials lists yours",
        f"没有您可查看的物料 {code!r}；/materials 列出您可查看的物料",
        {"material_code": code},
        404,
    )


def list_materials(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    search: str | None = None,
    partner_id: str | None = None,
    site: str | None = None,
) -> list[MaterialRow]:
    """The materials the caller may open: every golden material for who sees all; else those of
    the orders it places or receives and of its own stock; `search` matches code or name.
    `partner_id` and `site` keep those of the visible orders and stock of that partner (buyer,
    supplier or holder) and of that site (delivered to or held at)."""
    golden = current_view("material")
    codes: Any = None
    if not principal.sees_all or partner_id is not None or site is not None:
        vis = get_visible_views(conn, principal, today, ("purchase_order", "inventory_snapshot"))
        orders, order_where = vis["purchase_order"]
        stock, stock_where = vis["inventory_snapshot"]
        on_orders, in_stock = [order_where], [stock_where]
        for who in (None if principal.sees_all else principal.partner_id, partner_id):
            if who is not None:
                on_orders.append(sa.or_(orders.c.buyer_id == who, orders.c.supplier_id == who))
                in_stock.append(stock.c.partner_id == who)
        if site is not None:
            on_orders.append(orders.c.ship_to_site == site)
            in_stock.append(stock.c.site_id == site)
        codes = sa.union(
            sa.select(orders.c.material_code).where(*on_orders),
            sa.select(stock.c.material_code).where(*in_stock),
        ).subquery()
    query = sa.select(golden).order_by(golden.c.material_code)
    if codes is not None:
        query = query.where(golden.c.material_code.in_(sa.select(codes.c.material_code)))
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(
            sa.or_(
                golden.c.material_code.ilike(pattern),
                golden.c.name_zh.ilike(pattern),
                golden.c.name_en.ilike(pattern),
            )
        )
    return [_row(r) for r in conn.execute(query).mappings()]


@dataclass(frozen=True)
class _OrderLine:
    buyer: str
    supplier: str
    key: tuple[str, int]
    ordered: date
    quantity: Decimal
    cancelled: bool
    closed: bool


def _order_lines(conn: Connection, vis: Visible, code: str) -> list[_OrderLine]:
    view, where = vis["purchase_order"]
    rows = conn.execute(
        sa.select(
            view.c.buyer_id,
            view.c.supplier_id,
            view.c.po_number,
            view.c.line_no,
            view.c.order_date,
            view.c.quantity,
            view.c.status,
            view.c.line_status,
        ).where(where, view.c.material_code == code)
    )
    return [
        _OrderLine(
            buyer=r.buyer_id,
            supplier=r.supplier_id,
            key=(r.po_number, r.line_no),
            ordered=r.order_date,
            quantity=_decimal(r.quantity),
            cancelled=CANCELLED in (r.status, r.line_status),
            closed=r.line_status == "delivered" or r.status == "closed",
        )
        for r in rows
    ]


def _stock(conn: Connection, vis: Visible, code: str) -> dict[str, dict[str, list[Any]]]:
    """Per holder and site: (snapshot date, on hand) in date order."""
    view, where = vis["inventory_snapshot"]
    rows = conn.execute(
        sa.select(
            view.c.partner_id,
            view.c.site_id,
            view.c.snapshot_date,
            sa.func.sum(view.c.quantity_on_hand),
        )
        .where(where, view.c.material_code == code)
        .group_by(view.c.partner_id, view.c.site_id, view.c.snapshot_date)
        .order_by(view.c.snapshot_date)
    )
    found: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for holder, site, day, quantity in rows:
        found[holder][site].append((day, _decimal(quantity)))
    return found


def _receipts(
    conn: Connection, vis: Visible, code: str, buyer: str, suppliers: set[str] | None
) -> list[tuple[str, tuple[str, int] | None, ReceiptLine]]:
    """(supplier, order line, receipt line) of the buyer's visible receipts, newest first."""
    view, where = vis["goods_receipt"]
    query = sa.select(
        view.c.supplier_id,
        view.c.po_number,
        view.c.po_line_no,
        view.c.receipt_number,
        view.c.receipt_date,
        view.c.lot_number,
        view.c.received_quantity,
        view.c.unit,
    ).where(where, view.c.material_code == code, view.c.receiver_id == buyer)
    if suppliers is not None:
        query = query.where(view.c.supplier_id.in_(suppliers))
    rows = conn.execute(
        query.order_by(view.c.receipt_date.desc(), view.c.receipt_number.desc(), view.c.line_no)
    ).mappings()
    return [
        (
            r["supplier_id"],
            None if r["po_number"] is None else (r["po_number"], r["po_line_no"]),
            ReceiptLine.model_validate(
                {**r, "received_quantity": plain_decimal(_decimal(r["received_quantity"]))}
            ),
        )
        for r in rows
    ]


def _forecast(
    conn: Connection, vis: Visible, code: str, buyer: str
) -> tuple[dict[date, Decimal], Decimal | None, date | None]:
    """Per month, the demand of the newest forecast covering each of its periods (per site);
    and, as in the overview, the demand in the buyer's latest forecast and that forecast's date."""
    demand = get_demand_lines(vis, [buyer], [code])
    rows = conn.execute(
        sa.select(
            demand.c.site_id,
            demand.c.forecast_date,
            demand.c.period_start,
            sa.cast(sa.func.sum(demand.c.quantity), sa.Numeric(18, 6)),
        ).group_by(demand.c.site_id, demand.c.forecast_date, demand.c.period_start)
    ).all()
    newest: dict[tuple[str, date], tuple[date, Decimal]] = {}
    for site, made, period, quantity in rows:
        known = newest.get((site, period))
        if known is None or made > known[0]:
            newest[(site, period)] = (made, _decimal(quantity))
    months: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for (_, period), (_, quantity) in newest.items():
        months[month_of(period)] += quantity
    if not rows:
        return {}, None, None
    latest = max(made for _, made, _, _ in rows)
    total = sum((_decimal(q) for _, made, _, q in rows if made == latest), ZERO)
    return dict(months), total, latest


def _consumption(conn: Connection, vis: Visible, code: str, buyer: str) -> dict[date, Decimal]:
    """Per month, the material drawn into the buyer's production orders (by actual start)."""
    view, where = vis["production_order"]
    day = sa.cast(view.c.actual_start, sa.Date)
    rows = conn.execute(
        sa.select(day, sa.func.sum(view.c.quantity))
        .where(
            where,
            view.c.manufacturer_id == buyer,
            view.c.material_code == code,
            view.c.direction == "input",
            view.c.status.in_(CONSUMING),
            view.c.actual_start.is_not(None),
        )
        .group_by(day)
    )
    months: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for started, quantity in rows:
        months[month_of(started)] += _decimal(quantity)
    return dict(months)


# Per order line: its receipts' dates in order and the quantity received by each of them.
Received = tuple[list[date], list[Decimal]]


def _received(
    receipts: Sequence[tuple[str, tuple[str, int] | None, ReceiptLine]],
) -> dict[tuple[str, int], Received]:
    dated: dict[tuple[str, int], list[tuple[date, Decimal]]] = defaultdict(list)
    for _, key, r in receipts:
        if key is not None:
            dated[key].append((r.receipt_date, r.received_quantity))
    found = {}
    for key, got in dated.items():
        got.sort()
        days, totals, total = [], [], ZERO
        for day, quantity in got:
            total += quantity
            days.append(day)
            totals.append(total)
        found[key] = (days, totals)
    return found


def _open_at(line: _OrderLine, received: Received, day: date) -> Decimal:
    """What of an order line is still to come on `day`: not before it was ordered, nothing of a
    cancelled line, nothing of a delivered line or closed order after its last receipt (or
    ever, without one): a short delivery that closed the order leaves nothing to come."""
    if line.cancelled or line.ordered > day:
        return ZERO
    days, totals = received
    if line.closed and (not days or day >= days[-1]):
        return ZERO
    seen = bisect_right(days, day)
    return max(ZERO, line.quantity - (totals[seen - 1] if seen else ZERO))


def _scope(
    principal: Principal, lines: list[_OrderLine], holders: Collection[str]
) -> tuple[list[str], str | None]:
    """The buyers the caller may look at for this material, and the one to show first: itself
    when it buys the material, else the first it supplies it to, else the first buyer."""
    me = principal.partner_id
    buyers = sorted({line.buyer for line in lines})
    if principal.sees_all:
        scope = sorted({*buyers, *holders})
    elif me is None:
        return [], None
    else:
        scope = sorted(
            {line.buyer for line in lines if me in (line.buyer, line.supplier)}
            | ({me} if me in holders else set())
        )
    supplied = sorted({line.buyer for line in lines if line.supplier == me})
    first = [*([me] if me in buyers else []), *supplied, *buyers, *scope]
    return scope, next((b for b in first if b in scope), None)


def _stock_by_month(
    sites: dict[str, list[Any]], months: list[date]
) -> tuple[dict[date, Decimal], Decimal | None, date | None]:
    """Per month, the sum over sites of each site's latest snapshot by the month's end; and the
    same for the latest snapshots with the newest of their dates."""
    found: dict[date, Decimal] = {}
    if not sites:
        return found, None, None
    last = max(day for snaps in sites.values() for day, _ in snaps)
    for month in months:
        if month > last:
            break
        end = month_end(month)
        known = [[q for d, q in snaps if d <= end] for snaps in sites.values()]
        if any(known):
            found[month] = sum((k[-1] for k in known if k), ZERO)
    on_hand = sum((snaps[-1][1] for snaps in sites.values()), ZERO)
    return found, on_hand, last


def _supplier_figures(
    supplier: str,
    lines: list[_OrderLine],
    received: dict[tuple[str, int], Received],
    receipts: list[tuple[str, tuple[str, int] | None, ReceiptLine]],
    months: list[date],
    today: date,
) -> SupplierFigures:
    own = [line for line in lines if line.supplier == supplier]
    own_receipts = [r for s, _, r in receipts if s == supplier]
    ordered: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for line in own:
        if not line.cancelled:
            ordered[month_of(line.ordered)] += line.quantity
    got: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for r in own_receipts:
        got[month_of(r.receipt_date)] += r.received_quantity
    none: Received = ([], [])
    ends = [min(month_end(m), today) if m <= today else None for m in months]
    rows = [
        SupplierMonth(
            month=m,
            ordered=ordered[m],
            received=got[m],
            open_orders=None
            if end is None
            else sum((_open_at(x, received.get(x.key, none), end) for x in own), ZERO),
        )
        for m, end in zip(months, ends, strict=True)
    ]
    now = [_open_at(x, received.get(x.key, none), today) for x in own]
    return SupplierFigures(
        supplier_id=supplier,
        open_quantity=sum(now, ZERO),
        open_lines=sum(1 for q in now if q > 0),
        received=sum((r.received_quantity for r in own_receipts), ZERO),
        last_receipt=own_receipts[0] if own_receipts else None,
        months=rows,
    )


def access_material_360(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    material_code: str,
    buyer_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Material360:
    """One material at one buyer (the caller itself when it buys the material, else the first
    it supplies it to), from the documents the caller may see; not found when the caller may
    not open the material or that buyer's view of it. `start` and `end` keep the months that
    overlap them; the latest figures stay the latest."""
    vis = get_visible_views(conn, principal, today, _TYPES)
    # It reads only documents, through the caller's visibility: kept until the next submission
    # under those reads and everything else it depends on.
    reads = [
        get_statement_text(conn=conn, statement=sa.select(view).where(clause))
        for view, clause in vis.values()
    ]
    p = principal
    return get_kept_answer(
        conn=conn,
        query="\n".join(
            [
                "kpi.material360",
                repr((p.partner_id, p.role, p.chain_leader, today, material_code)),
                repr((buyer_id, start, end)),
                *reads,
            ]
        ),
        compute=lambda: _computed(
            conn=conn,
            principal=principal,
            today=today,
            vis=vis,
            material_code=material_code,
            buyer_id=buyer_id,
            window=(start, end),
        ),
    )


def _computed(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    vis: Visible,
    material_code: str,
    buyer_id: str | None,
    window: tuple[date | None, date | None],
) -> Material360:
    golden = current_view("material")
    material = (
        conn.execute(sa.select(golden).where(golden.c.material_code == material_code))
        .mappings()
        .first()
    )
    if material is None:
        raise _not_found(material_code)
    lines = _order_lines(conn, vis, material_code)
    stock = _stock(conn, vis, material_code)
    buyers, default = _scope(principal, lines, stock)
    if not principal.sees_all and not buyers:
        raise _not_found(material_code)
    buyer = buyer_id or default
    if buyer_id is not None and buyer_id not in buyers:
        raise ChainhubError(
            "buyer_not_found",
            f"no view of material {material_code!r} at {buyer_id!r} for this caller",
            f"当前身份看不到 {buyer_id!r} 的物料 {material_code!r}",
            {"material_code": material_code, "buyer_id": buyer_id},
            404,
        )
    return _build(
        conn=conn,
        principal=principal,
        today=today,
        vis=vis,
        material=_row(material),
        buyers=buyers,
        buyer=buyer,
        lines=lines,
        stock=stock,
        window=window,
    )


def _build(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    vis: Visible,
    material: MaterialRow,
    buyers: list[str],
    buyer: str | None,
    lines: list[_OrderLine],
    stock: dict[str, dict[str, list[Any]]],
    window: tuple[date | None, date | None] = (None, None),
) -> Material360:
    code = material.material_code
    # A supplier looking at its customer's view sees only its own orders and receipts.
    me = principal.partner_id
    only = None if principal.sees_all or me is None or buyer == me else {me}
    lines = [x for x in lines if x.buyer == buyer and (only is None or x.supplier in only)]
    receipts = [] if buyer is None else _receipts(conn, vis, code, buyer, only)
    forecast, forecast_total, forecast_date = (
        ({}, None, None) if buyer is None else _forecast(conn, vis, code, buyer)
    )
    consumed = {} if buyer is None else _consumption(conn, vis, code, buyer)
    sites = stock.get(buyer, {}) if buyer is not None else {}
    dates = [
        *(x.ordered for x in lines),
        *(r.receipt_date for _, _, r in receipts),
        *forecast,
        *consumed,
        *(d for snaps in sites.values() for d, _ in snaps),
    ]
    months = _months(min(dates), max(dates)) if dates else []
    start, end = window
    months = [
        m for m in months if (start is None or month_end(m) >= start) and (end is None or m <= end)
    ]
    received = _received(receipts)
    suppliers = [
        _supplier_figures(s, lines, received, receipts, months, today)
        for s in sorted({x.supplier for x in lines} | {s for s, _, _ in receipts})
    ]
    on_hand, latest_on_hand, stock_date = _stock_by_month(sites, months)
    figures = []
    for i, month in enumerate(months):
        opened = [s.months[i].open_orders for s in suppliers]
        figures.append(
            MonthFigures(
                month=month,
                on_hand=on_hand.get(month),
                open_orders=None if month > month_of(today) else sum(filter(None, opened), ZERO),
                forecast=plain_decimal(forecast.get(month)),
                receipts=sum((s.months[i].received for s in suppliers), ZERO),
                consumption=consumed.get(month, ZERO) if consumed else None,
            )
        )
    last = receipts[0] if receipts else None
    return Material360(
        material=material,
        buyer_id=buyer,
        buyers=buyers,
        on_hand=plain_decimal(latest_on_hand),
        stock_date=stock_date,
        open_quantity=sum((s.open_quantity for s in suppliers), ZERO),
        open_lines=sum(s.open_lines for s in suppliers),
        forecast_quantity=plain_decimal(forecast_total),
        forecast_date=forecast_date,
        last_receipt=last[2] if last else None,
        last_receipt_supplier=last[0] if last else None,
        months=figures,
        suppliers=suppliers,
    )
