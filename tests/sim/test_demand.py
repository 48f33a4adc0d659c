"""The simulated demand's holidays follow the calendar the forecast's regressors follow."""

from __future__ import annotations

from datetime import date, timedelta

from chainhub.forecast.calendar import event_windows
from chainhub.sim.demand import promo_event


def test_the_spring_festival_dip_follows_the_lunar_new_year() -> None:
    # 初一 is 6 February in 2027 and 17 February in 2026: the dip runs from a week before it
    # to 初十, so it moves with the lunar date, as the regressors' 春节 window does.
    for year, first, last in (
        (2027, date(2027, 1, 30), date(2027, 2, 15)),
        (2026, date(2026, 2, 10), date(2026, 2, 26)),
    ):
        new_year = event_windows(year)["spring_festival"][0]
        assert (first, last) == (new_year - timedelta(days=7), new_year + timedelta(days=9))
        assert promo_event(first - timedelta(days=1)) is None
        assert promo_event(first) == promo_event(last) == ("spring_festival", 0.45)
        assert promo_event(last + timedelta(days=1)) is None
