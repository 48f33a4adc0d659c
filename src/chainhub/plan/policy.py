"""Inventory policies per material and site, as Polars frames: safety stock from demand and
lead-time variability at a service level, the (s, S) and (R, S) levels, and days of supply."""

from __future__ import annotations

from statistics import NormalDist
from typing import Final

import polars as pl

from chainhub.errors import ChainhubError

DAYS_PER_WEEK: Final = 7


def check_service_level(service_level: float) -> float:
    """The service level as a probability of no stockout in a cycle, between 0.5 and 0.9999."""
    if not 0.5 <= service_level <= 0.9999:
        raise ChainhubError(
            "bad_service_level",
            f"service level {service_level} is outside 0.5-0.9999 (a probability, e.g. 0.95)",
            f"服务水平 {service_level} 不在 0.5-0.9999 之间（为概率，例如 0.95）",
            {"field": "service_level"},
            422,
        )
    return service_level


def z_value(service_level: float) -> float:
    """The standard normal quantile of the service level (0.95 gives 1.645)."""
    return NormalDist().inv_cdf(check_service_level(service_level))


def _safety(z: float, days: pl.Expr) -> pl.Expr:
    """z * sqrt(days * sd_daily^2 + adu^2 * lead_sd^2): demand over the exposure and the
    lead time's spread, taken as independent."""
    return (
        z
        * (
            days * pl.col("sigma_day").pow(2) + pl.col("adu").pow(2) * pl.col("lead_sd").pow(2)
        ).sqrt()
    )


def inventory_policy(
    items: pl.DataFrame, *, service_level: float, review_days: float
) -> pl.DataFrame:
    """Safety stock, reorder point and order-up-to levels of each row of `items`.

    items: adu (average daily demand), sigma_day (its standard deviation per day), lead_days
    (mean lead time) and lead_sd (its standard deviation in days), with any key columns.
    Continuous review (s, S): safety_stock = z sqrt(L sd^2 + adu^2 sd_L^2), reorder_point
    s = adu L + safety_stock, order_up_to S = s + adu R (one review period of use above s).
    Periodic review (R, S): the exposure is L + R, so periodic_order_up_to
    = adu (L + R) + z sqrt((L + R) sd^2 + adu^2 sd_L^2).
    """
    z = z_value(service_level)
    lead = pl.col("lead_days")
    return items.with_columns(_safety(z, lead).alias("safety_stock")).with_columns(
        (pl.col("adu") * lead + pl.col("safety_stock")).alias("reorder_point"),
        (pl.col("adu") * (lead + review_days) + pl.col("safety_stock")).alias("order_up_to"),
        (pl.col("adu") * (lead + review_days) + _safety(z, lead + review_days)).alias(
            "periodic_order_up_to"
        ),
    )


RUN: Final = "_run"
"""The column `key_runs` numbers each key's rows in."""


def key_runs(weeks: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`weeks` in key and week_no order with a dense integer id of its key in `_run` (0, 1,
    ... in that order), and the keys of each id in id order: per-key work then groups and
    gathers by a sorted integer instead of hashing the keys on every week. Frames already in
    that order (as the plan builds them) are not sorted again."""
    run = pl.struct(keys).rle_id().alias(RUN)
    numbered = weeks.with_columns(run)
    runs = numbered.filter(pl.col(RUN).diff().fill_null(1) != 0).select(*keys, RUN)
    weekly = (pl.col("week_no").diff() > 0) | (pl.col(RUN).diff() != 0)
    if not (
        bool(runs.select(pl.struct(keys).is_unique().all()).item())
        and bool(numbered.select(weekly.fill_null(value=True).all()).item())
    ):
        numbered = weeks.sort(*keys, "week_no").with_columns(run)
        runs = numbered.filter(pl.col(RUN).diff().fill_null(1) != 0).select(*keys, RUN)
    return numbered.with_columns(pl.col(RUN).set_sorted()), runs


def per_run(
    runs: pl.DataFrame, numbered: pl.DataFrame, frame: pl.DataFrame, column: str
) -> pl.Series:
    """`frame`'s `column` (one row per key) on every row of `numbered`, null where the key
    has no row in `frame` (an inner join's keys: a null key matches nothing)."""
    keys = [c for c in runs.columns if c != RUN]
    found = runs.join(frame.select(*keys, column), on=keys, how="left", maintain_order="left")
    return found.get_column(column).gather(numbered.get_column(RUN))


def days_of_supply(weeks: pl.DataFrame, opening: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Days the stock lasts, per key: walking the weeks with each week's demand spread evenly
    over its 7 days and receipts arriving on its Monday, whole days until the stock falls
    short plus the fraction of the last day it still covers (PURIS daysOfSupply).

    weeks: keys, week_no, receipts, demand; opening: keys, opening (stock before week 1).
    Returns keys, days_of_supply (null when the stock lasts the horizon or the key has no
    opening stock).
    """
    numbered, runs = key_runs(weeks, keys)
    start = (
        pl.col("opening")
        + (pl.col("receipts") - pl.col("demand")).cum_sum().over(RUN)
        + pl.col("demand")
    )
    days = (pl.col("week_no") - 1) * DAYS_PER_WEEK + pl.when(pl.col("start") <= 0).then(
        0.0
    ).otherwise(DAYS_PER_WEEK * pl.col("start") / pl.col("demand"))
    found = (
        numbered.with_columns(per_run(runs, numbered, opening, "opening"))
        .with_columns(start.alias("start"))
        # Evaluated over the whole frame first: inside the aggregation it would run per key.
        .select(RUN, days.cast(pl.Float64).alias("days"), short=pl.col("start") < pl.col("demand"))
        .group_by(RUN, maintain_order=True)
        .agg(pl.col("days").filter(pl.col("short")).first().alias("days_of_supply"))
    )
    return runs.select(keys).with_columns(found.get_column("days_of_supply"))


# Quotients within this of a whole number count as whole (0.3 / 0.1 is 2.9999999999999996).
_LOT_TOLERANCE: Final = 1e-9


def lot_sized(quantity: pl.Expr, moq: pl.Expr, multiple: pl.Expr) -> pl.Expr:
    """A quantity to order raised to the minimum order quantity and then up to a whole order
    multiple; none (0 or less) stays 0. A null moq or multiple is no such term."""
    raised = pl.max_horizontal(quantity, moq.fill_null(0.0))
    rounded = (
        pl.when(multiple > 0)
        .then((raised / multiple - _LOT_TOLERANCE).ceil() * multiple)
        .otherwise(raised)
    )
    return pl.when(quantity > 0).then(rounded).otherwise(0.0)


def lot_sized_down(quantity: pl.Expr, moq: pl.Expr, multiple: pl.Expr) -> pl.Expr:
    """The most that can be ordered within `quantity` on the terms: down to a whole multiple,
    and 0 when that is below the minimum order quantity."""
    rounded = (
        pl.when(multiple > 0)
        .then((quantity / multiple + _LOT_TOLERANCE).floor() * multiple)
        .otherwise(quantity)
    )
    return pl.when(rounded >= moq.fill_null(0.0)).then(rounded.clip(lower_bound=0.0)).otherwise(0.0)
