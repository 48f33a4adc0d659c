import numpy as np
import pytest

from chainhub.forecast.batch import SHORT_REGULAR, forecast_batch
from chainhub.forecast.engine import forecast_series
from chainhub.forecast.methods import INTERMITTENT


def _series() -> dict[str, np.ndarray]:
    # Weekly seasonality and a trend; one intermittent series; one too short for the batch.
    rng = np.random.default_rng(5)
    t = np.arange(120)
    week = np.array([1.4, 1.2, 1.0, 1.0, 0.9, 0.3, 0.2])
    found = {
        f"R{i}": rng.poisson((20 + i * 5 + t * 0.05 * i) * week[t % 7]).astype(float)
        for i in range(4)
    }
    found["I"] = np.where(rng.random(120) < 0.2, rng.poisson(6, 120), 0).astype(float)
    found["S"] = rng.poisson(8, 30).astype(float)
    return found


def test_the_batch_chooses_and_forecasts_as_the_engine_does_series_by_series() -> None:
    series = _series()
    batch = forecast_batch(series, h=14, season=7, regular=SHORT_REGULAR)
    assert list(batch) == list(series)
    for key, y in series.items():
        sparse = key == "I"
        one = forecast_series(y, h=14, season=7, methods=INTERMITTENT if sparse else SHORT_REGULAR)
        got = batch[key]
        assert (got.method, got.fitted, got.notes) == (one.method, one.fitted, one.notes)
        assert got.backtest.origins == one.backtest.origins
        for name, score in one.backtest.scores.items():
            assert got.backtest.scores[name].mase == pytest.approx(score.mase, rel=1e-9)
            assert got.backtest.scores[name].wmape == pytest.approx(score.wmape, rel=1e-9)
            assert got.backtest.scores[name].rmsse == pytest.approx(score.rmsse, rel=1e-9)
        assert got.backtest.measure == one.backtest.measure == ("rmsse" if sparse else "mase")
        np.testing.assert_allclose(got.mean, one.mean, rtol=1e-6)
        assert got.lo is not None and one.lo is not None
        np.testing.assert_allclose(got.lo, one.lo, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(got.hi, one.hi, rtol=1e-6, atol=1e-9)  # type: ignore[arg-type]


def test_the_daily_candidates_include_exponential_smoothing() -> None:
    series = _series()
    batch = forecast_batch({k: series[k] for k in ("R0", "R3")}, h=14, season=7)
    for result in batch.values():
        assert set(result.backtest.scores) == {"SeasonalNaive", "Naive", "SES", "SeasonalES"}
        assert result.mean.shape == (14,) and result.lo is not None and result.hi is not None
        assert np.all(result.lo <= result.mean) and np.all(result.mean <= result.hi)
