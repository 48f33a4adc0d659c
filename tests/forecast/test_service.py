"""A run on weekly sales orders, stored and read back under the visibility rule, both backends."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainhub.forecast.schemas import ForecastParameters
from chainhub.forecast.service import access_run, do_run_forecast, list_visible_run_months
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
