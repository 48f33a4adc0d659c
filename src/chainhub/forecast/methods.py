"""The forecasting methods the hub chooses from, and how a series too short for one falls back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoARIMA,
    AutoETS,
    AutoTheta,
    CrostonClassic,
    Naive,
    SeasonalNaive,
)

AUTO_MIN_LENGTH: Final = 10
"""Fewer points than this leave the automatic models nothing to fit on: they fall back to naive."""
INTERMITTENT_ADI: Final = 1.32
"""Average demand interval above which a series is intermittent (Syntetos and Boylan)."""
REGULAR: Final = ("AutoETS", "AutoTheta", "AutoARIMA", "SeasonalNaive")
INTERMITTENT: Final = ("CrostonClassic", "ADIDA", "IMAPA", "TSB")
COMBINED: Final = "Combined"
"""The mean of AutoETS, AutoTheta and AutoARIMA, a candidate beside each of them."""


@dataclass(frozen=True)
class Fitted:
    """A method as it will run on one series: the model, its season, and why it differs."""

    name: str
    model: Any
    season: int
    note: str | None


Factory = Callable[[int], Any]
_FACTORIES: Final[dict[str, Factory]] = {
    "AutoETS": lambda m: AutoETS(season_length=m),
    "AutoTheta": lambda m: AutoTheta(season_length=m),
    "AutoARIMA": lambda m: AutoARIMA(season_length=m),
    "SeasonalNaive": lambda m: SeasonalNaive(season_length=m),
    "Naive": lambda _m: Naive(),
    "CrostonClassic": lambda _m: CrostonClassic(),
    "ADIDA": lambda _m: ADIDA(),
    "IMAPA": lambda _m: IMAPA(),
    "TSB": lambda _m: TSB(alpha_d=0.1, alpha_p=0.1),
}
METHODS: Final = (*_FACTORIES, COMBINED)
MODEL_BASED_INTERVALS: Final = frozenset(
    {"AutoETS", "AutoTheta", "AutoARIMA", "SeasonalNaive", "Naive"}
)


def is_intermittent(*, nonzero: int, length: int) -> bool:
    """Whether demand comes in few, scattered periods (average interval above 1.32)."""
    return nonzero == 0 or length / nonzero > INTERMITTENT_ADI


def get_method(name: str, *, length: int, season: int) -> Fitted:
    """The method `name` for a series of `length` points, or the simpler one it falls back to."""
    if name in REGULAR[:3] and length < AUTO_MIN_LENGTH:
        note = f"{name} needs {AUTO_MIN_LENGTH} points, the series has {length}: Naive instead"
        return Fitted("Naive", Naive(), 1, note)
    if name == "SeasonalNaive" and length < season:
        note = f"SeasonalNaive needs one season ({season} points), the series has {length}: Naive"
        return Fitted("Naive", Naive(), 1, note)
    if name in REGULAR[:3] and season > 1 and length < 2 * season:
        note = f"{name} needs two seasons ({2 * season} points) for season {season}: non-seasonal"
        return Fitted(name, _FACTORIES[name](1), 1, note)
    return Fitted(name, _FACTORIES[name](season), season, None)
