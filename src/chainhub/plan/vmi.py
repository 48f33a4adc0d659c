"""VMI replenishment proposals as Polars frames: the deliveries that keep each supplier-managed
buffer's projected stock above the top of yellow, refilled to the top of green, within what
the supplier's capacity groups can still make in the week.

The loop runs over the weeks of the horizon (each week's stock starts from the last one's, with
its deliveries); every step inside is one set operation over all buffers.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from chainhub.plan.policy import lot_sized, lot_sized_down

KEYS: Final = ["material_code", "site_id"]


def _capacity_scale(
    need: pl.DataFrame, served: pl.DataFrame, available: pl.DataFrame, week_no: int
) -> pl.DataFrame:
    """Per buffer, the share of its need its supplier can make this week: for each capacity
    group it serves, what is available over the load all proposals put on it (at most 1); the
    tightest group counts. Buffers in no group are not limited."""
    load = (
        need.join(served, on=["supplier_id", "material_code"])
        .group_by("supplier_id", "capacity_group_id")
        .agg((pl.col("need") * pl.col("load_factor")).sum().alias("load"))
        .join(
            available.filter(pl.col("week_no") == week_no),
            on=["supplier_id", "capacity_group_id"],
        )
        .with_columns(
            pl.when(pl.col("load") > pl.col("available"))
            .then(pl.col("available").clip(lower_bound=0.0) / pl.col("load"))
            .otherwise(1.0)
            .alias("scale")
        )
    )
    return (
        need.join(served, on=["supplier_id", "material_code"])
        .join(load, on=["supplier_id", "capacity_group_id"])
        .group_by(KEYS)
        .agg(pl.col("scale").min())
    )


def propose(
    *,
    weeks: pl.DataFrame,
    buffers: pl.DataFrame,
    served: pl.DataFrame,
    available: pl.DataFrame,
) -> pl.DataFrame:
    """Week by week, each supplier-managed buffer's projected stock and proposed delivery.

    weeks: material_code, site_id, week_no, week_start, demand, receipts (open orders due);
    buffers: material_code, site_id, supplier_id, on_hand, toy, tog, moq, order_multiple;
    served: supplier_id, capacity_group_id, material_code, load_factor;
    available: supplier_id, capacity_group_id, week_no, available (capacity not yet taken).
    A week whose stock after its demand and receipts would end at or below the top of yellow
    gets a delivery on its Monday of tog - stock (the shortfall) raised to the moq and up to a
    whole order multiple (the need); where the capacity allows less, the quantity is scaled
    down, then down to a whole multiple, and dropped below the moq (capped).
    Returns one row per buffer and week: supplier_id, week_no, week_start, demand, receipts,
    before (stock without the week's delivery), shortfall, need, capped, quantity, projected.
    """
    stock = buffers.select(*KEYS, pl.col("on_hand").alias("stock"))
    levels = buffers.select(*KEYS, "supplier_id", "toy", "tog", "moq", "order_multiple")
    done: list[pl.DataFrame] = []
    for week_no in sorted(weeks["week_no"].unique().to_list()):
        here = (
            weeks.filter(pl.col("week_no") == week_no)
            .join(levels, on=KEYS)
            .join(stock, on=KEYS)
            .with_columns((pl.col("stock") + pl.col("receipts") - pl.col("demand")).alias("before"))
            .with_columns(
                pl.when((pl.col("tog") > 0) & (pl.col("before") <= pl.col("toy")))
                .then(pl.col("tog") - pl.col("before"))
                .otherwise(0.0)
                .alias("shortfall")
            )
            .with_columns(
                lot_sized(pl.col("shortfall"), pl.col("moq"), pl.col("order_multiple")).alias(
                    "need"
                )
            )
        )
        scale = _capacity_scale(
            here.filter(pl.col("need") > 0).select(*KEYS, "supplier_id", "need"),
            served,
            available,
            week_no,
        )
        capped = pl.col("scale").fill_null(1.0) < 1.0
        here = (
            here.join(scale, on=KEYS, how="left")
            .with_columns(
                capped.alias("capped"),
                pl.when(capped)
                .then(
                    lot_sized_down(
                        pl.col("need") * pl.col("scale"), pl.col("moq"), pl.col("order_multiple")
                    )
                )
                .otherwise(pl.col("need"))
                .alias("quantity"),
            )
            .with_columns((pl.col("before") + pl.col("quantity")).alias("projected"))
            .drop("scale", "stock", "toy", "tog", "moq", "order_multiple")
        )
        done.append(here)
        stock = here.select(*KEYS, pl.col("projected").alias("stock"))
    columns = [*KEYS, "supplier_id", "week_no", "week_start", "demand", "receipts"]
    columns += ["before", "shortfall", "need", "capped", "quantity", "projected"]
    if not done:
        return pl.DataFrame(
            schema={
                **dict.fromkeys((*KEYS, "supplier_id"), pl.String),
                "week_no": pl.Int32,
                "week_start": pl.Date,
                **dict.fromkeys(columns[5:], pl.Float64),
                "capped": pl.Boolean,
            }
        ).select(columns)
    return pl.concat(done).select(columns).sort(*KEYS, "week_no")
