"""Inventory policies, DDMRP buffers and VMI replenishment between a customer and the suppliers
managing its stock: the buffer board, proposals and the suppliers' answers (an accepted one
becomes the supplier's purchase order through intake's one write path), and the what-if."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.intake.attempts import IngestResult
from chainhub.intake.service import Submitter, do_submit_records
from chainhub.partners.visibility import (
    WRITER_ROLES,
    check_may_plan_for,
    get_plan_visible_clause,
)
from chainhub.plan import inputs
from chainhub.plan.capacity import group_weeks
from chainhub.plan.ddmrp import buffer_profile, net_flow, qualified_demand, zones
from chainhub.plan.models import plan_proposals
from chainhub.plan.mrp import WEEKS
from chainhub.plan.policy import days_of_supply, inventory_policy
from chainhub.plan.schemas import (
    BufferChange,
    BufferRead,
    BuffersRead,
    LightChange,
    ProjectedWeek,
    ProposalChange,
    ProposalDecision,
    ProposalRead,
    ProposalStatus,
    StockoutChange,
    StockoutRead,
    WhatIfCreate,
    WhatIfRead,
)
from chainhub.plan.service import get_capacity_lines
from chainhub.plan.stocking import KEYS, Scenario, Stocking, get_stocking
from chainhub.plan.vmi import propose
from chainhub.storage.models import current_view

ORDER: Final = "purchase_order"
# Quantities are kept to this many decimals (what the documents carry).
DECIMALS: Final = 3


@dataclass(frozen=True)
class Policy:
    """How buffers are set: the service level and the review period (days)."""

    service_level: float
    review_days: float


@dataclass(frozen=True)
class Replenishment:
    """A customer's buffers, VMI proposals per week and stockouts, as frames."""

    stocking: Stocking
    buffers: pl.DataFrame
    projection: pl.DataFrame
    stockouts: pl.DataFrame


def get_buffers(*, stocking: Stocking, policy: Policy) -> pl.DataFrame:
    """Every material and site's policy levels, DDMRP zones, net flow and days of supply; the
    decoupled lead time is the lead time; the minimum order quantity and order multiple are
    the purchasing terms' (see `stocking.lot_terms`)."""
    items = inventory_policy(
        stocking.items, service_level=policy.service_level, review_days=policy.review_days
    ).with_columns(
        pl.col("lead_days").alias("dlt"),
        pl.lit(policy.review_days).alias("order_cycle"),
    )
    zoned = zones(buffer_profile(items))
    qualified = qualified_demand(zoned, stocking.weeks, KEYS)
    supply = days_of_supply(
        stocking.weeks, stocking.items.select(*KEYS, pl.col("on_hand").alias("opening")), KEYS
    )
    return (
        net_flow(zoned.join(qualified, on=KEYS))
        .join(supply, on=KEYS, how="left")
        .join(stocking.vmi, on=KEYS, how="left")
        .sort("priority", *KEYS, nulls_last=True)
    )


