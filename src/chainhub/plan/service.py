"""Demand and capacity between a customer and its suppliers: the MRP, publishing each
supplier's weekly demand through intake's one write path, capacity lights and alerts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.access.tokens import get_chain_leader_flag
from chainhub.events.reactions import Reaction
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.intake.service import Submitter, do_submit_records
from chainhub.partners.visibility import (
    check_may_plan_for,
    get_plan_visible_clause,
    get_visible_clause,
)
from chainhub.partners.webhooks import do_enqueue_deliveries
from chainhub.plan import inputs
from chainhub.plan.capacity import group_weeks, volatility
from chainhub.plan.models import plan_alerts
from chainhub.plan.mrp import WEEKS, first_monday, run_mrp, supplier_demand, week_grid
from chainhub.plan.schemas import (
    AlertRead,
    DemandSource,
    GroupWeek,
    MrpRead,
    MrpWeek,
    PublishedWeek,
    PublishRead,
    SupplierWeek,
)
from chainhub.settings import Settings
from chainhub.standard.planning import DEFAULT_DEMAND_CATEGORY
from chainhub.storage.models import KEY_SEPARATOR, current_view, doc_table
from chainhub.storage.schemas import SubmissionRead

Progress = Callable[[int, int], None]
PUBLISH_SOURCE: Final = "plan-mrp"
DEMAND: Final = "weekly_material_demand"
CAPACITY: Final = "capacity_group"


@dataclass(frozen=True)
class Mrp:
    """An MRP run as frames: the plan per material-week and each supplier's demand."""

    customer_id: str
    grid: pl.DataFrame
    source: DemandSource
    source_version: str | None
    plan: pl.DataFrame
    demand: pl.DataFrame


def _customer(conn: Connection, principal: Principal, customer_id: str | None) -> str:
    if customer_id is not None:
        return customer_id
    if principal.partner_id is not None:
        return principal.partner_id
    return inputs.get_chain_leader(conn=conn)


def get_mrp(
    *,
    conn: Connection,
    customer_id: str,
    today: date,
    weeks: int = WEEKS,
    progress: Progress | None = None,
) -> Mrp:
    """The customer's time-phased MRP over `weeks` ISO weeks from the one `today` is in."""
    grid = week_grid(first_monday(today), weeks)
    independent, source, version = inputs.get_independent_demand(
        conn=conn, customer_id=customer_id, grid=grid
    )
    orders, quotas = inputs.get_open_orders(conn=conn, customer_id=customer_id, grid=grid)
    plan = run_mrp(
        grid=grid,
        independent=independent,
        bom=inputs.get_bom(conn=conn, customer_id=customer_id, today=today),
        stock=inputs.get_stock(conn=conn, customer_id=customer_id),
        receipts=orders,
        lead=inputs.get_lead_weeks(conn=conn),
        progress=progress,
    )
    demand = supplier_demand(plan=plan, receipts=orders, quotas=quotas)
    return Mrp(customer_id, grid, source, version, plan, demand)


def access_mrp(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    customer_id: str | None = None,
    weeks: int = WEEKS,
    progress: Progress | None = None,
) -> MrpRead:
    """The customer's MRP (the caller's own, or the chain leader's for the hub admin)."""
    customer = _customer(conn, principal, customer_id)
    check_may_plan_for(principal=principal, customer_id=customer)
    mrp = get_mrp(conn=conn, customer_id=customer, today=today, weeks=weeks, progress=progress)
    starts = dict(mrp.grid.iter_rows())
    plan = mrp.plan.with_columns(
        pl.col("release_week").replace_strict(starts, return_dtype=pl.Date)
    )
    return MrpRead(
        customer_id=customer,
        first_week=mrp.grid["week_start"][0],
        weeks=weeks,
        source=mrp.source,
        source_version=mrp.source_version,
        materials=plan["material_code"].n_unique(),
        plan=[MrpWeek.model_validate(r) for r in plan.drop("week_no").iter_rows(named=True)],
        demand=[
            SupplierWeek.model_validate(r) for r in mrp.demand.drop("week_no").iter_rows(named=True)
        ],
    )


