"""DDMRP buffers as Polars frames, with the formulas of Ptak and Smith's Demand Driven Material
Requirements Planning: zones from average daily usage, decoupled lead time and the buffer
profile's factors; net flow position; the order that brings it back to the top of green.

Every step is one expression over all buffers at once.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from chainhub.plan.policy import RUN, key_runs, lot_sized, per_run

# The buffer profile (Ptak & Smith's ranges: lead-time factor 61-100 % short, 41-60 % medium,
# 20-40 % long; variability factor 0-40 % low, 41-60 % medium, 61-100 % high), one value each.
SHORT_LEAD_DAYS: Final = 7.0
LONG_LEAD_DAYS: Final = 28.0
LEAD_TIME_FACTORS: Final = (0.8, 0.5, 0.3)
LOW_CV: Final = 0.5
HIGH_CV: Final = 1.0
VARIABILITY_FACTORS: Final = (0.2, 0.5, 0.8)
# A week's demand above normal usage by more than this share of the red zone is a spike.
SPIKE_SHARE: Final = 0.5
DAYS_PER_WEEK: Final = 7


def buffer_profile(items: pl.DataFrame) -> pl.DataFrame:
    """`items` with ltf and vf where missing: the lead-time factor from the decoupled lead time
    (dlt, days) and the variability factor from the coefficient of variation of daily demand
    (sigma_day / adu)."""
    short, medium, long = LEAD_TIME_FACTORS
    low, mid, high = VARIABILITY_FACTORS
    ltf = (
        pl.when(pl.col("dlt") <= SHORT_LEAD_DAYS)
        .then(short)
        .when(pl.col("dlt") <= LONG_LEAD_DAYS)
        .then(medium)
        .otherwise(long)
    )
    cv = pl.when(pl.col("adu") > 0).then(pl.col("sigma_day") / pl.col("adu")).otherwise(0.0)
    vf = pl.when(cv < LOW_CV).then(low).when(cv <= HIGH_CV).then(mid).otherwise(high)
    given = set(items.columns)
    return items.with_columns(
        pl.col("ltf").fill_null(ltf) if "ltf" in given else ltf.alias("ltf"),
        pl.col("vf").fill_null(vf) if "vf" in given else vf.alias("vf"),
    )


def zones(items: pl.DataFrame) -> pl.DataFrame:
    """Red, yellow and green zones and their tops.

    items: adu, dlt (days), ltf, vf, moq, order_cycle (days). Yellow = adu dlt;
    red = red base + red safety with red base = adu dlt ltf and red safety = red base vf;
    green = max(moq, adu order_cycle, adu dlt ltf). Tops: tor = red, toy = red + yellow,
    tog = toy + green.
    """
    base = pl.col("adu") * pl.col("dlt") * pl.col("ltf")
    return (
        items.with_columns(
            (base * (1 + pl.col("vf"))).alias("red"),
            (pl.col("adu") * pl.col("dlt")).alias("yellow"),
            pl.max_horizontal(pl.col("moq"), pl.col("adu") * pl.col("order_cycle"), base).alias(
                "green"
            ),
        )
        .with_columns(pl.col("red").alias("tor"))
        .with_columns((pl.col("tor") + pl.col("yellow")).alias("toy"))
        .with_columns((pl.col("toy") + pl.col("green")).alias("tog"))
    )


def qualified_demand(buffers: pl.DataFrame, weeks: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Qualified demand per buffer: what is due now (the first week's demand, overdue included,
    since the plan's buckets are weeks) plus the weeks within the decoupled lead time after it
    whose demand exceeds normal usage (7 adu) by more than half the red zone (spikes).

    buffers: keys, adu, dlt, red; weeks: keys, week_no, demand.
    Returns keys, qualified.
    """
    numbered, runs = key_runs(weeks, keys)
    horizon = 1 + (pl.col("dlt") / DAYS_PER_WEEK).ceil()
    spike = (pl.col("week_no") > 1) & (pl.col("week_no") <= horizon)
    excess = pl.col("demand") - DAYS_PER_WEEK * pl.col("adu") > SPIKE_SHARE * pl.col("red")
    counted = (pl.col("week_no") == 1) | (spike & excess)
    found = (
        numbered.with_columns(per_run(runs, numbered, buffers, c) for c in ("adu", "dlt", "red"))
        # Evaluated over the whole frame first: inside the aggregation it would run per key.
        .select(RUN, pl.when(counted).then(pl.col("demand")).otherwise(0.0).alias("counted"))
        .group_by(RUN, maintain_order=True)
        .agg(pl.col("counted").sum().alias("qualified"))
    )
    # A week whose key has no buffer is summed above but joins no buffer below.
    return (
        buffers.select(keys)
        .join(
            runs.select(keys).with_columns(found.get_column("qualified")),
            on=keys,
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("qualified").fill_null(0.0))
    )


def net_flow(buffers: pl.DataFrame) -> pl.DataFrame:
    """Net flow position, zone and the order it calls for.

    buffers: tor, toy, tog, moq, order_multiple (null: none), on_hand, on_order, qualified.
    nfp = on_hand + on_order - qualified; zone: red up to tor, yellow up to toy, green up to
    tog, else over; priority = nfp / tog (lower is more urgent); at or below the top of yellow
    the order is tog - nfp raised to the moq and up to a whole order multiple, else none.
    """
    nfp = pl.col("on_hand") + pl.col("on_order") - pl.col("qualified")
    zone = (
        pl.when(pl.col("nfp") <= pl.col("tor"))
        .then(pl.lit("red"))
        .when(pl.col("nfp") <= pl.col("toy"))
        .then(pl.lit("yellow"))
        .when(pl.col("nfp") <= pl.col("tog"))
        .then(pl.lit("green"))
        .otherwise(pl.lit("over"))
    )
    order = (
        pl.when(pl.col("nfp") <= pl.col("toy"))
        .then(lot_sized(pl.col("tog") - pl.col("nfp"), pl.col("moq"), pl.col("order_multiple")))
        .otherwise(0.0)
    )
    priority = pl.when(pl.col("tog") > 0).then(pl.col("nfp") / pl.col("tog")).otherwise(None)
    return buffers.with_columns(nfp.alias("nfp")).with_columns(
        zone.alias("zone"), order.alias("recommended"), priority.alias("priority")
    )
