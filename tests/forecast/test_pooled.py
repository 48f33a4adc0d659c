"""The global model: one LightGBM over every series, a candidate beside each series' own."""

from __future__ import annotations

import numpy as np
import pytest

from chainhub.forecast.engine import choose, forecast_series, origins
from chainhub.forecast.pooled import GLOBAL, fit_predict, forecast_global, with_global

CYCLE = np.array([10.0, 20.0, 30.0, 40.0])


def _noisy(seed: int, count: int = 12, length: int = 40) -> dict[tuple[str, str], np.ndarray]:
    """Series around different levels with noise, shifting level halfway."""
    rng = np.random.default_rng(seed)
    return {
        (f"M{i:03d}", "jinli"): np.maximum(
            rng.normal(20.0 + 5 * i, 6.0, length) + (np.arange(length) >= length // 2) * 3 * i,
            0.0,
        )
        for i in range(count)
    }


def test_one_model_learns_a_cycle_shared_by_series_of_any_size() -> None:
    # Twenty products selling the same four-week cycle at scales from 1x to 20x: standardized,
    # they are one pattern, and the model continues each at its own scale.
    history = np.vstack([np.tile(CYCLE, 8) * (k + 1) for k in range(20)])
    forecast = fit_predict(history, 4)
    for k in range(20):
        assert forecast[k] == pytest.approx(CYCLE * (k + 1), rel=0.1)


def test_its_backtest_forecasts_never_see_past_their_origin() -> None:
    series = _noisy(1)
    found = forecast_global(series, h=13, season=52, level=80, windows=3)
    assert found[("M000", "jinli")].backtest.origins == origins(40, 13, 3) == (14, 27)
    # Whatever happens from the last origin on changes no backtest forecast.
    changed = {k: np.concatenate([y[:27], y[27:] * 3.0]) for k, y in series.items()}
    again = forecast_global(changed, h=13, season=52, level=80, windows=3)
    for key, result in found.items():
        for before, after in zip(
            result.backtest.forecasts[GLOBAL], again[key].backtest.forecasts[GLOBAL], strict=True
        ):
            assert before == pytest.approx(after)
        assert result.lo is not None and result.hi is not None
        assert (result.lo >= 0).all() and (result.mean >= result.lo).all()


def test_a_series_takes_the_global_model_only_where_its_backtest_is_better() -> None:
    series = _noisy(2, count=8)
    own = {k: forecast_series(y, h=13, season=52) for k, y in series.items()}
    found = with_global(series, own, h=13, season=52, level=80, windows=3)
    for key, result in found.items():
        assert set(result.backtest.scores) == {*own[key].backtest.scores, GLOBAL}
        best = choose(result.backtest, (own[key].method, GLOBAL))
        assert result.method == best
        if best != GLOBAL:
            assert result.mean.tolist() == own[key].mean.tolist()
    assert {r.method for r in found.values()} & {GLOBAL}
    assert {r.method for r in found.values()} - {GLOBAL}
