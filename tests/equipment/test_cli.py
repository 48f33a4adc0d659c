"""The `chainhub telemetry` commands through a real Mosquitto: simulate, listen, oee; errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import typer
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from chainhub.cli import telemetry
from chainhub.cli.cocontrol import fail_not_stored
from tests.equipment.broker import Mosquitto


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `telemetry` as a name
    telemetry.register(app)
    return app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_simulate_listen_and_oee(database_url: str, mosquitto: Mosquitto, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", database_url]
    broker = ["--broker", mosquitto.address]
    # The first listen opens the hub's session; what is published meanwhile waits for it.
    first = runner.invoke(_app(), ["telemetry", "listen", *broker, *db, "--duration", "0.3"])
    assert first.exit_code == 0, first.output
    truth = tmp_path / "truth.json"
    simulate = ["--machines", "2", "--minutes", "60", "--start", "2026-03-02T08:00+08:00"]
    published = runner.invoke(
        _app(), ["telemetry", "simulate", *broker, *simulate, "--truth", str(truth)]
    )
    assert published.exit_code == 0, published.output
    sent = int(
        " ".join(published.output.split()).split("published ")[1].split(" ")[0].replace(",", "")
    )
    assert sent > 700
    assert isinstance(json.loads(truth.read_text("utf-8")), list)

    stored = runner.invoke(_app(), ["telemetry", "listen", *broker, *db, "--duration", "2"])
    assert stored.exit_code == 0, stored.output
    said = " ".join(stored.output.split())
    assert f"{sent:,} stored, 0 duplicates dropped, 0 malformed kept aside" in said

    shown = runner.invoke(_app(), ["telemetry", "oee", "--format", "json", *db])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert [(r["machine_id"], r["day"]) for r in report["rows"]] == [
        ("M001", "2026-03-02"),
        ("M002", "2026-03-02"),
    ]
    for row in report["rows"]:
        # 00:00 UTC to the last sample at 00:59:50, all of it planned busy time (the first
        # break is at 03:30).
        assert row["planned_busy_s"] == 3_590
        assert 0 < row["oee"] <= row["availability"] <= 1
    table = runner.invoke(_app(), ["telemetry", "oee", "--machine", "M002", "--by", "shift", *db])
    assert table.exit_code == 0, table.output
    assert "OEE (ISO 22400-2)" in table.output and "M001" not in table.output
    # The first planted degradation begins hours after this hour of telemetry.
    warned = runner.invoke(_app(), ["telemetry", "warnings", "--format", "json", *db])
    assert warned.exit_code == 0, warned.output
    assert json.loads(warned.stdout) == []
    quiet = runner.invoke(_app(), ["telemetry", "warnings", "--day", "2026-03-02", *db])
    assert "no early warnings that day" in quiet.output


def test_an_unreachable_broker_is_one_line(database_url: str) -> None:
    runner = CliRunner()
    port = _closed_port()
    for command in (
        ["listen", "--db", database_url],
        ["simulate", "--machines", "1", "--minutes", "1"],
    ):
        result = runner.invoke(_app(), ["telemetry", *command, "--broker", f"127.0.0.1:{port}"])
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines() == [
            f"error: MQTT broker 127.0.0.1:{port} unreachable: Connection refused"
        ]


def test_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", f"duckdb:///{tmp_path / 'hub.duckdb'}"]
    bad_broker = runner.invoke(_app(), ["telemetry", "listen", "--broker", "localhost:x", *db])
    assert bad_broker.exit_code == 2
    assert "error: --broker 'localhost:x' is not HOST:PORT" in bad_broker.output
    bad_day = runner.invoke(_app(), ["telemetry", "oee", "--day", "2026-13-01", *db])
    assert bad_day.exit_code == 2
    assert "--day takes an ISO date" in bad_day.output
    bad_start = ["--broker", "127.0.0.1:1883", "--start", "2026-03-02T08:00"]
    unzoned = runner.invoke(_app(), ["telemetry", "simulate", *bad_start])
    assert unzoned.exit_code == 2
    assert "give a time with its offset" in unzoned.output
    spb = tmp_path / "spb.toml"
    spb.write_text('group = "plant"\n[[machine]]\npartner = "p"\nsite = "s"\nmachine = "M1"\n'
                   'edge = "line1"\n[machine.metrics]\ngood_total = "Counts/Good"\n')  # fmt: skip
    bad_map = ["--broker", "127.0.0.1:1883", "--sparkplug", str(spb), *db]
    no_cycle = runner.invoke(_app(), ["telemetry", "listen", *bad_map])
    assert no_cycle.exit_code == 2
    assert "spb.toml: machine.0: counters need ideal_cycle_s" in no_cycle.output


def test_a_batch_not_stored_names_the_database_reason(capsys: pytest.CaptureFixture[str]) -> None:
    error = OperationalError("INSERT", {}, Exception("disk full"))
    for kept, hint in ((True, "the broker keeps"), (False, None)):
        with pytest.raises(typer.Exit) as ended:
            fail_not_stored(error, kept_by_broker=kept)
        assert ended.value.exit_code == 1
        said = capsys.readouterr().err
        assert "storing telemetry failed: disk full" in said
        assert (hint in said) if hint else "broker" not in said
