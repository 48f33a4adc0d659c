"""Forecast endpoints: run (the hub admin or chain leader), read a run, backtest without storing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chainhub.api.deps import ConnDep, PrincipalDep, TodayDep
from chainhub.errors import ChainhubError
from chainhub.forecast import service
from chainhub.forecast.schemas import ForecastParameters, RunRead, SeriesRead, ValueAddedRead

router = APIRouter(prefix="/api/v1/forecast", tags=["forecast"])


@router.post("/runs", response_model=RunRead, status_code=201)
def run_forecast(
    parameters: ForecastParameters, principal: PrincipalDep, conn: ConnDep, today: TodayDep
) -> RunRead:
    """Forecast every demand series and store the run (the hub admin or the chain leader)."""
    if not principal.sees_all:
        raise ChainhubError(
            "forbidden",
            "only the hub admin or the chain leader runs forecasts",
            "只有枢纽管理员或链主可以运行预测",
            status=403,
        )
    return service.do_run_forecast(
        conn=conn, principal=principal, today=today, parameters=parameters
    )


@router.get("/runs/latest", response_model=RunRead)
def read_latest(principal: PrincipalDep, conn: ConnDep, today: TodayDep) -> RunRead:
    """The latest run, with the series whose demand the caller may see."""
    return service.access_run(conn=conn, principal=principal, today=today)


@router.get("/runs/{version}", response_model=RunRead)
def read_run(version: int, principal: PrincipalDep, conn: ConnDep, today: TodayDep) -> RunRead:
    """One run by version, with the series whose demand the caller may see."""
    return service.access_run(conn=conn, principal=principal, today=today, version=version)


@router.get("/backtest", response_model=list[SeriesRead])
def backtest(
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    horizon: Annotated[int, Query(ge=1, le=104)] = 13,
    windows: Annotated[int, Query(ge=1, le=10)] = 3,
    calendar: bool = False,
) -> list[SeriesRead]:
    """Backtest every series the caller sees, storing nothing (`calendar`: with AutoARIMA-X)."""
    parameters = ForecastParameters(horizon=horizon, windows=windows, calendar=calendar)
    return service.get_backtest(conn=conn, principal=principal, today=today, parameters=parameters)


@router.get("/runs/latest/value-added", response_model=list[ValueAddedRead])
def read_latest_value_added(
    principal: PrincipalDep, conn: ConnDep, today: TodayDep
) -> list[ValueAddedRead]:
    """The latest run's forecast value added: per series the caller sees, the hub's forecast
    beside the partner's own issued one and naive on the same backtest windows."""
    return service.access_value_added(conn=conn, principal=principal, today=today)


@router.get("/runs/{version}/value-added", response_model=list[ValueAddedRead])
def read_value_added(
    version: int, principal: PrincipalDep, conn: ConnDep, today: TodayDep
) -> list[ValueAddedRead]:
    """One run's forecast value added, per series the caller sees."""
    return service.access_value_added(conn=conn, principal=principal, today=today, version=version)
