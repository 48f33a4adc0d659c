"""Each partner's own view: per material it supplies (or buys), the buyer's stock, open orders,
forecast and recent receipts (库存-订单-预测), all read through the visibility service."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.kpi.schemas import Overview, OverviewLine, ReceiptLine
from chainhub.partners.visibility import get_visible_clause
from chainhub.storage.answers import get_kept_answer, get_statement_text
from chainhub.storage.models import current_view

OPEN_LINE_STATUSES: Final = ("open", "confirmed", "partially_delivered")
RECENT_RECEIPTS: Final = 5


_TYPES: Final = ("inventory_snapshot", "purchase_order", "demand_forecast", "goods_receipt")
Visible = dict[str, tuple[sa.TableClause, sa.ColumnElement[bool]]]


def get_visible_views(
    conn: Connection, principal: Principal, today: date, types: Iterable[str] = _TYPES
) -> Visible:
    """Each type's current view and the caller's visibility clause over it."""
    views = {name: current_view(name) for name in types}
    return {
        name: (
            view,
            get_visible_clause(
                conn=conn, principal=principal, document_type=name, relation=view, today=today
            ),
        )
        for name, view in views.items()
    }


def receipt_fills_line(receipt: Any, line: Any) -> sa.ColumnElement[bool]:
    """Whether a goods-receipt line (or receipts grouped by these four columns) is received
    against a purchase-order line: the receiver is the buyer, the same supplier, order number
    and line. Order numbers are the buyer's own, so two suppliers' orders may share one."""
    return sa.and_(
        receipt.c.receiver_id == line.c.buyer_id,
        receipt.c.supplier_id == line.c.supplier_id,
        receipt.c.po_number == line.c.po_number,
        receipt.c.po_line_no == line.c.line_no,
    )


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """The value without trailing zeros, never in exponent form."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


Pair = tuple[str, str]
Triple = tuple[str, str, str]


def get_latest_stock(
    conn: Connection,
    vis: Visible,
    *,
    holders: Iterable[str] | None = None,
    materials: Iterable[str] | None = None,
    site: str | None = None,
    until: date | None = None,
) -> dict[Pair, tuple[Decimal, date]]:
    """Per (holder, material): on hand at each site's latest visible count (of `site` only, and
    on or before `until`, when given), summed over sites, and the newest of those counts' dates."""
    view, where = vis["inventory_snapshot"]
    narrow = [where]
    if holders is not None:
        narrow.append(view.c.partner_id.in_(set(holders)))
    if materials is not None:
        narrow.append(view.c.material_code.in_(set(materials)))
    if site is not None:
        narrow.append(view.c.site_id == site)
    if until is not None:
        narrow.append(view.c.snapshot_date <= until)
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


def _open_orders(
    conn: Connection, vis: Visible, triples: set[Triple]
) -> dict[Triple, tuple[Decimal, int]]:
    """Per (buyer, supplier, material): quantity and number of open visible order lines."""
    view, where = vis["purchase_order"]
    result = conn.execute(
        sa.select(
            view.c.buyer_id,
            view.c.supplier_id,
            view.c.material_code,
            sa.func.coalesce(sa.func.sum(view.c.quantity), 0),
            sa.func.count(),
        )
        .where(
            where,
            view.c.buyer_id.in_({b for b, _, _ in triples}),
            view.c.supplier_id.in_({s for _, s, _ in triples}),
            view.c.material_code.in_({m for _, _, m in triples}),
            view.c.line_status.in_(OPEN_LINE_STATUSES),
        )
        .group_by(view.c.buyer_id, view.c.supplier_id, view.c.material_code)
    )
    return {
        (b, s, m): (plain_decimal(Decimal(quantity)) or Decimal(0), lines)
        for b, s, m, quantity, lines in result
    }


def get_demand_lines(vis: Visible, buyers: Iterable[str], materials: Iterable[str]) -> sa.Subquery:
    """The visible forecast lines of `buyers` for `materials` (buyer, material, site_id,
    forecast_date, period_start, bucket, quantity): the materials' own lines plus the lines of
    products whose bill of materials (one level) uses them, scaled by quantity per and scrap."""
    view, where = vis["demand_forecast"]
    bom = current_view("bom")
    buyers, materials = set(buyers), set(materials)
    per_unit = bom.c.quantity_per * (1 + bom.c.scrap_rate) / bom.c.base_quantity
    direct = sa.select(
        view.c.issuer_id.label("buyer"),
        view.c.material_code.label("material"),
        view.c.site_id,
        view.c.forecast_date,
        view.c.period_start,
        view.c.bucket,
        view.c.quantity.label("quantity"),
    ).where(where, view.c.issuer_id.in_(buyers), view.c.material_code.in_(materials))
    through_bom = (
        sa.select(
            view.c.issuer_id.label("buyer"),
            bom.c.component_code.label("material"),
            view.c.site_id,
            view.c.forecast_date,
            view.c.period_start,
            view.c.bucket,
            (view.c.quantity * per_unit).label("quantity"),
        )
        .select_from(
            view.join(
                bom,
                sa.and_(
                    bom.c.owner_id == view.c.issuer_id, bom.c.parent_code == view.c.material_code
                ),
            )
        )
        .where(
            where,
            view.c.issuer_id.in_(buyers),
            bom.c.component_code.in_(materials),
            view.c.material_code != bom.c.component_code,
        )
    )
    return sa.union_all(direct, through_bom).subquery()


