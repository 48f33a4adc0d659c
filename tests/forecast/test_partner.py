"""The partner's own issued forecast as a candidate: backtested on the engine's windows with
only what was issued before each, taken where it beats the series' own choice."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from chainhub.forecast.engine import forecast_series
from chainhub.forecast.partner import PARTNER, get_partner_forecast, with_partner
from chainhub.forecast.value_added import IssuedLine, PartnerSource

MONDAY = date(2025, 1, 6)
WEEKS = 30
H = 4
PERIODS = [MONDAY + timedelta(weeks=k) for k in range(WEEKS)]
FUTURE = [MONDAY + timedelta(weeks=WEEKS + k) for k in range(H)]
KEY = ("FG-AC-26", "jinli")
# A season the history cannot foretell: flat, then a climb from week 22 on.
Y = np.array([20.0 + (3.0 * (k - 21) if k > 21 else k % 2) for k in range(WEEKS)])
TRUE = np.array([20.0 + (3.0 * (k - 21) if k > 21 else 0.5) for k in range(WEEKS + H)])


def _issued(truth: np.ndarray, covers: int) -> list[IssuedLine]:
    """Monday by Monday, the customer's forecast of the next `covers` weeks from `truth`."""
    return [
        IssuedLine("site", MONDAY + timedelta(weeks=made) - timedelta(days=1), 1, period, q)
        for made in range(WEEKS + 1)
        for k in range(covers)
        if made + k < truth.size
        for period, q in ((MONDAY + timedelta(weeks=made + k), float(truth[made + k])),)
    ]


def _source(lines: list[IssuedLine]) -> PartnerSource:
    return PartnerSource(issued={(KEY[1], KEY[0]): lines}, sellers={}, sold={})


def test_a_window_sees_only_what_was_issued_before_it_and_the_last_week_carries_on() -> None:
    lines = _issued(TRUE, covers=2)
    # Issued on the window's first day: not known there, though it says otherwise.
    late = [IssuedLine("site", PERIODS[10], 2, PERIODS[10 + k], 999.0) for k in range(4)]
    found = get_partner_forecast(_source(lines + late), KEY, PERIODS, 10, PERIODS[10:14])
    assert found is not None
    assert found.tolist() == [TRUE[10], TRUE[11], TRUE[11], TRUE[11]]
    # Nothing issued covers a window's first week: no candidate there.
    assert get_partner_forecast(_source(lines[2:]), KEY, PERIODS, 0, PERIODS[0:4]) is None
    assert (
        get_partner_forecast(_source([]), ("FG-RF-450", "jinli"), PERIODS, 10, PERIODS[10:14])
        is None
    )


def test_a_partner_who_knows_the_season_is_chosen_and_forecasts_the_future() -> None:
    own = {KEY: forecast_series(Y, h=H, season=52, windows=3)}
    found = with_partner(
        {KEY: (PERIODS, Y)},
        own,
        _source(_issued(TRUE, covers=8)),
        future=FUTURE,
        season=52,
        level=80,
    )[KEY]
    assert found.method == found.fitted == PARTNER
    assert found.mean.tolist() == TRUE[WEEKS:].tolist()
    assert found.backtest.origins == own[KEY].backtest.origins
    assert set(found.backtest.scores) == {*own[KEY].backtest.scores, PARTNER}
    assert found.backtest.scores[PARTNER].mase < own[KEY].backtest.scores[own[KEY].method].mase
    assert found.lo is not None and found.hi is not None
    assert np.all(found.lo <= found.mean) and np.all(found.mean <= found.hi)


def test_a_worse_partner_is_scored_but_the_series_keeps_its_own_choice() -> None:
    own = {KEY: forecast_series(Y, h=H, season=52, windows=3)}
    wrong = _issued(TRUE * 3.0, covers=8)
    found = with_partner(
        {KEY: (PERIODS, Y)}, own, _source(wrong), future=FUTURE, season=52, level=80
    )[KEY]
    assert found.method == own[KEY].method
    assert found.mean.tolist() == pytest.approx(own[KEY].mean.tolist())
    assert found.backtest.scores[PARTNER].mase > own[KEY].backtest.scores[own[KEY].method].mase


def test_a_partner_forecast_that_misses_a_window_is_not_a_candidate() -> None:
    own = {KEY: forecast_series(Y, h=H, season=52, windows=3)}
    # Issued only from week 24 on: the first backtest windows have none before them.
    recent = [line for line in _issued(TRUE, covers=8) if line.forecast_date >= PERIODS[24]]
    found = with_partner(
        {KEY: (PERIODS, Y)}, own, _source(recent), future=FUTURE, season=52, level=80
    )[KEY]
    assert found is own[KEY]
    assert PARTNER not in found.backtest.scores


def test_a_sellers_forecast_is_shared_by_the_demand_before_the_window_only() -> None:
    # The seller forecasts 100 a week; the customer bought half of its demand over the ten
    # weeks of history and all of it afterwards, which the window must not know.
    sold = pl.DataFrame(
        {
            "material_code": [KEY[0]] * 30,
            "customer_id": [KEY[1], "other"] * 10 + [KEY[1]] * 10,
            "seller_id": ["oem"] * 30,
            "period": [PERIODS[k // 2] for k in range(20)] + PERIODS[10:20],
            "quantity": [5.0] * 30,
        }
    )
    lines = [IssuedLine("site", MONDAY, 1, period, 100.0) for period in PERIODS]
    source = PartnerSource(
        issued={("oem", KEY[0]): lines}, sellers={KEY: "oem"}, sold={(KEY[0], "oem"): sold}
    )
    found = get_partner_forecast(source, KEY, PERIODS[:10], 10, PERIODS[10:12])
    assert found is not None and found.tolist() == [50.0, 50.0]
