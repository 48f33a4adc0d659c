"""A machine that breaks down re-plans its site; its return to work pulls the work back.

Telemetry names machines by the plant's ids; the planner by work centre and number
(`WC-01#1`). A machine whose telemetry id is its work centre, a dot and its number
(`WC-01.1`) is linked to the plan of the site its topic names, when the partner publishing
is the site's manufacturer. Its early warnings, too, can keep it out of the plan for
maintenance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.equipment.schemas import WarningRead
from chainhub.equipment.service import list_new_warnings
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.partners.webhooks import do_enqueue_deliveries
from chainhub.schedule.downtime import do_end_downtime, do_open_downtime, list_downtime
from chainhub.schedule.models import schedule_runs
from chainhub.schedule.schemas import Downtime, DowntimeSource, DowntimeWindow, RunRead
from chainhub.schedule.service import do_run_schedule

# Until the machine reports it works again, it is expected back after this.
DEFAULT_REPAIR: Final = timedelta(hours=2)
REPLAN_SECONDS: Final = 5.0
BREAKDOWN: Final = "breakdown"
OFFLINE: Final = "offline"
# An early warning opens no window where one of these already keeps the machine out.
COVERING: Final = frozenset({DowntimeSource.MAINTENANCE, DowntimeSource.BREAKDOWN})


def scheduler_machine(machine_id: str) -> str | None:
    """`WC-01.1`, a telemetry id, as the planner's `WC-01#1`; None when it is not of that form."""
    centre, dot, number = machine_id.rpartition(".")
    if not dot or not centre or not number.isdigit() or int(number) < 1:
        return None
    return f"{centre}#{int(number)}"


def _manufacturers(conn: Connection, site_ids: set[str]) -> dict[str, str]:
    """The manufacturer of each site that has been planned."""
    query = (
        sa.select(schedule_runs.c.site_id, schedule_runs.c.manufacturer_id)
        .where(schedule_runs.c.site_id.in_(sorted(site_ids)))
        .distinct()
    )
    return {row.site_id: row.manufacturer_id for row in conn.execute(query)}


