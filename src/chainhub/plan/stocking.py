"""What inventory policies, buffers and VMI proposals read, per material and site of one
customer: the MRP's demand split over the sites, its spread, lead times and their spread from
receipts, stock, open orders, supplier-managed materials and the capacity suppliers have left.

A what-if (`Scenario`) changes these inputs before anything is planned; nothing is stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from statistics import NormalDist
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.forecast.models import forecast_runs, forecast_values
from chainhub.kpi.overview import receipt_fills_line
from chainhub.partners.agreements import list_active_grants
from chainhub.partners.schemas import ScopeKind
from chainhub.partners.visibility import CANCELLED
from chainhub.plan import inputs
from chainhub.plan.mrp import (
    DAYS_PER_WEEK,
    first_monday,
    low_level_codes,
    run_mrp,
    supplier_demand,
    to_weeks,
    week_grid,
)
from chainhub.storage.models import current_view

KEYS: Final = ["material_code", "site_id"]
# The customer's stock a supplier must see to manage it: the VMI agreement's document type.
VMI_TYPE: Final = "inventory_snapshot"
# A run's interval coverage (%) when its parameters do not say.
DEFAULT_LEVEL: Final = 80
# Days a proposal is ordered ahead of its delivery when neither purchasing terms, the material
# nor any receipt gives a lead time (the cautious side for an order date: two weeks).
DEFAULT_ORDER_LEAD_DAYS: Final = 14
TERMS: Final = "purchasing_terms"
_F, _S, _D = pl.Float64(), pl.String(), pl.Date()


@dataclass(frozen=True)
class Scenario:
    """A what-if applied to the inputs: demand times a factor, lead times replaced per
    material (days), capacity times a factor."""

    demand_factor: float = 1.0
    lead_time_days: dict[str, int] = field(default_factory=dict)
    capacity_factor: float = 1.0


@dataclass(frozen=True)
class Stocking:
    """One customer's inputs per material and site, as frames.

    items: material_code, site_id, adu, sigma_day, sigma_source, lead_days, lead_source, lead_sd,
    on_hand, on_order, moq, order_multiple;
    weeks: material_code, site_id, week_no, week_start, demand, receipts;
    vmi: material_code, site_id, supplier_id (the supplier managing it);
    served / available: the capacity groups of those suppliers (see `vmi.propose`);
    demand: each supplier's weekly demand from this plan (see `mrp.supplier_demand`);
    order_leads: supplier_id, material_code, order_lead_days, lead_source (see `order_leads`).
    """

    customer_id: str
    grid: pl.DataFrame
    items: pl.DataFrame
    weeks: pl.DataFrame
    vmi: pl.DataFrame
    served: pl.DataFrame
    available: pl.DataFrame
    demand: pl.DataFrame
    order_leads: pl.DataFrame


def _frame(rows: Sequence[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    data = [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]
    return pl.DataFrame(data, schema=schema, orient="row")


def get_site_shares(*, conn: Connection, customer_id: str) -> pl.DataFrame:
    """Which of the customer's sites each material is kept at, with the share of its demand:
    the share of what was ordered to each site; for a material never ordered, the sites that
    hold it, evenly; otherwise the customer's first site.

    Returns material_code, site_id, share; and a row with material_code null for the default.
    """
    orders, stock, site = (current_view(n) for n in ("purchase_order", VMI_TYPE, "site"))
    ordered = _frame(
        conn.execute(
            sa.select(orders.c.material_code, orders.c.ship_to_site, sa.func.sum(orders.c.quantity))
            .where(
                orders.c.buyer_id == customer_id,
                sa.func.coalesce(orders.c.line_status, "") != CANCELLED,
            )
            .group_by(orders.c.material_code, orders.c.ship_to_site)
        ).all(),
        {"material_code": _S, "site_id": _S, "quantity": _F},
    ).with_columns(pl.col("quantity") / pl.col("quantity").sum().over("material_code"))
    held = _frame(
        conn.execute(
            sa.select(stock.c.material_code, stock.c.site_id)
            .where(stock.c.partner_id == customer_id)
            .distinct()
        ).all(),
        {"material_code": _S, "site_id": _S},
    ).join(ordered.select("material_code"), on="material_code", how="anti")
    held = held.with_columns((1.0 / pl.len().over("material_code")).alias("quantity"))
    first = conn.execute(
        sa.select(sa.func.min(site.c.site_id)).where(site.c.partner_id == customer_id)
    ).scalar_one_or_none()
    default = pl.DataFrame(
        {"material_code": [None], "site_id": [first or ""], "quantity": [1.0]},
        schema={"material_code": _S, "site_id": _S, "quantity": _F},
    )
    return pl.concat([ordered, held, default]).rename({"quantity": "share"})


def _split(frame: pl.DataFrame, shares: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Per-material rows of `frame` split over the material's sites by share."""
    known = shares.filter(pl.col("material_code").is_not_null())
    default = shares.filter(pl.col("material_code").is_null()).drop("material_code")
    sited = frame.join(known, on="material_code")
    unsited = frame.join(known.select("material_code").unique(), on="material_code", how="anti")
    return pl.concat(
        [sited, unsited.join(default, how="cross").select(sited.columns)]
    ).with_columns(*(pl.col(c) * pl.col("share") for c in columns))


