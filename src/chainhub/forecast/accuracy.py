"""Accuracy measures, with the M4 competition's definitions where it gives one."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Measure = Literal["mase", "rmsse"]
"""What a series' candidates are ranked by and its verdict over naive judged on: MASE, or for
intermittent demand RMSSE (see `measure_of`)."""


def mase_scale(history: Array, season: int) -> float:
    """Mean absolute seasonal difference of the history (lag 1 when shorter than a season)."""
    lag = season if history.size > season else 1
    if history.size <= lag:
        return float("nan")
    return float(np.mean(np.abs(history[lag:] - history[:-lag])))


def mase(actual: Array, forecast: Array, scale: float) -> float:
    """Mean absolute error over the in-sample seasonal naive error (NaN for a flat history)."""
    if not scale > 0:
        return float("nan")
    return float(np.mean(np.abs(actual - forecast)) / scale)


def rmsse_scale(history: Array) -> float:
    """Mean squared one-step difference of the history (M5's RMSSE scale; a hub series starts
    at its first demand, as M5 starts the scale there)."""
    if history.size < 2:
        return float("nan")
    return float(np.mean(np.diff(history) ** 2))


def rmsse(actual: Array, forecast: Array, scale: float) -> float:
    """Root mean squared error over the root of `rmsse_scale` (NaN for a flat history), as the
    M5 competition scored intermittent sales: squared errors are lowest for the mean, which an
    all-zero forecast of sparse demand is not, while absolute errors are lowest for the median,
    which it is whenever more than half the periods sell nothing."""
    if not scale > 0:
        return float("nan")
    return float(np.sqrt(np.mean((actual - forecast) ** 2) / scale))


def smape(actual: Array, forecast: Array) -> float:
    """Symmetric MAPE in percent, as M4 defines it: 200/h Σ |y − f| / (|y| + |f|)."""
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        np.abs(actual - forecast), denominator, out=np.zeros_like(actual), where=denominator > 0
    )
    return float(200.0 * np.mean(ratio))


def wmape(actual: Array, forecast: Array) -> float:
    """Weighted MAPE: Σ |y − f| / Σ |y| (NaN when nothing was demanded)."""
    total = float(np.sum(np.abs(actual)))
    return float(np.sum(np.abs(actual - forecast)) / total) if total > 0 else float("nan")


def owa(*, mase_value: float, smape_value: float, naive2_mase: float, naive2_smape: float) -> float:
    """M4's overall weighted average: the mean of sMAPE and MASE relative to Naive2."""
    return 0.5 * (smape_value / naive2_smape + mase_value / naive2_mase)