def get_replenishment(
    *,
    conn: Connection,
    customer_id: str,
    today: date,
    policy: Policy,
    scenario: Scenario | None = None,
    weeks: int = WEEKS,
) -> Replenishment:
    """The customer's buffers, the VMI proposals keeping the supplier-managed ones above the
    top of yellow within capacity, each with its order date, and what runs out (days of supply
    without new orders). A stockout counts as avoided when the proposals keep the stock above
    zero and none due by the day it runs out arrives after that day for being late to order."""
    stocking = get_stocking(
        conn=conn, customer_id=customer_id, today=today, weeks=weeks, scenario=scenario
    )
    buffers = get_buffers(stocking=stocking, policy=policy)
    managed = buffers.filter(pl.col("supplier_id").is_not_null())
    projection = ordered_in_time(
        propose(
            weeks=stocking.weeks.join(managed.select(KEYS), on=KEYS),
            buffers=managed.select(
                *KEYS, "supplier_id", "on_hand", "toy", "tog", "moq", "order_multiple"
            ),
            served=stocking.served,
            available=stocking.available,
        ).join(managed.select(*KEYS, "moq", "order_multiple"), on=KEYS, how="left"),
        stocking.order_leads,
        today,
    )
    first = stocking.grid["week_start"][0]
    late = projection.filter(pl.col("late") & (pl.col("quantity") > 0)).select(
        *KEYS, "week_start", "expected_date"
    )
    still_out = (
        projection.filter(pl.col("projected") < 0).select(KEYS).unique().with_columns(short=True)
    )
    stockouts = (
        buffers.filter(pl.col("days_of_supply").is_not_null())
        .select(*KEYS, "supplier_id", pl.col("days_of_supply").alias("days"))
        .join(still_out, on=KEYS, how="left")
        .with_columns(
            (pl.lit(first) + pl.duration(days=pl.col("days").floor().cast(pl.Int64))).alias(
                "runs_out"
            )
        )
    )
    too_late = (
        stockouts.select(*KEYS, "runs_out")
        .join(late, on=KEYS)
        .filter(
            (pl.col("week_start") <= pl.col("runs_out"))
            & (pl.col("expected_date") > pl.col("runs_out"))
        )
        .select(KEYS)
        .unique()
        .with_columns(too_late=True)
    )
    stockouts = (
        stockouts.join(too_late, on=KEYS, how="left")
        .with_columns(
            (
                pl.col("supplier_id").is_not_null()
                & pl.col("short").is_null()
                & pl.col("too_late").is_null()
            ).alias("avoided")
        )
        .drop("short", "too_late")
        .sort("days", *KEYS)
    )
    return Replenishment(stocking, buffers, projection, stockouts)


def ordered_in_time(projection: pl.DataFrame, leads: pl.DataFrame, today: date) -> pl.DataFrame:
    """The projection with each week's order date (its Monday less the supplier's lead time for
    the material), whether that date has passed (late: to expedite), and when a delivery
    ordered today arrives at the earliest (the Monday, or today plus the lead time if later).

    leads: supplier_id, material_code, order_lead_days, lead_source (see `stocking.order_leads`).
    """
    lead = pl.duration(days=pl.col("lead_days"))
    return (
        projection.join(
            leads.rename({"order_lead_days": "lead_days"}),
            on=["supplier_id", "material_code"],
            how="left",
        )
        .with_columns((pl.col("week_start") - lead).alias("order_date"))
        .with_columns(
            (pl.col("order_date") < today).alias("late"),
            pl.max_horizontal(pl.col("week_start"), pl.lit(today) + lead).alias("expected_date"),
        )
    )


def get_projected_zones(found: Replenishment) -> pl.DataFrame:
    """Each buffer's stock at the end of each week with the open orders and no new ones, and
    its zone: out below zero, then red, yellow, green up to their tops, over above green."""
    zone = (
        pl.when(pl.col("projected") < 0)
        .then(pl.lit("out"))
        .when(pl.col("projected") <= pl.col("tor"))
        .then(pl.lit("red"))
        .when(pl.col("projected") <= pl.col("toy"))
        .then(pl.lit("yellow"))
        .when(pl.col("projected") <= pl.col("tog"))
        .then(pl.lit("green"))
        .otherwise(pl.lit("over"))
    )
    return (
        found.stocking.weeks.join(
            found.buffers.select(*KEYS, "supplier_id", "on_hand", "tor", "toy", "tog"), on=KEYS
        )
        .sort(*KEYS, "week_no")
        .with_columns(
            (
                pl.col("on_hand") + (pl.col("receipts") - pl.col("demand")).cum_sum().over(KEYS)
            ).alias("projected")
        )
        .with_columns(zone.alias("zone"))
        .select(*KEYS, "supplier_id", "week_start", "projected", "zone")
    )


