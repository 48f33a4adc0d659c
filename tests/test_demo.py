"""`chainhub demo`, the README's first command, as a new user runs it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from typer.testing import CliRunner

from chainhub.access.passwords import SignedIn, access_sign_in
from chainhub.cli.main import _register, app
from chainhub.partners.service import do_issue_demo_users
from chainhub.plan.models import plan_alerts
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

runner = CliRunner()
_register()


def test_demo_loads_the_small_chain_and_prints_tokens(tmp_path: Path) -> None:
    db = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    out = runner.invoke(
        app,
        ["demo", "--no-serve", "--db", db, "--data-dir", str(tmp_path / "data")],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 0, out.output
    manifest = json.loads((tmp_path / "data" / "manifest.json").read_text("utf-8"))
    assert f"loaded {len(manifest['submissions'])} submissions (0 already stored)" in out.stdout
    assert "purchase_order" in out.stdout and "quality_inspection" in out.stdout
    # The first forecast's value added: a hub that chose naive itself is counted as equal to it.
    assert re.search(r"the hub beats naive on \d+, equals it on \d+, of 40 ", out.stdout)
    tokens = [line.split()[-1] for line in out.stdout.splitlines() if " chk_" in line]
    assert len(tokens) == 4 and len(set(tokens)) == 4
    users = _users(out.stdout)
    assert [(name, partner, role) for name, partner, role, _ in users] == [
        ("hub-admin", "hub", "hub_admin"),
        ("haichuan-admin", "haichuan", "partner_admin"),
        ("jinli-motor-admin", "jinli-motor", "partner_admin"),
        ("huayang-compressor-admin", "huayang-compressor", "partner_admin"),
        ("jinli-motor-member", "jinli-motor", "partner_member"),
    ]
    assert _signs_in(db, "haichuan-admin", users[1][3])
    again = runner.invoke(app, ["partner", "list", "--db", db, "--format", "json"])
    assert again.exit_code == 0, again.output
    assert len(json.loads(again.stdout)) == 26
    # The red weeks the simulator planted light up as the suppliers' capacity is loaded.
    weeks = pl.read_csv(tmp_path / "data" / "ground_truth" / "capacity_weeks.csv")
    planted = {
        (r["supplier_id"], r["capacity_group_id"], r["week_start"])
        for r in weeks.filter(pl.col("planted_shortfall")).iter_rows(named=True)
    }
    engine = create_engine_for(db)
    with engine.connect() as conn:
        alerts = conn.execute(
            sa.select(plan_alerts.c.supplier_id, plan_alerts.c.detail).where(
                plan_alerts.c.kind == "capacity.red"
            )
        ).all()
    engine.dispose()
    raised = {
        (s, *(json.loads(d)[k] for k in ("capacity_group_id", "week_start"))) for s, d in alerts
    }
    assert planted and raised == planted


def _users(stdout: str) -> list[tuple[str, str, str, str]]:
    """The demo's printed sign-ins: name, partner, role, password."""
    lines = stdout.split("demo sign-ins", 1)[1].splitlines()[1:]
    rows = [line.split() for line in lines if line.startswith("  ")]
    return [(r[0], r[1], r[2], r[3]) for r in rows if len(r) == 4]


def _signs_in(db: str, name: str, password: str) -> bool:
    engine = create_engine_for(db)
    with engine.begin() as conn:
        signed = access_sign_in(
            conn=conn, name=name, password=password, session_lifetime=timedelta(hours=1)
        )
    engine.dispose()
    return isinstance(signed, SignedIn)


def test_a_demo_rerun_resets_the_passwords_it_printed(tmp_path: Path) -> None:
    db = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    engine = create_engine_for(db)
    do_upgrade(engine=engine)
    with engine.begin() as conn:
        first = do_issue_demo_users(conn=conn)
        second = do_issue_demo_users(conn=conn)
    engine.dispose()
    assert [u.name for u in first] == [u.name for u in second]
    assert not _signs_in(db, first[2].name, first[2].password)
    assert _signs_in(db, second[2].name, second[2].password)


def test_demo_with_a_bad_database_url_stops_before_any_work(tmp_path: Path) -> None:
    out = runner.invoke(
        app,
        ["demo", "--no-serve", "--db", "mysql://x/y", "--data-dir", str(tmp_path / "data")],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 1
    assert "Unsupported database URL 'mysql://x/y'" in out.stderr
    assert not (tmp_path / "data").exists()