def _stored_demand(conn: Connection, customer_id: str, first: date) -> pl.DataFrame:
    view = current_view(DEMAND)
    rows = conn.execute(
        sa.select(view.c._doc_key, view.c.week_start, view.c.quantity).where(
            view.c.customer_id == customer_id, view.c.week_start >= first
        )
    ).all()
    return pl.DataFrame(
        [(r[0], r[1], round(float(r[2]), 3)) for r in rows],
        schema={"_doc_key": pl.String, "week_start": pl.Date, "quantity": pl.Float64},
        orient="row",
    )


def _changed_series(mrp: Mrp, stored: pl.DataFrame) -> pl.DataFrame:
    """The supplier-material series whose numbers differ from the stored current version;
    a series of zeros never published before is left out."""
    key = pl.concat_str(
        [
            pl.lit(mrp.customer_id),
            pl.col("supplier_id"),
            pl.col("material_code"),
            pl.lit(DEFAULT_DEMAND_CATEGORY),
        ],
        separator=KEY_SEPARATOR,
    )
    new = (
        mrp.demand.filter(pl.col("supplier_id").is_not_null())
        .with_columns(key.alias("_doc_key"), pl.col("quantity").round(3))
        .select("_doc_key", "supplier_id", "material_code", "week_start", "quantity")
    )
    cells = ["_doc_key", "week_start", "quantity"]
    differ = pl.concat(
        [
            new.select(cells).join(stored, on=cells, how="anti").select("_doc_key"),
            stored.join(new.select(cells), on=cells, how="anti").select("_doc_key"),
        ]
    ).unique()
    published = stored.select("_doc_key").unique()
    nonzero = new.filter(pl.col("quantity") != 0).select("_doc_key").unique()
    wanted = differ.join(pl.concat([published, nonzero]).unique(), on="_doc_key")
    return new.join(wanted, on="_doc_key").sort("_doc_key", "week_start")


def _units(conn: Connection) -> dict[str, str]:
    material = current_view("material")
    rows = conn.execute(sa.select(material.c.material_code, material.c.base_unit)).all()
    return {str(r[0]): str(r[1]) for r in rows}


def _supplier_codes(conn: Connection) -> dict[tuple[str, str], str]:
    """(supplier, golden code) → the supplier's own code, from the current crosswalks."""
    crosswalk = current_view("material_crosswalk")
    rows = conn.execute(
        sa.select(
            crosswalk.c.partner_id, crosswalk.c.material_code, crosswalk.c.partner_material_code
        ).order_by(crosswalk.c.partner_material_code.desc())
    ).all()
    return {(str(r[0]), str(r[1])): str(r[2]) for r in rows}


def do_publish_demand(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    now: datetime,
    absolute: list[float],
    relative: list[float],
    customer_id: str | None = None,
    progress: Progress | None = None,
) -> PublishRead:
    """Run the customer's MRP and publish each supplier's weekly demand that changed, as the
    customer, through intake's one write path (audited, versioned, announced); then raise the
    red and volatility alerts it brings. The same numbers published again store nothing."""
    customer = _customer(conn, principal, customer_id)
    check_may_plan_for(principal=principal, customer_id=customer, write=True)
    mrp = get_mrp(conn=conn, customer_id=customer, today=today, progress=progress)
    stored = _stored_demand(conn, customer, mrp.grid["week_start"][0])
    changed = _changed_series(mrp, stored)
    units, codes = _units(conn), _supplier_codes(conn)
    records = [
        {
            "customer_id": customer,
            "supplier_id": r["supplier_id"],
            "material_code": r["material_code"],
            "supplier_material_code": codes.get((r["supplier_id"], r["material_code"])),
            "customer_site": None,
            "demand_category": DEFAULT_DEMAND_CATEGORY,
            "unit": units.get(r["material_code"]),
            "changed_at": now.isoformat(),
            "week_start": r["week_start"].isoformat(),
            "quantity": format(r["quantity"], ".3f"),
        }
        for r in changed.iter_rows(named=True)
    ]
    documents = mrp.demand.filter(pl.col("supplier_id").is_not_null()).select(
        "supplier_id", "material_code"
    )
    count = documents.unique().height
    status = submission = None
    raised = 0
    if records:
        submitter = Submitter(
            partner_id=customer,
            chain_leader=get_chain_leader_flag(conn=conn, partner_id=customer),
            user_id=principal.user_id,
            token_id=principal.token_id,
            channel="plan",
        )
        result = do_submit_records(
            conn=conn,
            document_type=DEMAND,
            records=records,
            submitter=submitter,
            accept_valid=True,
            received_at=now,
            source_name=PUBLISH_SOURCE,
        )
        status, submission = result.status, result.submission_id
        # The edge's reactions may have raised the alerts the new demand brings already.
        raised = len(result.raised)
    alerts = raised + len(
        do_raise_alerts(
            conn=conn, customer_id=customer, now=now, absolute=absolute, relative=relative
        )
    )
    sent = changed["_doc_key"].n_unique()
    return PublishRead(
        customer_id=customer,
        documents=count,
        changed=sent,
        unchanged=count - sent,
        status=status,
        submission_id=submission,
        alerts=alerts,
    )


