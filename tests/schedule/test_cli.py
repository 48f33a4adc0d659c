"""The `chainhub schedule` commands on the small chain's orders: run, show, explain."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.cli import schedule
from tests.schedule.chain import NOW, SITE, load_orders
from tests.support import SmallChain


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `schedule` as a name
    schedule.register(app)
    return app


def test_run_show_and_explain(engine: sa.Engine, small_chain: SmallChain, tmp_path: Path) -> None:
    orders = load_orders(engine, small_chain, tmp_path)
    db = ["--db", engine.url.render_as_string(hide_password=False)]
    runner = CliRunner()
    start = ["--from", NOW.isoformat(), "--seconds", "3"]
    ran = runner.invoke(_app(), ["schedule", "run", *start, "--format", "json", *db])
    assert ran.exit_code == 0, ran.output
    (plan,) = json.loads(ran.stdout)
    assert (plan["site_id"], plan["late_orders"]) == (SITE, [])
    assert sorted({s["order_number"] for s in plan["slots"]}) == sorted(orders)

    shown = runner.invoke(_app(), ["schedule", "show", "--site", SITE, "--format", "json", *db])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)[0]["run_id"] == plan["run_id"]
    table = runner.invoke(_app(), ["schedule", "show", *db])
    assert table.exit_code == 0, table.output
    assert "by machine" in table.stdout and "WC-01#1" in table.stdout
    assert all(o in table.stdout for o in orders)

    explained = runner.invoke(_app(), ["schedule", "explain", "--format", "json", *db])
    assert explained.exit_code == 0, explained.output
    (found,) = json.loads(explained.stdout)
    assert [(i["order_number"], i["field"]) for i in found["issues"]] == [
        ("MO-NOROUTE", "product_code"),
        ("MO-NOSTEEL", "material_code"),
    ]
    assert found["late"] == []
    words = runner.invoke(_app(), ["schedule", "explain", "--site", SITE, *db])
    assert "MO-NOSTEEL" in words.stdout and "never on hand" in words.stdout

    naive = runner.invoke(_app(), ["schedule", "run", "--from", "2026-03-02T00:00", *db])
    assert naive.exit_code == 2 and "offset" in naive.output
    missing = runner.invoke(_app(), ["schedule", "show", "--site", "nowhere", *db])
    assert missing.exit_code == 1 and "no schedule for site nowhere" in missing.output
