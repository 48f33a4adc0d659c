"""Chain-level aggregates shown on the dashboard."""

from __future__ import annotations

import ibis
import polars as pl
from sqlalchemy import Connection

from chainhub.kpi.backend import ibis_for

_FLOWS = (
    ("purchase_order", "order_date", "quantity"),
    ("shipment", "ship_date", "quantity"),
    ("goods_receipt", "receipt_date", "received_quantity"),
    ("sales_order", "order_date", "quantity"),
)


def list_monthly_flows(*, conn: Connection) -> pl.DataFrame:
    """Lines per month of orders, shipments, receipts and sales (current versions)."""
    backend = ibis_for(conn)
    parts = []
    for doc_type, date_col, _qty in _FLOWS:
        t = backend.table(f"current_{doc_type}")
        month = t[date_col].truncate("M").name("month")
        parts.append(
            t.group_by(month).aggregate(lines=t.count()).mutate(flow=ibis.literal(doc_type))
        )
    expr = ibis.union(*parts).order_by(["flow", "month"])
    return pl.from_arrow(expr.to_pyarrow())  # type: ignore[return-value]


def list_partners_by_role(*, conn: Connection) -> pl.DataFrame:
    """Partners with their roles, tier and city, leaders first."""
    t = ibis_for(conn).table("current_partner")
    expr = t.select("partner_id", "name_zh", "name_en", "roles", "tier", "city").order_by(
        ["tier", "partner_id"]
    )
    return pl.from_arrow(expr.to_pyarrow())  # type: ignore[return-value]
