"""DDMRP buffers on a hand-worked example.

The formulas are Ptak and Smith's (Demand Driven Material Requirements Planning, the buffer
zone chapter): yellow = ADU x DLT; red = ADU x DLT x LTF x (1 + VF); green = max(MOQ,
ADU x order cycle, ADU x DLT x LTF); net flow = on hand + on order - qualified demand; order
when net flow <= top of yellow, up to the top of green. The numbers are our own, worked by hand:
ADU 20/day, DLT 10 days, LTF 0.5, VF 0.5, MOQ 120, order cycle 4 days gives yellow 200, red base
100 + red safety 50 = red 150, green max(120, 80, 100) = 120: TOR 150, TOY 350, TOG 470.
"""

from __future__ import annotations

import polars as pl
import pytest

from chainhub.plan.ddmrp import buffer_profile, net_flow, qualified_demand, zones

KEYS = ["material_code", "site_id"]


def _buffers(on_hand: list[float], on_order: list[float]) -> pl.DataFrame:
    n = len(on_hand)
    return pl.DataFrame(
        {
            "material_code": [f"M{i}" for i in range(n)],
            "site_id": ["S1"] * n,
            "adu": [20.0] * n,
            "dlt": [10.0] * n,
            "ltf": [0.5] * n,
            "vf": [0.5] * n,
            "moq": [120.0] * n,
            "order_cycle": [4.0] * n,
            "sigma_day": [5.0] * n,
            "on_hand": on_hand,
            "on_order": on_order,
            "order_multiple": [None] * n,
        },
        schema_overrides={"order_multiple": pl.Float64},
    )


def test_zones_follow_the_formulas() -> None:
    found = zones(_buffers([0.0], [0.0])).row(0, named=True)
    assert {k: found[k] for k in ("red", "yellow", "green", "tor", "toy", "tog")} == {
        "red": 150.0,
        "yellow": 200.0,
        "green": 120.0,
        "tor": 150.0,
        "toy": 350.0,
        "tog": 470.0,
    }


def test_qualified_demand_counts_what_is_due_now_and_spikes_within_the_lead_time() -> None:
    # Horizon: week 1 plus ceil(10 / 7) = 2 weeks. Normal use is 7 x 20 = 140 a week; a spike
    # is more than half the red zone (75) above it. Week 1: 60 is due now; week 2: 240 is 100
    # above normal, a spike; week 3: 200 is only 60 above; week 4's 1000 is past the horizon.
    zoned = zones(_buffers([180.0], [100.0]))
    weeks = pl.DataFrame(
        {
            "material_code": ["M0"] * 4,
            "site_id": ["S1"] * 4,
            "week_no": [1, 2, 3, 4],
            "demand": [60.0, 240.0, 200.0, 1000.0],
        }
    )
    qualified = qualified_demand(zoned, weeks, KEYS)
    assert qualified["qualified"].to_list() == [300.0]
    # Net flow 180 + 100 - 300 = -20, in the red: order 470 - (-20) = 490.
    found = net_flow(zoned.join(qualified, on=KEYS)).row(0, named=True)
    assert (found["nfp"], found["zone"], found["recommended"]) == (-20.0, "red", 490.0)
    assert found["priority"] == pytest.approx(-20 / 470)


def test_net_flow_zones_and_the_minimum_order() -> None:
    zoned = zones(_buffers([300.0, 400.0, 500.0, 350.0], [0.0, 0.0, 0.0, 0.0]))
    found = net_flow(zoned.with_columns(qualified=pl.lit(0.0)))
    # 300: yellow, 470 - 300 = 170 (above the MOQ); 350: at the top of yellow, 120 is the MOQ;
    # 400 green and 500 over call for nothing.
    assert found.select("zone", "recommended").rows() == [
        ("yellow", 170.0),
        ("green", 0.0),
        ("over", 0.0),
        ("yellow", 120.0),
    ]


def test_the_order_is_raised_to_whole_order_multiples() -> None:
    zoned = zones(_buffers([300.0, 350.0], [0.0, 0.0]).with_columns(order_multiple=pl.lit(50.0)))
    found = net_flow(zoned.with_columns(qualified=pl.lit(0.0)))
    # 170 short: up to 200, four lots of 50; 120 short is the MOQ, up to 150, three lots.
    assert found["recommended"].to_list() == [200.0, 150.0]


def test_buffer_profile_from_lead_time_and_variability() -> None:
    items = pl.DataFrame(
        {
            "dlt": [5.0, 20.0, 40.0, 5.0],
            "adu": [10.0, 10.0, 10.0, 0.0],
            "sigma_day": [3.0, 8.0, 15.0, 1.0],
            "ltf": [None, None, None, 0.9],
        },
        schema={"dlt": pl.Float64, "adu": pl.Float64, "sigma_day": pl.Float64, "ltf": pl.Float64},
    )
    found = buffer_profile(items)
    # Short, medium, long lead times; CV 0.3 low, 0.8 medium, 1.5 high; a given factor stays.
    assert found["ltf"].to_list() == [0.8, 0.5, 0.3, 0.9]
    assert found["vf"].to_list() == [0.2, 0.5, 0.8, 0.2]
