"""Shapes of forecast runs, series and values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

Bucket = Literal["day", "week"]


class ForecastParameters(BaseModel):
    """What a run was asked for."""

    bucket: Bucket = "week"
    horizon: int = Field(default=13, ge=1, le=104, description="Periods ahead")
    level: int = Field(default=80, ge=50, le=99, description="Interval coverage, %")
    windows: int = Field(default=3, ge=1, le=12, description="Backtest windows")
    season: int = Field(default=52, ge=1, le=366, description="Periods in a season")
    calendar: bool = Field(
        default=False,
        description="Also try AutoARIMA-X with 春节, 国庆, 618 and 双11 as regressors",
    )


class ForecastPoint(BaseModel):
    """One period's forecast with its interval."""

    period_start: date
    quantity: float
    lo: float | None
    hi: float | None


class SeriesRead(BaseModel):
    """One series' chosen method, backtest scores of every candidate, notes and forecast."""

    material_code: str
    customer_id: str
    method: str
    fitted: str
    mase: float | None
    wmape: float | None
    scores: dict[str, dict[str, float | None]]
    notes: list[str]
    points: list[ForecastPoint]


class RunRead(BaseModel):
    """A stored run and the series the caller may see."""

    run_id: str
    version: int
    created_at: datetime
    parameters: ForecastParameters
    series_count: int
    series: list[SeriesRead]
