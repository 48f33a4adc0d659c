"""One series: a rolling-origin backtest of the candidates, the best one's forecast and interval."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from chainhub.forecast.accuracy import Array, Measure, mase, mase_scale, rmsse, rmsse_scale, wmape
from chainhub.forecast.methods import (
    COMBINED,
    INTERMITTENT,
    MODEL_BASED_INTERVALS,
    REGULAR,
    Fitted,
    demand_class,
    get_method,
    is_intermittent,
)
from chainhub.forecast.regressors import (
    WITH_REGRESSORS,
    forecast_with_regressors,
    plan_regressors,
)

MIN_TRAIN: Final = 4
"""Points a backtest window trains on at least."""
COMBINED_OF: Final = ("AutoETS", "AutoTheta", "AutoARIMA")


@dataclass(frozen=True)
class Score:
    """Backtest accuracy of one method on one series."""

    mase: float
    wmape: float
    rmsse: float = math.nan


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest: where each window starts, each method's forecasts there, and
    the measure its methods are ranked by."""

    origins: tuple[int, ...]
    forecasts: dict[str, list[Array]]
    scores: dict[str, Score]
    measure: Measure = "mase"


@dataclass(frozen=True)
class SeriesForecast:
    """The chosen method's forecast of one series, with its interval and how it was chosen;
    `fitted` is the model that ran, simpler than `method` when the series was too short."""

    method: str
    fitted: str
    mean: Array
    lo: Array | None
    hi: Array | None
    backtest: Backtest
    notes: list[str] = field(default_factory=list)


def measure_of(y: Array) -> Measure:
    """RMSSE for intermittent demand (the series the intermittent methods are tried on), where
    MASE would favour forecasting zero; MASE otherwise."""
    return "rmsse" if is_intermittent(nonzero=int(np.count_nonzero(y)), length=y.size) else "mase"


def measure_notes(y: Array, measure: Measure) -> list[str]:
    """Why a series' candidates were ranked by RMSSE (nothing when by MASE)."""
    if measure == "mase":
        return []
    return [
        f"{demand_class(y)} demand: candidates ranked by RMSSE, not MASE, which favours "
        "forecasting zero"
    ]


def candidates(y: Array, *, regressors: bool = False) -> tuple[str, ...]:
    """Methods to try: intermittent ones for sparse demand, the automatic ones otherwise, and
    with known future regressors the models that take them."""
    if is_intermittent(nonzero=int(np.count_nonzero(y)), length=y.size):
        return INTERMITTENT
    return (*REGULAR, COMBINED, *(WITH_REGRESSORS if regressors else ()))


def _run(
    fitted: Fitted, y: Array, h: int, level: int | None
) -> tuple[Array, Array | None, Array | None]:
    levels = [level] if level is not None and fitted.name in MODEL_BASED_INTERVALS else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fitted.model.forecast(y=y, h=h, level=levels)
    return _unpack(out, level if levels else None)


def _unpack(out: dict[str, Any], level: int | None) -> tuple[Array, Array | None, Array | None]:
    mean = np.asarray(out["mean"], dtype=np.float64)
    if level is None:
        return mean, None, None
    lo = np.asarray(out[f"lo-{level}"], dtype=np.float64)
    hi = np.asarray(out[f"hi-{level}"], dtype=np.float64)
    return mean, lo, hi


def _forecast_all(
    methods: tuple[str, ...],
    y: Array,
    h: int,
    season: int,
    level: int | None,
    x: Array | None = None,
) -> tuple[dict[str, tuple[Array, Array | None, Array | None]], dict[str, str]]:
    """Every method's forecast from `y`, and a note for each that fell back; `x` holds the
    regressors of `y`'s periods and the `h` after them, for the methods that take them."""
    results: dict[str, tuple[Array, Array | None, Array | None]] = {}
    notes: dict[str, str] = {}
    for name in methods:
        if name == COMBINED:
            continue
        if name in WITH_REGRESSORS:
            if x is None:
                raise ValueError(f"{name} needs the regressors of the series")
            out, plan = forecast_with_regressors(y, x, h=h, season=season, level=level)
            if plan.note is not None:
                notes[name] = plan.note
            results[name] = _unpack(out, level)
            continue
        fitted = get_method(name, length=y.size, season=season)
        if fitted.note is not None:
            notes[name] = fitted.note
        results[name] = _run(fitted, y, h, level)
    if COMBINED in methods:
        parts = [results[name] for name in COMBINED_OF]
        mean = np.mean([p[0] for p in parts], axis=0)
        los = [p[1] for p in parts if p[1] is not None]
        his = [p[2] for p in parts if p[2] is not None]
        full = len(los) == len(parts) and len(his) == len(parts)
        results[COMBINED] = (
            mean,
            np.mean(los, axis=0) if full else None,
            np.mean(his, axis=0) if full else None,
        )
    return results, notes


