"""Drill-down: the facts behind a partner's KPI value in a month are the rows it was computed
from, listed from what the caller may see."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from chainhub.errors import ChainhubError
from chainhub.kpi.service import access_kpi_rows, access_kpi_values
from tests.kpi.conftest import DONGFANG, JINLI, OEM, TODAY, principal

JULY = date(2025, 7, 15)


def _rows(engine: sa.Engine, kpi_id: str, caller: str | None, partner: str) -> list[dict]:
    with engine.connect() as conn:
        found = access_kpi_rows(
            conn=conn, principal=principal(caller), today=TODAY, kpi_id=kpi_id,
            partner_id=partner, month=JULY,
        )  # fmt: skip
    assert found.month == date(2025, 7, 1) and not found.truncated
    return [dict(zip(found.columns, row, strict=True)) for row in found.rows]


def test_otif_rows_are_the_order_lines_behind_the_value(chain: sa.Engine) -> None:
    rows = _rows(chain, "otif", OEM, JINLI)
    # PO2/20 the buyer cancelled unconfirmed: not a fact of the KPI.
    assert sorted((r["po_number"], r["line_no"]) for r in rows) == [
        ("PO1", 10), ("PO1", 20), ("PO2", 10),
    ]  # fmt: skip
    hits = sum(r["in_full"] and r["on_time"] for r in rows)
    with chain.connect() as conn:
        value = access_kpi_values(
            conn=conn, principal=principal(OEM), today=TODAY, kpi_id="otif", partner_id=JINLI,
            start=date(2025, 7, 1), end=date(2025, 7, 31),
        ).values[0].value  # fmt: skip
    assert value == round(hits / len(rows) * 100, 4)
    assert {r["day"] for r in rows} <= {"2025-07-10", "2025-07-15"}


def test_a_caller_lists_only_facts_of_documents_it_may_see(chain: sa.Engine) -> None:
    # dongfang-steel sees no line of haichuan's orders to jinli-motor.
    assert _rows(chain, "otif", DONGFANG, JINLI) == []
    lead = _rows(chain, "supplier_lead_time", DONGFANG, DONGFANG)
    assert sorted(r["receipt_number"] for r in lead) == ["GJ1", "GR4"]


def test_a_kpi_of_daily_stock_has_no_rows_to_list(chain: sa.Engine) -> None:
    with pytest.raises(ChainhubError) as refused:
        _rows(chain, "inventory_turnover_days", OEM, JINLI)
    assert refused.value.code == "kpi_rows_unavailable" and refused.value.status == 404
