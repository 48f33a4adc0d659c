"""Plan a site's open orders, re-plan from now with the old plan as a hint, read stored plans."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import (
    check_may_plan_site,
    check_site_schedule_visible,
    get_need_visible_clause,
)
from chainhub.schedule.downtime import list_downtime
from chainhub.schedule.inputs import OPEN_STATUSES, load_site, minutes
from chainhub.schedule.models import schedule_issues, schedule_needs, schedule_runs, schedule_slots
from chainhub.schedule.problem import OpKey, Problem, Slot
from chainhub.schedule.schemas import (
    Downtime,
    Issue,
    NeedRead,
    RunParameters,
    RunRead,
    RunSummary,
    SiteNeedRead,
    SlotRead,
)
from chainhub.schedule.solver import solve_plan
from chainhub.storage.models import current_view


def _not_found(site_id: str) -> ChainhubError:
    return ChainhubError(
        "schedule_not_found",
        f"no schedule for site {site_id}",
        f"场所 {site_id} 没有排产计划",
        {"site_id": site_id},
        404,
    )


def _superseded() -> sa.Exists:
    """A later plan names the run as its previous one (plans made in the same instant, as
    under a fixed clock, are still ordered)."""
    later = schedule_runs.alias("later")
    return (
        sa.select(sa.literal(1)).where(later.c.previous_run_id == schedule_runs.c.run_id).exists()
    )


def get_latest_run_id(*, conn: Connection, site_id: str) -> str | None:
    """The newest stored plan of a site."""
    return conn.execute(
        sa.select(schedule_runs.c.run_id)
        .where(schedule_runs.c.site_id == site_id, ~_superseded())
        .order_by(schedule_runs.c.created_at.desc(), schedule_runs.c.run_id)
        .limit(1)
    ).scalar_one_or_none()


def _old_plan(conn: Connection, run_id: str | None, origin: datetime) -> dict[OpKey, Slot]:
    if run_id is None:
        return {}
    rows = conn.execute(sa.select(schedule_slots).where(schedule_slots.c.run_id == run_id))
    return {
        (r.order_number, r.operation_no): Slot(
            r.order_number,
            r.operation_no,
            r.machine_id,
            minutes(r.start_at, origin),
            minutes(r.end_at, origin),
        )
        for r in rows
    }


def do_run_schedule(
    *,
    conn: Connection,
    site_id: str,
    now: datetime,
    downtime: list[Downtime] | None = None,
    frozen_minutes: int = 0,
    seconds: float = 10.0,
    workers: int = 2,
) -> RunRead:
    """Plan the site's open orders from `now` and store the plan; the previous plan is the hint,
    what it released pays to move, and operations starting within the frozen horizon stay put.
    The site's stored downtime windows and `downtime` are kept free of work."""
    origin = now.replace(second=0, microsecond=0)
    kept = [d.window() for d in list_downtime(conn=conn, site_id=site_id, after=origin)]
    site = load_site(conn=conn, site_id=site_id, origin=origin, downtime=kept + (downtime or []))
    previous = get_latest_run_id(conn=conn, site_id=site_id)
    old = _old_plan(conn, previous, origin)
    known = {o.order_number for o in site.orders}
    down = {m.machine_id: m.down for m in site.machines}
    fixed = {
        key: slot
        for key, slot in old.items()
        if key[0] in known
        and slot.start < frozen_minutes
        and not any(a < slot.end and slot.start < b for a, b in down.get(slot.machine_id, ()))
        and slot.start >= 0
    }
    released = frozenset(k for k in old if k[0] in site.released)
    problem = Problem(
        machines=tuple(site.machines),
        orders=tuple(site.orders),
        fixed=fixed,
        hint={k: s for k, s in old.items() if k[0] in known},
        released=released,
    )
    solution = solve_plan(problem, seconds=seconds, workers=workers)
    run_id = str(uuid.uuid4())

    def at(minute: int) -> datetime:
        return origin + timedelta(minutes=minute)

    slots = []
    for slot in solution.slots:
        before = old.get((slot.order_number, slot.operation_no))
        moved = before is not None and (before.start, before.machine_id) != (
            slot.start,
            slot.machine_id,
        )
        slots.append(
            SlotRead(
                order_number=slot.order_number,
                operation_no=slot.operation_no,
                work_centre_id=slot.machine_id.split("#")[0],
                machine_id=slot.machine_id,
                start_at=at(slot.start),
                end_at=at(slot.end),
                due_at=site.due_at[slot.order_number],
                moved=moved,
            )
        )
    first: dict[str, int] = {}
    for slot in solution.slots:
        first.setdefault(slot.order_number, slot.start)
        first[slot.order_number] = min(first[slot.order_number], slot.start)
    needs = [
        NeedRead(order_number=n, material_code=c, quantity=q, need_at=at(first[n]))
        for n, comps in site.components.items()
        if n in first
        for c, q in sorted(comps.items())
    ]
    late = sorted(n for n, t in solution.tardiness.items() if t > 0)
    issues = list(site.issues)
    if not solution.slots and site.orders:
        issues.append(
            Issue(
                order_number="*",
                operation_no=None,
                field="schedule",
                message=f"no plan found in {seconds:g} s ({solution.status})",
            )
        )
    run = RunRead(
        run_id=run_id,
        site_id=site_id,
        manufacturer_id=site.manufacturer_id,
        planned_from=origin,
        status=solution.status,
        makespan_end=at(solution.makespan) if solution.slots else None,
        late_orders=late,
        moved=[s for s in slots if s.moved],
        issues=issues,
        slots=slots,
        needs=needs,
    )
    _store(conn, run, previous, now)
    return run


