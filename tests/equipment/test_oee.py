"""OEE per ISO 22400-2 on the hand-computed worked example, stored on each backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
import sqlalchemy as sa

from chainhub.equipment.oee import compute_oee
from chainhub.equipment.parse import Row, parse_message
from chainhub.equipment.schemas import MachineState
from chainhub.equipment.service import do_store_telemetry, get_oee
from tests.equipment import worked

DAY = date(2026, 3, 2)


def _store(engine: sa.Engine, batches: int = 1) -> None:
    now = datetime.now(UTC)
    rows: list[Row] = []
    for topic, payload in worked.messages():
        parsed = parse_message(topic=topic, payload=payload, received_at=now)
        assert isinstance(parsed, dict), parsed
        rows.append(parsed)
    size = -(-len(rows) // batches)
    with engine.begin() as conn:
        for i in range(0, len(rows), size):
            do_store_telemetry(conn=conn, rows=rows[i : i + size])


def test_the_worked_example(engine: sa.Engine) -> None:
    # Three batches, the latest messages first: late messages fall into machine-time order.
    _store(engine, batches=3)
    with engine.connect() as conn:
        report = get_oee(conn=conn, where=sa.true(), day=DAY)
    (row,) = report.rows
    assert (row.partner_id, row.site_id, row.machine_id) == (worked.PARTNER, worked.SITE, "M1")
    assert row.planned_down_s == 28_800
    assert row.planned_busy_s == 57_600
    assert row.actual_production_s == 48_600
    assert (row.down_s, row.delay_s) == (5_400, 3_600)
    assert (row.produced, row.good, row.planned_run_s) == (770, 750, 46_200)
    assert row.availability == pytest.approx(0.84375)
    assert row.performance == pytest.approx(46_200 / 48_600)
    assert row.quality == pytest.approx(750 / 770)
    assert row.oee == pytest.approx(0.78125)
    assert (row.failures, row.mtbf_s, row.mttr_s) == (1, 48_600, 5_400)
    pareto = [(d.state, d.reason, d.seconds, d.stops) for d in report.downtime]
    assert pareto == [
        (MachineState.BREAKDOWN, "spindle", 5_400, 1),
        (MachineState.IDLE, "no material", 3_600, 1),
        (MachineState.MICRO_STOP, "jam", 600, 1),
    ]
    assert [d.cumulative_share for d in report.downtime] == pytest.approx([0.5625, 0.9375, 1.0])


def test_the_worked_example_by_shift(engine: sa.Engine) -> None:
    _store(engine)
    with engine.connect() as conn:
        report = get_oee(conn=conn, where=sa.true(), day=DAY, every="8h")
    shifts = [(r.shift, r.planned_busy_s, r.actual_production_s, r.failures) for r in report.rows]
    assert shifts == [(1, 7_200, 7_200, 0), (2, 28_800, 23_400, 1), (3, 21_600, 18_000, 0)]
    # The day before holds only the planned stop and the count outside the example's day.
    with engine.connect() as conn:
        before = get_oee(conn=conn, where=sa.true(), day=date(2026, 3, 1))
    (row,) = before.rows
    assert (row.planned_down_s, row.planned_busy_s, row.good) == (7_200, 0, 99)
    assert row.availability is None
    # The day after: the planned stop lasts until the machine's last message, at 01:00; the
    # next day the machine is silent, so its last state is not taken to go on.
    with engine.connect() as conn:
        after = get_oee(conn=conn, where=sa.true(), day=date(2026, 3, 3))
        silent = get_oee(conn=conn, where=sa.true(), day=date(2026, 3, 4))
    assert [(r.planned_down_s, r.planned_busy_s) for r in after.rows] == [(3_600, 0)]
    assert silent.rows == []


def test_offline_time_is_left_out_of_the_planned_busy_time() -> None:
    at = [datetime(2026, 3, 2, hour, tzinfo=UTC) for hour in (8, 10, 12, 14)]
    machine = {"partner_id": worked.PARTNER, "machine_id": "M1"}
    states = pl.DataFrame(
        [
            {**machine, "site_id": worked.SITE, "machine_time": t, "state": s, "reason": None}
            for t, s in zip(at, ("running", "offline", "running"), strict=False)
        ],
        schema_overrides={"machine_time": pl.Datetime("us", "UTC"), "reason": pl.String},
    )
    counts = pl.DataFrame(
        schema={**dict.fromkeys(machine, pl.String), "machine_time": pl.Datetime("us", "UTC"),
                "good": pl.Int64, "scrap": pl.Int64, "ideal_cycle_s": pl.Float64}
    )  # fmt: skip
    observed = pl.DataFrame([{**machine, "observed_until": at[3]}])
    report = compute_oee(
        states=states,
        counts=counts,
        observed=observed,
        start=datetime(2026, 3, 2, tzinfo=UTC),
        end=datetime(2026, 3, 3, tzinfo=UTC),
    )
    (row,) = report.rows
    assert (row.planned_busy_s, row.actual_production_s, row.availability) == (14_400, 14_400, 1.0)
    assert report.downtime == []
