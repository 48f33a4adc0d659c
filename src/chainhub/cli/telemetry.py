"""Commands: telemetry listen, telemetry simulate, telemetry oee, telemetry warnings."""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from signal import SIGINT, SIGTERM
from typing import Annotated, Any, Literal

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from chainhub.cli.cocontrol import NoMaintenanceOption, RepairOption, fail_not_stored, replanner
from chainhub.cli.common import (
    OPERATOR,
    DbOption,
    DurationOption,
    check_output_path,
    console,
    fail,
    hub_transaction,
    load_settings,
    usage_error,
)
from chainhub.cli.opcua import opcua
from chainhub.equipment.broker import parse_broker
from chainhub.equipment.schemas import OeeReport
from chainhub.errors import ChainhubError

BrokerOption = Annotated[
    str, typer.Option("--broker", help="MQTT broker as HOST:PORT, e.g. 127.0.0.1:1883")
]
FormatOption = Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")]


def _broker(value: str) -> tuple[str, int]:
    try:
        return parse_broker(value)
    except ChainhubError as error:
        fail(error, exit_code=2)


def listen(
    broker: BrokerOption,
    db: DbOption = None,
    client_id: Annotated[
        str, typer.Option("--client-id", help="MQTT client id: the broker keeps its session")
    ] = "chainhub-telemetry",
    batch: Annotated[int, typer.Option("--batch", min=1, max=65_535, help="Messages per write")] = (
        10_000
    ),
    duration: DurationOption = None,
    repair_minutes: RepairOption = 120,
    no_auto_maintenance: NoMaintenanceOption = False,
    sparkplug: Annotated[
        Path | None,
        typer.Option(
            "--sparkplug",
            help="TOML map of a Sparkplug B group's machines: read spBv1.0/<group>/# too",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Subscribe to every machine's telemetry and store it until stopped (Ctrl-C); a planned
    site's machine that breaks down or warns of a failure re-plans the site."""
    from chainhub.equipment.nodemap import load_sparkplug_map
    from chainhub.equipment.sparkplug import SparkplugTranslator
    from chainhub.equipment.subscriber import TelemetrySubscriber
    from chainhub.storage.engine import create_engine_for
    from chainhub.storage.migrate import do_upgrade

    host, port = _broker(broker)
    translator = None
    if sparkplug is not None:
        try:
            translator = SparkplugTranslator(load_sparkplug_map(sparkplug))
        except ChainhubError as error:
            fail(error, exit_code=2)
    engine = None
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    try:
        settings = load_settings(db)
        engine = create_engine_for(settings.database_url)
        do_upgrade(engine=engine)
        maintenance = 0 if no_auto_maintenance else settings.maintenance_minutes
        subscriber = TelemetrySubscriber(
            engine=engine,
            host=host,
            port=port,
            client_id=client_id,
            batch_size=batch,
            after_store=replanner(engine, repair_minutes, maintenance),
            sparkplug=translator,
        )
        subscriber.start()
        # Ctrl-C or a service manager's stop ends the run after the last batch is stored.
        previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (SIGINT, SIGTERM)}
        if duration is not None:
            threading.Timer(duration, stop.set).start()
        with console.status(f"listening on {host}:{port}") as status:
            total = subscriber.run(
                stop=stop,
                on_batch=lambda _: status.update(
                    f"listening on {host}:{port}: {subscriber.total.summary()}"
                ),
            )
    except ChainhubError as error:
        fail(error)
    except SQLAlchemyError as error:
        fail_not_stored(error, kept_by_broker=True)
    finally:
        stop.set()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if engine is not None:
            engine.dispose()
    gaps = "" if translator is None else f"; {translator.gaps:,} Sparkplug messages missed"
    console.print(f"telemetry from {host}:{port}: {total.summary()}{gaps}")


def _start(value: str | None, minutes: int, speed: float) -> datetime:
    if value is None:
        # Without pauses the run is history that ends now; paced, it starts now.
        now = datetime.now(UTC).replace(microsecond=0)
        return now - timedelta(minutes=minutes) if speed == 0 else now
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        usage_error(
            "bad_time",
            f"--start {value}: give a time with its offset, e.g. 2026-03-02T08:00+08:00",
            f"--start {value}：请给出带时区偏移的时间，例如 2026-03-02T08:00+08:00",
        )
    return start


def simulate(
    broker: BrokerOption,
    machines: Annotated[int, typer.Option("--machines", min=1, max=1000)] = 5,
    minutes: Annotated[int, typer.Option("--minutes", min=1, max=60 * 24 * 31)] = 60,
    speed: Annotated[
        float,
        typer.Option(
            "--speed", min=0, help="Machine time runs this many times faster; 0 = no pause"
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed")] = 7,
    partner: Annotated[str, typer.Option("--partner", help="Partner running the line")] = (
        "haichuan"
    ),
    site: Annotated[str, typer.Option("--site", help="Site of the line")] = "haichuan-foshan",
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Machine time of the first message; default now, or --minutes ago with --speed 0",
        ),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="Write the planted failures (JSON) here", show_default=False),
    ] = None,
) -> None:
    """Publish a simulated line's states, counts and signals; plant failures after degradation."""
    from chainhub.equipment.publish import publish_messages
    from chainhub.equipment.simulate import simulate_line

    host, port = _broker(broker)
    if truth is not None:
        check_output_path(truth, "--truth", (".json",))
    with console.status(f"simulating {machines} machines for {minutes} minutes"):
        line = simulate_line(
            partner_id=partner,
            site_id=site,
            machines=machines,
            minutes=minutes,
            start=_start(start, minutes, speed),
            seed=seed,
        )
    if truth is not None:
        truth.write_text(line.truth_json(), encoding="utf-8")
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"publishing to {host}:{port}", total=len(line.messages))
            sent = publish_messages(
                host=host,
                port=port,
                messages=line.messages,
                speed=speed,
                on_progress=lambda n: progress.update(task, completed=n),
            )
    except ChainhubError as error:
        fail(error)
    console.print(
        f"published {sent:,} messages of {machines} machines to {host}:{port}; "
        f"{len(line.failures)} failures planted"
    )


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        usage_error(
            "bad_date",
            f"--day takes an ISO date such as 2026-03-02, not {value!r}",
            f"--day 需要 ISO 日期，例如 2026-03-02，而不是 {value!r}",
        )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _hours(seconds: float | None, unit: float) -> str:
    return "" if seconds is None else f"{seconds / unit:,.1f}"


