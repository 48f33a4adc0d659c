"""One global model over every series of a run, a candidate beside each series' own.

The global model is one LightGBM regressor fitted on all the series together: each series is
standardized by its own mean and deviation (so large and small series share one model), the
features are its last `LAGS` standardized values and their mean, and the `h` periods ahead are
forecast recursively. It is fitted again at every backtest origin on what was known there (the
series aligned on their last period), so its backtest windows are the engine's own and its scores
compare with the engine's candidates'.

Each series takes the global model's forecast where its backtest beats the series' own choice,
as any candidate is chosen. Weekly runs only: the daily batch path keeps its own faster
candidates. On the simulated chain's held-out 13 weeks (bench/forecast_chain.py, demo chain) the
hub's median MASE went 1.478 -> 1.352 with it. Chosen instead per family (the family's mean
backtest MASE against its series' own choices') it was never chosen there, and published for
every series it beat naive on more held-out series still, but that choice would have been made on
the held-out weeks, not on the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Final

import numpy as np

from chainhub.forecast.accuracy import Array
from chainhub.forecast.demand import SeriesKey
from chainhub.forecast.engine import (
    Backtest,
    SeriesForecast,
    beside,
    choose,
    conformal,
    origins,
    score_windows,
)

GLOBAL: Final = "GlobalLightGBM"
LAGS: Final = 4
"""Past values the model reads: a month of weeks."""
MIN_ROWS: Final = 20
"""Training rows below which the model is not fitted and each series' mean is its forecast."""
PARAMS: Final = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 8,
    "min_data_in_leaf": 10,
    "num_threads": 1,
    "deterministic": True,
    "seed": 0,
    "verbose": -1,
}
ROUNDS: Final = 100


def _features(window: Array) -> Array:
    """Rows of the last `LAGS` standardized values (newest first) and their mean."""
    return np.column_stack([window[:, ::-1], window.mean(axis=1)])


def fit_predict(history: Array, h: int) -> Array:
    """Forecast `h` periods of every row of `history` (series x periods, NaN before a series
    starts) with one model fitted on all of them; never negative."""
    import lightgbm as lgb  # noqa: PLC0415 - heavy, loaded only when a run forecasts weekly

    with np.errstate(all="ignore"):
        mean = np.nan_to_num(np.nanmean(history, axis=1))
        std = np.nan_to_num(np.nanstd(history, axis=1))
    std[std == 0] = 1.0
    z = (history - mean[:, None]) / std[:, None]
    rows = [(_features(z[:, t - LAGS : t]), z[:, t]) for t in range(LAGS, z.shape[1])]
    x = np.vstack([r[0] for r in rows]) if rows else np.zeros((0, LAGS + 1))
    y = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
    known = ~np.isnan(x).any(axis=1) & ~np.isnan(y)
    forecast = np.zeros((history.shape[0], h))
    if int(known.sum()) >= MIN_ROWS:
        model = lgb.train(PARAMS, lgb.Dataset(x[known], y[known]), num_boost_round=ROUNDS)
        # A series shorter than the lags starts from its mean (zero once standardized).
        window = np.nan_to_num(z[:, -LAGS:]) if z.shape[1] >= LAGS else np.zeros((z.shape[0], LAGS))
        for step in range(h):
            forecast[:, step] = model.predict(_features(window))
            window = np.column_stack([window[:, 1:], forecast[:, step]])
    found: Array = np.maximum(forecast * std[:, None] + mean[:, None], 0.0)
    return found


def forecast_global(
    bottom: Mapping[SeriesKey, Array], *, h: int, season: int, level: int, windows: int
) -> dict[SeriesKey, SeriesForecast]:
    """The global model's forecast of every series, with a backtest on each series' own
    rolling origins (the engine's) and a conformal interval from it."""
    keys = list(bottom)
    length = max((bottom[k].size for k in keys), default=0)
    history = np.full((len(keys), length), np.nan)
    for i, k in enumerate(keys):
        history[i, length - bottom[k].size :] = bottom[k]
    local = {k: origins(bottom[k].size, h, windows) for k in keys}
    shared = sorted({length - bottom[k].size + o for k in keys for o in local[k]})
    at = {s: fit_predict(history[:, :s], h) for s in shared}
    future = fit_predict(history, h)
    found: dict[SeriesKey, SeriesForecast] = {}
    for i, k in enumerate(keys):
        y, offset = bottom[k], length - bottom[k].size
        forecasts = [at[offset + o][i] for o in local[k]]
        score = score_windows(y, local[k], forecasts, h, season)
        backtest = Backtest(origins=local[k], forecasts={GLOBAL: forecasts}, scores={GLOBAL: score})
        interval = conformal(y, backtest, GLOBAL, future[i], level)
        found[k] = SeriesForecast(
            method=GLOBAL,
            fitted=GLOBAL,
            mean=future[i],
            lo=None if interval is None else interval[0],
            hi=None if interval is None else interval[1],
            backtest=backtest,
        )
    return found


def with_global(
    bottom: Mapping[SeriesKey, Array],
    results: Mapping[SeriesKey, SeriesForecast],
    *,
    h: int,
    season: int,
    level: int,
    windows: int,
) -> dict[SeriesKey, SeriesForecast]:
    """Each series' result with the global model's backtest beside its candidates', and the
    global model's forecast where that backtest beats the series' own choice (a tie keeps it)."""
    pooled = forecast_global(bottom, h=h, season=season, level=level, windows=windows)
    found: dict[SeriesKey, SeriesForecast] = {}
    for key, own in results.items():
        backtest = beside(own.backtest, pooled[key].backtest)
        best = choose(backtest, (own.method, GLOBAL))
        found[key] = replace(pooled[key] if best == GLOBAL else own, backtest=backtest)
    return found
