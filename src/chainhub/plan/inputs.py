"""What the MRP reads, as Polars frames: demand, BOMs, lead times, stock, open orders, quotas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.models import partner_accounts
from chainhub.errors import ChainhubError
from chainhub.forecast.models import (
    forecast_node_values,
    forecast_nodes,
    forecast_runs,
    forecast_values,
)
from chainhub.partners.visibility import CANCELLED
from chainhub.plan.mrp import DAYS_PER_WEEK, to_weeks
from chainhub.plan.schemas import DemandSource
from chainhub.storage.models import current_view

CLOSED_LINES = (CANCELLED, "delivered")


def _frame(rows: Sequence[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows as a frame; decimals become floats (the plan's arithmetic is in floats)."""
    data = [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]
    return pl.DataFrame(data, schema=schema, orient="row")


def get_chain_leader(*, conn: Connection) -> str:
    """The designated chain leader, who plans for the chain when the hub admin asks."""
    leader = conn.execute(
        sa.select(partner_accounts.c.partner_id)
        .where(partner_accounts.c.chain_leader.is_(True))
        .order_by(partner_accounts.c.partner_id)
        .limit(1)
    ).scalar_one_or_none()
    if leader is None:
        raise ChainhubError(
            "no_chain_leader",
            "no chain leader is designated: name the customer to plan for",
            "尚未指定链主：请指明要为哪个客户做计划",
            {"field": "customer_id"},
            422,
        )
    return str(leader)


def get_run_material_demand(*, conn: Connection, run_id: str) -> list[Any]:
    """A run's forecast per material and period: the reconciled (coherent) material nodes of
    its hierarchy, the one number the OEM and its suppliers see; for a run stored without a
    hierarchy, its series' base forecasts summed."""
    nodes, values = forecast_nodes, forecast_node_values
    reconciled = conn.execute(
        sa.select(nodes.c.material_code, values.c.period_start, values.c.quantity)
        .select_from(
            values.join(
                nodes,
                sa.and_(
                    nodes.c.run_id == values.c.run_id,
                    nodes.c.level == values.c.level,
                    nodes.c.node == values.c.node,
                ),
            )
        )
        .where(values.c.run_id == run_id, values.c.level == "material")
    ).all()
    if reconciled:
        return list(reconciled)
    base = forecast_values
    return list(
        conn.execute(
            sa.select(base.c.material_code, base.c.period_start, base.c.quantity).where(
                base.c.run_id == run_id
            )
        ).all()
    )


def get_independent_demand(
    *, conn: Connection, customer_id: str, grid: pl.DataFrame
) -> tuple[pl.DataFrame, DemandSource, str | None]:
    """What the customer sells, per material and week: the hub's latest forecast run (its
    reconciled material totals, see `get_run_material_demand`), or where there is none, the
    customer's own issued forecasts (for each material and period, the line of the latest
    forecast)."""
    schema: dict[str, pl.DataType] = {
        "material_code": pl.String(),
        "day": pl.Date(),
        "quantity": pl.Float64(),
    }
    latest = sa.select(sa.func.max(forecast_runs.c.version)).scalar_subquery()
    run = conn.execute(
        sa.select(forecast_runs.c.run_id, forecast_runs.c.version).where(
            forecast_runs.c.version == latest
        )
    ).first()
    if run is not None:
        frame = _frame(get_run_material_demand(conn=conn, run_id=run.run_id), schema)
        return to_weeks(frame, grid, clamp_early=False), DemandSource.FORECAST_RUN, str(run.version)
    view = current_view("demand_forecast")
    issued_rows = conn.execute(
        sa.select(
            view.c.material_code, view.c.period_start, view.c.quantity, view.c.forecast_date
        ).where(view.c.issuer_id == customer_id)
    ).all()
    issued = pl.DataFrame(
        [(r[0], r[1], float(r[2]), r[3]) for r in issued_rows],
        schema={**schema, "forecast_date": pl.Date()},
        orient="row",
    )
    if issued.is_empty():
        return (
            to_weeks(pl.DataFrame(schema=schema), grid, clamp_early=False),
            DemandSource.NONE,
            None,
        )
    newest = (
        issued.sort("forecast_date").group_by("material_code", "day").agg(pl.col("quantity").last())
    )
    return to_weeks(newest, grid, clamp_early=False), DemandSource.DEMAND_FORECAST, None


def get_bom(*, conn: Connection, customer_id: str, today: date) -> pl.DataFrame:
    """The customer's bills of materials in force: one row per parent and component."""
    bom = current_view("bom")
    rows = conn.execute(
        sa.select(
            bom.c.parent_code,
            bom.c.component_code,
            bom.c.quantity_per,
            bom.c.base_quantity,
            bom.c.scrap_rate,
        ).where(bom.c.owner_id == customer_id, bom.c.valid_from <= today)
    ).all()
    return pl.DataFrame(
        [(r[0], r[1], float(r[2]), float(r[3]), float(r[4])) for r in rows],
        schema={
            "parent_code": pl.String,
            "component_code": pl.String,
            "quantity_per": pl.Float64,
            "base_quantity": pl.Float64,
            "scrap_rate": pl.Float64,
        },
        orient="row",
    )