def _print(report: OeeReport) -> None:
    if not report.rows:
        console.print("no telemetry for that day")
        return
    table = Table(
        "machine", "day", "shift", "availability", "performance", "quality", "OEE",
        "failures", "MTBF (h)", "MTTR (min)", title="OEE (ISO 22400-2)",
    )  # fmt: skip
    for r in report.rows:
        table.add_row(
            f"{r.partner_id}/{r.machine_id}",
            r.day.isoformat(),
            "" if r.shift is None else str(r.shift),
            _pct(r.availability),
            _pct(r.performance),
            _pct(r.quality),
            _pct(r.oee),
            str(r.failures),
            _hours(r.mtbf_s, 3600),
            _hours(r.mttr_s, 60),
        )
    console.print(table)
    pareto = Table("state", "reason", "minutes", "stops", "share", "cumulative", title="downtime")
    for d in report.downtime:
        pareto.add_row(
            str(d.state),
            d.reason,
            f"{d.seconds / 60:,.1f}",
            str(d.stops),
            _pct(d.share),
            _pct(d.cumulative_share),
        )
    console.print(pareto)


def oee(
    machine: Annotated[
        str | None, typer.Option("--machine", help="One machine id", show_default=False)
    ] = None,
    day: Annotated[
        str | None,
        typer.Option("--day", help="UTC day (ISO date); default the latest with telemetry"),
    ] = None,
    by: Annotated[Literal["day", "shift"], typer.Option("--by", help="per day or shift")] = "day",
    db: DbOption = None,
    output: FormatOption = "table",
) -> None:
    """OEE per machine and day or shift, MTBF and MTTR, and the downtime Pareto."""
    from chainhub.equipment.service import access_oee

    wanted = _day(day)
    with hub_transaction(db) as conn:
        report = access_oee(
            conn=conn,
            principal=OPERATOR,
            day=wanted,
            machine=machine,
            every="1d" if by == "day" else "8h",
        )
    if output == "json":
        typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
        return
    _print(report)


def warnings(
    machine: Annotated[
        str | None, typer.Option("--machine", help="One machine id", show_default=False)
    ] = None,
    day: Annotated[
        str | None,
        typer.Option("--day", help="UTC day (ISO date); default the latest with telemetry"),
    ] = None,
    db: DbOption = None,
    output: FormatOption = "table",
) -> None:
    """Early warnings: machines whose vibration rose above their own recent baseline."""
    from chainhub.equipment.service import access_warnings

    wanted = _day(day)
    with hub_transaction(db) as conn:
        found = access_warnings(conn=conn, principal=OPERATOR, day=wanted, machine=machine)
    if output == "json":
        typer.echo(json.dumps([w.model_dump(mode="json") for w in found], ensure_ascii=False))
        return
    table = Table("machine", "warned at (UTC)", "vibration / baseline", title="early warnings")
    for w in found:
        at = w.warned_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(f"{w.partner_id}/{w.machine_id}", at, f"{w.ratio:.2f}")
    console.print(table if found else "no early warnings that day")


def register(app: typer.Typer) -> None:
    """Add `telemetry listen`, `opcua`, `simulate`, `oee` and `warnings` to `app`."""

    telemetry_app = typer.Typer(
        name="telemetry",
        help="Equipment telemetry over MQTT and OPC UA, OEE and early warning (设备联控).",
        no_args_is_help=True,
    )
    telemetry_app.command("listen")(listen)
    telemetry_app.command("opcua")(opcua)
    telemetry_app.command("simulate")(simulate)
    telemetry_app.command("oee")(oee)
    telemetry_app.command("warnings")(warnings)
    app.add_typer(telemetry_app)
