"""Safety stock, reorder point, order-up-to levels and days of supply, worked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from chainhub.errors import ChainhubError
from chainhub.plan.policy import days_of_supply, inventory_policy, lot_sized, lot_sized_down


def test_safety_stock_from_demand_and_lead_time_spread() -> None:
    # ADU 10 (sd 3 a day), lead time 9 days (sd 2), 95 % (z = 1.6449), review every 7 days:
    # safety = 1.6449 x sqrt(9 x 3^2 + 10^2 x 2^2) = 1.6449 x sqrt(481) = 36.074;
    # s = 10 x 9 + 36.074 = 126.074; S = s + 10 x 7 = 196.074;
    # (R, S): 10 x 16 + 1.6449 x sqrt(16 x 9 + 400) = 160 + 38.364 = 198.364.
    items = pl.DataFrame({"adu": [10.0], "sigma_day": [3.0], "lead_days": [9.0], "lead_sd": [2.0]})
    found = inventory_policy(items, service_level=0.95, review_days=7).row(0, named=True)
    assert found["safety_stock"] == pytest.approx(36.0745, abs=1e-4)
    assert found["reorder_point"] == pytest.approx(126.0745, abs=1e-4)
    assert found["order_up_to"] == pytest.approx(196.0745, abs=1e-4)
    assert found["periodic_order_up_to"] == pytest.approx(198.3642, abs=1e-4)


def test_a_service_level_outside_its_range_is_refused() -> None:
    items = pl.DataFrame({"adu": [1.0], "sigma_day": [1.0], "lead_days": [1.0], "lead_sd": [0.0]})
    with pytest.raises(ChainhubError) as raised:
        inventory_policy(items, service_level=1.2, review_days=7)
    assert raised.value.code == "bad_service_level"


def test_days_of_supply_with_a_fractional_last_day() -> None:
    # A: 100 in stock, 70 a week (10 a day): week 1 leaves 30, which lasts 3 of week 2's days:
    # 7 + 3 = 10 (the 50 arriving in week 3 comes too late). B: 25 against 35 a week lasts
    # 5 days. C: no demand in week 1, 14 in week 2 with nothing in stock: 7. D lasts the horizon.
    rows = [
        ("A", 1, 100.0, 0.0, 70.0),
        ("A", 2, 100.0, 0.0, 70.0),
        ("A", 3, 100.0, 50.0, 70.0),
        ("B", 1, 25.0, 0.0, 35.0),
        ("C", 1, 0.0, 0.0, 0.0),
        ("C", 2, 0.0, 0.0, 14.0),
        ("D", 1, 1000.0, 0.0, 70.0),
    ]
    weeks = pl.DataFrame(
        rows,
        schema=["material_code", "week_no", "opening", "receipts", "demand"],
        orient="row",
    )
    opening = weeks.group_by("material_code").agg(pl.col("opening").first())
    found = days_of_supply(weeks.drop("opening"), opening, ["material_code"])
    assert found.rows() == [("A", 10.0), ("B", 5.0), ("C", 7.0), ("D", None)]
    # Weeks in any order, and a key met twice apart, come out the same.
    by_week = weeks.drop("opening").sort("week_no", "material_code", descending=[False, True])
    shuffled = days_of_supply(by_week, opening, ["material_code"])
    assert shuffled.sort("material_code").rows() == found.rows()
    # A key without opening stock has no days of supply.
    partial = days_of_supply(
        weeks.drop("opening"), opening.filter(pl.col("material_code") != "B"), ["material_code"]
    )
    assert partial.filter(pl.col("material_code") == "B")["days_of_supply"].to_list() == [None]


def test_lot_sizing_up_and_down() -> None:
    frame = pl.DataFrame(
        {
            "q": [0.0, 30.0, 130.0, 1.1, 250.0, 7.0],
            "moq": [100.0, 100.0, 100.0, None, 0.0, None],
            "multiple": [40.0, 40.0, 40.0, 0.1, None, None],
        },
        schema={"q": pl.Float64, "moq": pl.Float64, "multiple": pl.Float64},
    )
    up = frame.select(lot_sized(pl.col("q"), pl.col("moq"), pl.col("multiple")))
    # Nothing stays nothing; 30 is raised to the MOQ 100 then to 120; 130 to 160; 1.1 is
    # eleven lots of 0.1 already (not twelve, whatever the float quotient); no terms: as is.
    assert up.to_series().round(9).to_list() == [0.0, 120.0, 160.0, 1.1, 250.0, 7.0]
    down = frame.select(lot_sized_down(pl.col("q"), pl.col("moq"), pl.col("multiple")))
    # 130 down to 120; 30 is below the MOQ: nothing.
    assert down.to_series().round(9).to_list() == [0.0, 0.0, 120.0, 1.1, 250.0, 7.0]