def get_lead_weeks(*, conn: Connection) -> pl.DataFrame:
    """Each material's lead time in whole weeks, rounded up (a part due in 8 days is ordered
    two weeks ahead); no lead time counts as none."""
    material = current_view("material")
    rows = conn.execute(
        sa.select(material.c.material_code, material.c.lead_time_days).where(
            material.c.lead_time_days.is_not(None)
        )
    ).all()
    return _frame(rows, {"material_code": pl.String(), "days": pl.Int64()}).select(
        "material_code",
        ((pl.col("days") + DAYS_PER_WEEK - 1) // DAYS_PER_WEEK).cast(pl.Int32).alias("lead_weeks"),
    )


def get_stock(*, conn: Connection, customer_id: str) -> pl.DataFrame:
    """Usable stock per material: on hand less blocked, at each of the customer's sites as of
    its latest snapshot."""
    view = current_view("inventory_snapshot")
    latest = (
        sa.select(view.c.site_id, sa.func.max(view.c.snapshot_date).label("day"))
        .where(view.c.partner_id == customer_id)
        .group_by(view.c.site_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            view.c.material_code,
            sa.func.sum(view.c.quantity_on_hand - view.c.quantity_blocked),
        )
        .join(
            latest,
            sa.and_(latest.c.site_id == view.c.site_id, latest.c.day == view.c.snapshot_date),
        )
        .where(view.c.partner_id == customer_id)
        .group_by(view.c.material_code)
    ).all()
    return pl.DataFrame(
        [(r[0], float(r[1])) for r in rows],
        schema={"material_code": pl.String, "on_hand": pl.Float64},
        orient="row",
    )


def _orders(conn: Connection, customer_id: str) -> pl.DataFrame:
    orders = current_view("purchase_order")
    rows = conn.execute(
        sa.select(
            orders.c.po_number,
            orders.c.line_no,
            orders.c.supplier_id,
            orders.c.material_code,
            orders.c.quantity,
            orders.c.confirmed_quantity,
            sa.func.coalesce(orders.c.confirmed_date, orders.c.requested_date),
            orders.c.line_status,
        ).where(
            orders.c.buyer_id == customer_id,
            sa.func.coalesce(orders.c.status, "") != CANCELLED,
        )
    ).all()
    return pl.DataFrame(
        [
            (r[0], r[1], r[2], r[3], float(r[4]), None if r[5] is None else float(r[5]), r[6], r[7])
            for r in rows
        ],
        schema={
            "po_number": pl.String,
            "line_no": pl.Int64,
            "supplier_id": pl.String,
            "material_code": pl.String,
            "quantity": pl.Float64,
            "confirmed": pl.Float64,
            "day": pl.Date,
            "line_status": pl.String,
        },
        orient="row",
    )


def get_open_orders(
    *, conn: Connection, customer_id: str, grid: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The customer's open purchase-order quantities per supplier, material and week due (the
    confirmed quantity and date where given, less what was received against the line; overdue
    ones in week 1), and each supplier's share of each material (of all quantities ordered)."""
    orders = _orders(conn, customer_id)
    receipts = current_view("goods_receipt")
    received = _frame(
        conn.execute(
            sa.select(
                receipts.c.supplier_id,
                receipts.c.po_number,
                receipts.c.po_line_no,
                sa.func.sum(receipts.c.received_quantity),
            )
            .where(receipts.c.receiver_id == customer_id, receipts.c.po_number.is_not(None))
            .group_by(receipts.c.supplier_id, receipts.c.po_number, receipts.c.po_line_no)
        ).all(),
        {
            "supplier_id": pl.String(),
            "po_number": pl.String(),
            "line_no": pl.Int64(),
            "received": pl.Float64(),
        },
    )
    # The receipt's receiver is the customer, the buyer of every line here: the join of
    # kpi.overview.receipt_fills_line on its three other keys.
    open_lines = (
        orders.filter(~pl.col("line_status").fill_null("").is_in(CLOSED_LINES))
        .join(received, on=["supplier_id", "po_number", "line_no"], how="left")
        .select(
            "supplier_id",
            "material_code",
            "day",
            (pl.coalesce("confirmed", "quantity") - pl.col("received").fill_null(0.0))
            .clip(lower_bound=0.0)
            .alias("quantity"),
        )
        .filter(pl.col("quantity") > 0)
    )
    quotas = (
        orders.filter(pl.col("line_status").fill_null("") != CANCELLED)
        .group_by("supplier_id", "material_code")
        .agg(pl.col("quantity").sum())
        .with_columns(
            (pl.col("quantity") / pl.col("quantity").sum().over("material_code")).alias("share")
        )
        .select("supplier_id", "material_code", "share")
    )
    return to_weeks(open_lines, grid, clamp_early=True), quotas
