"""Downtime windows of a site's machines, kept so that every later plan respects them."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.partners.visibility import check_may_plan_site, check_site_schedule_visible
from chainhub.schedule.models import machine_downtime
from chainhub.schedule.schemas import Downtime, DowntimeCreate, DowntimeSource, DowntimeWindow


def do_open_downtime(
    *,
    conn: Connection,
    site_id: str,
    window: Downtime,
    source: DowntimeSource,
    reason: str | None,
    now: datetime,
) -> DowntimeWindow:
    """Record that `window.machine` cannot work from `window.start` to `window.end`."""
    row = {
        "downtime_id": str(uuid.uuid4()),
        "site_id": site_id,
        "machine": window.machine,
        "start_at": window.start,
        "end_at": window.end,
        "source": source.value,
        "reason": reason,
        "opened_at": now,
    }
    conn.execute(machine_downtime.insert(), [row])
    return DowntimeWindow.model_validate(row)


def do_end_downtime(*, conn: Connection, downtime_id: str, end: datetime) -> None:
    """The machine works again from `end` (a repair done sooner or later than expected)."""
    conn.execute(
        machine_downtime.update()
        .where(machine_downtime.c.downtime_id == downtime_id)
        .values(end_at=end)
    )


def list_downtime(*, conn: Connection, site_id: str, after: datetime) -> list[DowntimeWindow]:
    """The site's windows that end after `after`, earliest first."""
    query = (
        sa.select(machine_downtime)
        .where(machine_downtime.c.site_id == site_id, machine_downtime.c.end_at > after)
        .order_by(machine_downtime.c.start_at, machine_downtime.c.machine)
    )
    return [DowntimeWindow.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def access_downtime(
    *, conn: Connection, principal: Principal, site_id: str, after: datetime
) -> list[DowntimeWindow]:
    """The site's windows ending after `after`, for its manufacturer or who sees all plans."""
    check_site_schedule_visible(conn=conn, principal=principal, site_id=site_id)
    return list_downtime(conn=conn, site_id=site_id, after=after)


def access_open_downtime(
    *, conn: Connection, principal: Principal, site_id: str, window: DowntimeCreate, now: datetime
) -> DowntimeWindow:
    """Open a maintenance or planner's window on the site's machine (who may plan the site)."""
    check_may_plan_site(conn=conn, principal=principal, site_id=site_id)
    plain = Downtime(machine=window.machine, start=window.start, end=window.end)
    source = DowntimeSource(window.source)
    return do_open_downtime(conn=conn, site_id=site_id, window=plain, source=source,
                            reason=window.reason, now=now)  # fmt: skip
