"""Forecast runs: backtest and forecast every demand series, store the run, read it back."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.forecast.accuracy import Array
from chainhub.forecast.batch import forecast_batch
from chainhub.forecast.calendar import calendar_features
from chainhub.forecast.demand import SeriesKey, get_demand_series, list_demand_lines
from chainhub.forecast.engine import SeriesForecast, forecast_series
from chainhub.forecast.hierarchy import get_hierarchy_forecast
from chainhub.forecast.hierarchy_store import (
    do_store_hierarchy,
    get_families,
    list_visible_hierarchy,
)
from chainhub.forecast.models import forecast_runs, forecast_values
from chainhub.forecast.models import forecast_series as series_table
from chainhub.forecast.partner import with_partner
from chainhub.forecast.pooled import with_global
from chainhub.forecast.schemas import (
    Bucket,
    ForecastParameters,
    ForecastPoint,
    RunRead,
    SeriesRead,
    ValueAddedRead,
)
from chainhub.forecast.stored import RunReader, read_points
from chainhub.forecast.value_added import (
    PartnerSource,
    do_store_value_added,
    get_partner_source,
    get_value_added,
    issued_before,
    list_issued_lines,
    list_value_added,
)
from chainhub.forecast.value_added import as_read as as_value_added_read
from chainhub.partners.visibility import get_visible_clause
from chainhub.storage.models import current_view

Progress = Callable[[int, int], None]


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def _periods(last: date, bucket: str, horizon: int) -> list[date]:
    step = timedelta(weeks=1) if bucket == "week" else timedelta(days=1)
    return [last + step * (k + 1) for k in range(horizon)]


def _as_read(key: SeriesKey, result: SeriesForecast, periods: list[date]) -> SeriesRead:
    best = result.backtest.scores.get(result.method)
    return SeriesRead(
        material_code=key[0],
        customer_id=key[1],
        method=result.method,
        fitted=result.fitted,
        mase=_finite(best.mase) if best else None,
        wmape=_finite(best.wmape) if best else None,
        scores={
            name: {"mase": _finite(s.mase), "wmape": _finite(s.wmape), "rmsse": _finite(s.rmsse)}
            for name, s in result.backtest.scores.items()
        },
        notes=result.notes,
        points=[
            ForecastPoint(
                period_start=p,
                quantity=float(result.mean[i]),
                lo=None if result.lo is None else float(result.lo[i]),
                hi=None if result.hi is None else float(result.hi[i]),
            )
            for i, p in enumerate(periods)
        ],
    )


def _forecast_demand(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    parameters: ForecastParameters,
    progress: Progress | None,
    value_added: bool,
) -> tuple[
    dict[SeriesKey, tuple[list[date], Array]],
    dict[SeriesKey, SeriesForecast],
    list[ValueAddedRead],
]:
    """Every series the caller sees and the engine's forecast of each (weekly, the global
    model's or the partner's own where its backtest is better, see forecast.pooled and
    forecast.partner); with `value_added`, the partners' own forecasts and naive scored on the
    same windows."""
    lines = list_demand_lines(conn=conn, principal=principal, today=today)
    demand = get_demand_series(lines, bucket=parameters.bucket)
    source = (
        get_partner_source(conn=conn, principal=principal, today=today, bucket=parameters.bucket)
        if (value_added or parameters.bucket == "week") and demand
        else None
    )
    future = _future(demand, parameters)
    if parameters.bucket == "day" and not parameters.calendar:
        results = _daily(demand, parameters, progress)
    else:
        results = _each(demand, future, parameters, progress)
    if parameters.bucket == "week" and results:
        results = with_global(
            {key: values for key, (_, values) in demand.items()},
            results,
            h=parameters.horizon,
            season=parameters.season,
            level=parameters.level,
            windows=parameters.windows,
        )
        if source is not None:
            results = with_partner(
                demand,
                results,
                source,
                future=future,
                season=parameters.season,
                level=parameters.level,
            )
    added = (
        []
        if source is None or not value_added
        else [
            _value_added(source, key, periods, values, results[key], parameters)
            for key, (periods, values) in demand.items()
        ]
    )
    return demand, results, added


def _each(
    demand: dict[SeriesKey, tuple[list[date], Array]],
    future: list[date],
    parameters: ForecastParameters,
    progress: Progress | None,
) -> dict[SeriesKey, SeriesForecast]:
    """Series one by one through the engine, with the calendar's events when asked."""
    results: dict[SeriesKey, SeriesForecast] = {}
    for done, (key, (periods, values)) in enumerate(demand.items(), start=1):
        x = (
            calendar_features([*periods, *future], parameters.bucket)
            if parameters.calendar
            else None
        )
        results[key] = forecast_series(
            values,
            h=parameters.horizon,
            season=parameters.season,
            level=parameters.level,
            windows=parameters.windows,
            x=x,
        )
        if progress is not None:
            progress(done, len(demand))
    return results


