"""Commands: kpi list, kpi show, kpi compare (the 协同前/协同后 table)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Literal

import typer
from rich.table import Table

from chainhub.cli.common import OPERATOR, DbOption, console, fail, hub_transaction, usage_error
from chainhub.errors import ChainhubError

FormatOption = Annotated[
    Literal["table", "json"], typer.Option("--format", help="table for people, json for tools")
]
PartnerOption = Annotated[str | None, typer.Option("--partner", help="One partner's values")]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        usage_error(
            "bad_date",
            f"{option} takes an ISO date such as 2025-07-01, not {value!r}",
            f"{option} 需要 ISO 日期，例如 2025-07-01，而不是 {value!r}",
        )


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def show_catalogue(output: FormatOption = "table") -> None:
    """The KPI catalogue: id, names, unit, direction and the standard each aligns with."""
    from chainhub.kpi.service import list_kpis

    kpis = list_kpis()
    if output == "json":
        typer.echo(json.dumps([k.model_dump() for k in kpis], ensure_ascii=False))
        return
    table = Table("id", "名称", "name", "unit", "better", "standard")
    for k in kpis:
        table.add_row(k.kpi_id, k.name_zh, k.name_en, k.unit, k.direction, k.standard)
    console.print(table)


def show(
    kpi_id: Annotated[str, typer.Argument(help="KPI id (see `chainhub kpi list`)")],
    partner: PartnerOption = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (ISO date)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (ISO date)")] = None,
    by: Annotated[
        Literal["month", "total"], typer.Option("--by", help="per month, or one total")
    ] = "month",
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """A KPI per partner and period."""
    from chainhub.kpi.service import access_kpi_values

    with hub_transaction(db) as conn:
        result = access_kpi_values(
            conn=conn,
            principal=OPERATOR,
            today=datetime.now(UTC).date(),
            kpi_id=kpi_id,
            partner_id=partner,
            start=_date(start, "--from"),
            end=_date(end, "--to"),
            by=by,
        )
    if output == "json":
        typer.echo(result.model_dump_json())
        return
    kpi = result.kpi
    table = Table("partner", "period", f"value ({kpi.unit})", "observations")
    table.title = f"{kpi.name_zh} / {kpi.name_en} ({kpi.direction} is better)"
    table.caption = kpi.formula_en
    for v in result.values:
        period = "total" if v.period is None else v.period.strftime("%Y-%m")
        table.add_row(v.partner_id, period, _number(v.value), str(v.observations))
    console.print(table)


def compare(
    kpi_id: Annotated[str, typer.Argument(help="KPI id (see `chainhub kpi list`)")],
    before: Annotated[str, typer.Option("--before", help="FROM:TO before (协同前)")],
    after: Annotated[str, typer.Option("--after", help="FROM:TO after (协同后)")],
    partner: PartnerOption = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Each partner's KPI before and after, the change, and whether it improved."""
    from chainhub.kpi.service import access_kpi_comparison, check_period

    try:
        periods = check_period(before), check_period(after)
    except ChainhubError as error:
        fail(error, exit_code=2)
    with hub_transaction(db) as conn:
        result = access_kpi_comparison(
            conn=conn,
            principal=OPERATOR,
            today=datetime.now(UTC).date(),
            kpi_id=kpi_id,
            before=periods[0],
            after=periods[1],
            partner_id=partner,
        )
    if output == "json":
        typer.echo(result.model_dump_json())
        return
    kpi = result.kpi
    table = Table("partner", "协同前 before", "协同后 after", "change", "improved")
    table.title = f"{kpi.name_zh} / {kpi.name_en} ({kpi.unit}, {kpi.direction} is better)"
    for c in result.changes:
        verdict = "" if c.improved is None else "yes 改善" if c.improved else "no 未改善"
        table.add_row(c.partner_id, _number(c.before), _number(c.after), _number(c.change), verdict)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `kpi list`, `kpi show` and `kpi compare` to `app`."""
    kpi_app = typer.Typer(name="kpi", help="The KPI catalogue (指标目录).", no_args_is_help=True)
    kpi_app.command("list")(show_catalogue)
    kpi_app.command("show")(show)
    kpi_app.command("compare")(compare)
    app.add_typer(kpi_app)
