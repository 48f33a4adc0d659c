"""OEE per ISO 22400-2 from machine states and counts, per machine and day or shift.

States map to the standard's time elements: `planned_stop` is planned down time (PDOT, outside
the planned busy time PBT); `running` and `micro_stop` are actual production time (APT: a
micro-stop is too short to be recorded as down time, so it shows as a performance loss);
`breakdown` is actual unit down time (ADOT) and `idle` actual unit delay time (ADET), both
availability losses; `offline` is time not observed, left out of PBT like time before a
machine's first message. Availability = APT / PBT, performance = PRU × PQ / APT, quality = GQ / PQ.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

import polars as pl

from chainhub.equipment.schemas import DowntimeRead, MachineState, OeeRead, OeeReport

PRODUCTION: Final = (MachineState.RUNNING, MachineState.MICRO_STOP)
LOSSES: Final = (MachineState.BREAKDOWN, MachineState.IDLE, MachineState.MICRO_STOP)
MACHINE: Final = ["partner_id", "machine_id"]
Every = Literal["1d", "8h"]


def state_pieces(
    states: pl.DataFrame, observed: pl.DataFrame, *, start: datetime, end: datetime, every: Every
) -> pl.DataFrame:
    """Each state's time within [start, end), cut at day or shift boundaries.

    `states`: partner_id, site_id, machine_id, machine_time, state, reason (including each
    machine's last state before `start`); `observed`: partner_id, machine_id, observed_until
    (its latest machine time), since a machine's current state has lasted only until then.
    """
    spans = (
        states.sort([*MACHINE, "machine_time"])
        .join(observed, on=MACHINE, how="left")
        .with_columns(
            new_stop=pl.col("state") != pl.col("state").shift(1).over(MACHINE).fill_null(""),
            # A machine silent since the period began is not assumed to be in its last state.
            until=pl.col("machine_time")
            .shift(-1)
            .over(MACHINE)
            .fill_null(pl.col("observed_until"))
            .fill_null(pl.lit(start)),
        )
        .with_columns(
            begin=pl.max_horizontal(pl.col("machine_time"), pl.lit(start)),
            finish=pl.min_horizontal(pl.col("until"), pl.lit(end)),
            counted=pl.col("new_stop") & (pl.col("machine_time") >= start),
        )
        .filter(pl.col("finish") > pl.col("begin"))
    )
    return (
        spans.with_columns(
            bucket=pl.datetime_ranges(
                pl.col("begin").dt.truncate(every),
                pl.col("finish") - pl.duration(microseconds=1),
                interval=every,
            )
        )
        .explode("bucket")
        .with_columns(
            seconds=(
                pl.min_horizontal(pl.col("finish"), pl.col("bucket").dt.offset_by(every))
                - pl.max_horizontal(pl.col("begin"), pl.col("bucket"))
            ).dt.total_microseconds()
            / 1e6,
            # A stop counts once, in the bucket where it began.
            counted=pl.col("counted") & (pl.col("bucket") <= pl.col("machine_time")),
        )
        .select(*MACHINE, "site_id", "bucket", "state", "reason", "seconds", "counted")
    )


def _count_totals(counts: pl.DataFrame, every: Every) -> pl.DataFrame:
    return (
        counts.with_columns(bucket=pl.col("machine_time").dt.truncate(every))
        .group_by([*MACHINE, "bucket"])
        .agg(
            good=pl.col("good").sum(),
            produced=(pl.col("good") + pl.col("scrap")).sum(),
            planned_run_s=(pl.col("ideal_cycle_s") * (pl.col("good") + pl.col("scrap"))).sum(),
        )
    )


def _seconds(state: MachineState | tuple[MachineState, ...]) -> pl.Expr:
    wanted = [state] if isinstance(state, MachineState) else list(state)
    return pl.col("seconds").filter(pl.col("state").is_in([str(s) for s in wanted])).sum()


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _row(values: dict[str, Any], every: Every) -> OeeRead:
    bucket: datetime = values["bucket"]
    apt, pbt = float(values["apt"]), float(values["pbt"])
    down, failures = float(values["down"]), int(values["failures"])
    produced, good = int(values["produced"]), int(values["good"])
    planned_run = float(values["planned_run_s"])
    availability, performance = _ratio(apt, pbt), _ratio(planned_run, apt)
    quality = _ratio(good, produced)
    parts = (availability, performance, quality)
    return OeeRead(
        partner_id=str(values["partner_id"]),
        site_id=str(values["site_id"]),
        machine_id=str(values["machine_id"]),
        day=bucket.date(),
        shift=None if every == "1d" else bucket.hour // 8 + 1,
        planned_busy_s=pbt,
        actual_production_s=apt,
        down_s=down,
        delay_s=float(values["delay"]),
        planned_down_s=float(values["planned_down"]),
        produced=produced,
        good=good,
        planned_run_s=planned_run,
        availability=availability,
        performance=performance,
        quality=quality,
        oee=None if None in parts else availability * performance * quality,  # type: ignore[operator]
        failures=failures,
        mtbf_s=_ratio(apt, failures),
        mttr_s=_ratio(down, failures),
    )


def _pareto(pieces: pl.DataFrame) -> list[DowntimeRead]:
    losses = (
        pieces.filter(pl.col("state").is_in([str(s) for s in LOSSES]))
        .with_columns(reason=pl.col("reason").fill_null(pl.col("state")))
        .group_by("state", "reason")
        .agg(seconds=pl.col("seconds").sum(), stops=pl.col("counted").sum())
        .sort(["seconds", "state", "reason"], descending=[True, False, False])
    )
    total = float(losses["seconds"].sum()) or 1.0
    found, cumulative = [], 0.0
    for item in losses.iter_rows(named=True):
        cumulative += item["seconds"]
        found.append(
            DowntimeRead(
                state=MachineState(item["state"]),
                reason=item["reason"],
                seconds=item["seconds"],
                stops=item["stops"],
                share=item["seconds"] / total,
                cumulative_share=cumulative / total,
            )
        )
    return found


def compute_oee(
    *,
    states: pl.DataFrame,
    counts: pl.DataFrame,
    observed: pl.DataFrame,
    start: datetime,
    end: datetime,
    every: Every = "1d",
) -> OeeReport:
    """OEE, its time elements, MTBF and MTTR per machine and bucket, and the downtime Pareto.

    `counts`: partner_id, machine_id, machine_time, good, scrap, ideal_cycle_s (in the period).
    """
    pieces = state_pieces(states, observed, start=start, end=end, every=every)
    breakdown = pl.col("state") == str(MachineState.BREAKDOWN)
    totals = (
        pieces.group_by([*MACHINE, "bucket"])
        .agg(
            site_id=pl.col("site_id").first(),
            pbt=pl.col("seconds").sum()
            - _seconds((MachineState.PLANNED_STOP, MachineState.OFFLINE)),
            apt=_seconds(PRODUCTION),
            down=_seconds(MachineState.BREAKDOWN),
            delay=_seconds(MachineState.IDLE),
            planned_down=_seconds(MachineState.PLANNED_STOP),
            failures=(pl.col("counted") & breakdown).sum(),
        )
        .join(_count_totals(counts, every), on=[*MACHINE, "bucket"], how="left")
        .with_columns(
            pl.col("good", "produced").fill_null(0), pl.col("planned_run_s").fill_null(0.0)
        )
        .sort([*MACHINE, "bucket"])
    )
    rows = [_row(values, every) for values in totals.iter_rows(named=True)]
    return OeeReport(rows=rows, downtime=_pareto(pieces))