def _current_demand(conn: Connection, where: Any) -> pl.DataFrame:
    view = current_view(DEMAND)
    rows = conn.execute(
        sa.select(
            view.c.supplier_id,
            view.c.customer_id,
            view.c.material_code,
            view.c.week_start,
            view.c.quantity,
        ).where(where(view))
    ).all()
    return pl.DataFrame(
        [(*r[:4], float(r[4])) for r in rows],
        schema={
            "supplier_id": pl.String,
            "customer_id": pl.String,
            "material_code": pl.String,
            "week_start": pl.Date,
            "quantity": pl.Float64,
        },
        orient="row",
    )


def list_weekly_demand(
    *, conn: Connection, principal: Principal, today: date, supplier_id: str | None = None
) -> list[PublishedWeek]:
    """Published weekly demand the caller may see (a supplier: its own), optionally of one
    supplier, per supplier, material and week."""

    def where(view: Any) -> Any:
        visible = get_visible_clause(
            conn=conn, principal=principal, document_type=DEMAND, relation=view, today=today
        )
        return sa.and_(
            visible, sa.true() if supplier_id is None else view.c.supplier_id == supplier_id
        )

    frame = _current_demand(conn, where).sort(
        "customer_id", "supplier_id", "material_code", "week_start"
    )
    return [PublishedWeek.model_validate(r) for r in frame.iter_rows(named=True)]


_GROUP_COLUMNS: Final = (
    "supplier_id",
    "customer_id",
    "capacity_group_id",
    "name",
    "week_start",
    "actual_capacity",
    "maximum_capacity",
    "agreed_capacity",
    "material_code",
    "load_factor",
    "_doc_key",
    "_doc_version",
    "_submission_id",
)
_DECIMALS: Final = frozenset(
    {"actual_capacity", "maximum_capacity", "agreed_capacity", "load_factor"}
)


def get_capacity_lines(*, conn: Connection, where: Any) -> pl.DataFrame:
    """Lines of the current capacity_group documents `where` keeps, decimals as floats."""
    view = current_view(CAPACITY)
    rows = conn.execute(sa.select(*(view.c[c] for c in _GROUP_COLUMNS)).where(where(view))).all()
    schema: dict[str, pl.DataType] = {c: pl.String() for c in _GROUP_COLUMNS}
    schema.update({c: pl.Float64() for c in _DECIMALS})
    schema["week_start"], schema["_doc_version"] = pl.Date(), pl.Int64()
    data = [
        tuple(
            float(v) if c in _DECIMALS and v is not None else v
            for c, v in zip(_GROUP_COLUMNS, r, strict=True)
        )
        for r in rows
    ]
    return pl.DataFrame(data, schema=schema, orient="row")


def get_group_weeks(*, conn: Connection, groups_where: Any) -> pl.DataFrame:
    """Group-weeks of the capacity groups `groups_where` keeps, with demand and light."""
    groups = get_capacity_lines(conn=conn, where=groups_where)
    pairs = groups.select("supplier_id", "customer_id").unique()
    customers = set(pairs["customer_id"])
    demand = _current_demand(conn, lambda v: v.c.customer_id.in_(customers)).join(
        pairs, on=["supplier_id", "customer_id"]
    )
    weeks = group_weeks(groups, demand)
    meta = groups.select(
        "supplier_id", "capacity_group_id", "_doc_key", "_doc_version", "_submission_id"
    ).unique(subset=["_doc_key"])
    return weeks.join(meta, on=["supplier_id", "capacity_group_id"], how="left")


