"""Shapes of forecast runs, series and values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

Bucket = Literal["day", "week"]
Level = Literal["family", "material", "customer"]


class ForecastParameters(BaseModel):
    """What a run was asked for."""

    bucket: Bucket = "week"
    horizon: int = Field(default=13, ge=1, le=104, description="Periods ahead")
    level: int = Field(default=80, ge=50, le=99, description="Interval coverage, %")
    windows: int = Field(default=3, ge=1, le=12, description="Backtest windows")
    season: int = Field(default=52, ge=1, le=366, description="Periods in a season")
    calendar: bool = Field(
        default=False,
        strict=True,  # true or false as the schema says, not 0 or "yes"
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


class NodePoint(BaseModel):
    """One period of a hierarchy node: the base forecast, the reconciled one and its interval."""

    period_start: date
    base: float
    quantity: float
    lo: float | None
    hi: float | None


class NodeRead(BaseModel):
    """A node of the hierarchy (a family, a material, or a material x customer) with the
    backtest accuracy of its base and reconciled forecasts and its reconciled forecast."""

    level: Level
    family: str
    material_code: str | None
    customer_id: str | None
    method: str
    base_mase: float | None
    base_wmape: float | None
    mase: float | None
    wmape: float | None
    points: list[NodePoint]


class LevelRead(BaseModel):
    """A level of the hierarchy: its nodes, how it was reconciled, base and reconciled scores."""

    level: Level
    nodes: int
    method: str
    windows: int
    base_mase: float | None
    base_wmape: float | None
    mase: float | None
    wmape: float | None


class RunRead(BaseModel):
    """A stored run and the series the caller may see; with its reconciled hierarchy."""

    run_id: str
    version: int
    created_at: datetime
    parameters: ForecastParameters
    series_count: int
    series: list[SeriesRead]
    levels: list[LevelRead] = Field(
        default_factory=list, description="Per level, to who sees every series of the run"
    )
    nodes: list[NodeRead] = Field(
        default_factory=list,
        description="Reconciled nodes; an aggregate only to who sees every series in it",
    )


class ScoreRead(BaseModel):
    """Backtest accuracy of one forecast on one series."""

    mase: float | None
    wmape: float | None
    rmsse: float | None = Field(
        default=None, description="Root mean squared error over the in-sample one-step one (M5)"
    )


class ValueAddedRead(BaseModel):
    """Forecast value added on one series: the hub's chosen method, the partner's own issued
    forecast and naive, scored on the same backtest windows, and which is best."""

    material_code: str
    customer_id: str
    issuer_id: str | None = Field(description="Whose issued forecast is compared")
    allocated: bool = Field(description="A seller's forecast given to the customer by its share")
    share: float | None = Field(description="The customer's share of the issuer's demand")
    status: Literal["scored", "no_partner_forecast", "none_before_origins", "no_backtest"]
    points: int = Field(description="Periods the scores are computed on")
    naive_method: str
    hub: ScoreRead
    partner: ScoreRead | None
    naive: ScoreRead
    hub_all: ScoreRead | None = Field(
        default=None,
        description="The hub on every backtest point (its method was chosen on them), where "
        "hub_beats_naive is judged",
    )
    naive_all: ScoreRead | None = Field(default=None, description="Naive on every backtest point")
    measure: Literal["mase", "rmsse"] = Field(
        default="mase",
        description="What best and the verdicts are judged by: RMSSE for intermittent demand "
        "(absolute errors favour forecasting zero there), MASE otherwise; weighted MAPE breaks "
        "ties",
    )
    demand_class: Literal["smooth", "erratic", "intermittent", "lumpy"] | None = Field(
        default=None, description="Syntetos and Boylan's class of the series' demand"
    )
    best: Literal["hub", "partner", "naive"] | None
    hub_beats_partner: bool | None = Field(description="The hub adds value over the partner")
    hub_beats_naive: bool | None
    hub_equals_naive: bool | None = Field(
        default=None,
        description="The hub's forecast scored exactly as naive on every backtest point (its "
        "chosen method is the naive benchmark, or a tie): neither better nor worse; "
        "hub_beats_naive is then false",
    )
