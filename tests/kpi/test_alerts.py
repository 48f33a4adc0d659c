"""The overview's stockout alert looks as far ahead as an order placed now takes to arrive (its
lead time) plus a review period, worked out by hand on the seeded hub (tests/api/hub.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chainhub.kpi.alerts import DEFAULT_LEAD_DAYS, REVIEW_DAYS, access_alerts
from chainhub.kpi.schemas import StockoutRisk
from tests.api.hub import DOCUMENTS, HUAYANG, JINLI, OEM, Hub, running_hub
from tests.kpi.conftest import principal


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        yield seeded


def _risks(hub: Hub, who: str) -> list[StockoutRisk]:
    with hub.engine.connect() as conn:
        found = access_alerts(conn=conn, principal=principal(who), today=datetime.now(UTC).date())
    assert (found.review_days, found.default_lead_days) == (REVIEW_DAYS, DEFAULT_LEAD_DAYS)
    return found.stockout


def _row(risk: StockoutRisk) -> tuple[object, ...]:
    return (
        risk.material_code, risk.as_of, risk.on_hand, risk.inbound, risk.demand, risk.projected,
        risk.lead_days, risk.lead_source, risk.horizon_days, risk.stockout_date,
    )  # fmt: skip


def test_the_stockout_horizon_is_each_materials_lead_time_plus_a_review(hub: Hub) -> None:
    """Seeded: the OEM's latest count (11 Mar) holds 320 M001 and 8,000 M009; 900 M001 are on
    open orders due 20 Mar; its forecast wants 1,200 M001 in the week of 6 Apr and 1,300 in the
    week of 13 Apr, 600 M004 and 20,000 M009 in the week of 6 Apr. Jinli's M004 ordered 1 Mar
    arrived 8 Mar (200 of 300: 100 still due 20 Mar).

    Added: huayang's M001 of an order of 1 Mar arrives 29 Mar, and the OEM counts 50 M004 on
    30 Mar. Then, with a week's review:
    - M004: lead 7 days observed, horizon 14 (to 12 Apr); 50 + 100 in, 600 out from 6 Apr at
      85.71 a day: 64.29 left on 6 Apr, short on 7 Apr; -450 at the horizon.
    - M009: never received, no master lead time: 35 + 7 = 42 days (to 21 Apr); 8,000 less
      2,857.14 a day from 6 Apr runs out on 8 Apr; -12,000.
    - M001: lead 28 days (huayang's; taihe has delivered nothing), horizon 35 (to 14 Apr);
      320 + 900 less 1,200 leaves 20 on 12 Apr, and 185.71 a day from 13 Apr runs out that
      day; 1,200 + 1,300 x 2/7 = 1,571.43 wanted, -351.43 at the horizon.
    The soonest first. Before, a fixed 42 days flagged M004 from the 11 Mar count as well."""
    receipt = copy.deepcopy(DOCUMENTS["GR-HC-JL-1"][2])
    receipt.update(receipt_number="GR-HC-HY-2", supplier_id=HUAYANG, receipt_date="2026-03-29")
    receipt["lines"][0].update(po_number="PO-HC-HY-2", material_code="M001", lot_number="HY1",
                               received_quantity="250", accepted_quantity="250",
                               rejected_quantity="0")  # fmt: skip
    count = copy.deepcopy(DOCUMENTS["INV-HC-0311"][2])
    count.update(snapshot_date="2026-03-30")
    count["lines"] = [{**count["lines"][1], "lot_number": "L-M004-C", "quantity_on_hand": "50"}]
    for document_type, document in (("goods_receipt", receipt), ("inventory_snapshot", count)):
        assert hub.submit(OEM, document_type, document).status_code == 201
    m004 = ("M004", date(2026, 3, 30), Decimal(50), Decimal(100), Decimal(600), Decimal(-450),
            7.0, "observed", 14, date(2026, 4, 7))  # fmt: skip
    m009 = ("M009", date(2026, 3, 11), Decimal(8000), Decimal(0), Decimal(20000),
            Decimal(-12000), 35.0, "default", 42, date(2026, 4, 8))  # fmt: skip
    m001 = ("M001", date(2026, 3, 11), Decimal(320), Decimal(900), Decimal("1571.43"),
            Decimal("-351.43"), 28.0, "observed", 35, date(2026, 4, 13))  # fmt: skip
    assert [_row(r) for r in _risks(hub, OEM)] == [m004, m009, m001]
    assert {r.partner_id for r in _risks(hub, OEM)} == {OEM}
    # Jinli sees the OEM's M004 under its VMI agreement, from the same documents.
    assert [_row(r) for r in _risks(hub, JINLI)] == [m004]
    # A lead time in the material master stands in for receipts: 24 + 7 days to 10 Apr, so
    # 5 of the week's 7 days of M009 demand.
    material = {"material_code": "M009", "name_zh": "M009", "name_en": "M009",
                "category": "packaging", "base_unit": "H87", "lead_time_days": 24}  # fmt: skip
    assert hub.submit(OEM, "material", material).status_code == 201
    m009 = ("M009", date(2026, 3, 11), Decimal(8000), Decimal(0), Decimal("14285.71"),
            Decimal("-6285.71"), 24.0, "master", 31, date(2026, 4, 8))  # fmt: skip
    assert [_row(r) for r in _risks(hub, OEM)] == [m004, m009, m001]
