"""`chainhub plan mrp` and `chainhub plan capacity` on a small hub: P100 takes two M004."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.access.tokens import do_set_chain_leader
from chainhub.cli import intake, plan
from chainhub.plan.models import plan_alerts
from chainhub.plan.mrp import first_monday
from tests.support import LEADER, ingest_records

JINLI = "jinli-motor"
MONDAY = first_monday(date.today())  # noqa: DTZ011 - the command plans from the local day


def _week(n: int) -> str:
    return (MONDAY + timedelta(weeks=n - 1)).isoformat()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `plan` as a name
    plan.register(app)
    intake.register(app)
    return app


def _seed(engine: sa.Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=LEADER)
    records: dict[str, list[dict[str, Any]]] = {
        "partner": [
            {"partner_id": p, "name_zh": p, "name_en": p, "roles": r, "tier": t, "city": "佛山"}
            for p, r, t in ((LEADER, "oem", 0), (JINLI, "supplier", 1))
        ],
        "site": [
            {
                "site_id": "haichuan-foshan",
                "partner_id": LEADER,
                "name_zh": "佛山工厂",
                "name_en": "Foshan",
                "site_type": "plant",
                "city": "佛山",
            }
        ],
        "material": [
            {
                "material_code": "P100",
                "name_zh": "空调",
                "name_en": "AC",
                "category": "finished",
                "base_unit": "H87",
                "lead_time_days": 7,
            },
            {
                "material_code": "M004",
                "name_zh": "电机",
                "name_en": "Motor",
                "category": "component",
                "base_unit": "H87",
                "lead_time_days": 14,
            },
        ],  # fmt: skip
        # Flat records: one row per line, header fields repeated.
        "bom": [
            {
                "owner_id": LEADER,
                "parent_code": "P100",
                "valid_from": "2025-01-01",
                "line_no": 10,
                "component_code": "M004",
                "quantity_per": "2",
                "component_unit": "H87",
            }
        ],
        "demand_forecast": [
            {
                "forecast_id": "FC-1",
                "issuer_id": LEADER,
                "site_id": "haichuan-foshan",
                "forecast_date": MONDAY.isoformat(),
                "bucket": "week",
                "material_code": "P100",
                "period_start": _week(3),
                "quantity": "100",
                "unit": "H87",
            }
        ],
        "purchase_order": [
            {
                "po_number": "PO-1",
                "buyer_id": LEADER,
                "supplier_id": JINLI,
                "ship_to_site": "haichuan-foshan",
                "order_date": MONDAY.isoformat(),
                "line_no": 10,
                "material_code": "M004",
                "quantity": "50",
                "unit": "H87",
                "requested_date": _week(1),
            }
        ],
    }
    for document_type, documents in records.items():
        result = ingest_records(engine, tmp_path, document_type, documents)
        assert result.status == "stored", document_type


def test_mrp_publish_and_capacity(engine: sa.Engine, tmp_path: Path) -> None:
    _seed(engine, tmp_path)
    db = ["--db", engine.url.render_as_string(hide_password=False)]
    runner = CliRunner()
    shown = runner.invoke(_app(), ["plan", "mrp", "--format", "json", *db])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    # P100: 100 in week 3, made a week ahead: 200 M004 needed in week 2, 50 due in week 1.
    weeks = [d["quantity"] for d in body["demand"] if d["supplier_id"] == JINLI]
    assert weeks[:4] == [50, 150, 0, 0]
    assert (body["customer_id"], body["source"], body["published"]) == (
        LEADER,
        "demand_forecast",
        None,
    )
    published = runner.invoke(_app(), ["plan", "mrp", "--publish", *db])
    assert published.exit_code == 0, published.output
    assert "published 1 of 1 supplier demands (0 unchanged)" in published.stdout
    again = runner.invoke(_app(), ["plan", "mrp", "--publish", "--format", "json", *db])
    assert json.loads(again.stdout)["published"]["unchanged"] == 1
    capacity = runner.invoke(_app(), ["plan", "capacity", "--supplier", JINLI, *db])
    assert capacity.exit_code == 0, capacity.output
    assert "0 group-weeks: 0 green, 0 orange, 0 red" in capacity.stdout
    wrong = runner.invoke(_app(), ["plan", "capacity", "--format", "xml", *db])
    assert wrong.exit_code == 2


def test_buffers_and_replenish(engine: sa.Engine, tmp_path: Path) -> None:
    _seed(engine, tmp_path)
    db = ["--db", engine.url.render_as_string(hide_password=False)]
    runner = CliRunner()
    shown = runner.invoke(_app(), ["plan", "buffers", "--format", "json", *db])
    assert shown.exit_code == 0, shown.output
    m004 = {b["material_code"]: b for b in json.loads(shown.stdout)["buffers"]}["M004"]
    # 200 M004 needed in week 2 is a spike within its 14-day lead time, so it is qualified:
    # net flow = 0 in stock + 50 on order - 200 = -150, in the red.
    assert (m004["lead_days"], m004["on_order"], m004["qualified"], m004["nfp"]) == (
        14.0,
        50.0,
        200.0,
        -150.0,
    )
    assert m004["zone"] == "red"
    table = runner.invoke(_app(), ["plan", "buffers", "--service-level", "0.99", *db])
    assert table.exit_code == 0, table.output
    assert "at 99.0% service: 2" in table.stdout
    # No supplier manages haichuan's stock here: nothing to propose.
    proposed = runner.invoke(_app(), ["plan", "replenish", "--store", *db])
    assert proposed.exit_code == 0, proposed.output
    assert "0 proposals stored" in proposed.stdout
    what_if = runner.invoke(
        _app(), ["plan", "replenish", "--lead-time", "M004=35", "--format", "json", *db]
    )
    assert what_if.exit_code == 0, what_if.output
    changed = json.loads(what_if.stdout)["buffers"]
    # A 35-day lead time widens the zones: still in the red, with a larger order.
    assert [(b["material_code"], b["zone_after"]) for b in changed] == [("M004", "red")]
    assert changed[0]["recommended_after"] > changed[0]["recommended_before"]
    refused = runner.invoke(_app(), ["plan", "replenish", "--store", "--demand-factor", "2", *db])
    assert refused.exit_code == 2


def test_capacity_ingested_after_the_demand_raises_its_red_week(
    engine: sa.Engine, tmp_path: Path
) -> None:
    _seed(engine, tmp_path)
    db = ["--db", engine.url.render_as_string(hide_password=False)]
    runner = CliRunner()
    assert runner.invoke(_app(), ["plan", "mrp", "--publish", *db]).exit_code == 0
    # jinli's M004 demand is 50, 150, 0, 0: week 2 is above the group's maximum 120.
    path = tmp_path / "capacity.csv"
    path.write_text(
        "supplier_id,capacity_group_id,customer_id,name,unit,line_no,week_start,"
        "actual_capacity,maximum_capacity,material_code,load_factor\n"
        f"{JINLI},CG-1,{LEADER},线1,H87,1,{_week(1)},100,120,,\n"
        f"{JINLI},CG-1,{LEADER},线1,H87,2,{_week(2)},100,120,,\n"
        f"{JINLI},CG-1,{LEADER},线1,H87,9,,,,M004,1\n",
        encoding="utf-8",
    )
    ingest = ["ingest", str(path), "--partner", JINLI, "--type", "capacity_group", *db]
    for status in ("stored", "duplicate"):
        done = runner.invoke(_app(), [*ingest, "--format", "json"])
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["status"] == status
        with engine.connect() as conn:
            raised = conn.execute(
                sa.select(plan_alerts.c.kind, plan_alerts.c.supplier_id, plan_alerts.c.detail)
            ).all()
        assert [(k, s, json.loads(d)["week_start"]) for k, s, d in raised] == [
            ("capacity.red", JINLI, _week(2))
        ]
