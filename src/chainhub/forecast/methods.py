"""The forecasting methods the hub chooses from, and how a series too short for one falls back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray
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
SPORADIC_CV2: Final = 0.49
"""Squared coefficient of variation of the demand sizes above which demand is erratic (regular
intervals) or lumpy (intermittent ones), after Syntetos and Boylan."""
DemandClass = Literal["smooth", "erratic", "intermittent", "lumpy"]
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


def demand_class(y: NDArray[np.float64]) -> DemandClass:
    """Syntetos and Boylan's class of a series: by its average demand interval (above 1.32:
    intermittent or lumpy) and the squared coefficient of variation of its nonzero demands
    (from 0.49: erratic or lumpy)."""
    sizes = y[y != 0]
    cv2 = float(np.var(sizes) / np.mean(sizes) ** 2) if sizes.size > 1 else 0.0
    sporadic = cv2 >= SPORADIC_CV2
    if is_intermittent(nonzero=sizes.size, length=y.size):
        return "lumpy" if sporadic else "intermittent"
    return "erratic" if sporadic else "smooth"


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