def origins(length: int, h: int, windows: int) -> tuple[int, ...]:
    """Where each rolling-origin window starts: the last `windows` blocks of `h` points."""
    fit = max(0, min(windows, (length - MIN_TRAIN) // h))
    return tuple(length - k * h for k in range(fit, 0, -1))


def run_backtest(
    y: Array,
    *,
    h: int,
    season: int,
    windows: int,
    methods: tuple[str, ...],
    scale_season: int,
    x: Array | None = None,
) -> Backtest:
    """Fit each method at each origin on what came before and score it on the next `h` points
    (`x`: regressors of every point, for the methods that take them)."""
    starts = origins(y.size, h, windows)
    forecasts: dict[str, list[Array]] = {name: [] for name in methods}
    for start in starts:
        window_x = None if x is None else x[: start + h]
        results, _ = _forecast_all(methods, y[:start], h, season, None, window_x)
        for name in methods:
            forecasts[name].append(results[name][0])
    scores = {name: score_windows(y, starts, forecasts[name], h, scale_season) for name in methods}
    return Backtest(origins=starts, forecasts=forecasts, scores=scores, measure=measure_of(y))


def score_windows(
    y: Array, starts: tuple[int, ...], forecasts: list[Array], h: int, season: int
) -> Score:
    """One candidate's backtest score from its forecasts of the windows at `starts`: the mean
    MASE and RMSSE of the windows that have one, each scaled by the history before it, and the
    wMAPE of all windows together."""
    windows = list(zip(starts, forecasts, strict=True))
    window_mase = [mase(y[s : s + h], f, mase_scale(y[:s], season)) for s, f in windows]
    window_rmsse = [rmsse(y[s : s + h], f, rmsse_scale(y[:s])) for s, f in windows]
    actual = np.concatenate([y[s : s + h] for s in starts]) if starts else np.zeros(0)
    return Score(
        mase=_nanmean(window_mase),
        wmape=wmape(actual, np.concatenate(forecasts)) if forecasts else math.nan,
        rmsse=_nanmean(window_rmsse),
    )


def beside(own: Backtest, candidate: Backtest) -> Backtest:
    """A series' backtest with another candidate's forecasts and scores on the same windows."""
    return Backtest(
        origins=own.origins,
        forecasts={**own.forecasts, **candidate.forecasts},
        scores={**own.scores, **candidate.scores},
        measure=own.measure,
    )


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else math.nan


def rank(score: Score, measure: Measure) -> tuple[float, float]:
    """Lower `measure` first, then lower weighted MAPE; an unscored method last."""
    value = score.rmsse if measure == "rmsse" else score.mase
    first = value if not math.isnan(value) else math.inf
    second = score.wmape if not math.isnan(score.wmape) else math.inf
    return first, second


def choose(backtest: Backtest, methods: tuple[str, ...]) -> str:
    """The method with the best backtest by its measure; the first candidate when nothing
    could be scored."""
    return min(methods, key=lambda name: rank(backtest.scores[name], backtest.measure))


def conformal(
    y: Array, backtest: Backtest, method: str, mean: Array, level: int
) -> tuple[Array, Array] | None:
    """Interval from the backtest's absolute errors (split conformal), for models without one."""
    if not backtest.origins:
        return None
    h = mean.size
    errors = np.concatenate(
        [
            np.abs(y[s : s + h] - f)
            for s, f in zip(backtest.origins, backtest.forecasts[method], strict=True)
        ]
    )
    width = float(np.quantile(errors, level / 100.0))
    return np.maximum(mean - width, 0.0), mean + width


def _fitted_name(method: str, y: Array, season: int, x: Array | None) -> str:
    """The model that ran for `method` on `y`: simpler than it when the series was too short."""
    if method == COMBINED:
        return method
    if method in WITH_REGRESSORS and x is not None:
        return plan_regressors(x[: y.size], season=season).name
    return get_method(method, length=y.size, season=season).name


def forecast_series(
    y: Array,
    *,
    h: int,
    season: int,
    level: int = 80,
    windows: int = 3,
    scale_season: int | None = None,
    methods: tuple[str, ...] | None = None,
    x: Array | None = None,
) -> SeriesForecast:
    """Backtest the candidates on `y`, then forecast `h` periods with the best one; `x`, the
    known future regressors of `y`'s periods and the `h` after them (rows y.size + h), adds
    the candidates that take them."""
    if y.size == 0:
        raise ValueError("a series needs at least one observation")
    if x is not None and x.shape[0] != y.size + h:
        raise ValueError(f"regressors cover {x.shape[0]} periods, not {y.size} + {h}")
    tried = methods if methods is not None else candidates(y, regressors=x is not None)
    backtest = run_backtest(
        y,
        h=h,
        season=season,
        windows=windows,
        methods=tried,
        scale_season=scale_season or season,
        x=x,
    )
    notes = measure_notes(y, backtest.measure)
    if not backtest.origins:
        notes.append(f"{y.size} points leave no backtest window of {h}: {tried[0]} by default")
    method = choose(backtest, tried)
    results, fallbacks = _forecast_all(
        tuple(dict.fromkeys((*COMBINED_OF, method))) if method == COMBINED else (method,),
        y,
        h,
        season,
        level,
        x,
    )
    notes.extend(fallbacks.values())
    mean, lo, hi = results[method]
    if lo is None or hi is None:
        interval = conformal(y, backtest, method, mean, level)
        if interval is None:
            notes.append(f"no interval: {method} has none and no backtest window to derive one")
        else:
            lo, hi = interval
    # Demand is never negative: neither is its forecast nor the low end of its interval.
    mean = np.maximum(mean, 0.0)
    lo = None if lo is None else np.maximum(lo, 0.0)
    fitted = _fitted_name(method, y, season, x)
    return SeriesForecast(
        method=method, fitted=fitted, mean=mean, lo=lo, hi=hi, backtest=backtest, notes=notes
    )