def _viewer(
    conn: Connection, principal: Principal, customer_id: str | None
) -> tuple[str, str | None]:
    """The customer planned for (the chain leader's by default, else the caller's own) and the
    supplier the caller sees it as: None for who may plan for the customer (itself, the chain
    leader, the hub admin); a supplier sees only the materials it manages."""
    if customer_id is None:
        try:
            customer_id = inputs.get_chain_leader(conn=conn)
        except ChainhubError:
            if principal.partner_id is None:
                raise
            customer_id = principal.partner_id
    try:
        check_may_plan_for(principal=principal, customer_id=customer_id)
    except ChainhubError:
        if principal.partner_id is None:
            raise
        return customer_id, principal.partner_id
    return customer_id, None


def access_buffers(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    policy: Policy,
    customer_id: str | None = None,
) -> BuffersRead:
    """The buffer board of the customer: every buffer for who plans for it; for a supplier,
    the buffers of the materials it manages there and nothing else."""
    customer, supplier = _viewer(conn, principal, customer_id)
    found = get_replenishment(conn=conn, customer_id=customer, today=today, policy=policy)
    buffers, stockouts = found.buffers, found.stockouts
    projection = get_projected_zones(found)
    if supplier is not None:
        buffers = buffers.filter(pl.col("supplier_id") == supplier)
        stockouts = stockouts.filter(pl.col("supplier_id") == supplier)
        projection = projection.filter(pl.col("supplier_id") == supplier)
    return BuffersRead(
        customer_id=customer,
        first_week=found.stocking.grid["week_start"][0],
        service_level=policy.service_level,
        buffers=[BufferRead.model_validate(r) for r in buffers.iter_rows(named=True)],
        stockouts=[StockoutRead.model_validate(r) for r in stockouts.iter_rows(named=True)],
        projection=[ProjectedWeek.model_validate(r) for r in projection.iter_rows(named=True)],
    )


def _proposed(found: Replenishment, customer: str) -> pl.DataFrame:
    return found.projection.filter(pl.col("quantity") > 0).select(
        pl.lit(customer).alias("customer_id"),
        "supplier_id",
        *KEYS,
        "week_start",
        pl.col("quantity").round(DECIMALS),
        pl.col("shortfall").round(DECIMALS),
        pl.when(pl.col("moq") > 0).then(pl.col("moq")).alias("minimum_order_quantity"),
        "order_multiple",
        "capped",
        "lead_days",
        "lead_source",
        "order_date",
        "expected_date",
        "late",
    )


def access_proposed(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    policy: Policy,
    customer_id: str | None = None,
) -> list[ProposalRead]:
    """The customer's VMI proposals as they would be stored now (a supplier: its own)."""
    customer, supplier = _viewer(conn, principal, customer_id)
    found = _proposed(
        get_replenishment(conn=conn, customer_id=customer, today=today, policy=policy), customer
    )
    if supplier is not None:
        found = found.filter(pl.col("supplier_id") == supplier)
    return [
        ProposalRead(proposal_id=None, status=ProposalStatus.PROPOSED, **r)
        for r in found.iter_rows(named=True)
    ]


def do_store_proposals(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    now: datetime,
    policy: Policy,
    customer_id: str | None = None,
) -> list[ProposalRead]:
    """Compute the customer's VMI proposals and store them in place of its still-open ones
    (accepted and rejected ones stay); the customer, the chain leader or the hub admin."""
    customer, _supplier = _viewer(conn, principal, customer_id)
    check_may_plan_for(principal=principal, customer_id=customer, write=True)
    found = get_replenishment(conn=conn, customer_id=customer, today=today, policy=policy)
    conn.execute(
        plan_proposals.delete().where(
            plan_proposals.c.customer_id == customer,
            plan_proposals.c.status == ProposalStatus.PROPOSED.value,
        )
    )
    rows = [
        {
            **r,
            "proposal_id": str(uuid.uuid4()),
            "status": ProposalStatus.PROPOSED.value,
            "created_at": now,
        }
        for r in _proposed(found, customer).iter_rows(named=True)
    ]
    if rows:
        conn.execute(plan_proposals.insert(), rows)
    return list_proposals(conn=conn, principal=principal, customer_id=customer)


