"""The demo's plant day on both backends: telemetry of the plan's machines, and the plan."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from chainhub.control.plant import do_run_plant_day
from chainhub.equipment.models import equipment_messages
from chainhub.schedule.service import get_run
from tests.schedule.chain import MAKER, NOW, SITE, load_orders
from tests.support import SmallChain


def test_a_day_of_the_plan_machines_and_the_plan_from_now(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    load_orders(engine, small_chain, tmp_path)
    with engine.begin() as conn:
        day = do_run_plant_day(conn=conn, partner_id=MAKER, now=NOW, seed=7)
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(equipment_messages.c.machine_id, equipment_messages.c.site_id,
                      sa.func.min(equipment_messages.c.machine_time), sa.func.count())
            .group_by(equipment_messages.c.machine_id, equipment_messages.c.site_id)
        ).all()  # fmt: skip
        run = get_run(conn=conn, site_id=SITE)
    # The site's one work centre, WC-01 with one machine, as telemetry names it.
    assert [(m, s) for m, s, _, _ in stored] == [("WC-01.1", SITE)]
    assert stored[0][2] >= NOW - timedelta(days=1)
    assert day.messages == stored[0][3] > 1_000
    assert run.planned_from == NOW and len(run.slots) == 4
    assert day.plans >= 1
