"""Candidates that take known future regressors (the calendar's events) beside the series."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from chainhub.forecast.accuracy import Array
from chainhub.forecast.methods import Fitted, get_method

ARIMA_X: Final = "AutoARIMA-X"
"""AutoARIMA with the calendar's events as regressors (regression with ARIMA errors)."""
WITH_REGRESSORS: Final = (ARIMA_X,)


@dataclass(frozen=True)
class Plan:
    """How AutoARIMA-X runs on one series: the model, the regressor columns it takes (none when
    it falls back) and why it differs from the full model."""

    fitted: Fitted
    columns: Array
    note: str | None

    @property
    def name(self) -> str:
        """The model that runs: AutoARIMA-X, or what it fell back to."""
        return ARIMA_X if self.columns.any() else self.fitted.name


def plan_regressors(history: Array, *, season: int) -> Plan:
    """AutoARIMA-X for a series whose periods have the regressors `history` (rows by period):
    only the columns that vary there (an event never seen has nothing to fit), once each."""
    fitted = get_method("AutoARIMA", length=history.shape[0], season=season)
    varies = np.ptp(history, axis=0) > 0 if history.size else np.zeros(history.shape[1], bool)
    # A column equal to an earlier one over the history (618's peak day when the history holds
    # only that day of the sale) would make the regression singular: the first one is kept.
    for k in np.flatnonzero(varies):
        if any(np.array_equal(history[:, k], history[:, j]) for j in np.flatnonzero(varies[:k])):
            varies[k] = False
    if fitted.name != "AutoARIMA":
        return Plan(fitted, np.zeros_like(varies), fitted.note)
    if not varies.any():
        note = f"{ARIMA_X}: no calendar event varies over the history, AutoARIMA alone"
        return Plan(fitted, varies, note)
    return Plan(fitted, varies, fitted.note)


def forecast_with_regressors(
    y: Array, x: Array, *, h: int, season: int, level: int | None
) -> tuple[dict[str, Any], Plan]:
    """AutoARIMA-X's forecast of the `h` periods after `y`; `x` holds the regressors of the
    history and of those periods (rows y.size + h)."""
    plan = plan_regressors(x[: y.size], season=season)
    levels = [level] if level is not None else None
    keep = plan.columns.astype(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not keep.any():
            return plan.fitted.model.forecast(y=y, h=h, level=levels), plan
        future = x[y.size : y.size + h, keep]
        out = plan.fitted.model.forecast(
            y=y, h=h, X=x[: y.size, keep], X_future=future, level=levels
        )
    return out, plan
