"""Commands: plan mrp, plan capacity, plan buffers, plan replenish."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.progress import Progress
from rich.table import Table

from chainhub.cli.common import OPERATOR, DbOption, console, hub_transaction, load_settings
from chainhub.cli.token import FormatOption, check_format
from chainhub.plan.schemas import BuffersRead, GroupWeek, MrpRead, ProposalRead, WhatIfRead

if TYPE_CHECKING:
    from chainhub.plan.replenishment import Policy

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


def _policy(db: str | None, service_level: float | None) -> Policy:
    from chainhub.plan.replenishment import Policy

    settings = load_settings(db)
    return Policy(
        service_level=service_level or settings.plan_service_level,
        review_days=settings.plan_review_days,
    )


def _buffer_table(board: BuffersRead) -> Table:
    table = Table(
        "material",
        "site",
        "VMI",
        "safety",
        "s",
        "S",
        "red/yellow/green top",
        "net flow",
        "zone",
        "order",
        "days of supply",
    )
    for b in board.buffers:
        table.add_row(
            b.material_code,
            b.site_id,
            b.supplier_id or "",
            f"{b.safety_stock:,.0f}",
            f"{b.reorder_point:,.0f}",
            f"{b.order_up_to:,.0f}",
            f"{b.tor:,.0f} / {b.toy:,.0f} / {b.tog:,.0f}",
            f"{b.nfp:,.0f}",
            _ZONES[b.zone],
            f"{b.recommended:,.0f}" if b.recommended else "",
            "" if b.days_of_supply is None else f"{b.days_of_supply:.1f}",
        )
    return table


_ZONES = {
    "red": "[red]red[/]",
    "yellow": "[yellow]yellow[/]",
    "green": "[green]green[/]",
    "over": "[blue]over[/]",
}
ServiceLevelOption = Annotated[
    float | None,
    typer.Option(
        "--service-level", min=0.5, max=0.9999, help="Default: CHAINHUB_PLAN_SERVICE_LEVEL"
    ),
]


def buffers(
    customer: CustomerOption = None,
    service_level: ServiceLevelOption = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Each material and site's safety stock, reorder point and order-up-to level, DDMRP
    zones, net flow, the order it calls for and days of supply; then what runs out when."""
    from chainhub.plan.replenishment import access_buffers

    check_format(output)
    policy = _policy(db, service_level)
    with hub_transaction(db) as conn, console.status("setting buffers"):
        board = access_buffers(
            conn=conn,
            principal=OPERATOR,
            today=date.today(),  # noqa: DTZ011 - the operator's calendar day
            policy=policy,
            customer_id=customer,
        )
    if output == "json":
        typer.echo(board.model_dump_json(indent=2))
        return
    console.print(
        f"buffers of {board.customer_id} from {board.first_week} at "
        f"{board.service_level:.1%} service: {len(board.buffers)}"
    )
    console.print(_buffer_table(board))
    for s in board.stockouts:
        avoided = " (the VMI proposals avoid it)" if s.avoided else ""
        console.print(f"{s.material_code} at {s.site_id} runs out in {s.days:.1f} days{avoided}")


