"""Commands: plan mrp, plan capacity."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, TypeVar

import typer
from rich.progress import Progress
from rich.table import Table

from chainhub.cli.common import OPERATOR, DbOption, console, hub_transaction, load_settings
from chainhub.cli.token import FormatOption, check_format
from chainhub.plan.schemas import GroupWeek, MrpRead

CustomerOption = Annotated[
    str | None,
    typer.Option("--customer", help="Customer to plan for (default: the chain leader)"),
]
T = TypeVar("T")
_LIGHTS = {"green": "[green]green[/]", "orange": "[dark_orange]orange[/]", "red": "[red]red[/]"}


def _with_progress(work: Callable[[Callable[[int, int], None]], T]) -> T:
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("planning BOM levels", total=None)
        return work(lambda done, total: bar.update(task, completed=done, total=total))


def _demand_table(found: MrpRead) -> Table:
    """Each supplier and material with its demand in the first weeks and over the horizon."""
    table = Table("supplier", "material", "firm", "planned", "total", "weeks 1-4")
    totals: dict[tuple[str, str], list[float]] = {}
    first4: dict[tuple[str, str], list[str]] = {}
    for week in found.demand:
        key = (week.supplier_id or "(no supplier)", week.material_code)
        sums = totals.setdefault(key, [0.0, 0.0, 0.0])
        sums[0] += week.firm
        sums[1] += week.planned
        sums[2] += week.quantity
        shown = first4.setdefault(key, [])
        if len(shown) < 4:
            shown.append(f"{week.quantity:,.0f}")
    for key, (firm, planned, total) in totals.items():
        table.add_row(
            *key, f"{firm:,.0f}", f"{planned:,.0f}", f"{total:,.0f}", " ".join(first4[key])
        )
    return table


def mrp(
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish each supplier's changed weekly demand")
    ] = False,
    customer: CustomerOption = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Time-phased MRP of the customer (forecast, BOM, stock, open orders) and each supplier's
    weekly demand for 26 weeks; with --publish, sent to the suppliers as documents."""
    from chainhub.plan.service import access_mrp, do_publish_demand

    check_format(output)
    settings = load_settings(db)
    today = date.today()  # noqa: DTZ011 - the operator's calendar day
    with hub_transaction(db, deliver=publish) as conn:
        found = _with_progress(
            lambda progress: access_mrp(
                conn=conn, principal=OPERATOR, today=today, customer_id=customer, progress=progress
            )
        )
        published = None
        if publish:
            published = do_publish_demand(
                conn=conn,
                principal=OPERATOR,
                today=today,
                now=datetime.now(UTC),
                absolute=settings.plan_volatility_absolute,
                relative=settings.plan_volatility_relative,
                customer_id=customer,
            )
    if output == "json":
        body = found.model_dump(mode="json", exclude={"plan"})
        body["published"] = None if published is None else published.model_dump(mode="json")
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    version = f" version {found.source_version}" if found.source_version else ""
    console.print(
        f"MRP of {found.customer_id} from {found.first_week} for {found.weeks} weeks: "
        f"{found.materials} materials, demand from {found.source.value}{version}"
    )
    console.print(_demand_table(found))
    if published is not None:
        console.print(
            f"published {published.changed} of {published.documents} supplier demands "
            f"({published.unchanged} unchanged), {published.alerts} new alerts"
        )


def _capacity_table(weeks: list[GroupWeek]) -> Table:
    table = Table("supplier", "group", "week", "demand", "actual", "maximum", "light")
    for w in weeks:
        table.add_row(
            w.supplier_id,
            w.capacity_group_id,
            w.week_start.isoformat(),
            f"{w.demand:,.1f}",
            f"{w.actual:,.1f}",
            f"{w.maximum:,.1f}",
            _LIGHTS[w.light.value],
        )
    return table


def capacity(
    supplier: Annotated[str | None, typer.Option("--supplier", help="Only this supplier")] = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Capacity group-weeks with the published demand on them and their CX-0128 light."""
    from chainhub.plan.service import list_group_weeks

    check_format(output)
    with hub_transaction(db) as conn:
        weeks = list_group_weeks(
            conn=conn,
            principal=OPERATOR,
            today=date.today(),  # noqa: DTZ011 - the operator's calendar day
            supplier_id=supplier,
        )
    if output == "json":
        typer.echo(json.dumps([w.model_dump(mode="json") for w in weeks], ensure_ascii=False))
        return
    counts = {light: sum(w.light.value == light for w in weeks) for light in _LIGHTS}
    console.print(
        f"{len(weeks)} group-weeks: {counts['green']} green, {counts['orange']} orange, "
        f"{counts['red']} red"
    )
    console.print(_capacity_table(weeks))


def register(app: typer.Typer) -> None:
    """Add `plan mrp` and `plan capacity` to `app`."""
    plan_app = typer.Typer(
        name="plan", help="Demand and capacity with suppliers (需求与产能).", no_args_is_help=True
    )
    plan_app.command("mrp")(mrp)
    plan_app.command("capacity")(capacity)
    app.add_typer(plan_app)
