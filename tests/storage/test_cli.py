"""The `chainhub db` commands."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from chainhub.cli import db
from chainhub.storage.migrate import get_head_revision


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `db` as a name
    db.register(app)
    return app


def _text(output: str) -> str:
    return " ".join(output.split())


def test_upgrade_then_status(run: CliRunner, tmp_path: Path) -> None:
    url = str(tmp_path / "hub.duckdb")
    upgraded = run.invoke(_app(), ["db", "upgrade", "--db", url])
    status = run.invoke(_app(), ["db", "status", "--db", url])

    assert upgraded.exit_code == 0, upgraded.output
    assert _text(upgraded.output) == f"database at revision {get_head_revision()}"
    assert status.exit_code == 0, status.output
    assert f"database at revision {get_head_revision()}" in status.output
    assert "purchase_order │ 0 │ 0" in _text(status.output)


def test_status_before_upgrade_says_what_to_do(run: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "hub.duckdb"
    duckdb.connect(str(path)).close()
    result = run.invoke(_app(), ["db", "status", "--db", str(path)])
    assert result.exit_code == 1
    assert "run `chainhub db upgrade`" in _text(result.output)


def test_status_of_a_missing_file_creates_nothing(run: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "typo.duckdb"
    result = run.invoke(_app(), ["db", "status", "--db", str(path)])
    assert result.exit_code == 1
    assert _text(result.output).startswith(f"error: there is no hub database at {path}")
    assert not path.exists()


def test_a_bad_url_is_one_error_not_a_traceback(run: CliRunner) -> None:
    result = run.invoke(_app(), ["db", "upgrade", "--db", "mysql://hub@db.example/chainhub"])
    assert result.exit_code == 1
    assert _text(result.output).startswith("error: Unsupported database URL")
    assert "Traceback" not in result.output


def test_a_locked_file_is_one_error(run: CliRunner, held_duckdb_file: Path) -> None:
    result = run.invoke(_app(), ["db", "status", "--db", str(held_duckdb_file)])
    assert result.exit_code == 1
    assert _text(result.output).startswith(f"error: The database file {held_duckdb_file} is in use")
    assert "Traceback" not in result.output
