"""Failure early warning: a rise of a machine's vibration above its own recent baseline.

Only samples taken while the spindle cuts (load at least 20 %) count, since an idle machine
vibrates less. For each machine the baseline is the median of its previous 720 cutting samples
(2 hours at 10 s) ending 30 minutes back, so a slow drift does not hide in its own baseline;
the level is the mean of the last 30 samples (5 minutes). A warning is raised when the level
passes the baseline by `rise` (15 %), and again only after it has fallen back below half that.

A vibration sample is judged with the machine's latest spindle load, which need not share its
row: an OPC UA server or a Sparkplug node reports each value only when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Final

import polars as pl

CUTTING_LOAD_PCT: Final = 20.0
BASELINE_SAMPLES: Final = 720
BASELINE_MIN_SAMPLES: Final = 120
GAP_SAMPLES: Final = 180
LEVEL_SAMPLES: Final = 30
MACHINE: Final = ["partner_id", "machine_id"]


def detect_warnings(signals: pl.DataFrame, *, rise: float = 0.15) -> pl.DataFrame:
    """Warnings (partner_id, machine_id, warned_at, ratio) from signals with partner_id,
    machine_id, machine_time, vibration_mm_s and spindle_load_pct."""
    ratio = (
        signals.sort([*MACHINE, "machine_time"])
        .with_columns(pl.col("spindle_load_pct").forward_fill().over(MACHINE))
        .filter(
            pl.col("spindle_load_pct") >= CUTTING_LOAD_PCT, pl.col("vibration_mm_s").is_not_null()
        )
        .with_columns(
            baseline=pl.col("vibration_mm_s")
            .rolling_median(BASELINE_SAMPLES, min_samples=BASELINE_MIN_SAMPLES)
            .shift(GAP_SAMPLES)
            .over(MACHINE),
            level=pl.col("vibration_mm_s").rolling_mean(LEVEL_SAMPLES).over(MACHINE),
        )
        .with_columns(ratio=pl.col("level") / pl.col("baseline"))
        .filter(pl.col("ratio").is_not_null())
    )
    found = []
    for (partner, machine), rows in ratio.group_by(MACHINE, maintain_order=True):
        armed = True
        for at, value in rows.select("machine_time", "ratio").iter_rows():
            if armed and value > 1 + rise:
                found.append((partner, machine, at, value))
                armed = False
            elif not armed and value < 1 + rise / 2:
                armed = True
    return pl.DataFrame(
        found,
        schema={
            "partner_id": pl.String,
            "machine_id": pl.String,
            "warned_at": pl.Datetime("us", "UTC"),
            "ratio": pl.Float64,
        },
        orient="row",
    )


@dataclass(frozen=True, slots=True)
class WarningScore:
    """Warnings against planted failures: share warned ahead, lead time, false alarms."""

    failures: int
    warned: int
    median_lead: timedelta | None
    false_alarms: int
    machine_months: float

    @property
    def share_warned(self) -> float:
        """Share of the failures with a warning between degradation start and failure."""
        return self.warned / self.failures if self.failures else 0.0

    @property
    def false_alarms_per_machine_month(self) -> float:
        """False alarms per machine and 30 days of telemetry."""
        return self.false_alarms / self.machine_months if self.machine_months else 0.0


def score_warnings(
    warnings: pl.DataFrame,
    failures: list[tuple[str, datetime, datetime]],
    *,
    machine_days: float,
) -> WarningScore:
    """Score warnings against failures (machine id, degradation start, failure time): a warning
    inside a failure's degradation counts for it (the first gives the lead); any other is false."""
    leads: list[float] = []
    true_alarms = 0
    for machine, degrading, failed in failures:
        inside = warnings.filter(
            pl.col("machine_id") == machine,
            pl.col("warned_at") >= degrading,
            pl.col("warned_at") < failed,
        )
        true_alarms += inside.height
        if inside.height:
            first: datetime = inside["warned_at"].sort()[0]
            leads.append((failed - first).total_seconds())
    return WarningScore(
        failures=len(failures),
        warned=len(leads),
        median_lead=timedelta(seconds=median(leads)) if leads else None,
        false_alarms=warnings.height - true_alarms,
        machine_months=machine_days / 30,
    )