def _last_states(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Each machine's latest state in the batch, by partner, site and machine."""
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in sorted((r for r in rows if r["kind"] == "state"), key=lambda r: r["machine_time"]):
        latest[(row["partner_id"], row["site_id"], row["machine_id"])] = row
    return latest


def _apply(
    conn: Connection,
    site_id: str,
    machine: str,
    row: dict[str, Any],
    now: datetime,
    repair: timedelta,
) -> bool:
    """Open or end the machine's breakdown window (one that would be over by now is not
    opened); whether anything changed."""
    at: datetime = row["machine_time"]
    open_ = [
        d
        for d in list_downtime(conn=conn, site_id=site_id, after=at)
        if d.machine == machine and d.source is DowntimeSource.BREAKDOWN and d.start_at <= at
    ]
    if row["state"] == BREAKDOWN and not open_ and at + repair > now:
        window = Downtime(machine=machine, start=at, end=at + repair)
        do_open_downtime(
            conn=conn,
            site_id=site_id,
            window=window,
            source=DowntimeSource.BREAKDOWN,
            reason=row.get("reason"),
            now=now,
        )
        return True
    # Offline is not observed: the machine is not known to work again.
    if row["state"] not in (BREAKDOWN, OFFLINE) and open_:
        for stored in open_:
            do_end_downtime(conn=conn, downtime_id=stored.downtime_id, end=at)
        return True
    return False


def _planners(manufacturer_id: str) -> Callable[[Principal, HubEvent], bool]:
    def sees(reader: Principal, _event: HubEvent) -> bool:
        return reader.chain_leader or reader.partner_id == manufacturer_id

    return sees


def _open_maintenance(
    conn: Connection,
    site_id: str,
    machine: str,
    warning: WarningRead,
    now: datetime,
    length: timedelta,
) -> DowntimeWindow | None:
    """The window the warning opens, unless one of the machine's maintenance or breakdown
    windows already covers part of it (the same warning delivered again, or the same episode)
    or it would be over by now."""
    start, end = warning.warned_at, warning.warned_at + length
    if end <= now:
        return None
    covered = any(
        d.machine == machine and d.source in COVERING and d.start_at < end
        for d in list_downtime(conn=conn, site_id=site_id, after=start)
    )
    if covered:
        return None
    return do_open_downtime(
        conn=conn,
        site_id=site_id,
        window=Downtime(machine=machine, start=start, end=end),
        source=DowntimeSource.MAINTENANCE,
        reason=f"early warning: vibration {warning.ratio:.2f} x its baseline",
        now=now,
    )


def do_plan_maintenance(
    *,
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    makers: Mapping[str, str],
    now: datetime,
    length: timedelta,
) -> list[tuple[str, DowntimeWindow]]:
    """(site, window) for each maintenance window the batch's early warnings open: a linked
    machine of a site in `makers` (site to manufacturer) whose vibration the stored `rows`
    raise above its baseline is kept free for `length` from the warning."""
    linked: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        machine = scheduler_machine(row["machine_id"])
        if row["kind"] == "signal" and machine and makers.get(row["site_id"]) == row["partner_id"]:
            linked[(row["partner_id"], row["machine_id"])] = (row["site_id"], machine)
    opened = []
    for warning in list_new_warnings(conn=conn, rows=rows, machines=linked.keys()):
        site_id, machine = linked[(warning.partner_id, warning.machine_id)]
        window = _open_maintenance(conn, site_id, machine, warning, now, length)
        if window is not None:
            opened.append((site_id, window))
    return opened


def _maintenance_event(site_id: str, window: DowntimeWindow, now: datetime) -> HubEvent:
    return HubEvent(
        event=WebhookEvent.MAINTENANCE_PLANNED,
        document_type="machine_downtime",
        doc_key=f"{site_id}/{window.machine}",
        version=1,
        submission_id=window.downtime_id,
        occurred_at=now,
    )


def do_react_to_states(
    *,
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    now: datetime,
    repair: timedelta | None = DEFAULT_REPAIR,
    maintenance: timedelta | None = None,
    seconds: float = REPLAN_SECONDS,
) -> list[RunRead]:
    """Stored telemetry rows to plans: a linked machine's breakdown opens a downtime window
    (expected to last `repair`), its next state but `offline` ends it; with `maintenance`, an
    early warning opens a maintenance window that long (`maintenance.planned`). Each site so
    changed is re-planned from `now` once, and its planners hear of it (`schedule.replanned`)."""
    latest = _last_states(rows) if repair is not None else {}
    if maintenance is None or not any(r["kind"] == "signal" for r in rows):
        maintenance = None
        if not latest:
            return []
    makers = _manufacturers(conn, {r["site_id"] for r in rows})
    events: dict[str, list[HubEvent]] = {}
    for (partner_id, site_id, machine_id), row in latest.items():
        machine = scheduler_machine(machine_id)
        if machine is None or makers.get(site_id) != partner_id or repair is None:
            continue
        if _apply(conn, site_id, machine, row, now, repair):
            events.setdefault(site_id, [])
    if maintenance is not None:
        for site_id, window in do_plan_maintenance(
            conn=conn, rows=rows, makers=makers, now=now, length=maintenance
        ):
            events.setdefault(site_id, []).append(_maintenance_event(site_id, window, now))
    return [
        _replan(conn, site_id, makers[site_id], events[site_id], now, seconds)
        for site_id in sorted(events)
    ]


def _replan(
    conn: Connection,
    site_id: str,
    manufacturer_id: str,
    events: list[HubEvent],
    now: datetime,
    seconds: float,
) -> RunRead:
    """Re-plan the site from `now` and queue the events, its re-plan last, for its planners."""
    run = do_run_schedule(conn=conn, site_id=site_id, now=now, seconds=seconds)
    replanned = HubEvent(
        event=WebhookEvent.SCHEDULE_REPLANNED,
        document_type="schedule_run",
        doc_key=site_id,
        version=1,
        submission_id=run.run_id,
        occurred_at=now,
    )
    do_enqueue_deliveries(
        conn=conn,
        events=[*events, replanned],
        today=now.date(),
        now=now,
        is_visible=_planners(manufacturer_id),
    )
    return run