def get_site_stock(*, conn: Connection, customer_id: str) -> pl.DataFrame:
    """Usable stock (on hand less blocked) per material and site, of each site's latest count."""
    view = current_view(VMI_TYPE)
    latest = (
        sa.select(view.c.site_id, sa.func.max(view.c.snapshot_date).label("day"))
        .where(view.c.partner_id == customer_id)
        .group_by(view.c.site_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            view.c.material_code,
            view.c.site_id,
            sa.func.sum(view.c.quantity_on_hand - sa.func.coalesce(view.c.quantity_blocked, 0)),
        )
        .join(
            latest,
            sa.and_(latest.c.site_id == view.c.site_id, latest.c.day == view.c.snapshot_date),
        )
        .where(view.c.partner_id == customer_id)
        .group_by(view.c.material_code, view.c.site_id)
    ).all()
    return _frame(rows, {"material_code": _S, "site_id": _S, "on_hand": _F})


def get_site_orders(*, conn: Connection, customer_id: str, grid: pl.DataFrame) -> pl.DataFrame:
    """Open purchase-order quantities per supplier, material, site and week due (confirmed
    quantity and date where given, less what was received; overdue ones in week 1)."""
    orders, receipts = current_view("purchase_order"), current_view("goods_receipt")
    keys = (receipts.c.receiver_id, receipts.c.supplier_id, receipts.c.po_number)
    received = (
        sa.select(
            *keys,
            receipts.c.po_line_no,
            sa.func.sum(receipts.c.received_quantity).label("received"),
        )
        .where(receipts.c.receiver_id == customer_id, receipts.c.po_number.is_not(None))
        .group_by(*keys, receipts.c.po_line_no)
        .subquery()
    )
    rest = sa.func.coalesce(orders.c.confirmed_quantity, orders.c.quantity) - sa.func.coalesce(
        received.c.received, 0
    )
    rows = conn.execute(
        sa.select(
            orders.c.supplier_id,
            orders.c.material_code,
            orders.c.ship_to_site,
            sa.func.coalesce(orders.c.confirmed_date, orders.c.requested_date),
            rest,
        )
        .select_from(orders.outerjoin(received, receipt_fills_line(received, orders)))
        .where(
            orders.c.buyer_id == customer_id,
            sa.func.coalesce(orders.c.status, "") != CANCELLED,
            sa.func.coalesce(orders.c.line_status, "").not_in(inputs.CLOSED_LINES),
            rest > 0,
        )
    ).all()
    frame = _frame(
        rows,
        {"supplier_id": _S, "material_code": _S, "site_id": _S, "day": _D, "quantity": _F},
    )
    return to_weeks(frame, grid, clamp_early=True)


def get_purchasing_terms(*, conn: Connection, customer_id: str) -> pl.DataFrame:
    """The customer's purchasing terms per supplier and material: supplier_id, material_code,
    moq, order_multiple, terms_lead (days; nulls where the terms do not say)."""
    view = current_view(TERMS)
    rows = conn.execute(
        sa.select(
            view.c.supplier_id,
            view.c.material_code,
            view.c.minimum_order_quantity,
            view.c.order_multiple,
            view.c.lead_time_days,
        ).where(view.c.buyer_id == customer_id)
    ).all()
    return _frame(
        rows,
        {
            "supplier_id": _S,
            "material_code": _S,
            "moq": _F,
            "order_multiple": _F,
            "terms_lead": _F,
        },
    )


