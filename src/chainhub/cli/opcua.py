"""Command: telemetry opcua, reading machines from an OPC UA server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from signal import SIGINT, SIGTERM
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from chainhub.cli.cocontrol import NoMaintenanceOption, RepairOption, fail_not_stored, replanner
from chainhub.cli.common import DbOption, DurationOption, console, fail, load_settings, usage_error
from chainhub.equipment.schemas import StoreResult
from chainhub.errors import ChainhubError

if TYPE_CHECKING:
    from chainhub.equipment.opcua import OpcUaReader


async def _run(reader: OpcUaReader, duration: float | None) -> StoreResult:
    """Read until Ctrl-C, a service manager's stop or the duration; then store what is left."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (SIGINT, SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    try:
        with console.status(f"reading {reader.endpoint}") as status:
            return await reader.run(
                stop=stop,
                on_batch=lambda _: status.update(
                    f"reading {reader.endpoint}: {reader.total.summary()}"
                ),
            )
    finally:
        for signum in (SIGINT, SIGTERM):
            loop.remove_signal_handler(signum)


def opcua(
    endpoint: Annotated[
        str, typer.Option("--endpoint", help="OPC UA server, e.g. opc.tcp://10.0.0.5:4840/")
    ],
    node_map: Annotated[
        Path, typer.Option("--map", help="TOML file: each machine's partner, site, id and nodes")
    ],
    db: DbOption = None,
    duration: DurationOption = None,
    repair_minutes: RepairOption = 120,
    no_auto_maintenance: NoMaintenanceOption = False,
) -> None:
    """Subscribe to the mapped nodes of an OPC UA server and store their changes until stopped;
    a planned site's machine that breaks down or warns of a failure re-plans the site."""
    from chainhub.equipment.nodemap import load_node_map
    from chainhub.equipment.opcua import OpcUaReader
    from chainhub.storage.engine import create_engine_for
    from chainhub.storage.migrate import do_upgrade

    if not endpoint.startswith("opc.tcp://"):
        usage_error(
            "bad_endpoint",
            f"--endpoint {endpoint}: an OPC UA endpoint starts with opc.tcp://",
            f"--endpoint {endpoint}：OPC UA 端点应以 opc.tcp:// 开头",
        )
    try:
        nodes = load_node_map(node_map)
    except ChainhubError as error:
        fail(error, exit_code=2)
    engine = None
    try:
        settings = load_settings(db)
        engine = create_engine_for(settings.database_url)
        do_upgrade(engine=engine)
        maintenance = 0 if no_auto_maintenance else settings.maintenance_minutes
        reader = OpcUaReader(
            engine=engine,
            endpoint=endpoint,
            node_map=nodes,
            after_store=replanner(engine, repair_minutes, maintenance),
        )
        total = asyncio.run(_run(reader, duration))
    except ChainhubError as error:
        fail(error)
    except SQLAlchemyError as error:
        fail_not_stored(error, kept_by_broker=False)
    finally:
        if engine is not None:
            engine.dispose()
    console.print(f"telemetry from {endpoint}: {total.summary()}")