def list_group_weeks(
    *, conn: Connection, principal: Principal, today: date, supplier_id: str | None = None
) -> list[GroupWeek]:
    """Capacity group-weeks the caller may see (a supplier: its own groups; their customer:
    the groups shown to it), with the demand on them and their light."""

    def where(view: Any) -> Any:
        visible = get_visible_clause(
            conn=conn, principal=principal, document_type=CAPACITY, relation=view, today=today
        )
        return sa.and_(
            visible, sa.true() if supplier_id is None else view.c.supplier_id == supplier_id
        )

    frame = get_group_weeks(conn=conn, groups_where=where)
    return [GroupWeek.model_validate(r) for r in frame.iter_rows(named=True)]


def _versions(conn: Connection, customer_id: str) -> pl.DataFrame:
    """The two latest versions of each of the customer's weekly demand documents."""
    table = doc_table(DEMAND)
    ranked = (
        sa.select(
            table.c._doc_key,
            table.c._doc_version,
            sa.func.dense_rank()
            .over(partition_by=table.c._doc_key, order_by=table.c._doc_version.desc())
            .label("rank"),
        )
        .where(table.c.customer_id == customer_id)
        .distinct()
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            table.c._doc_key,
            table.c.customer_id,
            table.c.supplier_id,
            table.c.material_code,
            table.c._doc_version,
            table.c.week_start,
            table.c.quantity,
            table.c._submission_id,
        )
        .join(
            ranked,
            sa.and_(
                ranked.c._doc_key == table.c._doc_key, ranked.c._doc_version == table.c._doc_version
            ),
        )
        .where(ranked.c.rank <= 2)
    ).all()
    return pl.DataFrame(
        [(*r[:6], float(r[6]), r[7]) for r in rows],
        schema={
            "_doc_key": pl.String,
            "customer_id": pl.String,
            "supplier_id": pl.String,
            "material_code": pl.String,
            "_doc_version": pl.Int64,
            "week_start": pl.Date,
            "quantity": pl.Float64,
            "_submission_id": pl.String,
        },
        orient="row",
    )


