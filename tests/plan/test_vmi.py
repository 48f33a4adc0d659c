"""VMI proposals week by week: refill to the top of green at or below the top of yellow,
within the capacity the supplier has left."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from chainhub.plan.vmi import propose

FIRST = date(2026, 1, 5)
JINLI = "jinli-motor"


def _weeks(demand: dict[str, list[float]]) -> pl.DataFrame:
    rows = [
        (m, "S1", n + 1, FIRST + timedelta(weeks=n), q, 0.0)
        for m, series in demand.items()
        for n, q in enumerate(series)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "material_code": pl.String,
            "site_id": pl.String,
            "week_no": pl.Int32,
            "week_start": pl.Date,
            "demand": pl.Float64,
            "receipts": pl.Float64,
        },
        orient="row",
    )


def _buffers(materials: list[str], on_hand: float) -> pl.DataFrame:
    n = len(materials)
    return pl.DataFrame(
        {
            "material_code": materials,
            "site_id": ["S1"] * n,
            "supplier_id": [JINLI] * n,
            "on_hand": [on_hand] * n,
            "toy": [100.0] * n,
            "tog": [150.0] * n,
            "moq": [0.0] * n,
            "order_multiple": [None] * n,
        },
        schema_overrides={"order_multiple": pl.Float64},
    )


def _capacity(materials: list[str], available: list[float]) -> tuple[pl.DataFrame, pl.DataFrame]:
    served = pl.DataFrame(
        {
            "supplier_id": [JINLI] * len(materials),
            "capacity_group_id": ["CG"] * len(materials),
            "material_code": materials,
            "load_factor": [1.0] * len(materials),
        },
        schema={
            "supplier_id": pl.String,
            "capacity_group_id": pl.String,
            "material_code": pl.String,
            "load_factor": pl.Float64,
        },
    )
    weeks = pl.DataFrame(
        {
            "supplier_id": [JINLI] * len(available),
            "capacity_group_id": ["CG"] * len(available),
            "week_no": list(range(1, len(available) + 1)),
            "available": available,
        },
        schema={
            "supplier_id": pl.String,
            "capacity_group_id": pl.String,
            "week_no": pl.Int32,
            "available": pl.Float64,
        },
    )
    return served, weeks


def test_refills_to_the_top_of_green() -> None:
    # 120 in stock, 50 a week: week 1 ends at 70 (<= 100): 80 brings it to 150; weeks 2 and 3
    # end at 100, at the top of yellow: 50 each.
    served, available = _capacity([], [])
    found = propose(
        weeks=_weeks({"M004": [50.0, 50.0, 50.0]}),
        buffers=_buffers(["M004"], 120.0),
        served=served,
        available=available,
    )
    assert found.select("quantity", "projected").rows() == [
        (80.0, 150.0),
        (50.0, 150.0),
        (50.0, 150.0),
    ]


def test_capacity_limits_and_is_shared_in_proportion() -> None:
    # Week 1: A ends at 120 - 50 = 70 and needs 80, B at 70 - 50 = 20 and needs 130; the group
    # has 105 left of the 210 asked: each gets half. Week 2 (1000 left): A ends at 110 - 50 = 60
    # and needs 90, B at 85 and needs 65.
    served, available = _capacity(["A", "B"], [105.0, 1000.0])
    found = propose(
        weeks=_weeks({"A": [50.0, 50.0], "B": [50.0, 0.0]}),
        buffers=_buffers(["A", "B"], 120.0).with_columns(
            pl.when(pl.col("material_code") == "B").then(70.0).otherwise(120.0).alias("on_hand")
        ),
        served=served,
        available=available,
    )
    assert found.select("material_code", "week_no", "need", "quantity", "projected").rows() == [
        ("A", 1, 80.0, 40.0, 110.0),
        ("A", 2, 90.0, 90.0, 150.0),
        ("B", 1, 130.0, 65.0, 85.0),
        ("B", 2, 65.0, 65.0, 150.0),
    ]


def test_the_minimum_order_and_the_multiple_round_up_and_capacity_rounds_down() -> None:
    # MOQ 100, multiple 40. Week 1 is 80 short: raised to 100, then to 120 (three lots), ending
    # at 190; week 2 ends at 140, above the top of yellow: nothing. With 90 of capacity left
    # in week 1, 120 is cut to 90 and down to 80 (two lots), below the MOQ: nothing at all.
    terms = {"moq": 100.0, "order_multiple": 40.0}
    served, available = _capacity([], [])
    found = propose(
        weeks=_weeks({"M004": [50.0, 50.0]}),
        buffers=_buffers(["M004"], 120.0).with_columns(**{k: pl.lit(v) for k, v in terms.items()}),
        served=served,
        available=available,
    )
    assert found.select("shortfall", "need", "capped", "quantity", "projected").rows() == [
        (80.0, 120.0, False, 120.0, 190.0),
        (0.0, 0.0, False, 0.0, 140.0),
    ]
    served, available = _capacity(["M004"], [90.0, 1000.0])
    capped = propose(
        weeks=_weeks({"M004": [50.0]}),
        buffers=_buffers(["M004"], 120.0).with_columns(**{k: pl.lit(v) for k, v in terms.items()}),
        served=served,
        available=available,
    )
    assert capped.select("need", "capped", "quantity").rows() == [(120.0, True, 0.0)]
