"""Forecast accuracy on M4 with the competition's definitions (MASE, sMAPE, OWA against Naive2),
and chainhub's time beside raw StatsForecast fitting the same models on the same series.

    python bench/forecast.py [--smoke] [--train FILE --test FILE --season N] [--limit N] [--jobs N]
    python bench/forecast.py --daily [N] [--smoke] [--jobs N]

With --daily: N synthetic daily series of two years (10,000 by default, 200 with --smoke) with
weekly seasonality, trend and intermittency, run through chainhub's daily path (backtest and
forecast) beside raw StatsForecast running the same models on the same series.

Without files it reads M4 Weekly from ../shared/reference/forecasting/m4 (skipped when absent,
except under CI=true). The last line printed is `M4 MASE X sMAPE Y OWA Z on N series`.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from statsforecast import StatsForecast
from statsmodels.tsa.seasonal import seasonal_decompose

from chainhub.forecast.accuracy import Array, mase, mase_scale, owa, smape
from chainhub.forecast.batch import DAILY_REGULAR, batch_models, forecast_batch
from chainhub.forecast.engine import forecast_series
from chainhub.forecast.methods import (
    INTERMITTENT,
    MODEL_BASED_INTERVALS,
    REGULAR,
    get_method,
    is_intermittent,
)

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"
M4 = REFERENCE / "forecasting" / "m4"
OFFICIAL = {"Naive2": 2.777, "Theta": 2.637, "Damped": 2.404}
SMOKE_SERIES = 12
WINDOWS = 3
HISTORY = 156
"""Points the models fit on (the last three years of a weekly series); MASE scales on all."""
DAILY_SERIES, DAILY_SMOKE, DAILY_DAYS, DAILY_HORIZON, DAILY_TARGET = 10_000, 200, 730, 28, 60.0


def synthetic_daily(n: int, days: int = DAILY_DAYS, seed: int = 3) -> list[Array]:
    """Poisson daily demand around a level with a trend and a day-of-week profile; three in ten
    series intermittent (demand on 5-50 % of days)."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    level = rng.lognormal(2.5, 1.0, n)[:, None]
    trend = 1 + rng.normal(0, 0.3, n)[:, None] * t / days
    week = 1 + rng.uniform(0, 0.6, (n, 7))
    week /= week.mean(axis=1, keepdims=True)
    y = rng.poisson(np.clip(level * trend * week[:, t % 7], 0, None)).astype(np.float64)
    sparse = rng.random(n) < 0.3
    occurs = rng.random((n, days)) < rng.uniform(0.05, 0.5, n)[:, None]
    return list(np.where(sparse[:, None] & ~occurs, 0.0, y))


def raw_daily(groups: list[tuple[tuple[str, ...], pd.DataFrame]], jobs: int) -> None:
    """Raw StatsForecast on each candidate set's long frame: cross-validation over the same
    windows, the forecast with intervals from the models that have them, then the others."""
    for names, df in groups:
        sf = StatsForecast(models=batch_models(names, 7), freq=1, n_jobs=jobs)
        sf.cross_validation(df=df, h=DAILY_HORIZON, n_windows=WINDOWS, step_size=DAILY_HORIZON)
        own = tuple(n for n in names if n in MODEL_BASED_INTERVALS)
        rest = tuple(n for n in names if n not in MODEL_BASED_INTERVALS)
        if own:
            sf = StatsForecast(models=batch_models(own, 7), freq=1, n_jobs=jobs)
            sf.forecast(df=df, h=DAILY_HORIZON, level=[80])
        if rest:
            StatsForecast(models=batch_models(rest, 7), freq=1, n_jobs=jobs).forecast(
                df=df, h=DAILY_HORIZON
            )


