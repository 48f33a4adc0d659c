"""Forecast value added worked by hand: the hub's, the partner's and naive forecasts scored on
the same backtest windows, a forecast issued on or after an origin left out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from chainhub.forecast.accuracy import mase, mase_scale, rmsse, rmsse_scale
from chainhub.forecast.engine import Backtest, Score, choose, measure_of, score_windows
from chainhub.forecast.methods import demand_class
from chainhub.forecast.value_added import (
    IssuedLine,
    OverNaive,
    PartnerForecasts,
    as_read,
    count_over_naive,
    get_value_added,
    issued_before,
)

MONDAY = date(2025, 3, 3)
PERIODS = [MONDAY + timedelta(weeks=k) for k in range(8)]
Y = np.array([10, 12, 11, 13, 14, 12, 15, 16], dtype=np.float64)
# The hub's chosen method at origins 4 and 6, two weeks each.
BACKTEST = Backtest(
    origins=(4, 6),
    forecasts={"AutoETS": [np.array([13.0, 13.0]), np.array([14.0, 15.0])]},
    scores={"AutoETS": Score(mase=0.0, wmape=0.0)},
)
P = PERIODS


def _r(value: float) -> float:
    return float(np.sqrt(value))


# MASE, wMAPE and RMSSE of the hub and naive on every backtest point (worked below).
HUB = (0.6125, 4 / 57, (_r(1 / 3) + _r(1 / 2.8)) / 2)
NAIVE = (1.39375, 9 / 57, (_r(1 / 3) + _r(12.5 / 2.8)) / 2)


def _line(site: str, made: date, version: int, period: date, quantity: float) -> IssuedLine:
    return IssuedLine(site, made, version, period, quantity)


# A (20 March, two versions) is known at both origins; B (31 March, the first origin's day) only
# at the second; C (20 April) at neither, though it would be perfect.
ISSUED = [
    _line("foshan", date(2025, 3, 20), 1, P[4], 15.0),
    _line("foshan", date(2025, 3, 20), 1, P[5], 11.0),
    _line("foshan", date(2025, 3, 20), 2, P[5], 12.0),
    _line("foshan", date(2025, 3, 20), 1, P[6], 16.0),
    _line("foshan", date(2025, 3, 31), 1, P[5], 100.0),
    _line("foshan", date(2025, 3, 31), 1, P[6], 15.0),
    _line("foshan", date(2025, 3, 31), 1, P[7], 17.0),
    _line("foshan", date(2025, 4, 20), 1, P[7], 16.0),
]


def test_the_partner_forecast_is_the_latest_version_issued_before_the_origin() -> None:
    assert P[4] == date(2025, 3, 31)
    np.testing.assert_array_equal(issued_before(ISSUED, P[4], P[4:6]), [15.0, 12.0])
    np.testing.assert_array_equal(issued_before(ISSUED, P[6], P[6:8]), [15.0, 17.0])
    # Two sites add up; a period nothing covers is unknown.
    other = [*ISSUED, _line("wuhu", date(2025, 3, 1), 1, P[4], 5.0)]
    found = issued_before(other, P[4], [P[4], P[3]])
    assert found[0] == 20.0 and np.isnan(found[1])


def test_hub_partner_and_naive_scored_on_the_same_windows() -> None:
    partner = PartnerForecasts("huadong-trading", allocated=False, lines=ISSUED)
    found = get_value_added(
        Y, periods=PERIODS, backtest=BACKTEST, method="AutoETS", partner=partner, season=1
    )
    # Scales: mean |Δy| of 10 12 11 13 is 5/3, of 10 12 11 13 14 12 is 8/5.
    # Hub: errors 1 1 | 1 1 -> MASE (0.6 + 0.625) / 2; wMAPE 4 / 57.
    # Partner: 15 12 | 15 17 against 14 12 | 15 16 -> MASE (0.3 + 0.3125) / 2; wMAPE 2 / 57.
    # Naive (last value): 13 13 | 12 12 -> MASE (0.6 + 2.1875) / 2; wMAPE 9 / 57.
    # RMSSE scales: mean Δy² of 10 12 11 13 is 3, of 10 12 11 13 14 12 is 14/5; so the hub's
    # RMSSE is (√(1/3) + √(1/2.8)) / 2, the partner's (√(0.5/3) + √(0.5/2.8)) / 2 and naive's,
    # squared errors 1 1 | 9 16, (√(1/3) + √(12.5/2.8)) / 2.
    assert (found.status, found.points, found.naive_method) == ("scored", 4, "SeasonalNaive")
    assert found.hub == pytest.approx(HUB)
    assert found.partner == pytest.approx((0.30625, 2 / 57, (_r(0.5 / 3) + _r(0.5 / 2.8)) / 2))
    assert found.naive == pytest.approx(NAIVE)
    assert (found.measure, found.demand_class) == ("mase", "smooth")
    assert (found.best, found.beats("partner"), found.beats("naive")) == ("partner", False, True)
    assert found.equals_naive() is False
    read = as_read(("P100", "huadong-trading"), found)
    assert (read.issuer_id, read.share, read.hub_beats_partner) == ("huadong-trading", 1.0, False)
    assert read.hub_equals_naive is False


def test_a_seller_forecast_is_given_to_the_customer_by_its_share_and_covers_some_periods() -> None:
    # Only the line for the first origin's second week: all three are scored on that one point.
    partner = PartnerForecasts("haichuan", allocated=True, lines=[ISSUED[2]])
    found = get_value_added(
        Y,
        periods=PERIODS,
        backtest=BACKTEST,
        method="AutoETS",
        partner=partner,
        shares=[0.5, 0.5, 0.25],
        season=1,
    )
    # Partner 12 x 0.5 = 6 against 12: MASE 6 / (5/3); hub 13: 1 / (5/3); naive 13: the same,
    # and on that point naive is best (on a tie the hub adds nothing over it).
    assert (found.points, found.share) == (1, 0.25)
    assert found.partner == pytest.approx((3.6, 0.5, _r(36 / 3)))
    assert found.hub == found.naive == pytest.approx((0.6, 1 / 12, _r(1 / 3)))
    assert (found.best, found.beats("partner")) == ("naive", True)
    # Over naive the hub is judged on every backtest point, where its method was chosen: better.
    assert found.hub_all == pytest.approx(HUB)
    assert found.naive_all == pytest.approx(NAIVE)
    assert (found.beats("naive"), found.equals_naive()) == (True, False)
    read = as_read(("P100", "huadong-trading"), found)
    assert read.hub_all is not None and read.hub_all.mase == pytest.approx(0.6125)
    assert (read.hub_beats_naive, read.hub_equals_naive) == (True, False)


def test_a_hub_that_chose_the_naive_benchmark_is_the_same_as_naive_not_worse() -> None:
    # Seasonal naive of season 1 is the last value: 13 13 from origin 4, 12 12 from origin 6.
    chose_naive = Backtest(
        origins=(4, 6),
        forecasts={"SeasonalNaive": [np.array([13.0, 13.0]), np.array([12.0, 12.0])]},
        scores={"SeasonalNaive": Score(mase=1.39375, wmape=9 / 57)},
    )
    found = get_value_added(
        Y, periods=PERIODS, backtest=chose_naive, method="SeasonalNaive", partner=None, season=1
    )
    assert found.hub == found.naive == pytest.approx(NAIVE)
    assert (found.best, found.beats("naive"), found.equals_naive()) == ("naive", False, True)
    read = as_read(("P100", "huadong-trading"), found)
    assert (read.hub_beats_naive, read.hub_equals_naive) == (False, True)
    assert count_over_naive([read]) == OverNaive(beats=0, equals=1, scored=1)


def test_without_a_partner_forecast_hub_and_naive_are_scored_on_every_window() -> None:
    none = get_value_added(
        Y, periods=PERIODS, backtest=BACKTEST, method="AutoETS", partner=None, season=1
    )
    late = PartnerForecasts("huadong-trading", allocated=False, lines=[ISSUED[-1]])
    after = get_value_added(
        Y, periods=PERIODS, backtest=BACKTEST, method="AutoETS", partner=late, season=1
    )
    assert (none.status, after.status) == ("no_partner_forecast", "none_before_origins")
    for found in (none, after):
        assert (found.points, found.partner, found.beats("partner")) == (4, None, None)
        assert found.hub == pytest.approx(HUB)
        assert (found.best, found.equals_naive()) == ("hub", False)


# Spare-part demand that sells 4 in one week of four: the last week before the origin sold
# nothing, so naive (the last value, season 1) forecasts zero; the hub forecasts the mean rate.
SPARSE = np.array([4, 0, 0, 0, 4, 0, 0, 0, 0, 4, 0, 0], dtype=np.float64)
SPARSE_FORECASTS = {"TSB": [np.ones(4)], "Zero": [np.zeros(4)]}


def test_absolute_and_squared_errors_disagree_on_intermittent_demand() -> None:
    # Training 4 0 0 0 4 0 0 0, actual 0 4 0 0. MASE scale: mean |Δy| = 12/7; RMSSE scale:
    # mean Δy² = 48/7. Zero: errors 0 4 0 0, MAE 1, MSE 4; the hub's 1s: errors 1 3 1 1, MAE
    # 1.5, MSE 3. By MASE zero wins (7/12 against 7/8), by RMSSE the hub (√(7/16) against
    # √(7/12)): absolute error is lowest at the median, zero here, squared error at the mean.
    train, actual = SPARSE[:8], SPARSE[8:]
    assert (mase_scale(train, 1), rmsse_scale(train)) == pytest.approx((12 / 7, 48 / 7))
    assert mase(actual, np.zeros(4), 12 / 7) == pytest.approx(7 / 12)
    assert mase(actual, np.ones(4), 12 / 7) == pytest.approx(7 / 8)
    assert rmsse(actual, np.zeros(4), 48 / 7) == pytest.approx(_r(7 / 12))
    assert rmsse(actual, np.ones(4), 48 / 7) == pytest.approx(_r(7 / 16))
    # One demand of 4 every four weeks on average: intermittent (ADI 4, every size the same).
    assert (demand_class(SPARSE), measure_of(SPARSE)) == ("intermittent", "rmsse")
    scores = {n: score_windows(SPARSE, (8,), f, 4, 1) for n, f in SPARSE_FORECASTS.items()}
    assert scores["TSB"] == Score(mase=7 / 8, wmape=1.5, rmsse=pytest.approx(_r(7 / 16)))
    ranked = {
        measure: choose(Backtest((8,), SPARSE_FORECASTS, scores, measure=measure), ("TSB", "Zero"))
        for measure in ("mase", "rmsse")
    }
    assert ranked == {"mase": "Zero", "rmsse": "TSB"}


def test_intermittent_demand_is_judged_over_naive_by_rmsse() -> None:
    weeks = [MONDAY + timedelta(weeks=k) for k in range(SPARSE.size)]
    backtest = Backtest((8,), {"TSB": [np.ones(4)]}, {}, measure=measure_of(SPARSE))
    found = get_value_added(
        SPARSE, periods=weeks, backtest=backtest, method="TSB", partner=None, season=1
    )
    # Naive forecasts zero (the last week sold nothing): by MASE it would be best.
    assert found.naive_all == pytest.approx((7 / 12, 1.0, _r(7 / 12)))
    assert found.hub_all == pytest.approx((7 / 8, 1.5, _r(7 / 16)))
    assert (found.measure, found.best, found.beats("naive")) == ("rmsse", "hub", True)
    read = as_read(("SP-RC-01", "jingjin-electric"), found)
    assert (read.measure, read.demand_class, read.hub_beats_naive) == (
        "rmsse",
        "intermittent",
        True,
    )
    assert read.hub_all is not None and read.hub_all.rmsse == pytest.approx(_r(7 / 16))
    # The same scores judged by MASE, as a regular series is: naive best, the hub worse.
    by_mase = replace(found, measure="mase")
    assert (by_mase.best, by_mase.beats("naive"), by_mase.equals_naive()) == ("naive", False, False)