def _daily(
    demand: dict[SeriesKey, tuple[list[date], Array]],
    parameters: ForecastParameters,
    progress: Progress | None,
) -> dict[SeriesKey, SeriesForecast]:
    """Daily series all at once: the batch path and its faster candidates (see forecast.batch),
    in this process (10,000 series of two years took 10 s in one, 14 s over two)."""
    results = forecast_batch(
        {key: values for key, (_, values) in demand.items()},
        h=parameters.horizon,
        season=parameters.season,
        level=parameters.level,
        windows=parameters.windows,
    )
    if progress is not None:
        progress(len(demand), len(demand))
    return results


def _value_added(
    source: PartnerSource,
    key: SeriesKey,
    periods: list[date],
    values: Array,
    result: SeriesForecast,
    parameters: ForecastParameters,
) -> ValueAddedRead:
    """The hub's, the partner's and naive forecasts of one series scored on its windows."""
    partner, seller = source.partner_of(key)
    shares = (
        source.shares(key, seller, periods, (*result.backtest.origins, len(periods)))
        if seller is not None
        else None
    )
    scored = get_value_added(
        values,
        periods=periods,
        backtest=result.backtest,
        method=result.method,
        partner=partner,
        shares=shares,
        season=parameters.season,
    )
    return as_value_added_read(key, scored)


def _future(
    demand: dict[SeriesKey, tuple[list[date], Array]], parameters: ForecastParameters
) -> list[date]:
    last = max((periods[-1] for periods, _ in demand.values()), default=None)
    return [] if last is None else _periods(last, parameters.bucket, parameters.horizon)


def get_backtest(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    parameters: ForecastParameters,
    progress: Progress | None = None,
) -> list[SeriesRead]:
    """Backtest and forecast every series the caller sees, storing nothing."""
    demand, results, _ = _forecast_demand(
        conn=conn,
        principal=principal,
        today=today,
        parameters=parameters,
        progress=progress,
        value_added=False,
    )
    future = _future(demand, parameters)
    return [_as_read(key, result, future) for key, result in results.items()]