def _store(conn: Connection, run: RunRead, previous: str | None, now: datetime) -> None:
    conn.execute(
        schedule_runs.insert().values(
            run_id=run.run_id,
            site_id=run.site_id,
            manufacturer_id=run.manufacturer_id,
            planned_from=run.planned_from,
            created_at=now,
            status=run.status,
            makespan_end=run.makespan_end,
            late_orders=len(run.late_orders),
            moved_operations=len(run.moved),
            previous_run_id=previous,
        )
    )
    if run.slots:
        conn.execute(
            schedule_slots.insert(), [{"run_id": run.run_id, **s.model_dump()} for s in run.slots]
        )
    if run.issues:
        conn.execute(
            schedule_issues.insert(),
            [
                {"run_id": run.run_id, "position": i, **x.model_dump()}
                for i, x in enumerate(run.issues)
            ],
        )
    if run.needs:
        conn.execute(
            schedule_needs.insert(), [{"run_id": run.run_id, **n.model_dump()} for n in run.needs]
        )


def _run_not_found(site_id: str, run_id: str) -> ChainhubError:
    return ChainhubError(
        "schedule_run_not_found",
        f"no schedule run {run_id} of site {site_id}",
        f"场所 {site_id} 没有排产计划 {run_id}",
        {"site_id": site_id, "run_id": run_id},
        404,
    )