def get_lead_times(*, conn: Connection, customer_id: str, terms: pl.DataFrame) -> pl.DataFrame:
    """Each material's lead time in days, where it comes from, and its spread: the longest
    lead time of the customer's purchasing terms for it, else the material's lead_time_days,
    else the mean observed from order to receipt on the customer's receipts, else 0 (source
    "none"); the spread is the standard deviation observed (0 with fewer than two)."""
    material, orders, receipts = (
        current_view(n) for n in ("material", "purchase_order", "goods_receipt")
    )
    observed = _frame(
        conn.execute(
            sa.select(orders.c.material_code, orders.c.order_date, receipts.c.receipt_date)
            .join(receipts, receipt_fills_line(receipts, orders))
            .where(orders.c.buyer_id == customer_id)
            .distinct()
        ).all(),
        {"material_code": _S, "ordered": _D, "received": _D},
    )
    spread = (
        observed.with_columns((pl.col("received") - pl.col("ordered")).dt.total_days().alias("d"))
        .group_by("material_code")
        .agg(pl.col("d").mean().alias("observed"), pl.col("d").std().fill_null(0.0).alias("sd"))
    )
    master = _frame(
        conn.execute(sa.select(material.c.material_code, material.c.lead_time_days)).all(),
        {"material_code": _S, "master": pl.Int64()},
    )
    agreed = terms.group_by("material_code").agg(pl.col("terms_lead").max().alias("agreed"))
    source = (
        pl.when(pl.col("agreed").is_not_null())
        .then(pl.lit("terms"))
        .when(pl.col("master").is_not_null())
        .then(pl.lit("material"))
        .when(pl.col("observed").is_not_null())
        .then(pl.lit("observed"))
        .otherwise(pl.lit("none"))
    )
    return (
        master.join(spread, on="material_code", how="full", coalesce=True)
        .join(agreed, on="material_code", how="full", coalesce=True)
        .with_columns(
            pl.coalesce("agreed", pl.col("master").cast(_F), "observed", pl.lit(0.0)).alias(
                "lead_days"
            ),
            source.alias("lead_source"),
            pl.col("sd").fill_null(0.0).fill_nan(0.0).alias("lead_sd"),
        )
        .select("material_code", "lead_days", "lead_source", "lead_sd")
    )


