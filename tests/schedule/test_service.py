"""Plans of the small chain's orders at a supplier's plant, stored on both backends: named
problems, a re-plan after the machine goes down, what moved and which orders are late."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from chainhub.schedule.schemas import Downtime
from chainhub.schedule.service import do_run_schedule, get_run
from tests.schedule.chain import NOW, SITE, load_orders
from tests.support import SmallChain


def test_plan_names_problems_and_replans_around_a_breakdown(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    orders = load_orders(engine, small_chain, tmp_path)
    with engine.begin() as conn:
        first = do_run_schedule(conn=conn, site_id=SITE, now=NOW, seconds=5)
    assert sorted({s.order_number for s in first.slots}) == sorted(orders)
    assert {(i.order_number, i.operation_no, i.field) for i in first.issues} == {
        ("MO-NOROUTE", None, "product_code"),
        ("MO-NOSTEEL", 10, "material_code"),
    }
    # One machine, 20-hour days: 45 + 0.8 * 100 = 125 minutes stretched to 150 each, back to back.
    ends = sorted(s.end_at for s in first.slots)
    assert ends == [NOW + timedelta(minutes=150 * k) for k in range(1, 5)]
    assert (first.late_orders, first.moved) == ([], [])

    down = Downtime(machine="WC-01", start=NOW, end=NOW + timedelta(hours=24))
    later = NOW + timedelta(minutes=1)
    with engine.begin() as conn:
        again = do_run_schedule(conn=conn, site_id=SITE, now=later, downtime=[down], seconds=5)
    assert min(s.start_at for s in again.slots) == NOW + timedelta(hours=24)
    assert {s.order_number for s in again.moved} == set(orders)
    # Due at 12, 24, 36 and 48 hours: after a day down the first two are late.
    assert again.late_orders == sorted(orders[:2])
    with engine.connect() as conn:
        stored = get_run(conn=conn, site_id=SITE)
    assert (stored.run_id, stored.late_orders, len(stored.moved)) == (
        again.run_id,
        again.late_orders,
        4,
    )
