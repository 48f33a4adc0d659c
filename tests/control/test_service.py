"""Co-control on both backends: a breakdown in a plant's telemetry re-plans its site, the
machine's return pulls the work back, an early warning opens a maintenance window, and the
site's planners hear of each re-plan."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainhub.control.service import do_react_to_states, scheduler_machine
from chainhub.equipment.service import do_store_telemetry
from chainhub.partners.models import webhook_deliveries
from chainhub.partners.schemas import SubscriptionCreate
from chainhub.partners.webhooks import do_create_subscription
from chainhub.schedule.downtime import list_downtime
from chainhub.schedule.service import do_run_schedule, get_run
from tests.schedule.chain import MAKER, NOW, SITE, load_orders
from tests.support import SmallChain

REPAIR = timedelta(hours=3)
MAINTENANCE = timedelta(hours=2)


def _state(
    state: str, at: datetime, *, partner: str = MAKER, machine: str = "WC-01.1"
) -> dict[str, Any]:
    return {
        "partner_id": partner, "machine_id": machine, "message_id": f"{state}-{at:%H%M}",
        "site_id": SITE, "kind": "state", "machine_time": at, "received_at": at, "state": state,
        "reason": "spindle" if state == "breakdown" else None, "good": None, "scrap": None,
        "ideal_cycle_s": None, "temperature_c": None, "vibration_mm_s": None,
        "spindle_load_pct": None,
    }  # fmt: skip


def _signals(start: datetime, count: int, vibration: float) -> list[dict[str, Any]]:
    """WC-01.1 cutting (60 % load) every 10 s from `start`."""
    rows = []
    for n in range(count):
        at = start + timedelta(seconds=10 * n)
        rows.append({
            **_state("running", at), "message_id": f"s-{at:%H%M%S}", "kind": "signal",
            "state": None, "reason": None, "vibration_mm_s": vibration, "spindle_load_pct": 60.0,
        })  # fmt: skip
    return rows


def _react(
    engine: sa.Engine,
    rows: list[dict[str, Any]],
    now: datetime,
    maintenance: timedelta | None = None,
) -> list[str]:
    with engine.begin() as conn:
        do_store_telemetry(conn=conn, rows=rows)
        runs = do_react_to_states(
            conn=conn, rows=rows, now=now, repair=REPAIR, maintenance=maintenance
        )
        return [r.run_id for r in runs]


def test_a_breakdown_replans_and_the_return_pulls_work_back(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    load_orders(engine, small_chain, tmp_path)
    with engine.begin() as conn:
        first = do_run_schedule(conn=conn, site_id=SITE, now=NOW, seconds=5)
        do_create_subscription(
            conn=conn, partner_id=MAKER, allowed_hosts=["planner.local"],
            subscription=SubscriptionCreate.model_validate(
                {"url": "https://planner.local/hook", "events": ["schedule.replanned"]}
            ),
        )  # fmt: skip
    assert min(s.start_at for s in first.slots) == NOW

    broke = NOW + timedelta(minutes=10)
    replanned = _react(engine, [_state("breakdown", broke)], broke)
    with engine.connect() as conn:
        run = get_run(conn=conn, site_id=SITE)
        windows = list_downtime(conn=conn, site_id=SITE, after=NOW)
    assert replanned == [run.run_id]
    assert [(w.machine, w.start_at, w.end_at, w.reason) for w in windows] == [
        ("WC-01#1", broke, broke + REPAIR, "spindle")
    ]
    # Nothing runs on the broken machine while it is expected to be under repair.
    assert min(s.start_at for s in run.slots) == broke + REPAIR

    # The same breakdown reported again changes nothing; a later plan still keeps the window.
    assert _react(engine, [_state("breakdown", broke + timedelta(minutes=1))], broke) == []
    # Offline (a Sparkplug death) is not known to work again: the window stays.
    assert _react(engine, [_state("offline", broke + timedelta(minutes=2))], broke) == []
    back = broke + timedelta(minutes=50)
    assert len(_react(engine, [_state("running", back)], back)) == 1
    with engine.connect() as conn:
        run = get_run(conn=conn, site_id=SITE)
        delivered = conn.execute(
            sa.select(webhook_deliveries.c.event, webhook_deliveries.c.payload)
        ).all()
    assert min(s.start_at for s in run.slots) == back
    assert [d.event for d in delivered] == ["schedule.replanned"] * 2
    assert SITE in delivered[0].payload


def test_an_early_warning_opens_one_maintenance_window_and_replans_once(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    load_orders(engine, small_chain, tmp_path)
    with engine.begin() as conn:
        do_run_schedule(conn=conn, site_id=SITE, now=NOW, seconds=5)
        do_create_subscription(
            conn=conn, partner_id=MAKER, allowed_hosts=["planner.local"],
            subscription=SubscriptionCreate.model_validate(
                {"url": "https://planner.local/hook",
                 "events": ["maintenance.planned", "schedule.replanned"]}
            ),
        )  # fmt: skip
    history = _signals(NOW - timedelta(seconds=10 * 1000), 1000, 2.0)
    assert _react(engine, history, NOW, MAINTENANCE) == []
    rise = _signals(NOW, 30, 2.6)
    now = rise[-1]["machine_time"]
    # Turned off, the warning changes nothing; the same batch delivered again then opens it.
    assert _react(engine, rise, now) == []
    replanned = _react(engine, rise, now, MAINTENANCE)
    # +30 % lifts the 5-minute mean past +15 % at the 16th sample.
    warned = NOW + timedelta(seconds=150)
    with engine.connect() as conn:
        run = get_run(conn=conn, site_id=SITE)
        windows = list_downtime(conn=conn, site_id=SITE, after=NOW)
    assert replanned == [run.run_id]
    assert [(w.machine, w.start_at, w.end_at, w.source) for w in windows] == [
        ("WC-01#1", warned, warned + MAINTENANCE, "maintenance")
    ]
    assert windows[0].reason == "early warning: vibration 1.16 x its baseline"
    on_machine = [s for s in run.slots if s.machine_id == "WC-01#1"]
    assert on_machine
    assert all(s.end_at <= warned or s.start_at >= warned + MAINTENANCE for s in on_machine)

    # Delivered again, or the episode going on: still the one window, no re-plan.
    assert _react(engine, rise, now, MAINTENANCE) == []
    later = _signals(now + timedelta(seconds=10), 30, 2.7)
    assert _react(engine, later, later[-1]["machine_time"], MAINTENANCE) == []
    with engine.connect() as conn:
        assert len(list_downtime(conn=conn, site_id=SITE, after=NOW)) == 1
        delivered = conn.execute(
            sa.select(webhook_deliveries.c.event, webhook_deliveries.c.payload)
        ).all()
    assert [d.event for d in delivered] == ["maintenance.planned", "schedule.replanned"]
    assert f"{SITE}/WC-01#1" in delivered[0].payload
    assert windows[0].downtime_id in delivered[0].payload


def test_machines_not_linked_to_the_plan_change_nothing(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    load_orders(engine, small_chain, tmp_path)
    with engine.begin() as conn:
        do_run_schedule(conn=conn, site_id=SITE, now=NOW, seconds=5)
    broke = NOW + timedelta(minutes=10)
    others = [
        _state("breakdown", broke, partner="jinli-motor"),  # not the site's manufacturer
        _state("breakdown", broke, machine="PRESS-7"),  # not a work centre's machine
    ]
    assert _react(engine, others, broke) == []
    with engine.connect() as conn:
        assert list_downtime(conn=conn, site_id=SITE, after=NOW) == []


def test_telemetry_ids_of_work_centre_machines() -> None:
    assert scheduler_machine("WC-01.1") == "WC-01#1"
    assert scheduler_machine("WC-ASSY-1.12") == "WC-ASSY-1#12"
    assert [scheduler_machine(m) for m in ("M001", "WC-01.", ".1", "WC-01.0", "WC.x")] == [None] * 5
