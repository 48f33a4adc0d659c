"""The `chainhub simulate` command: summary on success, one-line errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from chainhub.cli import simulate


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    simulate.register(app)
    app.command("noop")(lambda: None)
    return app


def test_bad_input_exits_2_with_one_line(app: typer.Typer, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("x")
    afile = tmp_path / "afile"
    afile.write_text("")
    runner = CliRunner()
    cases = {
        ("--scale", "huge"): "unknown scale 'huge'",
        ("--scale", "100"): "below the minimum",
        ("--seed", "-1"): "--seed must be 0 or more",
    }
    for args, message in cases.items():
        result = runner.invoke(app, ["simulate", "--out", str(tmp_path / "new"), *args])
        assert result.exit_code == 2, args
        assert message in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["simulate", "--out", str(full)])
    assert result.exit_code == 2
    assert "is not empty; use --force" in result.output
    result = runner.invoke(app, ["simulate", "--out", str(afile)])
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert not (tmp_path / "new").exists()


def test_force_overwrites_and_prints_summary(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "chain"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    result = CliRunner().invoke(app, ["simulate", "--out", str(out), "--seed", "5", "--force"])
    assert result.exit_code == 0, result.output
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "manifest.json").read_text("utf-8"))["seed"] == 5
    assert "purchase_order" in result.output
    assert "26 partners" in result.output