def order_leads(leads: pl.DataFrame, terms: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Days ahead of its delivery each (supplier, material) pair in `pairs` is ordered, and
    from where: a what-if's lead time, else the supplier's purchasing terms, else the
    material's lead time (`leads`), else DEFAULT_ORDER_LEAD_DAYS ("default"). Whole days: a
    part of a day counts as a day."""
    own = terms.filter(pl.col("terms_lead").is_not_null()).select(
        "supplier_id", "material_code", "terms_lead"
    )
    known = leads.filter(pl.col("lead_source") != "none")
    what_if = pl.col("lead_source") == "what_if"
    by_terms = pl.col("terms_lead").is_not_null() & ~what_if.fill_null(False)
    return (
        pairs.select("supplier_id", "material_code")
        .unique()
        .join(own, on=["supplier_id", "material_code"], how="left")
        .join(known, on="material_code", how="left")
        .select(
            "supplier_id",
            "material_code",
            pl.when(by_terms)
            .then("terms_lead")
            .otherwise(pl.col("lead_days").fill_null(float(DEFAULT_ORDER_LEAD_DAYS)))
            .ceil()
            .cast(pl.Int64)
            .alias("order_lead_days"),
            pl.when(by_terms)
            .then(pl.lit("terms"))
            .otherwise(pl.col("lead_source").fill_null("default"))
            .alias("lead_source"),
        )
        .sort("supplier_id", "material_code")
    )


def lot_terms(keys: pl.DataFrame, vmi: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """The minimum order quantity (0: none) and order multiple (null: none) of each material
    and site in `keys`: the terms of the supplier managing it, else of the first supplier by
    id with terms for the material."""
    lots = terms.select("supplier_id", "material_code", "moq", "order_multiple")
    first = (
        lots.sort("supplier_id")
        .group_by("material_code", maintain_order=True)
        .first()
        .select("material_code", pl.col("moq").alias("any_moq"), "order_multiple")
        .rename({"order_multiple": "any_multiple"})
    )
    managed = pl.col("supplier_id").is_not_null()
    return (
        keys.select(KEYS)
        .join(vmi.select(*KEYS, "supplier_id"), on=KEYS, how="left")
        .join(lots, on=["supplier_id", "material_code"], how="left")
        .join(first, on="material_code", how="left")
        .select(
            *KEYS,
            pl.when(managed).then("moq").otherwise("any_moq").fill_null(0.0).alias("moq"),
            pl.when(managed)
            .then("order_multiple")
            .otherwise("any_multiple")
            .alias("order_multiple"),
        )
    )


def get_forecast_spread(*, conn: Connection) -> pl.DataFrame:
    """Each forecast material's daily demand spread from the latest run's prediction intervals:
    per period sd = (hi - lo) / (2 z) at the run's level, customers' added as independent,
    averaged over the periods and scaled to a day (sd / sqrt(days in the period))."""
    run = conn.execute(
        sa.select(forecast_runs.c.run_id, forecast_runs.c.bucket, forecast_runs.c.parameters)
        .order_by(forecast_runs.c.version.desc())
        .limit(1)
    ).first()
    schema: dict[str, pl.DataType] = {"material_code": _S, "sigma_day": _F}
    if run is None:
        return pl.DataFrame(schema=schema)
    level = float(json.loads(run.parameters).get("level", DEFAULT_LEVEL))
    z = NormalDist().inv_cdf(0.5 + level / 200)
    days = DAYS_PER_WEEK if run.bucket == "week" else 1
    values = forecast_values
    rows = conn.execute(
        sa.select(values.c.material_code, values.c.period_start, values.c.lo, values.c.hi).where(
            values.c.run_id == run.run_id, values.c.lo.is_not(None), values.c.hi.is_not(None)
        )
    ).all()
    return (
        _frame(rows, {"material_code": _S, "day": _D, "lo": _F, "hi": _F})
        .group_by("material_code", "day")
        .agg(((pl.col("hi") - pl.col("lo")) / (2 * z)).pow(2).sum().sqrt().alias("sd"))
        .group_by("material_code")
        .agg((pl.col("sd").mean() / math.sqrt(days)).alias("sigma_day"))
    )


def spread_through_bom(sigma: pl.DataFrame, bom: pl.DataFrame) -> pl.DataFrame:
    """Daily spreads of components from their parents', level by level: a component's spread
    is the sum of its parents' times the quantity per (parents taken as moving together, the
    cautious case); a material with its own spread keeps it."""
    if bom.is_empty() or sigma.is_empty():
        return sigma
    levels = low_level_codes(bom, sigma["material_code"])
    per_unit = bom.select(
        "parent_code",
        "component_code",
        (pl.col("quantity_per") / pl.col("base_quantity") / (1 - pl.col("scrap_rate"))).alias("k"),
    )
    known = sigma
    for level in range(1, int(levels["level"].max() or 0) + 1):  # type: ignore[arg-type]
        here = levels.filter(pl.col("level") == level).select("material_code")
        derived = (
            per_unit.join(known, left_on="parent_code", right_on="material_code")
            .group_by("component_code")
            .agg((pl.col("k") * pl.col("sigma_day")).sum().alias("sigma_day"))
            .rename({"component_code": "material_code"})
            .join(here, on="material_code")
            .join(known.select("material_code"), on="material_code", how="anti")
        )
        known = pl.concat([known, derived])
    return known


def _vmi_pairs(
    conn: Connection, customer_id: str, quotas: pl.DataFrame, today: date
) -> pl.DataFrame:
    """(supplier, material) pairs the supplier manages: materials it supplies the customer that
    an agreement in force shares the customer's stock of with it, within the agreement's
    scope. The loop runs over the customer's suppliers, a handful."""
    material = current_view("material")
    categories = _frame(
        conn.execute(sa.select(material.c.material_code, material.c.category)).all(),
        {"material_code": _S, "category": _S},
    )
    found: list[pl.DataFrame] = []
    for supplier in sorted(quotas["supplier_id"].drop_nulls().unique().to_list()):
        supplied = quotas.filter(pl.col("supplier_id") == supplier).select(
            "supplier_id", "material_code", "share"
        )
        for grant in list_active_grants(
            conn=conn, grantee_id=supplier, document_type=VMI_TYPE, today=today
        ):
            if grant.grantor_id != customer_id:
                continue
            if grant.scope_kind is ScopeKind.MATERIALS:
                supplied_here = supplied.filter(pl.col("material_code").is_in(grant.scope_values))
            elif grant.scope_kind is ScopeKind.CATEGORIES:
                in_scope = categories.filter(pl.col("category").is_in(grant.scope_values))
                supplied_here = supplied.join(in_scope.select("material_code"), on="material_code")
            else:
                supplied_here = supplied
            found.append(supplied_here)
    pairs = pl.concat(found).unique() if found else quotas.clear().select(*quotas.columns)
    # A material managed by two suppliers is proposed to the one with the larger share.
    return (
        pairs.sort("share", "supplier_id", descending=[True, False])
        .group_by("material_code", maintain_order=True)
        .first()
        .select("material_code", "supplier_id")
    )


