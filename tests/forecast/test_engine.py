"""Worked examples of the per-series engine: fallbacks, backtest choice, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from chainhub.forecast.accuracy import mase, mase_scale, smape, wmape
from chainhub.forecast.engine import candidates, forecast_series, origins
from chainhub.forecast.methods import INTERMITTENT, get_method
from chainhub.forecast.regressors import plan_regressors

# A spare part: a few pieces every few weeks.
SPARE_PART = np.array([0, 0, 3, 0, 0, 0, 2, 0, 0, 4, 0, 0, 0, 0, 3, 0, 0, 2, 0, 0, 0, 5, 0, 0.0])
# A compressor sold in a steady four-week cycle.
COMPRESSOR = np.tile([10.0, 20.0, 30.0, 40.0], 10)
# A valve whose weekly sales grow by two a week.
VALVE = 10.0 + 2.0 * np.arange(40)


def test_a_series_too_short_for_an_automatic_model_falls_back_to_naive() -> None:
    fitted = get_method("AutoETS", length=6, season=1)
    assert fitted.name == "Naive"
    assert fitted.note == "AutoETS needs 10 points, the series has 6: Naive instead"


def test_a_series_shorter_than_two_seasons_is_fitted_without_season() -> None:
    fitted = get_method("AutoTheta", length=60, season=52)
    assert (fitted.name, fitted.season) == ("AutoTheta", 1)
    assert fitted.note == "AutoTheta needs two seasons (104 points) for season 52: non-seasonal"


def test_seasonal_naive_needs_one_season() -> None:
    fitted = get_method("SeasonalNaive", length=30, season=52)
    assert fitted.name == "Naive"
    assert fitted.note is not None and "one season (52 points)" in fitted.note


def test_three_points_leave_no_backtest_and_say_so() -> None:
    result = forecast_series(np.array([5.0, 6.0, 7.0]), h=2, season=1)
    assert (result.method, result.fitted) == ("AutoETS", "Naive")
    assert result.backtest.origins == ()
    assert result.notes[0] == "3 points leave no backtest window of 2: AutoETS by default"
    assert "AutoETS needs 10 points, the series has 3: Naive instead" in result.notes
    assert result.mean.tolist() == [7.0, 7.0]


def test_rolling_origins_are_the_last_blocks_of_h() -> None:
    assert origins(40, 4, 3) == (28, 32, 36)
    assert origins(10, 4, 3) == (6,)


def test_a_steady_cycle_is_matched_exactly_and_chosen_by_weighted_mape() -> None:
    result = forecast_series(COMPRESSOR, h=4, season=4)
    # A perfect cycle has no seasonal naive error to scale by: MASE is undefined, wMAPE decides.
    score = result.backtest.scores[result.method]
    assert np.isnan(score.mase)
    assert score.wmape == pytest.approx(0.0, abs=1e-6)
    assert result.mean == pytest.approx([10.0, 20.0, 30.0, 40.0], abs=1e-3)


def test_a_trend_beats_seasonal_naive_in_the_backtest() -> None:
    result = forecast_series(VALVE, h=4, season=1)
    scores = result.backtest.scores
    assert result.method != "SeasonalNaive"
    assert scores[result.method].mase < 0.1 < scores["SeasonalNaive"].mase
    assert result.mean == pytest.approx([90.0, 92.0, 94.0, 96.0], abs=0.5)


def test_intermittent_demand_uses_the_intermittent_methods_and_a_conformal_interval() -> None:
    assert candidates(SPARE_PART) == INTERMITTENT
    result = forecast_series(SPARE_PART, h=4, season=1)
    assert result.method in INTERMITTENT
    assert result.lo is not None and result.hi is not None
    assert (result.lo >= 0).all() and (result.hi > result.mean).all()


def test_an_80_percent_interval_covers_about_80_percent() -> None:
    rng = np.random.default_rng(11)
    history = 100.0 + rng.normal(0.0, 10.0, 240)
    covered = 0
    for start in range(120, 240, 12):
        result = forecast_series(history[:start], h=12, season=1, windows=1, methods=("AutoETS",))
        assert result.lo is not None and result.hi is not None
        actual = history[start : start + 12]
        covered += int(np.sum((actual >= result.lo) & (actual <= result.hi)))
    assert 0.65 <= covered / 120 <= 0.95


def test_accuracy_definitions_on_a_worked_example() -> None:
    history = np.array([10.0, 12.0, 11.0, 13.0])
    assert mase_scale(history, 1) == pytest.approx(5 / 3)
    assert mase(np.array([14.0, 15.0]), np.array([13.0, 13.0]), 5 / 3) == pytest.approx(0.9)
    assert smape(np.array([100.0]), np.array([50.0])) == pytest.approx(200 * 50 / 150)
    assert wmape(np.array([10.0, 30.0]), np.array([20.0, 30.0])) == pytest.approx(0.25)


def test_a_known_promotion_makes_the_regressor_model_win_the_backtest() -> None:
    # Weekly sales of 100 with noise, 60 more in every eighth week (a promotion known ahead).
    rng = np.random.default_rng(5)
    promo = (np.arange(52) % 8 == 3).astype(np.float64)[:, None]
    y = 100.0 + rng.normal(0.0, 3.0, 48) + 60.0 * promo[:48, 0]
    assert candidates(y, regressors=True)[-1] == "AutoARIMA-X"
    tried = ("AutoARIMA", "SeasonalNaive", "AutoARIMA-X")
    result = forecast_series(y, h=4, season=1, windows=2, x=promo, methods=tried)
    assert (result.method, result.fitted) == ("AutoARIMA-X", "AutoARIMA-X")
    scores = result.backtest.scores
    assert scores["AutoARIMA-X"].mase < 0.5 * scores["AutoARIMA"].mase
    # Week 51 is a promotion week (51 % 8 == 3), the three before it are not.
    assert result.mean == pytest.approx([100.0, 100.0, 100.0, 160.0], abs=6.0)


def test_an_event_the_history_never_saw_leaves_autoarima_alone_and_says_so() -> None:
    x = np.zeros((40 + 4, 2))
    x[41, 0] = 1.0  # in the future only
    result = forecast_series(VALVE, h=4, season=1, x=x, methods=("AutoARIMA-X",))
    assert result.fitted == "AutoARIMA"
    assert "AutoARIMA-X: no calendar event varies over the history, AutoARIMA alone" in (
        result.notes
    )


def test_regressors_must_cover_the_history_and_the_horizon() -> None:
    with pytest.raises(ValueError, match="regressors cover 40 periods, not 40 \\+ 4"):
        forecast_series(VALVE, h=4, season=1, x=np.zeros((40, 1)))


def test_regressors_take_only_the_columns_that_vary_each_once() -> None:
    history = np.zeros((12, 4))
    history[3, 1] = history[3, 2] = 1.0  # two events on the same periods: one column
    history[5:7, 3] = 1.0
    plan = plan_regressors(history, season=1)
    assert plan.columns.tolist() == [False, True, False, True]
    assert plan.name == "AutoARIMA-X"
