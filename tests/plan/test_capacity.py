"""The CX-0128 bottleneck rule on a worked example, and volatility alert thresholds."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from chainhub.plan.capacity import group_weeks, volatility
from chainhub.settings import Settings

MONDAY = date(2026, 1, 5)
JINLI, OEM = "jinli-motor", "haichuan"


def _week(n: int) -> date:
    return MONDAY + timedelta(weeks=n - 1)


GROUP_SCHEMA = {
    "supplier_id": pl.String(),
    "customer_id": pl.String(),
    "capacity_group_id": pl.String(),
    "name": pl.String(),
    "week_start": pl.Date(),
    "actual_capacity": pl.Float64(),
    "maximum_capacity": pl.Float64(),
    "agreed_capacity": pl.Float64(),
    "material_code": pl.String(),
    "load_factor": pl.Float64(),
}


def _groups() -> pl.DataFrame:
    head = (JINLI, OEM, "CG-1", "线1")
    rows = [
        (*head, _week(n), actual, maximum, None, None, None)
        for n, actual, maximum in ((1, 100.0, 150.0), (2, 100.0, 150.0), (3, 100.0, 150.0))
    ]
    # M004 takes one unit of capacity, M005 half a unit.
    rows += [
        (*head, None, None, None, None, "M004", 1.0),
        (*head, None, None, None, None, "M005", 0.5),
    ]
    return pl.DataFrame(rows, schema=GROUP_SCHEMA, orient="row")


def _demand(rows: list[tuple[str, int, float]], supplier: str = JINLI) -> pl.DataFrame:
    return pl.DataFrame(
        [(supplier, OEM, m, _week(n), q) for m, n, q in rows],
        schema={
            "supplier_id": pl.String,
            "customer_id": pl.String,
            "material_code": pl.String,
            "week_start": pl.Date,
            "quantity": pl.Float64,
        },
        orient="row",
    )


def test_bottleneck_colours_on_a_worked_example() -> None:
    demand = _demand(
        [
            # Week 1: 60 + 0.5 x 80 = 100, at actual: green.
            ("M004", 1, 60.0),
            ("M005", 1, 80.0),
            # Week 2: 100 + 0.5 x 100 = 150, above actual, at maximum: orange.
            ("M004", 2, 100.0),
            ("M005", 2, 100.0),
            # Week 3: 150 + 0.5 x 2 = 151, above maximum: red.
            ("M004", 3, 150.0),
            ("M005", 3, 2.0),
            # A material the group does not serve loads nothing.
            ("M009", 1, 1000.0),
        ]
    )
    # Another supplier's demand for the same material loads nothing either.
    other = _demand([("M004", 1, 500.0)], supplier="huayang-compressor")
    weeks = group_weeks(_groups(), pl.concat([demand, other]))
    assert weeks.select("week_start", "demand", "light").rows() == [
        (_week(1), 100.0, "green"),
        (_week(2), 150.0, "orange"),
        (_week(3), 151.0, "red"),
    ]


VERSION_SCHEMA = {
    "_doc_key": pl.String(),
    "customer_id": pl.String(),
    "supplier_id": pl.String(),
    "material_code": pl.String(),
    "_doc_version": pl.Int64(),
    "week_start": pl.Date(),
    "quantity": pl.Float64(),
}


def _versions(old: dict[int, float], new: dict[int, float]) -> pl.DataFrame:
    key = f"{OEM}|{JINLI}|M004|0001"
    rows = [(key, OEM, JINLI, "M004", 1, _week(n), q) for n, q in old.items()]
    rows += [(key, OEM, JINLI, "M004", 2, _week(n), q) for n, q in new.items()]
    return pl.DataFrame(rows, schema=VERSION_SCHEMA, orient="row")


def test_volatility_needs_both_thresholds_of_the_sub_horizon() -> None:
    absolute, relative = [50.0, 100.0, 200.0], [0.1, 0.2, 0.3]
    old = {1: 1000.0, 2: 100.0, 6: 1000.0, 14: 1000.0, 20: 1000.0}
    new = {
        1: 1060.0,  # +60: above 50 and +6 % < 10 %: no alert
        2: 160.0,  # +60 and +60 %: alert in weeks 1-4
        6: 1150.0,  # +150 and +15 % < 20 %: no alert
        14: 1250.0,  # +250 but +25 % < 30 %: no alert
        20: 600.0,  # -400 and -40 %: alert in weeks 14-26
    }
    moves = volatility(_versions(old, new), absolute=absolute, relative=relative)
    assert moves.select("sub_horizon", "week_start", "old", "new", "change").rows() == [
        (1, _week(2), 100.0, 160.0, 60.0),
        (3, _week(20), 1000.0, 600.0, -400.0),
    ]
    # Looser thresholds for weeks 14-26 silence the second one.
    quiet = volatility(_versions(old, new), absolute=absolute, relative=[0.1, 0.2, 0.5])
    assert quiet["sub_horizon"].to_list() == [1]


def test_a_week_dropped_or_new_counts_from_zero_and_one_version_raises_nothing() -> None:
    # The newer version starts in week 4: week 3 (900 before) is past and not compared; week 5
    # fell from 500 to nothing, week 4 rose from nothing to 80; the larger move is reported.
    moves = volatility(
        _versions({3: 900.0, 5: 500.0}, {4: 80.0}),
        absolute=[50.0, 50.0, 50.0],
        relative=[0.1, 0.1, 0.1],
    )
    assert moves.select("sub_horizon", "week_start", "change").rows() == [(1, _week(5), -500.0)]
    first_only = _versions({}, {1: 900.0})
    assert volatility(first_only, absolute=[0.0] * 3, relative=[0.0] * 3).is_empty()


def test_thresholds_are_settings_of_three_numbers() -> None:
    settings = Settings(plan_volatility_absolute="10,20,30", plan_volatility_relative="0,0.5,1")
    assert settings.plan_volatility_absolute == [10.0, 20.0, 30.0]
    assert settings.plan_volatility_relative == [0.0, 0.5, 1.0]
