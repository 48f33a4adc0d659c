"""Commands: forecast run, forecast show, forecast backtest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal, TypeVar

import typer
from rich.progress import Progress
from rich.table import Table

from chainhub.cli.common import OPERATOR, DbOption, console, hub_transaction
from chainhub.forecast.schemas import ForecastParameters, Level, LevelRead, NodeRead, SeriesRead

BucketOption = Annotated[Literal["day", "week"], typer.Option("--bucket", help="day or week")]
HorizonOption = Annotated[int, typer.Option("--horizon", min=1, help="Periods to forecast")]
WindowsOption = Annotated[int, typer.Option("--windows", min=1, help="Backtest windows")]
CalendarOption = Annotated[
    bool,
    typer.Option(
        "--calendar", help="Also try AutoARIMA-X with 春节, 国庆, 618 and 双11 as regressors"
    ),
]


def _table(series: list[SeriesRead]) -> Table:
    table = Table("material", "customer", "method", "fitted", "MASE", "wMAPE", "next", "notes")
    for s in series:
        first = s.points[0].quantity if s.points else None
        table.add_row(
            s.material_code,
            s.customer_id,
            s.method,
            s.fitted,
            "" if s.mase is None else f"{s.mase:.3f}",
            "" if s.wmape is None else f"{s.wmape:.1%}",
            "" if first is None else f"{first:,.1f}",
            "; ".join(s.notes),
        )
    return table


def _score(value: float | None, percent: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:.1%}" if percent else f"{value:.3f}"


def _level_table(levels: list[LevelRead], nodes: list[NodeRead], level: Level) -> Table:
    """The level's nodes: base against reconciled backtest scores and next period."""
    table = Table(
        level, "method", "MASE base", "MASE rec.", "wMAPE base", "wMAPE rec.", "next base", "next"
    )
    for s in levels:
        if s.level == level:
            table.add_row(
                f"all {s.nodes} ({s.method}, {s.windows} windows)",
                "",
                _score(s.base_mase),
                _score(s.mase),
                _score(s.base_wmape, percent=True),
                _score(s.wmape, percent=True),
                "",
                "",
                end_section=True,
            )
    for n in nodes:
        if n.level != level:
            continue
        name = " / ".join(p for p in (n.family, n.material_code, n.customer_id) if p is not None)
        first = n.points[0] if n.points else None
        table.add_row(
            name,
            n.method,
            _score(n.base_mase),
            _score(n.mase),
            _score(n.base_wmape, percent=True),
            _score(n.wmape, percent=True),
            "" if first is None else f"{first.base:,.1f}",
            "" if first is None else f"{first.quantity:,.1f}",
        )
    return table


T = TypeVar("T")


def _with_progress(work: Callable[[Callable[[int, int], None]], T]) -> T:
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("forecasting", total=None)
        return work(lambda done, total: bar.update(task, completed=done, total=total))


def run(
    db: DbOption = None,
    bucket: BucketOption = "week",
    horizon: HorizonOption = 13,
    windows: WindowsOption = 3,
    calendar: CalendarOption = False,
) -> None:
    """Backtest and forecast every demand series (material x customer) and store the run."""
    from chainhub.forecast.service import do_run_forecast, get_run_value_added
    from chainhub.forecast.value_added import count_over_naive

    parameters = ForecastParameters(
        bucket=bucket, horizon=horizon, windows=windows, calendar=calendar
    )
    with hub_transaction(db) as conn:
        result = _with_progress(
            lambda progress: do_run_forecast(
                conn=conn,
                principal=OPERATOR,
                today=date.today(),  # noqa: DTZ011 - the operator's calendar day
                parameters=parameters,
                progress=progress,
            )
        )
        added = get_run_value_added(conn=conn, run=result)
    console.print(f"forecast run version {result.version} stored")
    compared = [a for a in added if a.hub_beats_partner is not None]
    naive = count_over_naive(added)
    console.print(
        "value added: the hub beats the partner's own forecast on "
        f"{sum(1 for a in compared if a.hub_beats_partner)} of {len(compared)} series "
        f"and naive on {naive.beats}, equals it on {naive.equals}, of {naive.scored}"
    )


def show(
    db: DbOption = None,
    version: Annotated[int | None, typer.Option("--version", help="Run version")] = None,
    level: Annotated[
        Level | None,
        typer.Option("--level", help="family, material or customer: the reconciled hierarchy"),
    ] = None,
) -> None:
    """A stored run (the latest by default): each series' method, scores and next period; with
    --level, that level's reconciled forecasts beside the base ones."""
    from chainhub.forecast.service import access_run

    with hub_transaction(db) as conn:
        found = access_run(
            conn=conn,
            principal=OPERATOR,
            today=date.today(),  # noqa: DTZ011 - the operator's calendar day
            version=version,
        )
    console.print(f"run version {found.version}, {found.series_count} series")
    if level is None:
        console.print(_table(found.series))
    else:
        console.print(_level_table(found.levels, found.nodes, level))


def backtest(
    db: DbOption = None,
    bucket: BucketOption = "week",
    horizon: HorizonOption = 13,
    windows: WindowsOption = 3,
    calendar: CalendarOption = False,
) -> None:
    """Backtest every demand series and show the method each would use, storing nothing."""
    from chainhub.forecast.service import get_backtest

    parameters = ForecastParameters(
        bucket=bucket, horizon=horizon, windows=windows, calendar=calendar
    )
    with hub_transaction(db) as conn:
        found = _with_progress(
            lambda progress: get_backtest(
                conn=conn,
                principal=OPERATOR,
                today=date.today(),  # noqa: DTZ011 - the operator's calendar day
                parameters=parameters,
                progress=progress,
            )
        )
    console.print(_table(found))


def register(app: typer.Typer) -> None:
    """Add `forecast run`, `forecast show` and `forecast backtest` to `app`."""
    forecast_app = typer.Typer(
        name="forecast", help="Demand forecasts (需求预测).", no_args_is_help=True
    )
    forecast_app.command("run")(run)
    forecast_app.command("show")(show)
    forecast_app.command("backtest")(backtest)
    app.add_typer(forecast_app)
