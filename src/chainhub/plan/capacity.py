"""The CX-0128 bottleneck rule per capacity group-week and demand volatility between versions,
as Polars frames."""

from __future__ import annotations

from typing import Final

import polars as pl

from chainhub.plan.schemas import Light

# Sub-horizons of the demand: weeks 1-4, 5-13 and 14-26 from the week the newer version starts.
SUB_HORIZONS: Final = ((1, 4), (5, 13), (14, 26))
GROUP: Final = ("supplier_id", "customer_id", "capacity_group_id")


def group_weeks(groups: pl.DataFrame, demand: pl.DataFrame) -> pl.DataFrame:
    """Each capacity line (group-week) with the demand on it and its light.

    groups: the current capacity_group lines (capacity lines have week_start, material lines
    material_code and load_factor); demand: supplier_id, customer_id, material_code, week_start,
    quantity of the current weekly demand. The demand on a group-week is the sum over the
    materials the group serves of their demand that week times their load factor (1 when none
    is given). Light: demand <= actual green; <= maximum orange; above maximum red.
    """
    capacities = groups.filter(pl.col("week_start").is_not_null()).select(
        *GROUP,
        "name",
        "week_start",
        pl.col("actual_capacity").alias("actual"),
        pl.col("maximum_capacity").alias("maximum"),
        pl.col("agreed_capacity").alias("agreed"),
    )
    served = groups.filter(pl.col("material_code").is_not_null()).select(
        *GROUP, "material_code", pl.col("load_factor").fill_null(1.0)
    )
    load = (
        served.join(demand, on=["supplier_id", "customer_id", "material_code"])
        .group_by(*GROUP, "week_start")
        .agg((pl.col("quantity") * pl.col("load_factor")).sum().alias("demand"))
    )
    return (
        capacities.join(load, on=[*GROUP, "week_start"], how="left")
        .with_columns(pl.col("demand").fill_null(0.0).round(6))
        .with_columns(
            pl.when(pl.col("demand") <= pl.col("actual"))
            .then(pl.lit(Light.GREEN.value))
            .when(pl.col("demand") <= pl.col("maximum"))
            .then(pl.lit(Light.ORANGE.value))
            .otherwise(pl.lit(Light.RED.value))
            .alias("light")
        )
        .sort(*GROUP, "week_start")
    )


def volatility(
    versions: pl.DataFrame, *, absolute: list[float], relative: list[float]
) -> pl.DataFrame:
    """Weeks whose demand moved past both thresholds of their sub-horizon between a document's
    two latest versions, one row per document and sub-horizon with the largest move.

    versions: _doc_key, customer_id, supplier_id, material_code, _doc_version, week_start,
    quantity for the two latest versions of each document. Weeks are counted from the first
    week of the newer version; a week missing from a version counts as 0. A move from 0 is
    relatively infinite.
    """
    newest = versions.group_by("_doc_key").agg(pl.col("_doc_version").max().alias("new_version"))
    tagged = versions.join(newest, on="_doc_key").with_columns(
        (pl.col("_doc_version") == pl.col("new_version")).alias("is_new")
    )
    first = (
        tagged.filter("is_new").group_by("_doc_key").agg(pl.col("week_start").min().alias("first"))
    )
    keys = ["_doc_key", "customer_id", "supplier_id", "material_code", "week_start"]
    new = tagged.filter("is_new").select(*keys, pl.col("quantity").alias("new"))
    old = tagged.filter(~pl.col("is_new")).select(*keys, pl.col("quantity").alias("old"))
    has_old = old.select("_doc_key").unique()
    moves = (
        new.join(old, on=keys, how="full", coalesce=True)
        .join(has_old, on="_doc_key")
        .join(first, on="_doc_key")
        .with_columns(
            pl.col("new").fill_null(0.0),
            pl.col("old").fill_null(0.0),
            ((pl.col("week_start") - pl.col("first")).dt.total_days() // 7 + 1).alias("week_no"),
        )
        .with_columns((pl.col("new") - pl.col("old")).alias("change"))
    )
    horizon = pl.lit(None, pl.Int32)
    abs_limit = pl.lit(None, pl.Float64)
    rel_limit = pl.lit(None, pl.Float64)
    for index, (low, high) in enumerate(SUB_HORIZONS):
        inside = pl.col("week_no").is_between(low, high)
        horizon = pl.when(inside).then(pl.lit(index + 1, pl.Int32)).otherwise(horizon)
        abs_limit = pl.when(inside).then(pl.lit(absolute[index])).otherwise(abs_limit)
        rel_limit = pl.when(inside).then(pl.lit(relative[index])).otherwise(rel_limit)
    ratio = (
        pl.when(pl.col("old") > 0)
        .then(pl.col("change").abs() / pl.col("old"))
        .otherwise(pl.when(pl.col("change") != 0).then(float("inf")).otherwise(0.0))
    )
    return (
        moves.with_columns(horizon.alias("sub_horizon"), ratio.alias("relative"))
        .filter(
            pl.col("sub_horizon").is_not_null(),
            pl.col("change").abs() >= abs_limit,
            pl.col("relative") >= rel_limit,
            pl.col("change") != 0,
        )
        .sort(pl.col("change").abs(), descending=True)
        .group_by("_doc_key", "sub_horizon", maintain_order=True)
        .first()
        .sort("_doc_key", "sub_horizon")
    )
