"""The demo's plant: a simulated day of the leader's machines, its plan, and co-control."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.control.service import do_react_to_states
from chainhub.equipment.parse import parse_message, split_parsed
from chainhub.equipment.service import do_store_telemetry
from chainhub.equipment.simulate import simulate_line
from chainhub.schedule.service import do_run_schedule
from chainhub.storage.models import current_view

DAY_MINUTES: Final = 24 * 60
PLAN_SECONDS: Final = 3.0


@dataclass(frozen=True)
class PlantDay:
    """What the simulated day left: messages stored, plans made, failures planted."""

    messages: int
    plans: int
    failures: int


def _machines(conn: Connection, partner_id: str) -> dict[str, list[str]]:
    """The partner's machines by site, in the telemetry ids linked to the plan (`WC-01.1`)."""
    view, site = current_view("work_centre"), current_view("site")
    sites = sa.select(site.c.site_id).where(site.c.partner_id == partner_id)
    rows = conn.execute(
        sa.select(view.c.site_id, view.c.work_centre_id, view.c.machines)
        .where(view.c.site_id.in_(sites))
        .order_by(view.c.site_id, view.c.work_centre_id)
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.site_id, []).extend(
            f"{row.work_centre_id}.{k}" for k in range(1, int(row.machines) + 1)
        )
    return found


def do_run_plant_day(*, conn: Connection, partner_id: str, now: datetime, seed: int) -> PlantDay:
    """Store a simulated day of telemetry up to `now` for each of the partner's machines, plan
    each of its sites from `now`, and let the machines' latest states steer the plans."""
    messages = plans = failures = 0
    for site_id, machine_ids in _machines(conn, partner_id).items():
        line = simulate_line(partner_id=partner_id, site_id=site_id, machines=len(machine_ids),
                             minutes=DAY_MINUTES, start=now - timedelta(minutes=DAY_MINUTES),
                             seed=seed, machine_ids=machine_ids)  # fmt: skip
        rows, rejected = split_parsed(
            parse_message(topic=m.topic, payload=m.payload, received_at=m.machine_time)
            for m in line.messages
        )
        messages += do_store_telemetry(conn=conn, rows=rows, rejected=rejected).stored
        do_run_schedule(conn=conn, site_id=site_id, now=now, seconds=PLAN_SECONDS)
        plans += 1 + len(do_react_to_states(conn=conn, rows=rows, now=now, seconds=PLAN_SECONDS))
        failures += len(line.failures)
    return PlantDay(messages=messages, plans=plans, failures=failures)
