"""`chainhub forecast run` then `show --level`: the reconciled hierarchy, level by level."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.cli import forecast
from tests.forecast.test_service import HUADONG, JINLI, _sales
from tests.intake.conftest import registered
from tests.kpi.conftest import OEM, submit

__all__ = ["registered"]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `forecast` as a name
    forecast.register(app)
    return app


def test_show_prints_the_level_asked_for(
    registered: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    orders = _sales(HUADONG, "M001", 8, 10) + _sales(JINLI, "M001", 8, 5)
    submit(registered, tmp_path, "sales_order", orders, by=OEM)
    run = CliRunner()
    url = registered.url.render_as_string(hide_password=False)
    stored = run.invoke(
        _app(), ["forecast", "run", "--db", url, "--horizon", "2", "--windows", "2"]
    )
    assert stored.exit_code == 0, stored.output
    shown = {
        level: run.invoke(
            _app(), ["forecast", "show", "--db", url, "--level", level], env={"COLUMNS": "200"}
        )
        for level in ("family", "material", "customer")
    }
    assert all(result.exit_code == 0 for result in shown.values()), shown
    assert "all 1 (" in shown["family"].output and "component" in shown["family"].output
    assert "component / M001" in shown["material"].output
    assert HUADONG not in shown["material"].output
    assert f"component / M001 / {HUADONG}" in shown["customer"].output
    assert f"component / M001 / {JINLI}" in shown["customer"].output
    assert "all 2 (" in shown["customer"].output
