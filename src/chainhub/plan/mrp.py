"""Time-phased MRP over Polars frames: low-level codes, netting, lead-time offsets, explosion.

Every step is a set operation over all materials of one BOM level at once; the only Python loop
runs over the levels (as deep as the BOM), never over materials or weeks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Final

import polars as pl

from chainhub.errors import ChainhubError

WEEKS: Final = 26
DAYS_PER_WEEK: Final = 7
_M, _W = "material_code", "week_no"
# Shares of a material between its suppliers are rounded to this many decimals.
DECIMALS: Final = 3


def first_monday(today: date) -> date:
    """Monday of the ISO week `today` falls in: the first week of the plan."""
    return today - timedelta(days=today.weekday())


def week_grid(first: date, weeks: int = WEEKS) -> pl.DataFrame:
    """The plan's weeks: `week_no` 1..weeks and the Monday each starts on."""
    return pl.DataFrame(
        {
            _W: list(range(1, weeks + 1)),
            "week_start": [first + timedelta(weeks=k) for k in range(weeks)],
        },
        schema={_W: pl.Int32, "week_start": pl.Date},
    )


def to_weeks(frame: pl.DataFrame, grid: pl.DataFrame, *, clamp_early: bool) -> pl.DataFrame:
    """`frame` (with a `day` column) summed into the grid's weeks by `[keys..., week_no]`.

    Days before the first week fall into week 1 when `clamp_early` (an overdue order is still
    due), else are dropped (a forecast of a past week); days after the last week are dropped.
    """
    first, last = grid["week_start"].min(), grid["week_start"].max()
    week = ((pl.col("day") - pl.lit(first)).dt.total_days() // DAYS_PER_WEEK + 1).cast(pl.Int32)
    if clamp_early:
        week = pl.max_horizontal(week, pl.lit(1, pl.Int32))
    keys = [c for c in frame.columns if c not in ("day", "quantity")]
    return (
        frame.with_columns(week.alias(_W))
        .filter(
            pl.col(_W).is_between(1, grid.height), pl.col("day") <= pl.lit(last) + timedelta(days=6)
        )
        .group_by(*keys, _W)
        .agg(pl.col("quantity").sum())
    )


def low_level_codes(bom: pl.DataFrame, materials: pl.Series) -> pl.DataFrame:
    """Each material's low-level code: 0 for a top item, else one below its lowest parent.

    A BOM cycle never settles: after as many rounds as there are materials, the materials still
    moving are on a cycle and are named in the error.
    """
    edges = bom.select("parent_code", "component_code").unique()
    names = pl.concat([materials, edges["parent_code"], edges["component_code"]]).unique()
    levels = pl.DataFrame({_M: names, "level": pl.zeros(len(names), pl.Int32, eager=True)})
    for _ in range(len(names) + 1):
        below = (
            edges.join(levels, left_on="parent_code", right_on=_M)
            .group_by("component_code")
            .agg((pl.col("level").max() + 1).alias("below"))
        )
        moved = levels.join(below, left_on=_M, right_on="component_code", how="left").with_columns(
            pl.max_horizontal("level", pl.col("below").fill_null(0)).alias("next")
        )
        if moved.filter(pl.col("next") != pl.col("level")).is_empty():
            return levels
        levels = moved.select(_M, pl.col("next").alias("level"))
    cyclic = sorted(levels.filter(pl.col("level") > len(names) - 1)[_M].to_list())
    parents = ", ".join(cyclic[:5]) or ", ".join(
        sorted(edges["parent_code"].unique().to_list())[:5]
    )
    raise ChainhubError(
        "bom_cycle",
        f"the bill of materials has a cycle through {parents}: a material is its own component",
        f"物料清单存在循环（涉及 {parents}）：某物料是它自身的子件",
        {"document_type": "bom", "field": "component_code", "materials": parents},
        422,
    )


def _net_level(
    materials: pl.DataFrame,
    demand: pl.DataFrame,
    grid: pl.DataFrame,
    receipts: pl.DataFrame,
    stock: pl.DataFrame,
    lead: pl.DataFrame,
) -> pl.DataFrame:
    """Lot-for-lot netting of one level's materials week by week, and the release weeks.

    With lot-for-lot, the cumulative planned receipts up to week t are the largest cumulative
    shortfall so far, max(0, max_{s<=t}(gross(1..s) - stock - scheduled(1..s))): a receipt
    cannot cover a need before it arrives, and what it leaves over covers later needs.
    """
    gross = demand.join(materials, on=_M).group_by(_M, _W).agg(pl.col("gross").sum())
    frame = (
        materials.join(grid, how="cross")
        .join(gross, on=[_M, _W], how="left")
        .join(
            receipts.group_by(_M, _W).agg(pl.col("quantity").sum().alias("scheduled")),
            on=[_M, _W],
            how="left",
        )
        .join(stock, on=_M, how="left")
        .join(lead, on=_M, how="left")
        .with_columns(
            pl.col("gross").fill_null(0.0),
            pl.col("scheduled").fill_null(0.0),
            pl.col("on_hand").fill_null(0.0),
            pl.col("lead_weeks").fill_null(0),
        )
        .sort(_M, _W)
    )
    shortfall = (
        (pl.col("gross").cum_sum() - pl.col("on_hand") - pl.col("scheduled").cum_sum())
        .cum_max()
        .clip(lower_bound=0.0)
    )
    return (
        frame.with_columns(shortfall.over(_M).alias("_covered"))
        .with_columns(
            (pl.col("_covered") - pl.col("_covered").shift(1, fill_value=0.0))
            .over(_M)
            .alias("planned"),
            (
                pl.col("on_hand")
                + (pl.col("scheduled") - pl.col("gross")).cum_sum().over(_M)
                + pl.col("_covered")
            ).alias("projected"),
            pl.max_horizontal(pl.col(_W) - pl.col("lead_weeks"), pl.lit(1))
            .cast(pl.Int32)
            .alias("release_week"),
        )
        .drop("_covered")
    )


def run_mrp(
    *,
    grid: pl.DataFrame,
    independent: pl.DataFrame,
    bom: pl.DataFrame,
    stock: pl.DataFrame,
    receipts: pl.DataFrame,
    lead: pl.DataFrame,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Time-phased MRP of one planner, lot for lot, per material and week of the grid.

    independent: material_code, week_no, quantity (demand for what the planner sells)
    bom: parent_code, component_code, quantity_per, base_quantity, scrap_rate (the planner's)
    stock: material_code, on_hand; receipts: material_code, week_no, quantity (open orders)
    lead: material_code, lead_weeks
    Returns material_code, level, made, week_no, week_start, gross, scheduled, on_hand,
    planned (receipts planned for the week), projected (stock at its end), release_week.
    Releases due before week 1 are placed in week 1: they are late already.
    """
    levels = low_level_codes(bom, pl.concat([independent[_M], receipts[_M]]))
    parents = bom.select(pl.col("parent_code").alias(_M)).unique().with_columns(made=pl.lit(True))
    per_unit = bom.select(
        "parent_code",
        "component_code",
        (pl.col("quantity_per") / pl.col("base_quantity") / (1 - pl.col("scrap_rate"))).alias(
            "per_unit"
        ),
    )
    demand = independent.select(_M, _W, pl.col("quantity").alias("gross"))
    done: list[pl.DataFrame] = []
    depth = int(levels["level"].cast(pl.Int64).max() or 0) + 1  # type: ignore[arg-type]
    for level in range(depth):
        here = levels.filter(pl.col("level") == level).select(_M)
        netted = _net_level(here, demand, grid, receipts, stock, lead).with_columns(
            level=pl.lit(level, pl.Int32)
        )
        done.append(netted)
        # Components are needed when the parent's planned order is released.
        dependent = (
            netted.filter(pl.col("planned") > 0)
            .join(per_unit, left_on=_M, right_on="parent_code")
            .select(
                pl.col("component_code").alias(_M),
                pl.col("release_week").alias(_W),
                (pl.col("planned") * pl.col("per_unit")).alias("gross"),
            )
        )
        demand = pl.concat([demand, dependent])
        if progress is not None:
            progress(level + 1, depth)
    return (
        pl.concat(done)
        .join(parents, on=_M, how="left")
        .with_columns(pl.col("made").fill_null(False))
        .select(
            _M,
            "level",
            "made",
            _W,
            "week_start",
            "gross",
            "scheduled",
            "on_hand",
            "planned",
            "projected",
            "release_week",
        )
        .sort("level", _M, _W)
    )


def supplier_demand(
    *, plan: pl.DataFrame, receipts: pl.DataFrame, quotas: pl.DataFrame
) -> pl.DataFrame:
    """Each supplier's weekly demand for the bought materials: its open orders due in the week
    (firm) plus its quota share of the receipts the plan adds (planned).

    receipts: material_code, supplier_id, week_no, quantity; quotas: material_code,
    supplier_id, share (shares of a material add up to 1). A bought material without a known
    supplier keeps supplier_id null.
    Returns supplier_id, material_code, week_no, week_start, firm, planned, quantity.
    """
    bought = plan.filter(~pl.col("made")).select(_M, _W, "week_start", "planned")
    firm = receipts.group_by("supplier_id", _M, _W).agg(pl.col("quantity").sum().alias("firm"))
    sources = pl.concat([quotas.select("supplier_id", _M), firm.select("supplier_id", _M)]).unique()
    unsourced = (
        bought.select(_M)
        .unique()
        .join(sources, on=_M, how="anti")
        .with_columns(supplier_id=pl.lit(None, pl.String))
    )
    pairs = pl.concat(
        [sources.join(bought.select(_M).unique(), on=_M), unsourced.select("supplier_id", _M)]
    )
    return (
        pairs.join(bought, on=_M)
        .join(quotas, on=["supplier_id", _M], how="left")
        .join(firm, on=["supplier_id", _M, _W], how="left")
        .with_columns(
            pl.col("firm").fill_null(0.0),
            (
                pl.col("planned")
                * pl.col("share").fill_null(
                    pl.when(pl.col("supplier_id").is_null()).then(1.0).otherwise(0.0)
                )
            )
            .round(DECIMALS)
            .alias("planned"),
        )
        .with_columns((pl.col("firm") + pl.col("planned")).alias("quantity"))
        .select("supplier_id", _M, _W, "week_start", "firm", "planned", "quantity")
        .sort("supplier_id", _M, _W, nulls_last=True)
    )
