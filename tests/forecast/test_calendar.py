"""The Chinese calendar's events and their regressors per day or week."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from chainhub.errors import ChainhubError
from chainhub.forecast.calendar import (
    FEATURES,
    FIRST_YEAR,
    LAST_YEAR,
    SPRING_FESTIVAL,
    calendar_features,
    event_windows,
)


def test_spring_festival_agrees_with_an_independent_lunar_calendar() -> None:
    lunardate = pytest.importorskip("lunardate")
    assert (FIRST_YEAR, LAST_YEAR) == (2000, 2050)
    for year, day in SPRING_FESTIVAL.items():
        assert lunardate.LunarDate(year, 1, 1).to_solar_date() == day, year


def test_event_windows_of_2026() -> None:
    windows = event_windows(2026)
    assert windows["spring_festival"] == (date(2026, 2, 17), date(2026, 2, 23))
    assert windows["before_spring_festival"] == (date(2026, 2, 3), date(2026, 2, 16))
    assert windows["after_spring_festival"] == (date(2026, 2, 24), date(2026, 3, 9))
    assert windows["national_day"] == (date(2026, 10, 1), date(2026, 10, 7))
    assert windows["sale_618"] == (date(2026, 6, 1), date(2026, 6, 18))
    assert windows["peak_1111"] == (date(2026, 11, 11), date(2026, 11, 11))


def test_week_features_are_the_share_of_the_week_inside_each_window() -> None:
    # Weeks from Monday: 2026-02-16 holds 除夕 (16th, the lead) and 初一..初六 (17th-22nd).
    weeks = [date(2026, 2, 16), date(2026, 6, 15), date(2026, 11, 9), date(2026, 9, 28)]
    x = calendar_features(weeks, "week")
    row = {name: x[:, k].tolist() for k, name in enumerate(FEATURES)}
    assert row["spring_festival"] == pytest.approx([6 / 7, 0, 0, 0])
    assert row["before_spring_festival"] == pytest.approx([1 / 7, 0, 0, 0])
    assert row["sale_618"] == pytest.approx([0, 4 / 7, 0, 0])
    assert row["peak_618"] == pytest.approx([0, 1 / 7, 0, 0])
    assert row["sale_1111"] == pytest.approx([0, 0, 3 / 7, 0])
    assert row["national_day"] == pytest.approx([0, 0, 0, 4 / 7])


def test_day_features_flag_the_days_across_a_year_end() -> None:
    days = [date(2026, 12, 31) + timedelta(days=k) for k in range(40)]
    x = calendar_features(days, "day")
    # 春节 2027 is 6 February: its two-week lead starts on 23 January.
    lead = x[:, FEATURES.index("before_spring_festival")]
    assert days[int(np.argmax(lead))] == date(2027, 1, 23)
    assert lead.sum() == 14
    assert x[:, FEATURES.index("national_day")].sum() == 0


def test_a_year_outside_the_table_is_a_clear_error() -> None:
    with pytest.raises(ChainhubError, match="covers 2000-2050, not 2051"):
        calendar_features([date(2051, 3, 2)], "week")
