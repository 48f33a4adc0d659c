"""Daily demand of distributors: trend, seasonality, weekdays, promotions, intermittent spares."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np
from numpy.typing import NDArray

from chainhub.sim.catalog import SALEABLE
from chainhub.standard.calendar import SPRING_FESTIVAL

BASE_RATE: Final[dict[str, float]] = {
    "FG-AC-26": 5.0,
    "FG-AC-35": 7.0,
    "FG-AC-72": 1.6,
    "FG-RF-450": 2.6,
    "FG-RF-218": 3.4,
    "FG-WM-100": 3.2,
    "SP-RC-01": 0.12,
    "SP-HOSE-15": 0.08,
}
_SEASON: Final[dict[str, tuple[float, ...]]] = {
    "AC": (0.45, 0.4, 0.6, 0.9, 1.3, 1.8, 2.0, 1.7, 1.0, 0.7, 0.9, 0.55),
    "RF": (0.9, 0.75, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.0, 0.95, 1.1, 1.0),
    "WM": (1.0, 0.75, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.25, 1.1),
    "SP": (1.0, 0.8, 0.9, 1.0, 1.1, 1.4, 1.5, 1.4, 1.1, 0.9, 1.0, 0.9),
}
_WEEKDAY: Final = (0.9, 0.85, 0.85, 0.9, 1.05, 1.25, 1.2)
ANNUAL_GROWTH: Final = 0.08
SPRING_DIP: Final = (-7, 9)
"""First and last day of the Spring Festival dip from 初一: the week before it, as shops and
factories wind down, to 初十, after the 初一-初七 break, as they open again (17 days)."""


def family(material: str) -> str:
    """Product family of a saleable material: AC, RF, WM or SP."""
    return "SP" if material.startswith("SP-") else material[3:5]


def promo_event(day: date) -> tuple[str, float] | None:
    """The promotion or holiday on `day` and its uplift of appliance demand: 618 and 双11 (their
    last days the peak), 国庆, and a Spring Festival dip around the lunar calendar's 初一 (the
    dates the hub's forecast regressors follow)."""
    m, d = day.month, day.day
    if m == 6 and 16 <= d <= 18:
        return "618_peak", 3.0
    if m == 11 and 10 <= d <= 11:
        return "1111_peak", 3.0
    if m == 6 and d <= 18:
        return "618", 1.4
    if m == 11 and d <= 11:
        return "1111", 1.4
    if m == 10 and d <= 7:
        return "national_day", 1.7
    # 初一 falls between 21 January and 20 February, so the dip never crosses a year's end.
    if SPRING_DIP[0] <= (day - SPRING_FESTIVAL[day.year]).days <= SPRING_DIP[1]:
        return "spring_festival", 0.45
    return None


def promo_factor(day: date) -> float:
    """Uplift of promotions and holidays on `day` (1 on an ordinary day)."""
    event = promo_event(day)
    return 1.0 if event is None else event[1]


def list_demand_events(*, start: date, days: int) -> list[dict[str, str]]:
    """Every simulated day a promotion or holiday moves appliance demand, with its factor."""
    found = []
    for k in range(days):
        day = start + timedelta(days=k)
        event = promo_event(day)
        if event is not None:
            found.append({"date": day.isoformat(), "event": event[0], "factor": str(event[1])})
    return found


def mean_rates(*, day: date, start: date, sizes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Expected demand on `day` per distributor (rows) and saleable material (columns)."""
    trend = 1.0 + ANNUAL_GROWTH * (day - start).days / 365.0
    common = trend * _WEEKDAY[day.weekday()] * promo_factor(day)
    per_sku = np.array([BASE_RATE[s] * _SEASON[family(s)][day.month - 1] for s in SALEABLE])
    spare = np.array([1.0 if family(s) == "SP" else common for s in SALEABLE])
    return np.outer(sizes, per_sku * spare)


def daily_demand(
    *, rng: np.random.Generator, day: date, start: date, sizes: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Units demanded on `day`: Poisson for appliances, intermittent bursts for spare parts."""
    rates = mean_rates(day=day, start=start, sizes=sizes)
    demand = rng.poisson(rates).astype(np.int64)
    for j, sku in enumerate(SALEABLE):
        if family(sku) == "SP":
            hit = rng.random(len(sizes)) < rates[:, j]
            demand[:, j] = np.where(hit, 1 + rng.poisson(2.0, len(sizes)), 0)
    return demand


def season_outlook(*, day: date, start: date, horizon: int) -> dict[str, float]:
    """Mean seasonal-and-trend demand factor of each material over the next `horizon` days."""
    days = [day + timedelta(days=k) for k in range(horizon)]
    return {
        s: float(
            np.mean(
                [
                    _SEASON[family(s)][d.month - 1]
                    * (1 + ANNUAL_GROWTH * (d - start).days / 365.0)
                    * (1.0 if family(s) == "SP" else promo_factor(d))
                    for d in days
                ]
            )
        )
        for s in SALEABLE
    }
