"""Forecast accuracy on the simulated chain's held-out months with and without the Chinese
calendar's events (春节, 国庆, 618, 双11) as known future regressors.

    python bench/holiday.py [--smoke] [--seed N] [--horizon WEEKS] [--lightgbm]

Demand comes from the simulator's own demand model (`chainhub.sim.demand.daily_demand`) for the
named distributors over two years from the simulation's start, bucketed by week of the requested
date as their sales orders are (spare parts left out: they are intermittent, and the regressors
only join the regular candidates). At each origin (end of month 18 and month 24 of the run) the
last `--horizon` weeks are held out; the hub's backtest chooses among the regular candidates
alone ("without") or with AutoARIMA-X beside them ("with"). The simulator's promotions and the
calendar share knowledge (both know 618, 双11 and 国庆 by date and 春节 by the lunar calendar's
初一: the simulator's dip runs from a week before it to 初十), so this measures how well the
regressors are used, not whether real demand follows them.

`--lightgbm` adds one global LightGBM model over all the series (MLForecast; the optional extra
`chainhub[lightgbm]`), without and with the same regressors, on the same held-out weeks.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import numpy as np

from chainhub.forecast.accuracy import Array, mase, mase_scale, wmape
from chainhub.forecast.calendar import FEATURES, calendar_features
from chainhub.forecast.engine import COMBINED_OF, candidates, choose, forecast_series
from chainhub.forecast.methods import COMBINED
from chainhub.forecast.regressors import ARIMA_X
from chainhub.sim.catalog import SALEABLE
from chainhub.sim.chain import build_chain
from chainhub.sim.demand import daily_demand, family
from chainhub.sim.service import START

DAYS: Final = 730
SEASON: Final = 52
WINDOWS: Final = 2
ORIGIN_MONTHS: Final = (18, 24)
SMOKE_DISTRIBUTORS: Final = 1


def weekly_demand(seed: int) -> tuple[list[date], dict[tuple[str, str], Array]]:
    """Each named distributor's weekly demand per appliance over DAYS from START, by the
    requested date of its orders (the day after its transit time)."""
    chain = build_chain(seed=seed, start=START, days=DAYS, extra_dealers=0)
    dists = chain.distributors
    sizes = np.array([chain.partners[d].size for d in dists])
    lag = [chain.partners[d].transit_days + 1 for d in dists]
    rng = np.random.default_rng(seed)
    monday = START - timedelta(days=START.weekday())
    weeks = (DAYS + max(lag)) // 7 + 1
    demand = np.zeros((len(dists), len(SALEABLE), weeks))
    for k in range(DAYS):
        day = START + timedelta(days=k)
        units = daily_demand(rng=rng, day=day, start=START, sizes=sizes)
        for i in range(len(dists)):
            demand[i, :, (k + lag[i] + START.weekday()) // 7] += units[i]
    # Whole weeks only: the first starts before START, the last ones outrun the simulation.
    last = (DAYS + START.weekday()) // 7
    periods = [monday + timedelta(weeks=w) for w in range(1, last)]
    return periods, {
        (material, dist): demand[i, j, 1:last]
        for i, dist in enumerate(dists)
        for j, material in enumerate(SALEABLE)
        if family(material) != "SP"
    }


@dataclass
class Origin:
    """The held-out weeks of every series at one origin and both forecasts of them."""

    first_week: date
    event_weeks: Array
    actual: list[Array] = field(default_factory=list)
    without: list[Array] = field(default_factory=list)
    with_x: list[Array] = field(default_factory=list)
    mase_without: list[float] = field(default_factory=list)
    mase_with: list[float] = field(default_factory=list)
    chosen: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """MASE and wMAPE without and with the regressors, and what the backtest chose."""
        actual = np.concatenate(self.actual)
        events = np.concatenate([self.event_weeks] * len(self.actual))
        parts = [
            f"held out from {self.first_week}, {len(self.actual)} series:",
            f"MASE {np.nanmean(self.mase_without):.3f} -> {np.nanmean(self.mase_with):.3f},",
            f"wMAPE {wmape(actual, np.concatenate(self.without)):.3f}",
            f"-> {wmape(actual, np.concatenate(self.with_x)):.3f}",
            f"(event weeks {wmape(actual[events], np.concatenate(self.without)[events]):.3f}",
            f"-> {wmape(actual[events], np.concatenate(self.with_x)[events]):.3f});",
            f"{ARIMA_X} chosen for {self.chosen[ARIMA_X]}",
        ]
        return " ".join(parts)


def forecast_with(method: str, y: Array, h: int) -> Array:
    """The forecast of one method (the combination: the mean of its parts' forecasts)."""
    parts = COMBINED_OF if method == COMBINED else (method,)
    means = [forecast_series(y, h=h, season=SEASON, windows=1, methods=(p,)).mean for p in parts]
    return np.asarray(np.mean(means, axis=0), dtype=np.float64)


def one_origin(
    periods: list[date], series: dict[tuple[str, str], Array], cut: int, h: int
) -> Origin:
    """Forecasts of the `h` weeks after `cut`, chosen with and without the regressors."""
    x = calendar_features(periods[: cut + h], "week")
    origin = Origin(first_week=periods[cut], event_weeks=x[cut:].any(axis=1))
    for y_all in series.values():
        y, actual = y_all[:cut], y_all[cut : cut + h]
        with_x = forecast_series(y, h=h, season=SEASON, windows=WINDOWS, x=x)
        plain = choose(with_x.backtest, candidates(y))
        without = with_x.mean if plain == with_x.method else forecast_with(plain, y, h)
        scale = mase_scale(y, SEASON)
        origin.actual.append(actual)
        origin.without.append(without)
        origin.with_x.append(with_x.mean)
        origin.mase_without.append(mase(actual, without, scale))
        origin.mase_with.append(mase(actual, with_x.mean, scale))
        origin.chosen[with_x.method] += 1
    return origin


def lightgbm_line(
    periods: list[date], series: dict[tuple[str, str], Array], cut: int, h: int
) -> str:
    """One global LightGBM (MLForecast: lags 1, 2, 4, 13 weeks and the month, each series
    scaled) over every series, without and with the calendar's columns, on the same weeks."""
    import lightgbm as lgb  # noqa: PLC0415 - optional: pip install chainhub[lightgbm]
    import pandas as pd  # noqa: PLC0415
    from mlforecast import MLForecast  # noqa: PLC0415
    from mlforecast.target_transforms import LocalStandardScaler  # noqa: PLC0415

    x = calendar_features(periods[: cut + h], "week")
    ds = pd.to_datetime(periods[: cut + h])
    scores = []
    for columns in ((), FEATURES):
        frame = pd.concat(
            pd.DataFrame(
                {
                    "unique_id": "|".join(key),
                    "ds": ds,
                    "y": y[: cut + h],
                    **{name: x[:, FEATURES.index(name)] for name in columns},
                }
            )
            for key, y in series.items()
        )
        train, test = frame[frame.ds < ds[cut]], frame[frame.ds >= ds[cut]]
        model = lgb.LGBMRegressor(
            n_estimators=200, learning_rate=0.05, num_leaves=15, min_child_samples=5, verbose=-1
        )
        mlf = MLForecast(
            models=[model],
            freq="W-MON",
            lags=[1, 2, 4, 13],
            date_features=["month"],
            target_transforms=[LocalStandardScaler()],
        )
        mlf.fit(train, static_features=[])
        found = mlf.predict(h, X_df=test.drop(columns=["y"]) if columns else None)
        merged = test.merge(found, on=["unique_id", "ds"])
        actual, forecast = [], []
        values = []
        for uid, group in merged.groupby("unique_id", sort=False):
            y_hist = train.loc[train.unique_id == uid, "y"].to_numpy(dtype=np.float64)
            a = group.y.to_numpy(dtype=np.float64)
            f = np.maximum(group.LGBMRegressor.to_numpy(dtype=np.float64), 0.0)
            actual.append(a)
            forecast.append(f)
            values.append(mase(a, f, mase_scale(y_hist, SEASON)))
        scores.append((np.nanmean(values), wmape(np.concatenate(actual), np.concatenate(forecast))))
    (m0, w0), (m1, w1) = scores
    return f"  LightGBM, one global model: MASE {m0:.3f} -> {m1:.3f}, wMAPE {w0:.3f} -> {w1:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help=f"{SMOKE_DISTRIBUTORS} distributor, last origin"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--horizon", type=int, default=13, help="weeks held out")
    parser.add_argument(
        "--lightgbm", action="store_true", help="also MLForecast with LightGBM (optional extra)"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    began = time.perf_counter()
    periods, series = weekly_demand(args.seed)
    if args.smoke:
        first = next(iter(series))[1]
        series = {k: v for k, v in series.items() if k[1] == first}
    months = ORIGIN_MONTHS[-1:] if args.smoke else ORIGIN_MONTHS
    for month in months:
        end = date(
            START.year + (START.month - 1 + month) // 12, (START.month - 1 + month) % 12 + 1, 1
        )
        cut = sum(1 for p in periods if p + timedelta(days=6) < end) - args.horizon
        print(one_origin(periods, series, cut, args.horizon).line())
        if args.lightgbm:
            print(lightgbm_line(periods, series, cut, args.horizon))
    print(f"time {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
