"""A run on weekly sales orders, stored and read back under the visibility rule, both backends."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainhub.forecast.partner import PARTNER
from chainhub.forecast.pooled import GLOBAL
from chainhub.forecast.schemas import ForecastParameters
from chainhub.forecast.service import (
    access_run,
    access_value_added,
    do_run_forecast,
    list_visible_run_months,
)
from chainhub.partners.agreements import do_accept_agreement, do_propose_agreement
from chainhub.partners.schemas import AgreementCreate, ScopeKind
from tests.intake.conftest import registered
from tests.kpi.conftest import OEM, TODAY, principal, submit

__all__ = ["registered"]

HUADONG = "huadong-trading"
JINLI = "jinli-motor"
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


def _issued(number: str, made: date, weeks: range, offset: float) -> list[dict[str, object]]:
    """A forecast of M001 by the OEM, one flat row per week."""
    return [
        {
            "forecast_id": number,
            "issuer_id": OEM,
            "site_id": "haichuan-foshan",
            "forecast_date": str(made),
            "bucket": "week",
            "material_code": "M001",
            "period_start": str(FIRST_MONDAY + timedelta(weeks=week)),
            "quantity": str(10 + week + offset),
            "unit": "H87",
        }
        for week in weeks
    ]


def test_a_run_stores_the_value_added_over_the_partners_own_forecast(
    registered: sa.Engine, tmp_path: Path
) -> None:
    submit(registered, tmp_path, "sales_order", _orders(20), by=OEM)
    # Issued the Friday before the first origin (weeks 16 and 18 of 20, windows of 2): right on
    # the demand. Its revision, made after the second origin, and a forecast made on the second
    # origin's Monday are known at neither origin, however wrong they are.
    friday = FIRST_MONDAY + timedelta(weeks=15, days=4)
    for record in (
        _issued("FC-1", friday, range(16, 18), 0.0),
        _issued("FC-1", FIRST_MONDAY + timedelta(weeks=18, days=2), range(16, 20), 50.0),
        _issued("FC-2", FIRST_MONDAY + timedelta(weeks=18), range(18, 20), 50.0),
    ):
        submit(registered, tmp_path, "demand_forecast", record, by=OEM)
    parameters = ForecastParameters(horizon=2, windows=2, season=52)
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    with registered.connect() as conn:
        oem = access_value_added(conn=conn, principal=principal(OEM), today=TODAY)
        own = access_value_added(conn=conn, principal=principal(HUADONG), today=TODAY, version=1)
        supplier = access_value_added(conn=conn, principal=principal("jinli-motor"), today=TODAY)
    assert run.series[0].customer_id == HUADONG
    [found] = oem
    # The seller's forecast, all of it this customer's: scored on the first window only.
    assert (found.issuer_id, found.allocated, found.share) == (OEM, True, 1.0)
    assert (found.status, found.points) == ("scored", 2)
    assert found.partner is not None and (found.partner.mase, found.partner.wmape) == (0.0, 0.0)
    # The hub's forecast of a straight line is as good: a tie, so the hub adds nothing.
    assert (found.best, found.hub_beats_partner, found.hub.mase) == ("partner", False, 0.0)
    # Over naive the hub is judged on both windows, as stored and read back: the last value
    # misses a straight line by one step, then two (MASE 1.5).
    assert found.hub_all is not None and found.naive_all is not None
    assert (found.hub_all.mase, found.naive_all.mase, found.hub_beats_naive) == (0.0, 1.5, True)
    assert own == oem and supplier == []


def test_a_run_with_the_calendar_backtests_autoarima_with_its_events(
    registered: sa.Engine, tmp_path: Path
) -> None:
    # Twenty weeks from March 2025: 618 falls inside the history, so its columns have data.
    submit(registered, tmp_path, "sales_order", _orders(20), by=OEM)
    parameters = ForecastParameters(horizon=4, windows=2, season=52, calendar=True)
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    with registered.connect() as conn:
        stored = access_run(conn=conn, principal=principal(None), today=TODAY)
    assert stored.parameters.calendar is True
    scores = run.series[0].scores
    assert set(scores) == {
        "AutoETS",
        "AutoTheta",
        "AutoARIMA",
        "SeasonalNaive",
        "Combined",
        "AutoARIMA-X",
        GLOBAL,
    }
    assert scores["AutoARIMA-X"]["mase"] is not None


def _sales(customer: str, material: str, weeks: int, base: int) -> list[dict[str, object]]:
    return [
        {
            "so_number": f"SO-{customer}-{material}-{week}",
            "seller_id": OEM,
            "customer_id": customer,
            "order_date": str(FIRST_MONDAY + timedelta(weeks=week)),
            "line_no": 10,
            "material_code": material,
            "quantity": str(base + week % 3),
            "unit": "H87",
            "requested_date": str(FIRST_MONDAY + timedelta(weeks=week, days=2)),
        }
        for week in range(weeks)
    ]


def test_the_hierarchy_adds_up_and_a_partner_sees_no_one_elses_rows(
    registered: sa.Engine, tmp_path: Path
) -> None:
    # huadong buys M001 and M002, jinli-motor (also a supplier) M001; both are "component".
    orders = _sales(HUADONG, "M001", 8, 10) + _sales(HUADONG, "M002", 8, 40)
    submit(registered, tmp_path, "sales_order", orders + _sales(JINLI, "M001", 8, 5), by=OEM)
    parameters = ForecastParameters(horizon=2, windows=2, season=52)
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    quantity = {(n.level, n.material_code, n.customer_id): n.points[0].quantity for n in run.nodes}
    assert quantity[("material", "M001", None)] == pytest.approx(
        quantity[("customer", "M001", HUADONG)] + quantity[("customer", "M001", JINLI)]
    )
    assert quantity[("family", None, None)] == pytest.approx(
        quantity[("material", "M001", None)] + quantity[("material", "M002", None)]
    )
    assert [(s.level, s.nodes, s.windows) for s in run.levels] == [
        ("family", 1, 2),
        ("material", 2, 2),
        ("customer", 3, 2),
    ]

    def seen(partner: str) -> tuple[list[tuple[str, str | None, str | None]], int]:
        with registered.connect() as conn:
            read = access_run(conn=conn, principal=principal(partner), today=TODAY)
        return [(n.level, n.material_code, n.customer_id) for n in read.nodes], len(read.levels)

    assert seen(OEM) == ([(n.level, n.material_code, n.customer_id) for n in run.nodes], 3)
    # A customer sees its own rows, never a total that holds another customer's.
    assert seen(JINLI) == ([("customer", "M001", JINLI)], 0)
    # huadong is M002's only customer: M002's total is its own demand, so it sees it.
    assert seen(HUADONG) == (
        [("material", "M002", None), ("customer", "M001", HUADONG), ("customer", "M002", HUADONG)],
        0,
    )
    # Shared M001's sales, jinli sees M001's customers and total, not the family (M002 in it).
    proposal = AgreementCreate(
        grantor_id=OEM,
        grantee_id=JINLI,
        document_types=["sales_order"],
        scope_kind=ScopeKind.MATERIALS,
        scope_values=["M001"],
        purpose="plan the motors that go into M001",
        valid_from=date(2025, 1, 1),
    )
    with registered.begin() as conn:
        agreement = do_propose_agreement(conn=conn, principal=principal(OEM), proposal=proposal)
        do_accept_agreement(
            conn=conn, principal=principal(JINLI), agreement_id=agreement.agreement_id
        )
    assert seen(JINLI) == (
        [("material", "M001", None), ("customer", "M001", HUADONG), ("customer", "M001", JINLI)],
        0,
    )


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
    assert all(p.lo is not None for p in series.points)
    # Intermittent: ranked by RMSSE (the chosen method's is the lowest), and the note says so.
    assert series.notes == [
        "intermittent demand: candidates ranked by RMSSE, not MASE, which favours forecasting zero"
    ]
    chosen = series.scores[series.method]["rmsse"]
    assert chosen is not None and chosen == min(
        s["rmsse"] or math.inf for s in series.scores.values()
    )
    # Its value added is judged by RMSSE too, as stored and read back.
    with registered.connect() as conn:
        [added] = access_value_added(conn=conn, principal=principal(OEM), today=TODAY)
    assert (added.measure, added.demand_class) == ("rmsse", "intermittent")
    assert added.hub_all is not None and added.naive_all is not None
    assert added.hub_all.rmsse == pytest.approx(chosen)
    assert added.naive_all.rmsse is not None
    assert added.hub_beats_naive == (added.hub_all.rmsse < added.naive_all.rmsse)


def test_a_partner_forecast_that_knows_the_season_is_the_runs_choice(
    registered: sa.Engine, tmp_path: Path
) -> None:
    # Flat at 10 for sixteen weeks, then the season lifts demand to 40: no history foretells it,
    # but the OEM's forecasts, each issued the Friday before the weeks it covers, do.
    orders = _orders(20)
    for week, order in enumerate(orders):
        order["quantity"] = "10" if week < 16 else "40"
    submit(registered, tmp_path, "sales_order", orders, by=OEM)
    for k, first in enumerate((16, 18, 20)):
        friday = FIRST_MONDAY + timedelta(weeks=first - 1, days=4)
        lines = _issued(f"FC-{k}", friday, range(first, first + 2), 0.0)
        for line in lines:
            line["quantity"] = "40"
        submit(registered, tmp_path, "demand_forecast", lines, by=OEM)
    parameters = ForecastParameters(horizon=2, windows=2, season=52)
    with registered.begin() as conn:
        run = do_run_forecast(
            conn=conn, principal=principal(None), today=TODAY, parameters=parameters
        )
    with registered.connect() as conn:
        [added] = access_value_added(conn=conn, principal=principal(OEM), today=TODAY)
    [series] = run.series
    assert series.method == PARTNER
    assert series.scores[PARTNER]["mase"] == 0.0
    assert [p.quantity for p in series.points] == [40.0, 40.0]
    # Over naive it is judged on both windows; beside the partner it ties, so adds nothing.
    assert (added.hub_beats_naive, added.hub_beats_partner, added.best) == (True, False, "partner")
