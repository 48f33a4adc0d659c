"""Query schedules of the EPCIS REST binding (query-schedule.json), as cron reads them.

Each field is a comma-separated list of numbers and ranges `[low-high]`. A field left out
matches every value when it is coarser than the finest field given, and only its least value
when finer, so {"hour": "1", "minute": "5"} runs at 01:05:00 every day. Times are UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from chainhub.errors import ChainhubError

# Finest to coarsest, with each field's range (dayOfWeek: 1 is Monday, 7 Sunday).
FIELDS: Final = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}
_ELEMENT: Final = re.compile(r"(\d{1,2})|\[(\d{1,2})-(\d{1,2})\]")
# Four years hold every day-of-month, month and weekday combination that can ever occur.
_HORIZON_DAYS: Final = 4 * 366 + 7

Schedule = dict[str, frozenset[int]]


def _bad(field: str, en: str, zh: str) -> ChainhubError:
    return ChainhubError("epcis_schedule_invalid", en, zh, {"field": f"schedule.{field}"}, 400)


def _values(field: str, text: str) -> frozenset[int]:
    low, high = FIELDS[field]
    found: set[int] = set()
    for item in text.split(","):
        match = _ELEMENT.fullmatch(item.strip())
        if match is None:
            raise _bad(
                field,
                f"schedule.{field} {text!r}: write numbers and ranges [low-high], comma-separated",
                f"schedule.{field} {text!r}：请写数字或区间 [低-高]，以逗号分隔",
            )
        single, start, end = match.groups()
        first, last = (int(single), int(single)) if single else (int(start), int(end))
        if not low <= first <= last <= high:
            raise _bad(
                field,
                f"schedule.{field} {text!r}: values run from {low} to {high}, ranges upwards",
                f"schedule.{field} {text!r}：取值范围 {low} 到 {high}，区间须由小到大",
            )
        found.update(range(first, last + 1))
    return frozenset(found)


def check_schedule(schedule: Mapping[str, str]) -> Schedule:
    """The values each field matches, or a 400 naming the bad field."""
    for field in schedule:
        if field not in FIELDS:
            raise _bad(
                field,
                f"schedule.{field} is not a schedule field ({', '.join(FIELDS)})",
                f"schedule.{field} 不是定时字段（{', '.join(FIELDS)}）",
            )
    if not schedule:
        raise _bad("second", "the schedule names no field", "定时计划没有任何字段")
    finest = min(list(FIELDS).index(f) for f in schedule)
    sets: Schedule = {}
    for rank, (field, (low, high)) in enumerate(FIELDS.items()):
        if field in schedule:
            sets[field] = _values(field, schedule[field])
        else:
            sets[field] = frozenset({low}) if rank < finest else frozenset(range(low, high + 1))
    return sets


def _first_in_day(sets: Schedule, day: date, start: time) -> datetime | None:
    for hour in sorted(h for h in sets["hour"] if h >= start.hour):
        for minute in sorted(sets["minute"]):
            for second in sorted(sets["second"]):
                at = time(hour, minute, second)
                if at >= start:
                    return datetime.combine(day, at, UTC)
    return None


def get_next_run(sets: Schedule, after: datetime) -> datetime | None:
    """The first second after `after` the schedule matches; None if it never does (31 February)."""
    start = after.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
    day, first = start.date(), start.time()
    for _ in range(_HORIZON_DAYS):
        if (
            day.month in sets["month"]
            and day.day in sets["dayOfMonth"]
            and day.isoweekday() in sets["dayOfWeek"]
        ):
            found = _first_in_day(sets, day, first)
            if found is not None:
                return found
        day, first = day + timedelta(days=1), time(0)
    return None