def daily(n: int, jobs: int) -> int:
    """chainhub's daily run beside raw StatsForecast on the same synthetic series."""
    ys = synthetic_daily(n)
    series = dict(enumerate(ys))
    sparse = [is_intermittent(nonzero=int(np.count_nonzero(y)), length=y.size) for y in ys]
    groups = [
        (names, pd.concat([_frame(i, ys[i]) for i in range(n) if sparse[i] == flag]))
        for names, flag in ((DAILY_REGULAR, False), (INTERMITTENT, True))
        if sparse.count(flag)
    ]
    warm = {i: ys[i] for i in range(min(n, 20))}
    forecast_batch(warm, h=DAILY_HORIZON, season=7, windows=WINDOWS)  # compiles, outside timing
    raw_daily([(names, df[df["unique_id"] < 20]) for names, df in groups], 1)
    started = time.perf_counter()
    found = forecast_batch(series, h=DAILY_HORIZON, season=7, windows=WINDOWS, jobs=jobs)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    raw_daily(groups, jobs)
    raw = time.perf_counter() - started
    chosen: dict[str, int] = {}
    for result in found.values():
        chosen[result.method] = chosen.get(result.method, 0) + 1
    print(f"models: {', '.join(DAILY_REGULAR)} (regular); {', '.join(INTERMITTENT)} (intermittent)")
    print("chosen: " + ", ".join(f"{k} {v}" for k, v in sorted(chosen.items())))
    print(
        f"daily {n:,} series x {DAILY_DAYS} days, {WINDOWS} windows of {DAILY_HORIZON}, "
        f"{jobs} jobs: chainhub {ours:.1f} s, raw StatsForecast {raw:.1f} s, "
        f"ratio {ours / raw:.2f} (target <= 1.1), under {DAILY_TARGET:.0f} s: {ours < DAILY_TARGET}"
    )
    return 0


def _frame(uid: int, y: Array) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": uid, "ds": np.arange(y.size), "y": y})


def read_m4(path: Path, limit: int | None) -> list[tuple[str, Array]]:
    """Series of an M4 file (one row per series, ragged, padded with empty cells)."""
    frame = pl.read_csv(path, infer_schema_length=0, n_rows=limit)
    ids = frame.get_column(frame.columns[0]).to_list()
    values = frame.drop(frame.columns[0]).cast(pl.Float64).to_numpy()
    return [(sid, row[~np.isnan(row)]) for sid, row in zip(ids, values, strict=True)]


def seasonal_in_m4_sense(y: Array, m: int) -> bool:
    """M4's 90 % autocorrelation test at lag m, which decides whether Naive2 deseasonalizes."""
    if m <= 1 or y.size < 3 * m:
        return False
    x = y - y.mean()
    acf = np.array([np.sum(x[k:] * x[: x.size - k]) for k in range(m + 1)]) / np.sum(x * x)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[1:m] ** 2)) / y.size)
    return bool(abs(acf[m]) > limit)


def naive2(y: Array, h: int, m: int) -> Array:
    """M4's Naive2: naive on the series seasonally adjusted by classical multiplicative indices."""
    if not seasonal_in_m4_sense(y, m):
        return np.repeat(y[-1], h)
    indices = seasonal_decompose(y, model="multiplicative", period=m).seasonal[:m]
    adjusted = y / np.resize(indices, y.size)
    future = np.resize(np.roll(indices, -(y.size % m)), h)
    return np.repeat(adjusted[-1], h) * future


def _chainhub_one(y: Array, h: int, season: int, m: int) -> Array:
    return forecast_series(y[-HISTORY:], h=h, season=season, scale_season=m, windows=WINDOWS).mean


def run_chainhub(
    series: list[tuple[str, Array]], h: int, season: int, m: int, jobs: int = 1
) -> list[Array]:
    """Chainhub's choice per series: backtest the regular candidates, forecast with the best;
    over `jobs` processes, as raw StatsForecast runs with n_jobs=jobs."""
    one = functools.partial(_chainhub_one, h=h, season=season, m=m)
    if jobs == 1:
        return [one(y) for _, y in series]
    with Pool(jobs) as pool:
        return pool.map(one, [y for _, y in series], chunksize=4)


