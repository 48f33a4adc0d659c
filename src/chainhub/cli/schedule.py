"""Commands: schedule run, schedule show, schedule explain."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Literal

import typer
from rich.table import Table
from sqlalchemy import Connection

from chainhub.cli.common import DbOption, console, hub_transaction, usage_error
from chainhub.schedule.schemas import Explanation, RunRead, SlotRead

SiteOption = Annotated[
    str | None,
    typer.Option(
        "--site",
        help="Site id; default every site with open production orders (run) or a plan (show)",
        show_default=False,
    ),
]
FormatOption = Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from", help="Plan from this time (ISO 8601 with offset); default now", show_default=False
    ),
]
SecondsOption = Annotated[
    float, typer.Option("--seconds", min=0.1, max=600, help="Solver time limit per site")
]


def _echo(items: list[dict[str, object]]) -> None:
    typer.echo(json.dumps(items, ensure_ascii=False))


def _time(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _start(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        usage_error(
            "bad_time",
            f"--from {value}: give a time with its offset, e.g. 2026-03-02T08:00+08:00",
            f"--from {value}：请给出带时区偏移的时间，例如 2026-03-02T08:00+08:00",
        )
    return start


def _summary(run: RunRead) -> str:
    orders = len({s.order_number for s in run.slots})
    return (
        f"site {run.site_id}: plan {run.run_id} ({run.status}) from {_time(run.planned_from)} UTC, "
        f"{len(run.slots)} operations of {orders} orders, ends {_time(run.makespan_end)}, "
        f"{len(run.late_orders)} late, {len(run.moved)} moved, {len(run.issues)} problems"
    )


def _slots(title: str, slots: list[SlotRead], late: set[str]) -> Table:
    table = Table("machine", "order", "op", "start (UTC)", "end (UTC)", "due (UTC)", title=title)
    for s in slots:
        style = "red" if s.order_number in late else None
        table.add_row(
            s.machine_id,
            s.order_number,
            str(s.operation_no),
            _time(s.start_at),
            _time(s.end_at),
            _time(s.due_at),
            style=style,
        )
    return table


def _sites(conn: Connection, site: str | None, *, planned: bool) -> list[str]:
    from chainhub.schedule.service import list_open_sites, list_planned_sites

    if site is not None:
        return [site]
    return list_planned_sites(conn=conn) if planned else list_open_sites(conn=conn)


def run(
    site: SiteOption = None,
    start: FromOption = None,
    seconds: SecondsOption = 10.0,
    db: DbOption = None,
    output: FormatOption = "table",
) -> None:
    """Plan sites' open orders on finite capacity; print the plan, moves and late orders."""
    from chainhub.schedule.service import do_run_schedule

    now = _start(start)
    runs = []
    with hub_transaction(db) as conn:
        for site_id in _sites(conn, site, planned=False):
            with console.status(f"planning {site_id} (up to {seconds:g} s)"):
                runs.append(do_run_schedule(conn=conn, site_id=site_id, now=now, seconds=seconds))
    if output == "json":
        _echo([r.model_dump(mode="json") for r in runs])
        return
    if not runs:
        console.print("no site has open production orders")
    for r in runs:
        console.print(_summary(r))
        if r.moved:
            console.print(_slots("moved", r.moved, set(r.late_orders)))
        if r.late_orders:
            console.print(f"[red]late[/]: {', '.join(r.late_orders)}")
        if r.issues:
            console.print(f"see `chainhub schedule explain --site {r.site_id}` for the problems")


def show(site: SiteOption = None, db: DbOption = None, output: FormatOption = "table") -> None:
    """The stored plan: its slots by machine and by order, late orders in red."""
    from chainhub.schedule.service import get_run

    with hub_transaction(db) as conn:
        runs = [get_run(conn=conn, site_id=s) for s in _sites(conn, site, planned=True)]
    if output == "json":
        _echo([r.model_dump(mode="json") for r in runs])
        return
    for r in runs:
        late = set(r.late_orders)
        console.print(_summary(r))
        by_machine = sorted(r.slots, key=lambda s: (s.machine_id, s.start_at))
        by_order = sorted(r.slots, key=lambda s: (s.order_number, s.operation_no))
        console.print(_slots("by machine", by_machine, late))
        console.print(_slots("by order", by_order, late))


def _explain_tables(found: Explanation) -> tuple[Table, Table]:
    problems = Table("order", "operation", "field", "problem", title="problems in the input")
    for i in found.issues:
        problems.add_row(
            i.order_number,
            "" if i.operation_no is None else str(i.operation_no),
            i.field,
            i.message,
        )
    late = Table("order", "due (UTC)", "end (UTC)", "late (min)", "why", title="late orders")
    for o in found.late:
        late.add_row(
            o.order_number,
            _time(o.due_at),
            _time(o.end_at),
            str(o.minutes_late),
            "\n".join(o.reasons),
            style="red",
        )
    return problems, late


def explain(site: SiteOption = None, db: DbOption = None, output: FormatOption = "table") -> None:
    """The stored plan's named input problems, and why each late order is late."""
    from chainhub.schedule.reports import get_explanation
    from chainhub.schedule.service import get_run

    with hub_transaction(db) as conn:
        found = [
            get_explanation(get_run(conn=conn, site_id=s)) for s in _sites(conn, site, planned=True)
        ]
    if output == "json":
        _echo([f.model_dump(mode="json") for f in found])
        return
    for f in found:
        console.print(f"site {f.site_id}: plan {f.run_id}")
        for table in _explain_tables(f):
            console.print(table)


def register(app: typer.Typer) -> None:
    """Add `schedule run`, `schedule show` and `schedule explain` to `app`."""
    schedule_app = typer.Typer(
        name="schedule",
        help="Finite-capacity production scheduling (智能排产).",
        no_args_is_help=True,
    )
    schedule_app.command("run")(run)
    schedule_app.command("show")(show)
    schedule_app.command("explain")(explain)
    app.add_typer(schedule_app)