def list_proposals(
    *,
    conn: Connection,
    principal: Principal,
    customer_id: str | None = None,
    supplier_id: str | None = None,
) -> list[ProposalRead]:
    """Stored proposals the caller may see (a supplier: its own), newest week last; an accepted
    one whose purchase order's receipts cover the commitment reads as received."""
    receipts = current_view("goods_receipt")
    received = (
        sa.select(receipts.c.po_number, sa.func.sum(receipts.c.received_quantity).label("received"))
        .where(receipts.c.po_number.is_not(None))
        .group_by(receipts.c.po_number)
        .subquery()
    )
    table = plan_proposals
    where = [
        get_plan_visible_clause(
            principal=principal, customer=table.c.customer_id, supplier=table.c.supplier_id
        )
    ]
    if customer_id is not None:
        where.append(table.c.customer_id == customer_id)
    if supplier_id is not None:
        where.append(table.c.supplier_id == supplier_id)
    rows = conn.execute(
        sa.select(table, sa.func.coalesce(received.c.received, 0).label("received"))
        .select_from(table.outerjoin(received, received.c.po_number == table.c.po_number))
        .where(*where)
        .order_by(table.c.week_start, table.c.supplier_id, table.c.material_code, table.c.site_id)
    ).mappings()
    return [_read(r) for r in rows]


def _read(row: sa.RowMapping) -> ProposalRead:
    """A stored proposal; accepted and covered by receipts against its order, received."""
    proposal = ProposalRead.model_validate({**row, "received": float(row["received"])})
    committed = proposal.committed_quantity
    if (
        proposal.status is ProposalStatus.ACCEPTED
        and committed is not None
        and proposal.received >= committed
    ):
        return proposal.model_copy(update={"status": ProposalStatus.RECEIVED})
    return proposal


def _proposal(conn: Connection, proposal_id: str) -> sa.RowMapping:
    row = (
        conn.execute(sa.select(plan_proposals).where(plan_proposals.c.proposal_id == proposal_id))
        .mappings()
        .first()
    )
    if row is None:
        raise ChainhubError(
            "proposal_not_found",
            f"no replenishment proposal {proposal_id}",
            f"没有补货建议 {proposal_id}",
            {"proposal_id": proposal_id},
            404,
        )
    return row


def _check_may_decide(principal: Principal, row: sa.RowMapping) -> None:
    """Only the proposal's supplier (an admin or member) answers it, once."""
    if principal.partner_id != row["supplier_id"] or principal.role not in WRITER_ROLES:
        raise ChainhubError(
            "forbidden",
            f"only {row['supplier_id']} (an admin or member) answers proposal {row['proposal_id']}",
            f"只有 {row['supplier_id']}（管理员或成员）可以答复补货建议 {row['proposal_id']}",
            status=403,
        )
    if row["status"] != ProposalStatus.PROPOSED.value:
        raise ChainhubError(
            "proposal_decided",
            f"proposal {row['proposal_id']} was {row['status']} already",
            f"补货建议 {row['proposal_id']} 已{row['status']}",
            {"proposal_id": row["proposal_id"], "status": row["status"]},
            409,
        )


