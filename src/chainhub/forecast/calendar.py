"""The Chinese calendar that demand follows (春节, 国庆, 618, 双11), as known future regressors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np

from chainhub.forecast.accuracy import Array
from chainhub.forecast.schemas import Bucket
from chainhub.standard.calendar import FIRST_YEAR, LAST_YEAR, SPRING_FESTIVAL, check_year

HOLIDAY_DAYS: Final = 7
"""The 春节 break: 初一 to 初七."""
CLOSURE_DAYS: Final = 14
"""Days before and after the break when factories wind down and workers travel back."""

FEATURES: Final = (
    "spring_festival",
    "before_spring_festival",
    "after_spring_festival",
    "national_day",
    "sale_618",
    "peak_618",
    "sale_1111",
    "peak_1111",
)
"""Regressor columns: each is the share of a bucket's days inside the event's window."""

Window = tuple[date, date]


def event_windows(year: int) -> dict[str, Window]:
    """First and last day of each feature's window in `year` (both inclusive)."""
    check_year(year)
    new_year = SPRING_FESTIVAL[year]
    holiday_end = new_year + timedelta(days=HOLIDAY_DAYS - 1)
    return {
        "spring_festival": (new_year, holiday_end),
        "before_spring_festival": (
            new_year - timedelta(days=CLOSURE_DAYS),
            new_year - timedelta(1),
        ),
        "after_spring_festival": (
            holiday_end + timedelta(days=1),
            holiday_end + timedelta(days=CLOSURE_DAYS),
        ),
        "national_day": (date(year, 10, 1), date(year, 10, 7)),
        "sale_618": (date(year, 6, 1), date(year, 6, 18)),
        "peak_618": (date(year, 6, 18), date(year, 6, 18)),
        "sale_1111": (date(year, 11, 1), date(year, 11, 11)),
        "peak_1111": (date(year, 11, 11), date(year, 11, 11)),
    }


def _day_flags(first: date, days: int) -> Array:
    """One row per day from `first`, a 0/1 column per feature."""
    flags = np.zeros((days, len(FEATURES)), dtype=np.float64)
    # A window of one year can reach into the next year's days (and 春节's lead into the last).
    for year in range(first.year - 1, (first + timedelta(days=days)).year + 2):
        if year < FIRST_YEAR or year > LAST_YEAR:
            continue
        for column, (start, end) in enumerate(event_windows(year).values()):
            lo = max((start - first).days, 0)
            hi = min((end - first).days + 1, days)
            if lo < hi:
                flags[lo:hi, column] = 1.0
    return flags


def calendar_features(periods: list[date], bucket: Bucket) -> Array:
    """The regressors of each period (a day, or a week from its Monday): rows by period,
    columns as FEATURES."""
    if not periods:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    check_year(min(periods).year)
    check_year(max(periods).year)
    length = 7 if bucket == "week" else 1
    first = min(periods)
    days = _day_flags(first, (max(periods) - first).days + length)
    offsets = [(p - first).days for p in periods]
    return np.array([days[o : o + length].mean(axis=0) for o in offsets], dtype=np.float64)