def _forecasts(conn: Connection, vis: Visible, pairs: set[Pair]) -> dict[Pair, tuple[Any, Any]]:
    """Per (buyer, material): the material's demand in the buyer's latest visible forecast,
    its own lines plus the lines of products whose bill of materials (one level) uses it."""
    buyers, materials = {b for b, _ in pairs}, {m for _, m in pairs}
    demand = get_demand_lines(vis, buyers, materials)
    ranked = sa.select(
        demand,
        sa.func.max(demand.c.forecast_date)
        .over(partition_by=(demand.c.buyer, demand.c.material))
        .label("latest"),
    ).subquery()
    result = conn.execute(
        sa.select(
            ranked.c.buyer,
            ranked.c.material,
            sa.cast(sa.func.sum(ranked.c.quantity), sa.Numeric(18, 6)),
            sa.func.max(ranked.c.latest),
        )
        .where(ranked.c.forecast_date == ranked.c.latest)
        .group_by(ranked.c.buyer, ranked.c.material)
    )
    return {(b, m): (plain_decimal(total), latest) for b, m, total, latest in result}


def _receipts(
    conn: Connection, vis: Visible, triples: set[Triple]
) -> dict[Triple, list[ReceiptLine]]:
    """Per (buyer, supplier, material): its most recent visible receipt lines."""
    view, where = vis["goods_receipt"]
    ranked = (
        sa.select(
            view.c.receiver_id,
            view.c.supplier_id,
            view.c.material_code,
            view.c.receipt_number,
            view.c.receipt_date,
            view.c.lot_number,
            view.c.received_quantity,
            view.c.unit,
            sa.func.row_number()
            .over(
                partition_by=(view.c.receiver_id, view.c.supplier_id, view.c.material_code),
                order_by=(
                    view.c.receipt_date.desc(),
                    view.c.receipt_number.desc(),
                    view.c.line_no,
                ),
            )
            .label("rank"),
        )
        .where(
            where,
            view.c.receiver_id.in_({b for b, _, _ in triples}),
            view.c.supplier_id.in_({s for _, s, _ in triples}),
            view.c.material_code.in_({m for _, _, m in triples}),
        )
        .subquery()
    )
    rows = conn.execute(
        sa.select(ranked).where(ranked.c.rank <= RECENT_RECEIPTS).order_by(ranked.c.rank)
    ).mappings()
    receipts: dict[Triple, list[ReceiptLine]] = {}
    for r in rows:
        triple = (r["receiver_id"], r["supplier_id"], r["material_code"])
        receipts.setdefault(triple, []).append(
            ReceiptLine.model_validate(
                {**r, "received_quantity": plain_decimal(r["received_quantity"])}
            )
        )
    return receipts


def _lines(
    conn: Connection, principal: Principal, vis: Visible, party_field: str, only: OverviewFilter
) -> list[OverviewLine]:
    """The lines of one side, in a fixed number of queries whatever their number."""
    view, where = vis["purchase_order"]
    narrow = [where, view.c[party_field] == principal.partner_id]
    if only.partner_id is not None:
        narrow.append(
            sa.or_(view.c.buyer_id == only.partner_id, view.c.supplier_id == only.partner_id)
        )
    if only.material is not None:
        narrow.append(view.c.material_code == only.material)
    if only.site is not None:
        narrow.append(view.c.ship_to_site == only.site)
    triples: list[Triple] = [
        (buyer, supplier, material)
        for buyer, supplier, material in conn.execute(
            sa.select(view.c.buyer_id, view.c.supplier_id, view.c.material_code)
            .distinct()
            .where(*narrow)
            .order_by(view.c.material_code, view.c.buyer_id, view.c.supplier_id)
        )
    ]
    if not triples:
        return []
    pairs = {(b, m) for b, _, m in triples}
    stocks = get_latest_stock(
        conn, vis, holders={b for b, _ in pairs}, materials={m for _, m in pairs}
    )
    orders = _open_orders(conn, vis, set(triples))
    forecasts = _forecasts(conn, vis, pairs)
    receipts = _receipts(conn, vis, set(triples))
    lines = []
    for buyer, supplier, material in triples:
        on_hand, stock_date = stocks.get((buyer, material), (None, None))
        quantity, count = orders.get((buyer, supplier, material), (Decimal(0), 0))
        forecast, forecast_date = forecasts.get((buyer, material), (None, None))
        lines.append(
            OverviewLine(
                material_code=material,
                buyer_id=buyer,
                supplier_id=supplier,
                on_hand=plain_decimal(on_hand),
                stock_date=stock_date,
                open_order_quantity=quantity,
                open_order_lines=count,
                forecast_quantity=forecast,
                forecast_date=forecast_date,
                recent_receipts=receipts.get((buyer, supplier, material), []),
            )
        )
    return lines


@dataclass(frozen=True)
class OverviewFilter:
    """The order lines a partner's view is narrowed to: with a partner (buyer or supplier), of a
    material, shipped to a site."""

    partner_id: str | None = None
    material: str | None = None
    site: str | None = None


def get_overview(
    *, conn: Connection, principal: Principal, today: date, only: OverviewFilter | None = None
) -> Overview:
    """The caller's view of what it supplies and what it buys (of the order lines within
    `only`); empty for the hub admin."""
    only = only or OverviewFilter()
    if principal.partner_id is None:
        return Overview(partner_id=None, supplied=[], purchased=[])
    vis = get_visible_views(conn, principal, today)
    partner_id = principal.partner_id
    # What the view reads: the partner's own lines among the rows each clause lets it see.
    reads = [
        get_statement_text(conn=conn, statement=sa.select(view).where(clause))
        for view, clause in vis.values()
    ]
    return get_kept_answer(
        conn=conn,
        query="\n".join(["kpi.overview", partner_id, repr(only), *reads]),
        compute=lambda: Overview(
            partner_id=partner_id,
            supplied=_lines(conn, principal, vis, "supplier_id", only),
            purchased=_lines(conn, principal, vis, "buyer_id", only),
        ),
    )
