"""A run on weekly sales orders, stored and read back under the visibility rule, both backends."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainhub.forecast.schemas import ForecastParameters
from chainhub.forecast.service import access_run, do_run_forecast, list_visible_run_months
from tests.intake.conftest import registered
from tests.kpi.conftest import OEM, TODAY, principal, submit

__all__ = ["registered"]

HUADONG = "huadong-trading"
FIRST_MONDAY = date(2025, 3, 3)


def _orders(weeks: int) -> list[dict[str, object]]:
    return [
        {
            "so_number": f"SO-{week}",
            "seller_id": OEM,
            "customer_id": HUADONG,
            "order_date": str(FIRST_MONDAY + timedelta(weeks=week)),
            "line_no": 10,
            "material_code": "M001",
            "quantity": str(10 + week),
            "unit": "H87",
            "requested_date": str(FIRST_MONDAY + timedelta(weeks=week, days=2)),
        }
        for week in range(weeks)
    ]


def test_a_run_is_stored_and_each_partner_sees_only_its_demand(
    registered: sa.Engine, tmp_path: Path
) -> None:
    submit(registered, tmp_path, "sales_order", _orders(20), by=OEM)
    parameters = ForecastParameters(horizon=4, windows=2, season=52)
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    assert (run.version, run.series_count) == (1, 1)
    series = run.series[0]
    assert (series.material_code, series.customer_id) == ("M001", HUADONG)
    assert [p.period_start for p in series.points][0] == FIRST_MONDAY + timedelta(weeks=20)
    assert any("two seasons (104 points)" in note for note in series.notes) or series.notes == []
    with registered.connect() as conn:
        seen = access_run(conn=conn, principal=principal(HUADONG), today=TODAY)
        supplier = access_run(conn=conn, principal=principal("jinli-motor"), today=TODAY)
    assert [s.material_code for s in seen.series] == ["M001"]
    assert seen.series[0].points == series.points
    assert supplier.series == []


def test_the_latest_run_per_month_of_a_material_and_of_its_components(
    registered: sa.Engine, tmp_path: Path
) -> None:
    submit(registered, tmp_path, "sales_order", _orders(20), by=OEM)
    # Each M001 the OEM sells takes 2 of M002 and 5 % more for scrap.
    bom = {
        "owner_id": OEM,
        "parent_code": "M001",
        "base_quantity": 1,
        "valid_from": "2025-01-01",
        "line_no": 10,
        "component_code": "M002",
        "quantity_per": 2,
        "component_unit": "H87",
        "scrap_rate": "0.05",
    }
    submit(registered, tmp_path, "bom", [bom], by=OEM)
    parameters = ForecastParameters(horizon=6, windows=2, season=52)
    with registered.connect() as conn:
        assert list_visible_run_months(
            conn=conn, principal=principal(None), today=TODAY, material_code="M001"
        ) == (None, {})
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    expected: dict[date, float] = {}
    for point in run.series[0].points:
        month = point.period_start.replace(day=1)
        expected[month] = expected.get(month, 0.0) + point.quantity
    with registered.connect() as conn:
        own = list_visible_run_months(
            conn=conn, principal=principal(HUADONG), today=TODAY, material_code="M001"
        )
        parts = list_visible_run_months(
            conn=conn, principal=principal(None), today=TODAY, material_code="M002"
        )
        supplier = list_visible_run_months(
            conn=conn, principal=principal("jinli-motor"), today=TODAY, material_code="M001"
        )
    assert own[0] == 1 and own[1] == pytest.approx(expected)
    assert parts[1] == pytest.approx({m: q * 2.1 for m, q in expected.items()})
    assert supplier == (1, {})


def test_a_daily_run_takes_the_batch_path(registered: sa.Engine, tmp_path: Path) -> None:
    submit(registered, tmp_path, "sales_order", _orders(20), by=OEM)
    # One order a week: 134 days with demand on one in seven, intermittent.
    parameters = ForecastParameters(bucket="day", horizon=7, windows=2, season=7)
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    series = run.series[0]
    last = FIRST_MONDAY + timedelta(weeks=19, days=2)
    assert [p.period_start for p in series.points] == [
        last + timedelta(days=k) for k in range(1, 8)
    ]
    assert set(series.scores) == {"CrostonClassic", "ADIDA", "IMAPA", "TSB"}
    assert series.method == series.fitted and series.method in series.scores
    assert series.notes == [] and all(p.lo is not None for p in series.points)
