"""Many series at once (a daily run): StatsForecast's vectorised cross-validation and forecast
over one long frame per candidate set, each series' method chosen by the same backtest scores,
rank and intervals as the per-series engine. Series too short for every backtest window go
through the engine one by one, with its fallbacks and notes."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from statsforecast import StatsForecast
from statsforecast.models import (
    Naive,
    SeasonalExponentialSmoothingOptimized,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
)

from chainhub.forecast.accuracy import Array, Measure
from chainhub.forecast.engine import (
    Backtest,
    Score,
    SeriesForecast,
    forecast_series,
    measure_notes,
    origins,
)
from chainhub.forecast.methods import (
    AUTO_MIN_LENGTH,
    INTERMITTENT,
    MODEL_BASED_INTERVALS,
    get_method,
    is_intermittent,
)

K = TypeVar("K", bound=Hashable)

DAILY_REGULAR: Final = ("SeasonalNaive", "Naive", "SES", "SeasonalES")
"""Candidates for regular daily demand: fast enough for 10,000 series of two years with a
backtest on two cores (AutoETS, AutoTheta and AutoARIMA are not)."""
SHORT_REGULAR: Final = ("SeasonalNaive", "Naive")
"""What a regular series too short for the batch tries in the engine."""
PARALLEL_FROM: Final = 500
"""Series from which a pass is worth spreading over `jobs` processes."""
_FACTORIES: Final[dict[str, Callable[[int], Any]]] = {
    "SES": lambda _m: SimpleExponentialSmoothingOptimized(alias="SES"),
    "SeasonalES": lambda m: SeasonalExponentialSmoothingOptimized(
        season_length=m, alias="SeasonalES"
    ),
    "SeasonalNaive": lambda m: SeasonalNaive(season_length=m),
    "Naive": lambda _m: Naive(),
}


def batch_models(names: tuple[str, ...], season: int) -> list[Any]:
    """The StatsForecast models of `names`, each named as the method it is (the intermittent
    ones are the engine's, which fall back at no length)."""
    return [
        _FACTORIES[name](season)
        if name in _FACTORIES
        else get_method(name, length=AUTO_MIN_LENGTH, season=season).model
        for name in names
    ]


def fits_batch(y: Array, *, h: int, season: int, windows: int, scale_season: int) -> bool:
    """Whether `y` has every backtest window and, before the first, two seasons to fit on."""
    train = y.size - windows * h
    return (
        len(origins(y.size, h, windows)) == windows
        and train > max(2 * season, scale_season)
        and train >= AUTO_MIN_LENGTH
    )


def long_frame(ys: list[Array]) -> pd.DataFrame:
    """Series i as unique_id i, ds 0, 1, ... (StatsForecast's long format)."""
    lengths = np.array([y.size for y in ys])
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(len(ys)), lengths),
            "ds": np.arange(int(lengths.sum())) - offsets,
            "y": np.concatenate(ys),
        }
    )