def _capacity(
    conn: Connection, customer_id: str, firm: pl.DataFrame, grid: pl.DataFrame, factor: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The customer's capacity groups: which materials each serves, and per week the actual
    capacity (times `factor`) less the load its suppliers' open orders due that week put on it."""
    view = current_view("capacity_group")
    rows = conn.execute(
        sa.select(
            view.c.supplier_id,
            view.c.capacity_group_id,
            view.c.week_start,
            view.c.actual_capacity,
            view.c.material_code,
            view.c.load_factor,
        ).where(view.c.customer_id == customer_id)
    ).all()
    lines = _frame(
        rows,
        {
            "supplier_id": _S,
            "capacity_group_id": _S,
            "day": _D,
            "actual": _F,
            "material_code": _S,
            "load_factor": _F,
        },
    )
    served = lines.filter(pl.col("material_code").is_not_null()).select(
        "supplier_id", "capacity_group_id", "material_code", pl.col("load_factor").fill_null(1.0)
    )
    weekly = to_weeks(
        lines.filter(pl.col("day").is_not_null()).select(
            "supplier_id", "capacity_group_id", "day", (pl.col("actual") * factor).alias("quantity")
        ),
        grid,
        clamp_early=False,
    )
    load = (
        firm.group_by("supplier_id", "material_code", "week_no")
        .agg(pl.col("quantity").sum())
        .join(served, on=["supplier_id", "material_code"])
        .group_by("supplier_id", "capacity_group_id", "week_no")
        .agg((pl.col("quantity") * pl.col("load_factor")).sum().alias("load"))
    )
    available = weekly.join(
        load, on=["supplier_id", "capacity_group_id", "week_no"], how="left"
    ).select(
        "supplier_id",
        "capacity_group_id",
        "week_no",
        (pl.col("quantity") - pl.col("load").fill_null(0.0)).alias("available"),
    )
    return served, available


def _items(
    plan: pl.DataFrame,
    shares: pl.DataFrame,
    spread: pl.DataFrame,
    leads: pl.DataFrame,
    stock: pl.DataFrame,
    orders: pl.DataFrame,
) -> pl.DataFrame:
    """Per material and site: daily demand and its spread, lead time, stock and on order."""
    days = plan["week_no"].n_unique() * DAYS_PER_WEEK
    per_material = plan.group_by("material_code").agg(
        (pl.col("gross").sum() / days).alias("adu"),
        (pl.col("gross").std(ddof=0) / math.sqrt(DAYS_PER_WEEK)).alias("plan_sd"),
    )
    with_sd = per_material.join(spread, on="material_code", how="left").select(
        "material_code",
        "adu",
        pl.coalesce("sigma_day", "plan_sd").fill_null(0.0).alias("sigma_day"),
        pl.when(pl.col("sigma_day").is_not_null())
        .then(pl.lit("forecast_interval"))
        .otherwise(pl.lit("plan_spread"))
        .alias("sigma_source"),
    )
    on_order = orders.group_by(KEYS).agg(pl.col("quantity").sum().alias("on_order"))
    return (
        _split(with_sd, shares, ["adu", "sigma_day"])
        .drop("share")
        .join(leads, on="material_code", how="left")
        .join(stock, on=KEYS, how="left")
        .join(on_order, on=KEYS, how="left")
        .with_columns(
            pl.col("lead_days").fill_null(0.0),
            pl.col("lead_source").fill_null("none"),
            pl.col("lead_sd").fill_null(0.0),
            pl.col("on_hand").fill_null(0.0),
            pl.col("on_order").fill_null(0.0),
        )
        .sort(KEYS)
    )


def get_stocking(
    *,
    conn: Connection,
    customer_id: str,
    today: date,
    weeks: int,
    scenario: Scenario | None = None,
) -> Stocking:
    """The customer's inputs per material and site over `weeks` ISO weeks from this one, with
    the what-if applied: the MRP (lead times in whole weeks) gives each material's weekly
    demand, split over its sites."""
    scenario = scenario or Scenario()
    grid = week_grid(first_monday(today), weeks)
    independent, _source, _version = inputs.get_independent_demand(
        conn=conn, customer_id=customer_id, grid=grid
    )
    independent = independent.with_columns(pl.col("quantity") * scenario.demand_factor)
    terms = get_purchasing_terms(conn=conn, customer_id=customer_id)
    leads = get_lead_times(conn=conn, customer_id=customer_id, terms=terms)
    if scenario.lead_time_days:
        changed = pl.DataFrame(
            {
                "material_code": list(scenario.lead_time_days),
                "new": [float(d) for d in scenario.lead_time_days.values()],
            },
            schema={"material_code": _S, "new": _F},
        )
        leads = (
            leads.join(changed, on="material_code", how="full", coalesce=True)
            .with_columns(
                pl.coalesce("new", "lead_days").alias("lead_days"),
                pl.when(pl.col("new").is_not_null())
                .then(pl.lit("what_if"))
                .otherwise(pl.col("lead_source"))
                .alias("lead_source"),
            )
            .with_columns(pl.col("lead_sd").fill_null(0.0))
            .drop("new")
        )
    lead_weeks = leads.select(
        "material_code",
        (pl.col("lead_days") / DAYS_PER_WEEK).ceil().cast(pl.Int32).alias("lead_weeks"),
    )
    site_orders = get_site_orders(conn=conn, customer_id=customer_id, grid=grid)
    orders = site_orders.group_by("supplier_id", "material_code", "week_no").agg(
        pl.col("quantity").sum()
    )
    bom = inputs.get_bom(conn=conn, customer_id=customer_id, today=today)
    plan = run_mrp(
        grid=grid,
        independent=independent,
        bom=bom,
        stock=inputs.get_stock(conn=conn, customer_id=customer_id),
        receipts=orders,
        lead=lead_weeks,
    )
    _open, quotas = inputs.get_open_orders(conn=conn, customer_id=customer_id, grid=grid)
    shares = get_site_shares(conn=conn, customer_id=customer_id)
    spread = spread_through_bom(get_forecast_spread(conn=conn), bom).with_columns(
        pl.col("sigma_day") * scenario.demand_factor
    )
    stock = get_site_stock(conn=conn, customer_id=customer_id)
    site_receipts = site_orders.group_by(*KEYS, "week_no").agg(pl.col("quantity").sum())
    items = _items(plan, shares, spread, leads, stock, site_receipts)
    weekly = (
        _split(plan.select("material_code", "week_no", "week_start", "gross"), shares, ["gross"])
        .drop("share")
        .join(site_receipts, on=[*KEYS, "week_no"], how="left")
        .select(
            *KEYS,
            "week_no",
            "week_start",
            pl.col("gross").alias("demand"),
            pl.col("quantity").fill_null(0.0).alias("receipts"),
        )
    )
    served, available = _capacity(conn, customer_id, orders, grid, scenario.capacity_factor)
    vmi = _vmi_pairs(conn, customer_id, quotas, today).join(items.select(KEYS), on="material_code")
    items = items.join(lot_terms(items, vmi, terms), on=KEYS, how="left")
    demand = supplier_demand(plan=plan, receipts=orders, quotas=quotas)
    return Stocking(
        customer_id,
        grid,
        items,
        weekly,
        vmi,
        served,
        available,
        demand,
        order_leads(leads, terms, vmi),
    )
