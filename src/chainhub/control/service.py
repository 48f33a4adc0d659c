"""A machine that breaks down re-plans its site; its return to work pulls the work back.

Telemetry names machines by the plant's ids; the planner by work centre and number
(`WC-01#1`). A machine whose telemetry id is its work centre, a dot and its number
(`WC-01.1`) is linked to the plan of the site its topic names, when the partner publishing
is the site's manufacturer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.partners.webhooks import do_enqueue_deliveries
from chainhub.schedule.downtime import do_end_downtime, do_open_downtime, list_downtime
from chainhub.schedule.models import schedule_runs
from chainhub.schedule.schemas import Downtime, DowntimeSource, RunRead
from chainhub.schedule.service import do_run_schedule

# Until the machine reports it works again, it is expected back after this.
DEFAULT_REPAIR: Final = timedelta(hours=2)
REPLAN_SECONDS: Final = 5.0
BREAKDOWN: Final = "breakdown"


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
    if row["state"] != BREAKDOWN and open_:
        for stored in open_:
            do_end_downtime(conn=conn, downtime_id=stored.downtime_id, end=at)
        return True
    return False


def _planners(manufacturer_id: str) -> Callable[[Principal, HubEvent], bool]:
    def sees(reader: Principal, _event: HubEvent) -> bool:
        return reader.chain_leader or reader.partner_id == manufacturer_id

    return sees


def do_react_to_states(
    *,
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    now: datetime,
    repair: timedelta = DEFAULT_REPAIR,
    seconds: float = REPLAN_SECONDS,
) -> list[RunRead]:
    """Stored telemetry rows to plans: a linked machine's breakdown opens a downtime window
    (expected to last `repair`), its next other state ends it; each site so changed is
    re-planned from `now` once, and its planners hear of it (`schedule.replanned`)."""
    latest = _last_states(rows)
    if not latest:
        return []
    makers = _manufacturers(conn, {site for _, site, _ in latest})
    changed: set[str] = set()
    for (partner_id, site_id, machine_id), row in latest.items():
        machine = scheduler_machine(machine_id)
        if machine is None or makers.get(site_id) != partner_id:
            continue
        if _apply(conn, site_id, machine, row, now, repair):
            changed.add(site_id)
    runs = []
    for site_id in sorted(changed):
        run = do_run_schedule(conn=conn, site_id=site_id, now=now, seconds=seconds)
        event = HubEvent(
            event=WebhookEvent.SCHEDULE_REPLANNED,
            document_type="schedule_run",
            doc_key=site_id,
            version=1,
            submission_id=run.run_id,
            occurred_at=now,
        )
        do_enqueue_deliveries(
            conn=conn,
            events=[event],
            today=now.date(),
            now=now,
            is_visible=_planners(makers[site_id]),
        )
        runs.append(run)
    return runs
