"""Failure early warning: on a hand-made vibration series, and against the simulator's planted
failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl

from chainhub.equipment.simulate import simulate_line
from chainhub.equipment.warning import detect_warnings, score_warnings

T0 = datetime(2026, 3, 2, tzinfo=UTC)
SCHEMA = {
    "partner_id": pl.String,
    "machine_id": pl.String,
    "machine_time": pl.Datetime("us", "UTC"),
    "vibration_mm_s": pl.Float64,
    "spindle_load_pct": pl.Float64,
}


def _series(levels: list[tuple[int, float, float]]) -> pl.DataFrame:
    """Samples every 10 s: (count, vibration, spindle load) runs in order."""
    rows, n = [], 0
    for count, vibration, load in levels:
        for _ in range(count):
            rows.append(("jinli-motor", "M1", T0 + timedelta(seconds=10 * n), vibration, load))
            n += 1
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def test_a_rise_above_the_baseline_warns_once_until_it_falls_back() -> None:
    signals = _series(
        [
            (1000, 2.0, 60.0),
            (50, 9.0, 0.0),  # idle: not cutting, not counted
            (100, 2.5, 60.0),  # +25 %: the 5-minute mean passes +15 % at the 19th sample
            (100, 2.0, 60.0),
            (100, 2.6, 60.0),
        ]
    )
    warnings = detect_warnings(signals)
    first = T0 + timedelta(seconds=10 * (1050 + 18))
    # +30 % passes +15 % at the 16th sample; the baseline holds the first rise, but its median
    # is still 2.0.
    second = T0 + timedelta(seconds=10 * (1250 + 15))
    assert warnings["warned_at"].to_list() == [first, second]
    assert warnings["ratio"].to_list()[0] == (2.0 * 11 + 2.5 * 19) / 30 / 2.0


def test_a_load_reported_apart_from_the_vibration_is_held_until_it_changes() -> None:
    """As an OPC UA server reports them: a node's value in its own row, only when it changes."""
    levels = [(1000, 2.0, 60.0), (50, 9.0, 0.0), (100, 2.5, 60.0), (100, 2.0, 60.0)]
    together = _series(levels)
    changes = together.with_columns(
        pl.when(pl.col("spindle_load_pct") != pl.col("spindle_load_pct").shift())
        .then(pl.col("spindle_load_pct"))
        .alias("load_change")
    )
    vibration = changes.with_columns(spindle_load_pct=pl.lit(None, pl.Float64)).drop("load_change")
    load = (
        changes.filter(pl.col("load_change").is_not_null() | (pl.int_range(pl.len()) == 0))
        .with_columns(
            machine_time=pl.col("machine_time") - timedelta(seconds=1),
            vibration_mm_s=pl.lit(None, pl.Float64),
            spindle_load_pct=pl.col("spindle_load_pct"),
        )
        .drop("load_change")
    )
    apart = pl.concat([vibration, load])
    assert len(load) == 3  # cutting, idle, cutting again
    assert detect_warnings(apart).equals(detect_warnings(together))
    assert len(detect_warnings(together)) == 1


def test_the_scores() -> None:
    warnings = pl.DataFrame(
        [
            ("p", "M1", T0 + timedelta(minutes=20), 1.2),
            ("p", "M1", T0 + timedelta(minutes=30), 1.3),
            ("p", "M2", T0, 1.2),
        ],
        schema={**{k: SCHEMA[k] for k in ("partner_id", "machine_id")},
                "warned_at": pl.Datetime("us", "UTC"), "ratio": pl.Float64},
        orient="row",
    )  # fmt: skip
    failures = [
        ("M1", T0, T0 + timedelta(minutes=60)),  # warned 40 minutes ahead
        ("M2", T0 + timedelta(hours=5), T0 + timedelta(hours=6)),  # M2's warning came long before
    ]
    score = score_warnings(warnings, failures, machine_days=15)
    assert (score.failures, score.warned, score.false_alarms) == (2, 1, 1)
    assert score.median_lead == timedelta(minutes=40)
    assert (score.share_warned, score.false_alarms_per_machine_month) == (0.5, 2.0)


def test_the_planted_failures_are_warned_ahead() -> None:
    line = simulate_line(
        partner_id="jinli-motor",
        site_id="jinli-ningbo",
        machines=3,
        minutes=1440,
        start=T0,
        seed=11,
    )
    rows = []
    for m in line.messages:
        if m.topic.endswith("/signal"):
            body = json.loads(m.payload)
            machine = m.topic.split("/")[3]
            rows.append(
                ("jinli-motor", machine, m.machine_time, body["vibration_mm_s"],
                 body["spindle_load_pct"])
            )  # fmt: skip
    signals = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    failures = [(f.machine_id, f.degradation_start, f.failure_at) for f in line.failures]
    assert len(failures) >= 5
    score = score_warnings(detect_warnings(signals), failures, machine_days=3)
    assert (score.warned, score.false_alarms) == (len(failures), 0)
    assert score.median_lead is not None
    # Degradation begins 45 to 150 minutes before each failure.
    assert timedelta(minutes=20) < score.median_lead < timedelta(minutes=150)