def _order_records(
    conn: Connection, row: sa.RowMapping, po_number: str, quantity: float, day: date, today: date
) -> list[dict[str, str | None]]:
    """The supplier's commitment as a purchase order line confirmed for the date."""
    material = current_view("material")
    unit = conn.execute(
        sa.select(material.c.base_unit).where(material.c.material_code == row["material_code"])
    ).scalar_one_or_none()
    amount = format(quantity, f".{DECIMALS}f")
    return [
        {
            "po_number": po_number,
            "revision": "0",
            "buyer_id": row["customer_id"],
            "supplier_id": row["supplier_id"],
            "ship_to_site": row["site_id"],
            "order_date": today.isoformat(),
            "currency": None,
            "status": "confirmed",
            "line_no": "10",
            "material_code": row["material_code"],
            "quantity": amount,
            "unit": unit,
            "unit_price": None,
            # A late proposal's Monday has passed: the order asks for it from the day it is placed.
            "requested_date": max(row["week_start"], today).isoformat(),
            "confirmed_date": day.isoformat(),
            "confirmed_quantity": amount,
            "line_status": "confirmed",
            "cancel_reason": None,
        }
    ]


def _refusal(result: IngestResult) -> tuple[str, str]:
    """The first problems intake found in a refused order, for the refusal's message."""
    if result.validation is None or not result.validation.errors.height:
        return "", ""
    first = result.validation.errors.head(3)
    fields = first.get_column("field").to_list()
    english = zip(fields, first.get_column("message_en"), strict=True)
    chinese = zip(fields, first.get_column("message_zh"), strict=True)
    return (
        " (" + "; ".join(f"{f}: {m}" for f, m in english) + ")",
        "（" + "；".join(f"{f}：{m}" for f, m in chinese) + "）",
    )


def do_decide_proposal(
    *,
    conn: Connection,
    principal: Principal,
    proposal_id: str,
    decision: ProposalDecision,
    today: date,
    now: datetime,
) -> ProposalRead:
    """The supplier accepts (as proposed, or with its own quantity and date) or rejects a
    proposal. Accepted, it becomes the supplier's confirmed purchase order for the customer,
    submitted through intake's one write path (versioned, audited, announced); nothing is
    recorded if intake refuses it."""
    row = _proposal(conn, proposal_id)
    _check_may_decide(principal, row)
    values: dict[str, object] = {"decided_at": now, "decided_by": principal.partner_id}
    if not decision.accept:
        values["status"] = ProposalStatus.REJECTED.value
    else:
        quantity = decision.quantity if decision.quantity is not None else float(row["quantity"])
        # A late proposal cannot arrive on its Monday: by default it is confirmed for when it can.
        day = decision.delivery_date or row["expected_date"] or row["week_start"]
        po_number = f"VMI-{proposal_id[:8].upper()}"
        result = do_submit_records(
            conn=conn,
            document_type=ORDER,
            records=_order_records(conn, row, po_number, quantity, day, today),
            submitter=Submitter(
                partner_id=str(principal.partner_id),
                user_id=principal.user_id,
                token_id=principal.token_id,
                channel="plan",
            ),
            received_at=now,
            source_name=f"vmi-proposal-{proposal_id}",
        )
        if result.status != "stored":
            why_en, why_zh = _refusal(result)
            raise ChainhubError(
                "proposal_refused",
                f"intake refused the purchase order for proposal {proposal_id}: {result.status}"
                f"{why_en}",
                f"补货建议 {proposal_id} 的采购订单未被接收：{result.status}{why_zh}",
                {"proposal_id": proposal_id, "submission_id": result.submission_id or ""},
                422,
            )
        values.update(
            status=ProposalStatus.ACCEPTED.value,
            committed_quantity=quantity,
            committed_date=day,
            po_number=po_number,
        )
    conn.execute(
        plan_proposals.update().where(plan_proposals.c.proposal_id == proposal_id).values(**values)
    )
    return next(
        p
        for p in list_proposals(conn=conn, principal=principal, customer_id=row["customer_id"])
        if p.proposal_id == proposal_id
    )


