"""Forecast runs: backtest and forecast every demand series, store the run, read it back."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.forecast.accuracy import Array
from chainhub.forecast.batch import forecast_batch
from chainhub.forecast.demand import SeriesKey, get_demand_series, list_demand_lines
from chainhub.forecast.engine import SeriesForecast, forecast_series
from chainhub.forecast.models import forecast_runs, forecast_values
from chainhub.forecast.models import forecast_series as series_table
from chainhub.forecast.schemas import ForecastParameters, ForecastPoint, RunRead, SeriesRead
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
            name: {"mase": _finite(s.mase), "wmape": _finite(s.wmape)}
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


def _daily(
    demand: dict[SeriesKey, tuple[list[date], Array]],
    parameters: ForecastParameters,
    progress: Progress | None,
) -> list[SeriesRead]:
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
    return [
        _as_read(key, results[key], _periods(periods[-1], parameters.bucket, parameters.horizon))
        for key, (periods, _) in demand.items()
    ]


def get_backtest(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    parameters: ForecastParameters,
    progress: Progress | None = None,
) -> list[SeriesRead]:
    """Backtest and forecast every series the caller sees, storing nothing."""
    lines = list_demand_lines(conn=conn, principal=principal, today=today)
    demand = get_demand_series(lines, bucket=parameters.bucket)
    if parameters.bucket == "day":
        return _daily(demand, parameters, progress)
    found = []
    for done, (key, (periods, values)) in enumerate(demand.items(), start=1):
        result = forecast_series(
            values,
            h=parameters.horizon,
            season=parameters.season,
            level=parameters.level,
            windows=parameters.windows,
        )
        future = _periods(periods[-1], parameters.bucket, parameters.horizon)
        found.append(_as_read(key, result, future))
        if progress is not None:
            progress(done, len(demand))
    return found


def do_run_forecast(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    parameters: ForecastParameters,
    progress: Progress | None = None,
) -> RunRead:
    """Forecast every series the caller sees and store the run as the next version."""
    found = get_backtest(
        conn=conn, principal=principal, today=today, parameters=parameters, progress=progress
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
    return run


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
    values: dict[SeriesKey, list[ForecastPoint]] = {}
    for v in conn.execute(
        sa.select(forecast_values)
        .where(forecast_values.c.run_id == row["run_id"])
        .order_by(forecast_values.c.period_start)
    ).mappings():
        point = ForecastPoint(
            period_start=v["period_start"], quantity=v["quantity"], lo=v["lo"], hi=v["hi"]
        )
        values.setdefault((v["material_code"], v["customer_id"]), []).append(point)
    series = [
        SeriesRead(
            material_code=s["material_code"],
            customer_id=s["customer_id"],
            method=s["method"],
            fitted=s["fitted"],
            mase=s["mase"],
            wmape=s["wmape"],
            scores=json.loads(s["scores"]),
            notes=json.loads(s["notes"]),
            points=values.get((s["material_code"], s["customer_id"]), []),
        )
        for s in conn.execute(
            sa.select(series_table)
            .where(series_table.c.run_id == row["run_id"])
            .order_by(series_table.c.material_code, series_table.c.customer_id)
        ).mappings()
        if (s["material_code"], s["customer_id"]) in visible
    ]
    return RunRead(
        run_id=row["run_id"],
        version=row["version"],
        created_at=row["created_at"],
        parameters=ForecastParameters.model_validate_json(row["parameters"]),
        series_count=row["series_count"],
        series=series,
    )


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
