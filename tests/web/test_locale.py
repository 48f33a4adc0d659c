"""Moments, document dates and quantities as the schedule and trace pages write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chainhub.web.locale import format_datetime, format_day, format_quantity

SHANGHAI = timezone(timedelta(hours=8))


def test_a_moment_is_written_in_utc_in_the_page_language() -> None:
    moment = datetime(2026, 3, 14, 19, 5, tzinfo=SHANGHAI)
    assert format_datetime(moment, "en") == "14 Mar 2026 11:05"
    assert format_datetime(moment, "zh") == "2026年3月14日 11:05"
    assert format_datetime(datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "en") == "31 Dec 2026 23:59"


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        ("2026-03-05", "5 Mar 2026", "2026年3月5日"),
        ("2026-03-05T10:20:00", "5 Mar 2026 10:20", "2026年3月5日 10:20"),
        ("2026-03-10 11:40:00+00", "10 Mar 2026 11:40", "2026年3月10日 11:40"),
        ("2026-03-10T19:40:00+08:00", "10 Mar 2026 11:40", "2026年3月10日 11:40"),
        ("week 10", "week 10", "week 10"),
        (None, "—", "—"),
    ],
)
def test_a_document_date_is_written_in_the_page_language(
    value: str | None, en: str, zh: str
) -> None:
    assert (format_day(value, "en"), format_day(value, "zh")) == (en, zh)


def test_quantities_group_thousands_without_needless_decimals() -> None:
    assert [format_quantity(q) for q in (1200.0, 1234567, 1234.5, 0.125, None)] == [
        "1,200",
        "1,234,567",
        "1,234.5",
        "0.125",
        "—",
    ]