def cross_validate(
    frame: pd.DataFrame, names: tuple[str, ...], *, h: int, season: int, windows: int, jobs: int
) -> pd.DataFrame:
    """Every model's forecasts at each of the last `windows` origins, `h` apart."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = StatsForecast(models=batch_models(names, season), freq=1, n_jobs=jobs)
        cv = sf.cross_validation(df=frame, h=h, n_windows=windows, step_size=h)
    return pd.DataFrame(cv).sort_values(["unique_id", "cutoff", "ds"], kind="stable")


def forecast_chosen(
    frame: pd.DataFrame,
    names: tuple[str, ...],
    best: NDArray[np.intp],
    *,
    h: int,
    season: int,
    level: int,
    jobs: int,
) -> tuple[Array, Array, Array]:
    """Each series' forecast by its chosen method alone, with the model's own interval where it
    has one (NaN elsewhere): one pass per method over the series that chose it, so no model
    fits a series it was not chosen for."""
    n = best.size
    mean, lo, hi = np.empty((n, h)), np.full((n, h), np.nan), np.full((n, h), np.nan)
    for j, name in enumerate(names):
        ids = np.flatnonzero(best == j)
        if ids.size == 0:
            continue
        own = name in MODEL_BASED_INTERVALS
        sf = StatsForecast(
            models=batch_models((name,), season),
            freq=1,
            n_jobs=jobs if ids.size >= PARALLEL_FROM else 1,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = sf.forecast(
                df=frame[frame["unique_id"].isin(ids)], h=h, level=[level] if own else None
            )
        out = pd.DataFrame(out).sort_values(["unique_id", "ds"], kind="stable")
        mean[ids] = _cube(out, name, (ids.size, h))
        if own:
            lo[ids] = _cube(out, f"{name}-lo-{level}", (ids.size, h))
            hi[ids] = _cube(out, f"{name}-hi-{level}", (ids.size, h))
    return mean, lo, hi


def _cube(frame: pd.DataFrame, column: str, shape: tuple[int, ...]) -> Array:
    values: Array = frame[column].to_numpy(dtype=np.float64).reshape(shape)
    return values


def _scales(ys: list[Array], starts: NDArray[np.int64], lag: int, power: int = 1) -> Array:
    """Scale of each series' training part at each origin: mean |y_t - y_(t-lag)| ** power
    (power 1 and the season's lag: MASE's; power 2 and lag 1: RMSSE's, squared)."""
    scales = np.empty(starts.shape)
    for i, y in enumerate(ys):
        cum = np.concatenate(([0.0], np.cumsum(np.abs(y[lag:] - y[:-lag]) ** power)))
        scales[i] = cum[starts[i] - lag] / (starts[i] - lag)
    return scales


def _window_mean(per_window: Array) -> Array:
    """Per series and method, the mean over the windows that have a score (NaN if none)."""
    counted = (~np.isnan(per_window)).sum(axis=2)
    return np.where(counted > 0, np.nansum(per_window, axis=2) / counted, np.nan)


def _choose(measured: Array, wmape: Array) -> NDArray[np.intp]:
    """Per series the method with the lowest measure (MASE or RMSSE), then weighted MAPE, then
    the first listed."""
    first = np.where(np.isnan(measured), np.inf, measured)
    second = np.where(np.isnan(wmape), np.inf, wmape)
    tied = first == first.min(axis=1, keepdims=True)
    second = np.where(tied, second, np.inf)
    best: NDArray[np.intp] = np.argmax(tied & (second == second.min(axis=1, keepdims=True)), axis=1)
    return best


def _group(
    ys: list[Array],
    names: tuple[str, ...],
    *,
    h: int,
    season: int,
    level: int,
    windows: int,
    scale_season: int,
    jobs: int,
) -> list[SeriesForecast]:
    """Backtest and forecast series that all fit the batch, with the same candidates (ranked by
    RMSSE when they are the intermittent ones, see engine.measure_of)."""
    frame = long_frame(ys)
    cv = cross_validate(frame, names, h=h, season=season, windows=windows, jobs=jobs)
    n, shape = len(ys), (len(ys), windows, h)
    actual = _cube(cv, "y", shape)
    lengths = np.array([y.size for y in ys], dtype=np.int64)
    starts = lengths[:, None] - h * np.arange(windows, 0, -1)[None, :]
    scale = _scales(ys, starts, scale_season)
    squared_scale = _scales(ys, starts, 1, power=2)
    predicted = np.stack([_cube(cv, name, shape) for name in names], axis=1)
    errors = np.abs(actual[:, None] - predicted)
    with np.errstate(divide="ignore", invalid="ignore"):
        mase = _window_mean(
            np.where(scale[:, None, :] > 0, errors.mean(axis=3) / scale[:, None, :], np.nan)
        )
        rmsse = _window_mean(
            np.where(
                squared_scale[:, None, :] > 0,
                np.sqrt((errors**2).mean(axis=3) / squared_scale[:, None, :]),
                np.nan,
            )
        )
        total = np.abs(actual).sum(axis=(1, 2))[:, None]
        wmape = np.where(total > 0, errors.sum(axis=(2, 3)) / total, np.nan)
    measure: Measure = "rmsse" if names == INTERMITTENT else "mase"
    best = _choose(rmsse if measure == "rmsse" else mase, wmape)
    rows = np.arange(n)
    mean, lo, hi = forecast_chosen(frame, names, best, h=h, season=season, level=level, jobs=jobs)
    # Split conformal from the backtest's absolute errors where the model has no interval.
    width = np.quantile(errors[rows, best].reshape(n, -1), level / 100.0, axis=1)[:, None]
    lo = np.where(np.isnan(lo), np.maximum(mean - width, 0.0), lo)
    hi = np.where(np.isnan(hi), mean + width, hi)
    return [
        SeriesForecast(
            method=names[best[i]],
            fitted=names[best[i]],
            mean=np.maximum(mean[i], 0.0),
            lo=np.maximum(lo[i], 0.0),
            hi=hi[i],
            backtest=Backtest(
                origins=tuple(int(s) for s in starts[i]),
                forecasts={name: list(predicted[i, j]) for j, name in enumerate(names)},
                scores={
                    name: Score(
                        mase=float(mase[i, j]), wmape=float(wmape[i, j]), rmsse=float(rmsse[i, j])
                    )
                    for j, name in enumerate(names)
                },
                measure=measure,
            ),
            notes=measure_notes(ys[i], measure),
        )
        for i in range(n)
    ]


def forecast_batch(
    series: Mapping[K, Array],
    *,
    h: int,
    season: int,
    level: int = 80,
    windows: int = 3,
    scale_season: int | None = None,
    regular: tuple[str, ...] = DAILY_REGULAR,
    jobs: int = 1,
) -> dict[K, SeriesForecast]:
    """Backtest the candidates on every series and forecast `h` periods with each one's best:
    intermittent series try the intermittent methods, the others `regular`; StatsForecast over
    `jobs` processes for the series long enough, the engine for the rest."""
    lag = scale_season or season
    found: dict[K, SeriesForecast] = {}
    batches: dict[tuple[str, ...], list[K]] = {regular: [], INTERMITTENT: []}
    for key, y in series.items():
        sparse = is_intermittent(nonzero=int(np.count_nonzero(y)), length=y.size)
        if fits_batch(y, h=h, season=season, windows=windows, scale_season=lag):
            batches[INTERMITTENT if sparse else regular].append(key)
        else:
            short = INTERMITTENT if sparse else SHORT_REGULAR
            found[key] = forecast_series(
                y, h=h, season=season, level=level, windows=windows, scale_season=lag, methods=short
            )
    for names, keys in batches.items():
        if keys:
            results = _group(
                [series[k] for k in keys],
                names,
                h=h,
                season=season,
                level=level,
                windows=windows,
                scale_season=lag,
                jobs=jobs,
            )
            found.update(zip(keys, results, strict=True))
    return {key: found[key] for key in series}
