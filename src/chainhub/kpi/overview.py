"""Each partner's own view: per material it supplies (or buys), the buyer's stock, open orders,
forecast and recent receipts (库存-订单-预测), all read through the visibility service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.kpi.schemas import Overview, OverviewLine, ReceiptLine
from chainhub.partners.visibility import get_visible_clause
from chainhub.storage.models import current_view

OPEN_LINE_STATUSES: Final = ("open", "confirmed", "partially_delivered")
RECENT_RECEIPTS: Final = 5


_TYPES: Final = ("inventory_snapshot", "purchase_order", "demand_forecast", "goods_receipt")
Visible = dict[str, tuple[sa.TableClause, sa.ColumnElement[bool]]]


def _visible(conn: Connection, principal: Principal, today: date) -> Visible:
    """Each type's current view and the caller's visibility clause over it."""
    views = {name: current_view(name) for name in _TYPES}
    return {
        name: (
            view,
            get_visible_clause(
                conn=conn, principal=principal, document_type=name, relation=view, today=today
            ),
        )
        for name, view in views.items()
    }


def _plain(value: Decimal | None) -> Decimal | None:
    """The value without trailing zeros, never in exponent form."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _stock(
    conn: Connection, vis: Visible, buyer: str, material: str
) -> tuple[Decimal | None, date | None]:
    """On-hand stock of the buyer's latest visible snapshot per site, summed over sites."""
    view, where = vis["inventory_snapshot"]
    rows = (
        sa.select(
            view.c.quantity_on_hand,
            view.c.snapshot_date,
            sa.func.max(view.c.snapshot_date).over(partition_by=view.c.site_id).label("latest"),
        )
        .where(where, view.c.partner_id == buyer, view.c.material_code == material)
        .subquery()
    )
    total, latest = conn.execute(
        sa.select(sa.func.sum(rows.c.quantity_on_hand), sa.func.max(rows.c.snapshot_date)).where(
            rows.c.snapshot_date == rows.c.latest
        )
    ).one()
    return _plain(total), latest


def _open_orders(
    conn: Connection, vis: Visible, buyer: str, supplier: str, material: str
) -> tuple[Decimal, int]:
    view, where = vis["purchase_order"]
    quantity, lines = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(view.c.quantity), 0), sa.func.count()).where(
            where,
            view.c.buyer_id == buyer,
            view.c.supplier_id == supplier,
            view.c.material_code == material,
            view.c.line_status.in_(OPEN_LINE_STATUSES),
        )
    ).one()
    return _plain(Decimal(quantity)) or Decimal(0), lines


def _forecast(
    conn: Connection, vis: Visible, buyer: str, material: str
) -> tuple[Decimal | None, date | None]:
    """The material's demand in the buyer's latest visible forecast: its own lines plus the
    lines of products whose bill of materials (one level) uses it."""
    view, where = vis["demand_forecast"]
    bom = current_view("bom")
    joined = view.outerjoin(
        bom,
        sa.and_(
            bom.c.owner_id == buyer,
            bom.c.parent_code == view.c.material_code,
            bom.c.component_code == material,
        ),
    )
    per_unit = bom.c.quantity_per * (1 + bom.c.scrap_rate) / bom.c.base_quantity
    factor = sa.case((view.c.material_code == material, 1), else_=per_unit)
    relevant = sa.and_(
        where,
        view.c.issuer_id == buyer,
        sa.or_(view.c.material_code == material, bom.c.component_code.is_not(None)),
    )
    latest = conn.execute(
        sa.select(sa.func.max(view.c.forecast_date)).select_from(joined).where(relevant)
    ).scalar()
    if latest is None:
        return None, None
    total = conn.execute(
        sa.select(sa.cast(sa.func.sum(view.c.quantity * factor), sa.Numeric(18, 6)))
        .select_from(joined)
        .where(relevant, view.c.forecast_date == latest)
    ).scalar()
    return _plain(total), latest


def _receipts(
    conn: Connection, vis: Visible, buyer: str, supplier: str, material: str
) -> list[ReceiptLine]:
    view, where = vis["goods_receipt"]
    rows = conn.execute(
        sa.select(
            view.c.receipt_number,
            view.c.receipt_date,
            view.c.lot_number,
            view.c.received_quantity,
            view.c.unit,
        )
        .where(
            where,
            view.c.receiver_id == buyer,
            view.c.supplier_id == supplier,
            view.c.material_code == material,
        )
        .order_by(view.c.receipt_date.desc(), view.c.receipt_number.desc(), view.c.line_no)
        .limit(RECENT_RECEIPTS)
    ).mappings()
    return [
        ReceiptLine.model_validate({**r, "received_quantity": _plain(r["received_quantity"])})
        for r in rows
    ]


def _lines(
    conn: Connection, principal: Principal, vis: Visible, party_field: str
) -> list[OverviewLine]:
    view, where = vis["purchase_order"]
    pairs = conn.execute(
        sa.select(view.c.buyer_id, view.c.supplier_id, view.c.material_code)
        .distinct()
        .where(where, view.c[party_field] == principal.partner_id)
        .order_by(view.c.material_code, view.c.buyer_id, view.c.supplier_id)
    ).all()
    lines = []
    for buyer, supplier, material in pairs:
        on_hand, stock_date = _stock(conn, vis, buyer, material)
        quantity, count = _open_orders(conn, vis, buyer, supplier, material)
        forecast, forecast_date = _forecast(conn, vis, buyer, material)
        lines.append(
            OverviewLine(
                material_code=material,
                buyer_id=buyer,
                supplier_id=supplier,
                on_hand=on_hand,
                stock_date=stock_date,
                open_order_quantity=quantity,
                open_order_lines=count,
                forecast_quantity=forecast,
                forecast_date=forecast_date,
                recent_receipts=_receipts(conn, vis, buyer, supplier, material),
            )
        )
    return lines


def get_overview(*, conn: Connection, principal: Principal, today: date) -> Overview:
    """The caller's view of what it supplies and what it buys; empty for the hub admin."""
    if principal.partner_id is None:
        return Overview(partner_id=None, supplied=[], purchased=[])
    vis = _visible(conn, principal, today)
    return Overview(
        partner_id=principal.partner_id,
        supplied=_lines(conn, principal, vis, "supplier_id"),
        purchased=_lines(conn, principal, vis, "buyer_id"),
    )