def do_run_forecast(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    parameters: ForecastParameters,
    progress: Progress | None = None,
) -> RunRead:
    """Forecast every series the caller sees and store the run as the next version, with its
    reconciled hierarchy and the value added over the partners' own forecasts and naive."""
    demand, results, added = _forecast_demand(
        conn=conn,
        principal=principal,
        today=today,
        parameters=parameters,
        progress=progress,
        value_added=True,
    )
    future = _future(demand, parameters)
    found = [_as_read(key, result, future) for key, result in results.items()]
    hierarchy = get_hierarchy_forecast(
        bottom={key: values for key, (_, values) in demand.items()},
        forecasts=results,
        families=get_families(conn=conn, materials=(m for m, _ in demand)),
        h=parameters.horizon,
        season=parameters.season,
        level=parameters.level,
        windows=parameters.windows,
    )
    latest = conn.execute(sa.select(sa.func.max(forecast_runs.c.version))).scalar()
    run = RunRead(
        run_id=str(uuid.uuid4()),
        version=(latest or 0) + 1,
        created_at=datetime.now(UTC),
        parameters=parameters,
        series_count=len(found),
        series=found,
    )
    conn.execute(
        forecast_runs.insert().values(
            run_id=run.run_id,
            version=run.version,
            created_at=run.created_at,
            bucket=parameters.bucket,
            horizon=parameters.horizon,
            series_count=run.series_count,
            parameters=parameters.model_dump_json(),
        )
    )
    if found:
        conn.execute(
            series_table.insert(),
            [
                {
                    "run_id": run.run_id,
                    "material_code": s.material_code,
                    "customer_id": s.customer_id,
                    "method": s.method,
                    "fitted": s.fitted,
                    "mase": s.mase,
                    "wmape": s.wmape,
                    "scores": json.dumps(s.scores),
                    "notes": json.dumps(s.notes, ensure_ascii=False),
                }
                for s in found
            ],
        )
        conn.execute(
            forecast_values.insert(),
            [
                {
                    "run_id": run.run_id,
                    "material_code": s.material_code,
                    "customer_id": s.customer_id,
                    **p.model_dump(),
                }
                for s in found
                for p in s.points
            ],
        )
    do_store_value_added(conn=conn, run_id=run.run_id, rows=added)
    do_store_hierarchy(conn=conn, run_id=run.run_id, found=hierarchy, periods=future)
    levels, nodes = list_visible_hierarchy(conn=conn, run_id=run.run_id, visible=set(demand))
    return run.model_copy(update={"levels": levels, "nodes": nodes})


def access_run(
    *, conn: Connection, principal: Principal, today: date, version: int | None = None
) -> RunRead:
    """A stored run (the latest by default) with only the series whose demand the caller sees."""
    latest = sa.select(sa.func.max(forecast_runs.c.version)).scalar_subquery()
    wanted = sa.literal(version) if version is not None else latest
    query = sa.select(forecast_runs).where(forecast_runs.c.version == wanted)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise ChainhubError(
            "forecast_not_found",
            "no forecast run" + (f" version {version}" if version is not None else " yet"),
            "没有预测运行" + (f"（版本 {version}）" if version is not None else ""),
            status=404,
        )
    lines = list_demand_lines(conn=conn, principal=principal, today=today)
    visible = set(lines.select("material_code", "customer_id").unique().iter_rows())
    series = [
        s
        for s in _RUN_SERIES.get(conn, row["run_id"])
        if (s.material_code, s.customer_id) in visible
    ]
    levels, nodes = list_visible_hierarchy(conn=conn, run_id=row["run_id"], visible=visible)
    return RunRead(
        levels=levels,
        nodes=nodes,
        run_id=row["run_id"],
        version=row["version"],
        created_at=row["created_at"],
        parameters=ForecastParameters.model_validate_json(row["parameters"]),
        series_count=row["series_count"],
        series=series,
    )


def _read_series(conn: Connection, run_id: str) -> tuple[SeriesRead, ...]:
    """Every series of a stored run with its points."""
    points = read_points(
        conn,
        forecast_values,
        run_id,
        ("material_code", "customer_id"),
        lambda v: ForecastPoint(
            period_start=v["period_start"], quantity=v["quantity"], lo=v["lo"], hi=v["hi"]
        ),
    )
    return tuple(
        SeriesRead(
            material_code=s["material_code"],
            customer_id=s["customer_id"],
            method=s["method"],
            fitted=s["fitted"],
            mase=s["mase"],
            wmape=s["wmape"],
            scores=json.loads(s["scores"]),
            notes=json.loads(s["notes"]),
            points=points.get((s["material_code"], s["customer_id"]), []),
        )
        for s in conn.execute(
            sa.select(series_table)
            .where(series_table.c.run_id == run_id)
            .order_by(series_table.c.material_code, series_table.c.customer_id)
        ).mappings()
    )


