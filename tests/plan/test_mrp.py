"""Time-phased MRP on a small hand-worked BOM: two levels, lead-time offsets, netting."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from chainhub.errors import ChainhubError
from chainhub.plan.mrp import run_mrp, supplier_demand, to_weeks, week_grid

FIRST = date(2026, 1, 5)  # a Monday
GRID = week_grid(FIRST, 6)
HUAYANG, JINLI, TAIHE = "huayang-compressor", "jinli-motor", "taihe-kessler"


def _frame(rows: list[tuple[object, ...]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _bom(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    return _frame(
        [(p, c, q, 1.0, 0.0) for p, c, q in rows],
        {
            "parent_code": pl.String(),
            "component_code": pl.String(),
            "quantity_per": pl.Float64(),
            "base_quantity": pl.Float64(),
            "scrap_rate": pl.Float64(),
        },
    )


WEEKLY = {"material_code": pl.String(), "week_no": pl.Int32(), "quantity": pl.Float64()}
# P100 (made, 7 days = 1 week) takes 1 M001 and 2 SA1; SA1 (made, 14 days = 2 weeks) takes
# 3 M004; M001 and M004 are bought. Independent demand for P100: week 3 100, week 4 50, week 5 80.
BOM = _bom([("P100", "M001", 1.0), ("P100", "SA1", 2.0), ("SA1", "M004", 3.0)])
LEAD = _frame([("P100", 1), ("SA1", 2)], {"material_code": pl.String(), "lead_weeks": pl.Int32()})
INDEPENDENT = _frame([("P100", 3, 100.0), ("P100", 4, 50.0), ("P100", 5, 80.0)], WEEKLY)
STOCK = _frame(
    [("P100", 30.0), ("SA1", 20.0), ("M004", 100.0)],
    {"material_code": pl.String(), "on_hand": pl.Float64()},
)
# Open orders: 40 M001 due in week 2 from huayang, 150 M004 due in week 1 from jinli.
ORDERS = _frame(
    [(HUAYANG, "M001", 2, 40.0), (JINLI, "M004", 1, 150.0)],
    {"supplier_id": pl.String(), **WEEKLY},
)
QUOTAS = _frame(
    [(HUAYANG, "M001", 1.0), (JINLI, "M004", 1.0)],
    {"supplier_id": pl.String(), "material_code": pl.String(), "share": pl.Float64()},
)


def _plan() -> pl.DataFrame:
    return run_mrp(
        grid=GRID,
        independent=INDEPENDENT,
        bom=BOM,
        stock=STOCK,
        receipts=ORDERS.drop("supplier_id"),
        lead=LEAD,
    )


def _column(plan: pl.DataFrame, material: str, name: str) -> list[float]:
    return plan.filter(pl.col("material_code") == material).sort("week_no")[name].to_list()


def test_two_level_explosion_with_offsets_and_netting() -> None:
    plan = _plan()
    levels = dict(plan.select("material_code", "level").unique().iter_rows())
    assert levels == {"P100": 0, "M001": 1, "SA1": 1, "M004": 2}
    # P100: cumulative need 0, 0, 100, 150, 230 less 30 in stock: short 70, 120, 200, so
    # receipts 70 (w3), 50 (w4), 80 (w5), released a week earlier (w2, w3, w4).
    assert _column(plan, "P100", "planned") == [0, 0, 70, 50, 80, 0]
    assert _column(plan, "P100", "projected") == [30, 30, 0, 0, 0, 0]
    # SA1: 2 per P100 at its release weeks: 140 (w2), 100 (w3), 160 (w4); less 20 in stock:
    # receipts 120, 100, 160 in w2-w4, released two weeks earlier: w0 and w1 are late so
    # week 1 gets 120 + 100 = 220, week 2 gets 160.
    assert _column(plan, "SA1", "gross") == [0, 140, 100, 160, 0, 0]
    assert _column(plan, "SA1", "planned") == [0, 120, 100, 160, 0, 0]
    assert _column(plan, "SA1", "release_week")[:4] == [1, 1, 1, 2]
    # M004: 3 per SA1 released: 660 (w1), 480 (w2); 100 in stock and 150 due in week 1:
    # 660 - 250 = 410 in week 1, then 480.
    assert _column(plan, "M004", "gross") == [660, 480, 0, 0, 0, 0]
    assert _column(plan, "M004", "planned") == [410, 480, 0, 0, 0, 0]
    # M001: 1 per P100 released: 70 (w2), 50 (w3), 80 (w4); 40 due in week 2: 30, 50, 80.
    assert _column(plan, "M001", "planned") == [0, 30, 50, 80, 0, 0]
    made = dict(plan.select("material_code", "made").unique().iter_rows())
    assert made == {"P100": True, "SA1": True, "M001": False, "M004": False}


def test_each_supplier_gets_its_open_orders_and_its_share_of_the_planned() -> None:
    demand = supplier_demand(plan=_plan(), receipts=ORDERS, quotas=QUOTAS)
    by = {
        (s, m): d.sort("week_no")["quantity"].to_list()
        for (s, m), d in demand.group_by("supplier_id", "material_code")
    }
    # huayang: 40 firm + 30 planned in week 2, then 50 and 80.
    assert by[(HUAYANG, "M001")] == [0, 70, 50, 80, 0, 0]
    # jinli: 150 firm + 410 planned in week 1, then 480.
    assert by[(JINLI, "M004")] == [560, 480, 0, 0, 0, 0]
    assert set(by) == {(HUAYANG, "M001"), (JINLI, "M004")}


def test_a_material_from_two_suppliers_is_split_by_their_quotas() -> None:
    quotas = pl.concat(
        [
            QUOTAS.filter(pl.col("material_code") == "M004"),
            _frame(
                [(HUAYANG, "M001", 0.75), (TAIHE, "M001", 0.25)],
                {"supplier_id": pl.String(), "material_code": pl.String(), "share": pl.Float64()},
            ),
        ]
    )
    demand = supplier_demand(plan=_plan(), receipts=ORDERS, quotas=quotas)
    taihe = demand.filter(pl.col("supplier_id") == TAIHE).sort("week_no")
    # A quarter of M001's planned 30, 50, 80; no open order with taihe.
    assert taihe["quantity"].to_list() == [0, 7.5, 12.5, 20, 0, 0]
    huayang = demand.filter(pl.col("supplier_id") == HUAYANG).sort("week_no")
    assert huayang["quantity"].to_list() == [0, 40 + 22.5, 37.5, 60, 0, 0]


def test_a_bom_cycle_is_a_clear_error() -> None:
    cyclic = _bom([("P100", "SA1", 1.0), ("SA1", "SA2", 1.0), ("SA2", "SA1", 1.0)])
    with pytest.raises(ChainhubError) as caught:
        run_mrp(
            grid=GRID,
            independent=INDEPENDENT,
            bom=cyclic,
            stock=STOCK,
            receipts=ORDERS.drop("supplier_id"),
            lead=LEAD,
        )
    assert caught.value.code == "bom_cycle"
    assert "SA1" in caught.value.message_en and "SA2" in caught.value.message_en


def test_days_fall_into_their_iso_weeks() -> None:
    days = _frame(
        [
            ("M1", date(2026, 1, 4), 1.0),
            ("M1", date(2026, 1, 11), 2.0),
            ("M1", date(2026, 1, 12), 4.0),
        ],
        {"material_code": pl.String(), "day": pl.Date(), "quantity": pl.Float64()},
    )
    # Sunday 4 Jan is before the first week: dropped for a forecast, week 1 for an order due.
    kept = to_weeks(days, GRID, clamp_early=False).sort("week_no")
    assert kept.select("week_no", "quantity").rows() == [(1, 2.0), (2, 4.0)]
    clamped = to_weeks(days, GRID, clamp_early=True).sort("week_no")
    assert clamped.select("week_no", "quantity").rows() == [(1, 3.0), (2, 4.0)]
