"""The `chainhub kpi` commands on the hand-written chain."""

from __future__ import annotations

import json

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.cli import kpi
from tests.kpi.conftest import DONGFANG, JINLI


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `kpi` as a name
    kpi.register(app)
    return app


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_list_show_and_compare(chain: sa.Engine) -> None:
    run = CliRunner()
    listed = run.invoke(_app(), ["kpi", "list", "--format", "json"])
    assert listed.exit_code == 0 and "otif" in {k["kpi_id"] for k in json.loads(listed.stdout)}
    db = ["--db", _url(chain)]
    shown = run.invoke(_app(), ["kpi", "show", "otif", "--by", "total", "--format", "json", *db])
    assert shown.exit_code == 0, shown.output
    values = {v["partner_id"]: v["value"] for v in json.loads(shown.stdout)["values"]}
    assert values == {DONGFANG: 50.0, JINLI: 33.3333}
    one = run.invoke(_app(), ["kpi", "show", "otif", "--partner", JINLI, "--from", "2025-07-11",
                              "--format", "json", *db])  # fmt: skip
    assert [v["value"] for v in json.loads(one.stdout)["values"]] == [0.0]
    table = run.invoke(
        _app(),
        ["kpi", "compare", "otif", "--before", "2025-07-01:2025-07-10",
         "--after", "2025-07-11:2025-07-31", *db],
    )  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "协同前" in table.stdout and "未改善" in table.stdout
    bad = run.invoke(_app(), ["kpi", "show", "otif", "--from", "July", *db])
    assert bad.exit_code == 2
    # A malformed period is a usage error too, found before the database is opened.
    odd = run.invoke(
        _app(), ["kpi", "compare", "otif", "--before", "Q3", "--after", "2025-10-01:2025-12-31"]
    )
    assert odd.exit_code == 2 and "FROM:TO" in odd.output