_RUN_SERIES: Final = RunReader(_read_series)
_RUN_VALUE_ADDED: Final = RunReader(lambda conn, run_id: list_value_added(conn=conn, run_id=run_id))


def access_value_added(
    *, conn: Connection, principal: Principal, today: date, version: int | None = None
) -> list[ValueAddedRead]:
    """A stored run's value added (the latest run by default), for the series of the run the
    caller sees (the rule of `access_run`)."""
    run = access_run(conn=conn, principal=principal, today=today, version=version)
    return get_run_value_added(conn=conn, run=run)


def get_run_value_added(*, conn: Connection, run: RunRead) -> list[ValueAddedRead]:
    """The value added of the series `run` holds (as the caller was given it), in its order."""
    stored = _RUN_VALUE_ADDED.get(conn, run.run_id)
    keys = ((s.material_code, s.customer_id) for s in run.series)
    return [stored[key] for key in keys if key in stored]


def list_visible_run_months(
    *, conn: Connection, principal: Principal, today: date, material_code: str
) -> tuple[int | None, dict[date, float]]:
    """The latest run's version and its forecast of a material per month: the material's own
    series and, through its sellers' bills of materials (one level), the series of products
    built from it; only series whose demand (sales lines) the caller sees."""
    version = conn.execute(sa.select(sa.func.max(forecast_runs.c.version))).scalar()
    if version is None:
        return None, {}
    sales = current_view("sales_order")
    bom = current_view("bom")
    values = forecast_values.join(
        forecast_runs,
        sa.and_(
            forecast_runs.c.run_id == forecast_values.c.run_id, forecast_runs.c.version == version
        ),
    )

    where = get_visible_clause(
        conn=conn, principal=principal, document_type="sales_order", relation=sales, today=today
    )

    def seen(seller: sa.ColumnElement[Any] | None) -> sa.Exists:
        query = sa.select(sa.literal(1)).where(
            where,
            sales.c.material_code == forecast_values.c.material_code,
            sales.c.customer_id == forecast_values.c.customer_id,
        )
        return (query if seller is None else query.where(sales.c.seller_id == seller)).exists()

    per_unit = bom.c.quantity_per * (1 + bom.c.scrap_rate) / bom.c.base_quantity
    direct = (
        sa.select(forecast_values.c.period_start, forecast_values.c.quantity)
        .select_from(values)
        .where(forecast_values.c.material_code == material_code, seen(None))
    )
    through_bom = (
        sa.select(
            forecast_values.c.period_start,
            (forecast_values.c.quantity * sa.cast(per_unit, sa.Double())).label("quantity"),
        )
        .select_from(values.join(bom, bom.c.parent_code == forecast_values.c.material_code))
        .where(
            bom.c.component_code == material_code,
            bom.c.parent_code != material_code,
            seen(bom.c.owner_id),
        )
    )
    months: dict[date, float] = {}
    for period, quantity in conn.execute(sa.union_all(direct, through_bom)):
        month = period.replace(day=1)
        months[month] = months.get(month, 0.0) + float(quantity)
    return version, dict(sorted(months.items()))


def get_series_lines(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    bucket: Bucket,
    key: SeriesKey,
    added: ValueAddedRead | None,
) -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """A series' demand per period and its partner's latest issued forecast of each period
    (given to the customer by its share), both as the caller sees them."""
    lines = list_demand_lines(conn=conn, principal=principal, today=today).filter(
        pl.col("material_code") == key[0], pl.col("customer_id") == key[1]
    )
    demand = get_demand_series(lines, bucket=bucket).get(key)
    history = list(zip(demand[0], demand[1].tolist(), strict=True)) if demand else []
    if added is None or added.issuer_id is None or added.share is None:
        return history, []
    issued = list_issued_lines(conn=conn, principal=principal, today=today, bucket=bucket)
    mine = issued.get((added.issuer_id, key[0]), [])
    periods = sorted({line.period_start for line in mine})
    values = issued_before(mine, date.max, periods) * added.share
    return history, list(zip(periods, values.tolist(), strict=True))