def _buffer_changes(before: Replenishment, after: Replenishment) -> list[BufferChange]:
    cols = ["zone", "recommended"]
    changed = (
        before.buffers.select(*KEYS, *cols)
        .join(after.buffers.select(*KEYS, *cols), on=KEYS, suffix="_after")
        .rename({"zone": "zone_before", "recommended": "recommended_before"})
        .with_columns(pl.col("recommended_before", "recommended_after").round(DECIMALS))
        .filter(
            (pl.col("zone_before") != pl.col("zone_after"))
            | (pl.col("recommended_before") != pl.col("recommended_after"))
        )
        .sort(KEYS)
    )
    return [BufferChange.model_validate(r) for r in changed.iter_rows(named=True)]


def _proposal_changes(
    before: Replenishment, after: Replenishment, customer: str
) -> list[ProposalChange]:
    keys = ["supplier_id", *KEYS, "week_start"]
    changed = (
        _proposed(before, customer)
        .select(*keys, pl.col("quantity").alias("before"))
        .join(
            _proposed(after, customer).select(*keys, pl.col("quantity").alias("after")),
            on=keys,
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col("before", "after").fill_null(0.0))
        .filter(pl.col("before") != pl.col("after"))
        .sort("week_start", *keys)
    )
    return [ProposalChange.model_validate(r) for r in changed.iter_rows(named=True)]


def _stockout_changes(before: Replenishment, after: Replenishment) -> list[StockoutChange]:
    def days(found: Replenishment, name: str) -> pl.DataFrame:
        return found.buffers.select(*KEYS, pl.col("days_of_supply").round(2).alias(name))

    changed = (
        days(before, "days_before")
        .join(days(after, "days_after"), on=KEYS, how="full", coalesce=True)
        .filter(pl.col("days_before").ne_missing(pl.col("days_after")))
        .sort(KEYS)
    )
    return [StockoutChange.model_validate(r) for r in changed.iter_rows(named=True)]


def _lights(conn: Connection, found: Replenishment, factor: float) -> pl.DataFrame:
    """Capacity group-week lights from the plan's own supplier demand (not the published one)."""
    customer = found.stocking.customer_id
    groups = get_capacity_lines(conn=conn, where=lambda v: v.c.customer_id == customer)
    groups = groups.with_columns(pl.col("actual_capacity", "maximum_capacity") * factor)
    demand = found.stocking.demand.filter(pl.col("supplier_id").is_not_null()).select(
        "supplier_id",
        pl.lit(customer).alias("customer_id"),
        "material_code",
        "week_start",
        "quantity",
    )
    return group_weeks(groups, demand).select(
        "supplier_id", "capacity_group_id", "week_start", "light"
    )


def access_what_if(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    policy: Policy,
    what_if: WhatIfCreate,
) -> WhatIfRead:
    """The buffers, proposals, stockouts and capacity lights the what-if changes against the
    plan as it stands, computed twice and stored never (who may plan for the customer)."""
    customer, _supplier = _viewer(conn, principal, what_if.customer_id)
    check_may_plan_for(principal=principal, customer_id=customer)
    scenario = Scenario(
        demand_factor=what_if.demand_factor,
        lead_time_days=dict(what_if.lead_time_days),
        capacity_factor=what_if.capacity_factor,
    )
    before = get_replenishment(conn=conn, customer_id=customer, today=today, policy=policy)
    after = get_replenishment(
        conn=conn, customer_id=customer, today=today, policy=policy, scenario=scenario
    )
    keys = ["supplier_id", "capacity_group_id", "week_start"]
    lights = (
        _lights(conn, before, 1.0)
        .rename({"light": "before"})
        .join(
            _lights(conn, after, what_if.capacity_factor).rename({"light": "after"}),
            on=keys,
            how="full",
            coalesce=True,
        )
        .filter(pl.col("before").ne_missing(pl.col("after")))
        .sort(keys)
    )
    return WhatIfRead(
        customer_id=customer,
        scenario=what_if.model_copy(update={"customer_id": customer}),
        buffers=_buffer_changes(before, after),
        proposals=_proposal_changes(before, after, customer),
        stockouts=_stockout_changes(before, after),
        lights=[LightChange.model_validate(r) for r in lights.iter_rows(named=True)],
    )
