"""Co-control for the telemetry commands: re-plan a site when one of its machines breaks down
or warns of a failure to come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from chainhub.cli.common import cli_language, console, err_console, fail
from chainhub.errors import ChainhubError

RepairOption = Annotated[
    int,
    typer.Option(
        "--repair-minutes",
        min=0,
        max=7 * 24 * 60,
        help="A breakdown keeps its machine out of the plan this long, until it reports back; "
        "0: do not re-plan",
    ),
]

NoMaintenanceOption = Annotated[
    bool,
    typer.Option(
        "--no-auto-maintenance",
        help="Early warnings open no maintenance window (CHAINHUB_MAINTENANCE_MINUTES long)",
    ),
]


def _minutes(value: int) -> timedelta | None:
    return timedelta(minutes=value) if value else None


def replanner(
    engine: Engine, repair_minutes: int, maintenance_minutes: int = 0
) -> Callable[[list[dict[str, Any]]], None] | None:
    """What the subscriber calls with each stored batch: breakdowns, returns and (with
    `maintenance_minutes`) early warnings re-plan; None when neither is wanted."""
    if repair_minutes == 0 and maintenance_minutes == 0:
        return None
    from chainhub.control.service import do_react_to_states

    def react(rows: list[dict[str, Any]]) -> None:
        try:
            with engine.begin() as conn:
                runs = do_react_to_states(
                    conn=conn,
                    rows=rows,
                    now=datetime.now(UTC),
                    repair=_minutes(repair_minutes),
                    maintenance=_minutes(maintenance_minutes),
                )
        except ChainhubError as error:
            # The telemetry is stored; a plan that cannot be made is said, not fatal.
            err_console.print(f"[bold red]re-plan failed[/]: {error.message(cli_language())}")
            return
        for run in runs:
            console.print(
                f"{run.site_id}: re-planned ({len(run.moved)} operations moved, "
                f"{len(run.late_orders)} orders late)"
            )

    return react


def fail_not_stored(error: SQLAlchemyError, *, kept_by_broker: bool) -> NoReturn:
    """Exit naming the database's reason when a telemetry batch could not be stored."""
    cause = getattr(error, "orig", None) or error
    en, zh = f"storing telemetry failed: {cause}", f"遥测数据写入失败：{cause}"
    if kept_by_broker:
        en += "; the broker keeps what was not stored for the next listen"
        zh += "；未写入的消息仍由代理保留，下次监听时接收"
    fail(ChainhubError("telemetry_not_stored", en, zh))