def run_raw(series: list[tuple[str, Array]], h: int, season: int, jobs: int = 1) -> None:
    """Raw StatsForecast: the same models, cross-validated over the same windows, then forecast."""
    longest = min(HISTORY, max(y.size for _, y in series))
    frames = [
        pd.DataFrame({"unique_id": sid, "ds": np.arange(longest - y.size, longest), "y": y})
        for sid, y in ((sid, y[-HISTORY:]) for sid, y in series)
    ]
    df = pd.concat(frames, ignore_index=True)
    shortest = min(min(HISTORY, y.size) for _, y in series)
    models = [get_method(name, length=shortest, season=season).model for name in REGULAR]
    sf = StatsForecast(models=models, freq=1, n_jobs=jobs)
    sf.cross_validation(df=df, h=h, n_windows=WINDOWS, step_size=h)
    sf.forecast(df=df, h=h, level=[80])


def evaluate(
    train: list[tuple[str, Array]], test: list[tuple[str, Array]], forecasts: list[Array], m: int
) -> tuple[float, float, float, float]:
    """Mean MASE and sMAPE of the forecasts, and of Naive2, over every series."""
    ours_mase, ours_smape, n2_mase, n2_smape = [], [], [], []
    for (_, y), (_, actual), f in zip(train, test, forecasts, strict=True):
        scale = mase_scale(y, m)
        baseline = naive2(y, actual.size, m)
        ours_mase.append(mase(actual, f, scale))
        ours_smape.append(smape(actual, f))
        n2_mase.append(mase(actual, baseline, scale))
        n2_smape.append(smape(actual, baseline))
    return (
        float(np.mean(ours_mase)),
        float(np.mean(ours_smape)),
        float(np.mean(n2_mase)),
        float(np.mean(n2_smape)),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help=f"only {SMOKE_SERIES} series")
    parser.add_argument("--train", type=Path, default=M4 / "Weekly-train.csv")
    parser.add_argument("--test", type=Path, default=M4 / "Weekly-test.csv")
    parser.add_argument("--season", type=int, default=1, help="M4's m for MASE and Naive2")
    parser.add_argument(
        "--model-season", type=int, default=None, help="season the models fit (default: --season)"
    )
    parser.add_argument("--limit", type=int, default=None, help="first N series only")
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes for chainhub and raw StatsForecast alike"
    )
    parser.add_argument(
        "--daily", type=int, nargs="?", const=DAILY_SERIES, default=None, help="daily series"
    )
    args = parser.parse_args()
    if args.daily is not None:
        warnings.simplefilter("ignore")
        return daily(DAILY_SMOKE if args.smoke else args.daily, args.jobs)
    if not args.train.exists() or not args.test.exists():
        if os.environ.get("CI") == "true":
            print(f"M4 files missing: {args.train}, {args.test}", file=sys.stderr)
            return 1
        print(f"M4 skipped: {args.train} is not on this machine")
        return 0
    limit = SMOKE_SERIES if args.smoke else args.limit
    train, test = read_m4(args.train, limit), read_m4(args.test, limit)
    h, m = test[0][1].size, args.season
    season = args.model_season or m
    warnings.simplefilter("ignore")

    forecast_series(train[0][1], h=h, season=season, scale_season=m)  # warm-up, outside timing
    started = time.perf_counter()
    forecasts = run_chainhub(train, h, season, m, args.jobs)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    run_raw(train, h, season, args.jobs)
    raw = time.perf_counter() - started

    mase_value, smape_value, n2_mase, n2_smape = evaluate(train, test, forecasts, m)
    owa_value = owa(
        mase_value=mase_value, smape_value=smape_value, naive2_mase=n2_mase, naive2_smape=n2_smape
    )
    print(f"models: {', '.join(REGULAR)} and their combination, season {season}, {WINDOWS} windows")
    print(f"Naive2 here: MASE {n2_mase:.3f} sMAPE {n2_smape:.3f}")
    print("official  " + "  ".join(f"{k} MASE {v:.3f}" for k, v in OFFICIAL.items()))
    print(f"time: chainhub {ours:.1f} s, raw StatsForecast {raw:.1f} s, ratio {ours / raw:.2f}")
    scores = f"MASE {mase_value:.3f} sMAPE {smape_value:.3f} OWA {owa_value:.3f}"
    print(f"M4 {scores} on {len(train)} series")
    return 0


if __name__ == "__main__":
    sys.exit(main())
