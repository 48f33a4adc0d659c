"""`chainhub demo`, the README's first command, as a new user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chainhub.cli.main import _register, app

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
    tokens = [line.split()[-1] for line in out.stdout.splitlines() if " chk_" in line]
    assert len(tokens) == 4 and len(set(tokens)) == 4
    again = runner.invoke(app, ["partner", "list", "--db", db, "--format", "json"])
    assert again.exit_code == 0, again.output
    assert len(json.loads(again.stdout)) == 26


def test_demo_with_a_bad_database_url_stops_before_any_work(tmp_path: Path) -> None:
    out = runner.invoke(
        app,
        ["demo", "--no-serve", "--db", "mysql://x/y", "--data-dir", str(tmp_path / "data")],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 1
    assert "Unsupported database URL 'mysql://x/y'" in out.stderr
    assert not (tmp_path / "data").exists()