def _lead_times(values: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for value in values:
        code, _, days = value.partition("=")
        if not code or not days.isdigit():
            raise typer.BadParameter(f"{value!r}: give MATERIAL=DAYS, e.g. M004=21")
        found[code] = int(days)
    return found


def _print_proposals(proposals: list[ProposalRead], stored: bool) -> None:
    table = Table("supplier", "material", "site", "week", "quantity", "order by", "status", "why")
    for p in proposals:
        table.add_row(
            p.supplier_id,
            p.material_code,
            p.site_id,
            p.week_start.isoformat(),
            f"{p.quantity:,.1f}",
            f"{p.order_date or ''}{' LATE' if p.late else ''}",
            p.status.value,
            p.explanation,
        )
    late = sum(1 for p in proposals if p.late)
    console.print(
        f"{len(proposals)} proposals{' stored' if stored else ''}"
        + (f", {late} late to order (expedite)" if late else "")
    )
    console.print(table)


def _print_what_if(found: WhatIfRead) -> None:
    console.print(f"what-if on {found.customer_id} (nothing stored)")
    table = Table("supplier", "material", "site", "week", "before", "after")
    for p in found.proposals:
        table.add_row(
            p.supplier_id,
            p.material_code,
            p.site_id,
            p.week_start.isoformat(),
            f"{p.before:,.1f}",
            f"{p.after:,.1f}",
        )
    console.print(table)
    for b in found.buffers:
        console.print(f"{b.material_code} at {b.site_id}: {b.zone_before} -> {b.zone_after}")
    for s in found.stockouts:
        console.print(
            f"{s.material_code} at {s.site_id}: runs out {s.days_before} -> {s.days_after} days"
        )
    for w in found.lights:
        console.print(
            f"{w.supplier_id} {w.capacity_group_id} {w.week_start}: "
            f"{w.before and w.before.value} -> {w.after and w.after.value}"
        )


def replenish(
    store: Annotated[
        bool, typer.Option("--store", help="Store the proposals for the suppliers to answer")
    ] = False,
    demand_factor: Annotated[
        float | None, typer.Option("--demand-factor", min=0, help="What-if: demand times this")
    ] = None,
    lead_time: Annotated[
        list[str] | None,
        typer.Option("--lead-time", help="What-if: MATERIAL=DAYS, repeatable"),
    ] = None,
    capacity_factor: Annotated[
        float | None, typer.Option("--capacity-factor", min=0, help="What-if: capacity times this")
    ] = None,
    customer: CustomerOption = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """VMI replenishment proposals per supplier (stored with --store); with a what-if option,
    the proposals, buffers, stockouts and capacity lights it changes, storing nothing."""
    from chainhub.plan.replenishment import access_proposed, access_what_if, do_store_proposals
    from chainhub.plan.schemas import WhatIfCreate

    check_format(output)
    policy = _policy(db, None)
    today = date.today()  # noqa: DTZ011 - the operator's calendar day
    asked = demand_factor is not None or lead_time or capacity_factor is not None
    if asked and store:
        raise typer.BadParameter("a what-if stores nothing: leave out --store")
    result: list[ProposalRead] | WhatIfRead
    with hub_transaction(db) as conn, console.status("planning replenishment"):
        if asked:
            what_if = WhatIfCreate(
                customer_id=customer,
                demand_factor=1.0 if demand_factor is None else demand_factor,
                lead_time_days=_lead_times(lead_time or []),
                capacity_factor=1.0 if capacity_factor is None else capacity_factor,
            )
            result = access_what_if(
                conn=conn, principal=OPERATOR, today=today, policy=policy, what_if=what_if
            )
        elif store:
            result = do_store_proposals(
                conn=conn,
                principal=OPERATOR,
                today=today,
                now=datetime.now(UTC),
                policy=policy,
                customer_id=customer,
            )
        else:
            result = access_proposed(
                conn=conn, principal=OPERATOR, today=today, policy=policy, customer_id=customer
            )
    if output == "json":
        body = (
            result.model_dump(mode="json")
            if isinstance(result, WhatIfRead)
            else [p.model_dump(mode="json") for p in result]
        )
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    elif isinstance(result, WhatIfRead):
        _print_what_if(result)
    else:
        _print_proposals(result, store)


def register(app: typer.Typer) -> None:
    """Add `plan mrp`, `plan capacity`, `plan buffers` and `plan replenish` to `app`."""
    plan_app = typer.Typer(
        name="plan", help="Demand and capacity with suppliers (需求与产能).", no_args_is_help=True
    )
    plan_app.command("mrp")(mrp)
    plan_app.command("capacity")(capacity)
    plan_app.command("buffers")(buffers)
    plan_app.command("replenish")(replenish)
    app.add_typer(plan_app)
