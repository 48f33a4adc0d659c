"""The worked OEE example, computed by hand (below), as the messages a machine sends.

Machine M1 of huayang-compressor on 2026-03-02 (UTC; the machine reports +08:00):
planned stop from the day before to 06:00 and 22:00-24:00 (PDOT 8 h = 28,800 s);
running 06:00-10:00, 11:30-14:00 (a repeated `running` at 12:00 changes nothing),
14:10-17:00, 18:00-22:00 = 13 h 20 min = 48,000 s; micro-stop 14:00-14:10 = 600 s;
breakdown (spindle) 10:00-11:30 = 5,400 s; idle (no material) 17:00-18:00 = 3,600 s.
PBT = 86,400 - 28,800 = 57,600 s; APT = 48,000 + 600 = 48,600 s; availability = 0.84375.
Counts in the day (60 s per unit): 200+5, 300+10, 250+5: PQ = 770, GQ = 750;
PRU x PQ = 46,200 s; performance = 46,200 / 48,600 = 0.950617...; quality = 750 / 770.
OEE = 0.84375 x 0.950617 x 0.974026 = 750 x 60 / 57,600 = 0.78125.
One failure: MTBF = 48,600 s, MTTR = 5,400 s.
Pareto of losses (9,600 s): breakdown spindle 5,400 s (0.5625), idle no material 3,600 s
(cumulative 0.9375), micro-stop jam 600 s (1.0).
Shifts (00-08, 08-16, 16-24): PBT 7,200 / 28,800 / 21,600 s; APT 7,200 / 23,400 / 18,000 s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

PLANT: Final = timezone(timedelta(hours=8))
PARTNER: Final = "huayang-compressor"
SITE: Final = "huayang-wuhu"
MACHINE: Final = "M1"


def _at(day: int, hour: int, minute: int = 0) -> str:
    utc = datetime(2026, 3, day, hour, minute, tzinfo=UTC)
    return utc.astimezone(PLANT).isoformat()


STATES: Final = [
    (_at(1, 22), "planned_stop", "shift pattern"),
    (_at(2, 6), "running", None),
    (_at(2, 10), "breakdown", "spindle"),
    (_at(2, 11, 30), "running", None),
    (_at(2, 12), "running", None),
    (_at(2, 14), "micro_stop", "jam"),
    (_at(2, 14, 10), "running", None),
    (_at(2, 17), "idle", "no material"),
    (_at(2, 18), "running", None),
    (_at(2, 22), "planned_stop", None),
]
COUNTS: Final = [
    (_at(1, 23), 99, 0),  # the day before: not counted
    (_at(2, 9), 200, 5),
    (_at(2, 16), 300, 10),
    (_at(2, 21), 250, 5),
]


def messages(
    partner: str = PARTNER, site: str = SITE, machine: str = MACHINE
) -> list[tuple[str, bytes]]:
    """The example's messages (topic, payload), the latest first: every one arrives late."""
    base = f"chainhub/{partner}/{site}/{machine}"
    found: list[tuple[str, dict[str, Any]]] = []
    for n, (ts, state, reason) in enumerate(STATES):
        found.append((f"{base}/state", {"id": f"s{n}", "ts": ts, "state": state, "reason": reason}))
    for n, (ts, good, scrap) in enumerate(COUNTS):
        body = {"id": f"c{n}", "ts": ts, "good": good, "scrap": scrap, "ideal_cycle_s": 60}
        found.append((f"{base}/count", body))
    # The machine's latest sign of life is after the day: its last state lasts to midnight.
    found.append((f"{base}/signal", {"id": "g0", "ts": _at(3, 1), "temperature_c": 41.5}))
    found.sort(key=lambda item: item[1]["ts"], reverse=True)
    return [(topic, json.dumps(body).encode()) for topic, body in found]
