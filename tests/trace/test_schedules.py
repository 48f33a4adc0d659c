"""Query schedules as cron reads them: the next run after a time, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chainhub.errors import ChainhubError
from chainhub.trace.schedules import check_schedule, get_next_run

SUNDAY_22H = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        # The binding's example: every morning at 1.05am.
        ({"hour": "1", "minute": "5"}, SUNDAY_22H, datetime(2026, 11, 30, 1, 5, tzinfo=UTC)),
        ({"second": "0,30"}, SUNDAY_22H, datetime(2026, 11, 29, 22, 0, 30, tzinfo=UTC)),
        ({"dayOfWeek": "1", "hour": "[8-9]"}, SUNDAY_22H, datetime(2026, 11, 30, 8, tzinfo=UTC)),
        ({"dayOfMonth": "29", "month": "2"}, SUNDAY_22H, datetime(2028, 2, 29, tzinfo=UTC)),
        (
            {"minute": "[0-59]"},
            datetime(2026, 11, 29, 22, 0, 5, tzinfo=UTC),
            datetime(2026, 11, 29, 22, 1, tzinfo=UTC),
        ),
    ],
)
def test_the_next_run(schedule: dict[str, str], after: datetime, expected: datetime) -> None:
    assert get_next_run(check_schedule(schedule), after) == expected


def test_a_schedule_that_never_runs_has_no_next_run() -> None:
    assert get_next_run(check_schedule({"dayOfMonth": "31", "month": "2"}), SUNDAY_22H) is None


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ({"minute": "60"}, "schedule.minute"),
        ({"hour": "[9-8]"}, "schedule.hour"),
        ({"dayOfWeek": "0"}, "schedule.dayOfWeek"),
        ({"second": "*/5"}, "schedule.second"),
        ({"weekday": "1"}, "schedule.weekday"),
    ],
)
def test_a_bad_schedule_is_refused_naming_its_field(schedule: dict[str, str], field: str) -> None:
    with pytest.raises(ChainhubError) as refused:
        check_schedule(schedule)
    assert refused.value.status == 400
    assert refused.value.location == {"field": field}