def get_run(
    *,
    conn: Connection,
    site_id: str,
    run_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> RunRead:
    """A stored plan of a site: the one named, else the newest; of its operations and needs,
    those within [since, until) when given."""
    if run_id is None:
        run_id = get_latest_run_id(conn=conn, site_id=site_id)
        if run_id is None:
            raise _not_found(site_id)
    head = conn.execute(
        sa.select(schedule_runs).where(
            schedule_runs.c.run_id == run_id, schedule_runs.c.site_id == site_id
        )
    ).one_or_none()
    if head is None:
        raise _run_not_found(site_id, run_id)
    slots = [
        SlotRead.model_validate(dict(r))
        for r in conn.execute(
            sa.select(schedule_slots)
            .where(
                schedule_slots.c.run_id == run_id,
                # An operation in the period ends after the period starts and starts before it ends.
                *_within(schedule_slots.c.end_at, since, None, after=True),
                *_within(schedule_slots.c.start_at, None, until),
            )
            .order_by(schedule_slots.c.start_at, schedule_slots.c.machine_id)
        ).mappings()
    ]
    issues = [
        Issue.model_validate(dict(r))
        for r in conn.execute(
            sa.select(schedule_issues)
            .where(schedule_issues.c.run_id == run_id)
            .order_by(schedule_issues.c.position)
        ).mappings()
    ]
    needs = [
        NeedRead.model_validate(dict(r))
        for r in conn.execute(
            sa.select(schedule_needs)
            .where(
                schedule_needs.c.run_id == run_id, *_within(schedule_needs.c.need_at, since, until)
            )
            .order_by(schedule_needs.c.need_at, schedule_needs.c.order_number)
        ).mappings()
    ]
    late = sorted({s.order_number for s in slots if s.end_at > s.due_at})
    return RunRead(
        run_id=run_id,
        site_id=head.site_id,
        manufacturer_id=head.manufacturer_id,
        planned_from=head.planned_from,
        status=head.status,
        makespan_end=head.makespan_end,
        late_orders=late,
        moved=[s for s in slots if s.moved],
        issues=issues,
        slots=slots,
        needs=needs,
    )


def access_run(
    *,
    conn: Connection,
    principal: Principal,
    site_id: str,
    run_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> RunRead:
    """A plan of the site (the newest unless one is named; its operations and needs within
    [since, until) when given), for its manufacturer or who sees all."""
    check_site_schedule_visible(conn=conn, principal=principal, site_id=site_id)
    return get_run(conn=conn, site_id=site_id, run_id=run_id, since=since, until=until)


def list_runs(*, conn: Connection, site_id: str, limit: int = 50) -> list[RunSummary]:
    """A site's stored plans, newest first, each naming the plan it replaced."""
    rows = conn.execute(
        sa.select(schedule_runs)
        .where(schedule_runs.c.site_id == site_id)
        .order_by(schedule_runs.c.created_at.desc(), schedule_runs.c.run_id)
        .limit(limit)
    ).mappings()
    runs = [RunSummary.model_validate(dict(r)) for r in rows]
    # Plans made in the same instant (as under a fixed clock) are ordered by what replaced what.
    by_id = {r.run_id: r for r in runs}
    replaced = {r.previous_run_id for r in runs}
    head = next((r for r in runs if r.run_id not in replaced), None)
    ordered: dict[str, RunSummary] = {}
    while head is not None and head.run_id not in ordered:
        ordered[head.run_id] = head
        head = by_id.get(head.previous_run_id or "")
    return [*ordered.values(), *(r for r in runs if r.run_id not in ordered)]


def access_runs(*, conn: Connection, principal: Principal, site_id: str) -> list[RunSummary]:
    """A site's stored plans, newest first, for its manufacturer or who sees all."""
    check_site_schedule_visible(conn=conn, principal=principal, site_id=site_id)
    return list_runs(conn=conn, site_id=site_id)


def access_run_schedule(
    *,
    conn: Connection,
    principal: Principal,
    site_id: str,
    now: datetime,
    parameters: RunParameters,
) -> RunRead:
    """Re-plan the site from `now` when the caller may plan it."""
    check_may_plan_site(conn=conn, principal=principal, site_id=site_id)
    return do_run_schedule(
        conn=conn,
        site_id=site_id,
        now=now,
        downtime=parameters.downtime,
        frozen_minutes=parameters.frozen_minutes,
        seconds=parameters.seconds,
    )


def _latest_runs() -> sa.Subquery:
    """Each site's newest plan."""
    newer = schedule_runs.alias("newer")
    return (
        sa.select(schedule_runs)
        .where(
            ~_superseded(),
            ~sa.select(sa.literal(1))
            .where(
                newer.c.site_id == schedule_runs.c.site_id,
                newer.c.created_at > schedule_runs.c.created_at,
            )
            .exists(),
        )
        .subquery("latest")
    )


@dataclass(frozen=True)
class NeedFilter:
    """Need dates narrowed to a manufacturer, a material, a site and a period [since, until)."""

    manufacturer_id: str | None = None
    material: str | None = None
    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _within(
    column: sa.ColumnElement[Any],
    since: datetime | None,
    until: datetime | None,
    *,
    after: bool = False,
) -> list[sa.ColumnElement[bool]]:
    """The column at or after `since` (strictly after, with `after`) and before `until`."""
    found = []
    if since is not None:
        found.append(column > since if after else column >= since)
    if until is not None:
        found.append(column < until)
    return found


def access_needs(
    *, conn: Connection, principal: Principal, only: NeedFilter | None = None
) -> list[SiteNeedRead]:
    """Need dates in every site's newest plan that the caller may see: of its own plants, and of
    what it supplies to the plant's manufacturer; within `only`."""
    only = only or NeedFilter()
    latest = _latest_runs()
    narrow = _within(schedule_needs.c.need_at, only.since, only.until)
    if only.manufacturer_id is not None:
        narrow.append(latest.c.manufacturer_id == only.manufacturer_id)
    if only.material is not None:
        narrow.append(schedule_needs.c.material_code == only.material)
    if only.site is not None:
        narrow.append(latest.c.site_id == only.site)
    query = (
        sa.select(
            schedule_needs,
            latest.c.site_id,
            latest.c.manufacturer_id,
            latest.c.planned_from,
        )
        .join(latest, latest.c.run_id == schedule_needs.c.run_id)
        .where(
            get_need_visible_clause(
                principal=principal,
                manufacturer=latest.c.manufacturer_id,
                material=schedule_needs.c.material_code,
            ),
            *narrow,
        )
        .order_by(
            schedule_needs.c.need_at,
            latest.c.site_id,
            schedule_needs.c.order_number,
            schedule_needs.c.material_code,
        )
    )
    return [SiteNeedRead.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def list_open_sites(*, conn: Connection) -> list[str]:
    """Sites with open production orders, to plan."""
    orders = current_view("production_order")
    return list(
        conn.execute(
            sa.select(orders.c.site_id)
            .where(orders.c.status.in_(OPEN_STATUSES))
            .distinct()
            .order_by(orders.c.site_id)
        ).scalars()
    )


def list_planned_sites(*, conn: Connection) -> list[str]:
    """Sites with a stored plan."""
    return list(
        conn.execute(
            sa.select(schedule_runs.c.site_id).distinct().order_by(schedule_runs.c.site_id)
        ).scalars()
    )


def access_planned_sites(*, conn: Connection, principal: Principal) -> list[str]:
    """Sites with a stored plan whose whole schedule the caller may read."""
    visible = []
    for site_id in list_planned_sites(conn=conn):
        try:
            check_site_schedule_visible(conn=conn, principal=principal, site_id=site_id)
        except ChainhubError:
            continue
        visible.append(site_id)
    return visible
