"""Co-control for the telemetry commands: re-plan a site when one of its machines breaks down
or warns of a failure to come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from chainhub.cli.common import cli_language, console, err_console
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
