"""The Chinese calendar's 春节 dates, which the hub's forecast regressors and the simulated
demand both follow (a fact of the calendar, below every domain that uses it)."""

from __future__ import annotations

from datetime import date
from typing import Final

from chainhub.errors import ChainhubError

# 春节 (正月初一) of each year, from the published Chinese calendar; tests check it against an
# independent lunar-calendar implementation.
SPRING_FESTIVAL: Final[dict[int, date]] = {
    year: date(year, month, day)
    for year, (month, day) in enumerate(
        [
            (2, 5), (1, 24), (2, 12), (2, 1), (1, 22), (2, 9), (1, 29), (2, 18), (2, 7), (1, 26),
            (2, 14), (2, 3), (1, 23), (2, 10), (1, 31), (2, 19), (2, 8), (1, 28), (2, 16), (2, 5),
            (1, 25), (2, 12), (2, 1), (1, 22), (2, 10), (1, 29), (2, 17), (2, 6), (1, 26), (2, 13),
            (2, 3), (1, 23), (2, 11), (1, 31), (2, 19), (2, 8), (1, 28), (2, 15), (2, 4), (1, 24),
            (2, 12), (2, 1), (1, 22), (2, 10), (1, 30), (2, 17), (2, 6), (1, 26), (2, 14), (2, 2),
            (1, 23),
        ],
        start=2000,
    )
}  # fmt: skip
FIRST_YEAR: Final = min(SPRING_FESTIVAL)
LAST_YEAR: Final = max(SPRING_FESTIVAL)


def check_year(year: int) -> None:
    """Raise unless the calendar knows 春节 of `year`."""
    if year not in SPRING_FESTIVAL:
        raise ChainhubError(
            "calendar_year_unknown",
            f"the Chinese calendar covers {FIRST_YEAR}-{LAST_YEAR}, not {year}",
            f"中国节假日日历覆盖 {FIRST_YEAR}–{LAST_YEAR} 年，不含 {year} 年",
        )
