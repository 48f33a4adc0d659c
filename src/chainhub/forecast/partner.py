"""The partner's own issued forecast as a candidate beside each series' own choice.

What the hub knows and a forecaster fitted on the history does not: the partners share their
own forecasts, and those carry what they know of the coming months (their sales plans, the
season ahead, the promotions they run). On a history shorter than a year no model can learn
the yearly season, and seasonal naive falls back to the last value; the partner's forecast can
still know it. So each series' partner forecast (the customer's own, else its main seller's
given by the customer's share of the seller's demand, as value added reads it) is backtested
on the engine's own windows, issued before each window's first period as nothing later is
known there, and taken where that backtest beats the series' own choice, as any candidate is
chosen. Past its horizon (the simulated OEM issues eight weeks) its last period is carried on.

On the demo chain (bench/forecast_chain.py --scale small, seed 7) the backtest verdict over
naive went from beats 19, equals 17, worse 4 to beats 36, worse 4 (the four are spare parts).
Value added still compares the hub with the partner: where the hub took the partner's
forecast the two tie, and a tie goes to the partner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Final

from chainhub.forecast.accuracy import Array
from chainhub.forecast.demand import SeriesKey
from chainhub.forecast.engine import (
    Backtest,
    SeriesForecast,
    beside,
    choose,
    conformal,
    score_windows,
)
from chainhub.forecast.value_added import PartnerSource, issued_before

PARTNER: Final = "PartnerIssued"


def get_partner_forecast(
    source: PartnerSource,
    key: SeriesKey,
    periods: Sequence[date],
    origin: int,
    window: Sequence[date],
) -> Array | None:
    """The series' partner forecast of `window` (starting at `periods[origin]`, or just after
    the history) as issued before its first period, by the series' share of the seller's
    demand before it when allocated, its last covered period carried past its horizon; None
    when it does not cover the first period."""
    partner, seller = source.partner_of(key)
    if partner is None or not window:
        return None
    # The share from the seller's demand before the window only, wherever the history ends.
    known = [*periods[:origin], *window]
    share = 1.0 if seller is None else source.shares(key, seller, known, (origin,))[0]
    if share is None:
        return None
    found = issued_before(partner.lines, window[0], window) * share
    if math.isnan(found[0]):
        return None
    for k in range(1, found.size):
        if math.isnan(found[k]):
            found[k] = found[k - 1]
    return found


def _backtest(
    source: PartnerSource,
    key: SeriesKey,
    periods: Sequence[date],
    y: Array,
    starts: tuple[int, ...],
    h: int,
    season: int,
) -> Backtest | None:
    """The partner candidate on the series' backtest windows; None unless it covers all."""
    forecasts = []
    for start in starts:
        forecast = get_partner_forecast(source, key, periods, start, periods[start : start + h])
        if forecast is None:
            return None
        forecasts.append(forecast)
    if not forecasts:
        return None
    score = score_windows(y, starts, forecasts, h, season)
    return Backtest(origins=starts, forecasts={PARTNER: forecasts}, scores={PARTNER: score})


def with_partner(
    demand: Mapping[SeriesKey, tuple[list[date], Array]],
    results: Mapping[SeriesKey, SeriesForecast],
    source: PartnerSource,
    *,
    future: Sequence[date],
    season: int,
    level: int,
) -> dict[SeriesKey, SeriesForecast]:
    """Each series' result with its partner forecast's backtest beside its candidates', and the
    partner's forecast of `future` where that backtest beats the series' own choice (a tie
    keeps it); a series whose partner forecast misses a window or the future is unchanged."""
    found: dict[SeriesKey, SeriesForecast] = {}
    for key, own in results.items():
        periods, y = demand[key]
        h = len(future)
        tried = _backtest(source, key, periods, y, own.backtest.origins, h, season)
        ahead = get_partner_forecast(source, key, periods, len(periods), future)
        if tried is None or ahead is None:
            found[key] = own
            continue
        backtest = beside(own.backtest, tried)
        if choose(backtest, (own.method, PARTNER)) != PARTNER:
            found[key] = replace(own, backtest=backtest)
            continue
        interval = conformal(y, backtest, PARTNER, ahead, level)
        found[key] = SeriesForecast(
            method=PARTNER,
            fitted=PARTNER,
            mean=ahead,
            lo=None if interval is None else interval[0],
            hi=None if interval is None else interval[1],
            backtest=backtest,
        )
    return found