def _red_alerts(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    weeks = get_group_weeks(conn=conn, groups_where=lambda v: v.c.customer_id == customer_id)
    return [
        {
            "alert_key": f"red{KEY_SEPARATOR}{r['_doc_key']}{KEY_SEPARATOR}{r['week_start']}",
            "kind": WebhookEvent.CAPACITY_RED,
            "customer_id": r["customer_id"],
            "supplier_id": r["supplier_id"],
            "subject": r["_doc_key"],
            "version": r["_doc_version"],
            "submission_id": r["_submission_id"],
            "detail": {
                "capacity_group_id": r["capacity_group_id"],
                "week_start": r["week_start"].isoformat(),
                "demand": r["demand"],
                "actual": r["actual"],
                "maximum": r["maximum"],
            },
        }
        for r in weeks.filter(pl.col("light") == "red").iter_rows(named=True)
    ]


def _volatility_alerts(
    conn: Connection, customer_id: str, absolute: list[float], relative: list[float]
) -> list[dict[str, Any]]:
    versions = _versions(conn, customer_id)
    moves = volatility(versions.drop("_submission_id"), absolute=absolute, relative=relative)
    submissions = versions.group_by("_doc_key", "_doc_version").agg(
        pl.col("_submission_id").first()
    )
    moves = moves.join(_newest_versions(versions), on="_doc_key").join(
        submissions, left_on=["_doc_key", "new_version"], right_on=["_doc_key", "_doc_version"]
    )
    return [
        {
            "alert_key": KEY_SEPARATOR.join(
                ("volatility", r["_doc_key"], f"v{r['new_version']}", str(r["sub_horizon"]))
            ),
            "kind": WebhookEvent.DEMAND_VOLATILITY,
            "customer_id": r["customer_id"],
            "supplier_id": r["supplier_id"],
            "subject": r["_doc_key"],
            "version": r["new_version"],
            "submission_id": r["_submission_id"],
            "detail": {
                "material_code": r["material_code"],
                "sub_horizon": r["sub_horizon"],
                "week_start": r["week_start"].isoformat(),
                "old": r["old"],
                "new": r["new"],
                "change": r["change"],
            },
        }
        for r in moves.iter_rows(named=True)
    ]


def _newest_versions(versions: pl.DataFrame) -> pl.DataFrame:
    """Each document's newest version number."""
    return versions.group_by("_doc_key").agg(pl.col("_doc_version").max().alias("new_version"))


def do_raise_alerts(
    *,
    conn: Connection,
    customer_id: str,
    now: datetime,
    absolute: list[float],
    relative: list[float],
) -> list[AlertRead]:
    """Record the customer's red group-weeks and demand swings not raised before and queue them
    as webhook events (sent after commit) to the customer, the supplier and the chain leader."""
    raised = _do_raise(conn, customer_id, now, absolute, relative)
    return [alert for alert, _event in raised]


def _do_raise(
    conn: Connection, customer_id: str, now: datetime, absolute: list[float], relative: list[float]
) -> list[tuple[AlertRead, HubEvent]]:
    found = _red_alerts(conn, customer_id) + _volatility_alerts(
        conn, customer_id, absolute, relative
    )
    known = set(
        conn.execute(
            sa.select(plan_alerts.c.alert_key).where(plan_alerts.c.customer_id == customer_id)
        ).scalars()
    )
    new = [a for a in found if a["alert_key"] not in known]
    if not new:
        return []
    conn.execute(
        plan_alerts.insert(),
        [
            {
                "alert_key": a["alert_key"],
                "kind": a["kind"].value,
                "customer_id": a["customer_id"],
                "supplier_id": a["supplier_id"],
                "subject": a["subject"],
                "detail": json.dumps(a["detail"], ensure_ascii=False),
                "raised_at": now,
            }
            for a in new
        ],
    )
    raised = []
    for alert in new:
        event = HubEvent(
            event=alert["kind"],
            document_type=CAPACITY if alert["kind"] is WebhookEvent.CAPACITY_RED else DEMAND,
            doc_key=alert["subject"],
            version=alert["version"],
            submission_id=alert["submission_id"],
            occurred_at=now,
        )
        do_enqueue_deliveries(
            conn=conn,
            events=[event],
            today=now.date(),
            now=now,
            is_visible=_party_of({alert["customer_id"], alert["supplier_id"]}),
        )
        raised.append((_alert(alert, now), event))
    return raised


@dataclass(frozen=True)
class AlertReaction:
    """Raises the alerts stored capacity groups or weekly demand bring, for each customer they
    name, when intake stores them (whatever the entry: API, page, CLI, load)."""

    absolute: list[float]
    relative: list[float]

    def __call__(self, *, conn: Connection, stored: Sequence[SubmissionRead]) -> list[HubEvent]:
        """The events of the alerts raised, queued for webhooks already."""
        customers: set[str] = set()
        for document_type in (CAPACITY, DEMAND):
            ids = [s.submission_id for s in stored if s.document_type == document_type]
            if ids:
                table = doc_table(document_type)
                customers.update(
                    conn.execute(
                        sa.select(table.c.customer_id)
                        .where(table.c._submission_id.in_(ids))
                        .distinct()
                    ).scalars()
                )
        now = max(s.received_at for s in stored)
        return [
            event
            for customer in sorted(customers)
            for _found, event in _do_raise(conn, customer, now, self.absolute, self.relative)
        ]


def get_reactions(settings: Settings) -> list[Reaction]:
    """What the plan does when intake stores documents: raise the alerts they bring."""
    return [
        AlertReaction(
            absolute=settings.plan_volatility_absolute, relative=settings.plan_volatility_relative
        )
    ]


def _party_of(parties: set[str]) -> Callable[[Principal, HubEvent], bool]:
    """Who may hear of an alert: the customer, the supplier and the chain leader."""

    def sees(reader: Principal, _event: HubEvent) -> bool:
        return reader.chain_leader or reader.partner_id in parties

    return sees


def _alert(found: dict[str, Any], now: datetime) -> AlertRead:
    return AlertRead(
        alert_key=found["alert_key"],
        kind=found["kind"].value,
        customer_id=found["customer_id"],
        supplier_id=found["supplier_id"],
        subject=found["subject"],
        detail=found["detail"],
        raised_at=now,
    )


def list_alerts(*, conn: Connection, principal: Principal) -> list[AlertRead]:
    """Alerts the caller may see: those it is the customer or supplier of; all for who sees all."""
    where = get_plan_visible_clause(
        principal=principal, customer=plan_alerts.c.customer_id, supplier=plan_alerts.c.supplier_id
    )
    rows = conn.execute(
        sa.select(plan_alerts)
        .where(where)
        .order_by(plan_alerts.c.raised_at, plan_alerts.c.alert_key)
    ).mappings()
    return [AlertRead(**{**dict(r), "detail": json.loads(r["detail"])}) for r in rows]
