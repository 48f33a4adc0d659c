"""The intake tests' registered chain, and a small hand-written chain the KPI tests compute on.

haichuan (the chain leader) buys M001 (1,000 yuan) and M002 (2 yuan) from jinli-motor and M002
from dongfang-steel; jinli-motor buys M002 from dongfang-steel too. Every document goes in
through the one write path, sent by the partner whose ERP it comes from.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import pytest
import sqlalchemy as sa

from chainhub.access.schemas import Principal, Role
from chainhub.intake.schemas import SourceFormat, standard_profile
from chainhub.intake.service import do_submit
from tests.intake.conftest import registered, with_crosswalk
from tests.support import ingest_records, submitter

__all__ = ["registered", "with_crosswalk"]

OEM: Final = "haichuan"
JINLI: Final = "jinli-motor"
DONGFANG: Final = "dongfang-steel"
TODAY: Final = date(2025, 9, 1)


def principal(partner_id: str | None) -> Principal:
    """A caller: the hub admin (None), the chain leader, or another partner's admin."""
    if partner_id is None:
        return Principal(token_id="t", partner_id=None, role=Role.HUB_ADMIN)
    return Principal(
        token_id="t", partner_id=partner_id, role=Role.PARTNER_ADMIN, chain_leader=partner_id == OEM
    )


def submit(
    engine: sa.Engine,
    tmp_path: Path,
    document_type: str,
    records: list[dict[str, Any]],
    *,
    by: str,
    at: datetime | None = None,
) -> None:
    """Submit standard-form records through the intake path, arriving at `at`."""
    path = tmp_path / f"{document_type}-{by}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    profile = standard_profile(
        partner_id=by,
        document_type=document_type,
        columns=records[0].keys(),
        source=SourceFormat(format="json"),
    )
    with engine.begin() as conn:
        result = do_submit(
            conn=conn, path=path, profile=profile, submitter=submitter(by), received_at=at
        )
    assert result.status == "stored", result.validation and result.validation.errors


def po_line(
    number: str,
    line: int,
    material: str,
    quantity: int,
    *,
    supplier: str = JINLI,
    buyer: str = OEM,
    ordered: str = "2025-07-01",
    requested: str,
    confirmed: str | None,
    status: str,
) -> dict[str, Any]:
    """One purchase-order line in the standard's flat form."""
    return {
        "po_number": number,
        "revision": 0,
        "buyer_id": buyer,
        "supplier_id": supplier,
        "ship_to_site": "haichuan-foshan" if buyer == OEM else "jinli-ningbo",
        "order_date": ordered,
        "currency": "CNY",
        "status": "closed",
        "line_no": line,
        "material_code": material,
        "quantity": quantity,
        "unit": "H87",
        "unit_price": 1000 if material == "M001" else 2,
        "requested_date": requested,
        "confirmed_date": confirmed,
        "confirmed_quantity": None if confirmed is None else quantity,
        "line_status": status,
    }


def receipt(
    number: str,
    po: str,
    po_line_no: int,
    material: str,
    received: int,
    day: str,
    *,
    supplier: str = JINLI,
    receiver: str = OEM,
    rejected: int = 0,
) -> dict[str, Any]:
    """One goods-receipt line against a purchase-order line."""
    return {
        "receipt_number": number,
        "receiver_id": receiver,
        "supplier_id": supplier,
        "site_id": "haichuan-foshan" if receiver == OEM else "jinli-ningbo",
        "receipt_date": day,
        "line_no": 1,
        "po_number": po,
        "po_line_no": po_line_no,
        "material_code": material,
        "lot_number": f"L-{number}",
        "received_quantity": received,
        "accepted_quantity": received - rejected,
        "rejected_quantity": rejected,
        "unit": "H87",
    }


ORDERS: Final = [
    # jinli-motor: in full on time; in full, late against the request but on its commitment.
    po_line("PO1", 10, "M001", 10, requested="2025-07-10", confirmed="2025-07-10",
            status="delivered"),
    po_line("PO1", 20, "M002", 100, requested="2025-07-10", confirmed="2025-07-12",
            status="delivered"),
    # jinli-motor: 16 of 20 received, after its commitment; the buyer cancelled line 20 unconfirmed.
    po_line("PO2", 10, "M001", 20, ordered="2025-07-05", requested="2025-07-15",
            confirmed="2025-07-15", status="partially_delivered"),
    po_line("PO2", 20, "M002", 50, ordered="2025-07-05", requested="2025-07-15",
            confirmed=None, status="cancelled"),
    # dongfang-steel for haichuan: in full on time.
    po_line("PO3", 10, "M002", 200, supplier=DONGFANG, ordered="2025-07-02",
            requested="2025-07-08", confirmed="2025-07-08", status="delivered"),
]  # fmt: skip
JINLI_ORDERS: Final = [
    # dongfang-steel for jinli-motor: in full, two days late.
    po_line("PJ1", 10, "M002", 40, supplier=DONGFANG, buyer=JINLI, ordered="2025-07-03",
            requested="2025-07-09", confirmed="2025-07-09", status="delivered"),
]  # fmt: skip
RECEIPTS: Final = [
    receipt("GR1", "PO1", 10, "M001", 10, "2025-07-09"),
    receipt("GR2", "PO1", 20, "M002", 100, "2025-07-12"),
    receipt("GR3", "PO2", 10, "M001", 16, "2025-07-16", rejected=1),
    receipt("GR4", "PO3", 10, "M002", 200, "2025-07-08", supplier=DONGFANG),
]
JINLI_RECEIPTS: Final = [
    receipt("GJ1", "PJ1", 10, "M002", 40, "2025-07-11", supplier=DONGFANG, receiver=JINLI),
]


def _stock(day: str, quantity: int) -> dict[str, Any]:
    return {
        "partner_id": JINLI,
        "site_id": "jinli-ningbo",
        "snapshot_date": day,
        "material_code": "M001",
        "lot_number": f"S{day}",
        "quantity_on_hand": quantity,
        "unit": "H87",
    }


def _made(number: str, end: str, finished: str) -> dict[str, Any]:
    return {
        "order_number": number,
        "manufacturer_id": JINLI,
        "site_id": "jinli-ningbo",
        "product_code": "M001",
        "product_unit": "H87",
        "planned_quantity": 5,
        "actual_quantity": 5,
        "planned_start": "2025-08-04T08:00:00+08:00",
        "planned_end": end,
        "actual_start": "2025-08-04T08:00:00+08:00",
        "actual_end": finished,
        "status": "completed",
        "line_no": 1,
        "direction": "output",
        "material_code": "M001",
        "lot_number": f"P-{number}",
        "quantity": 5,
        "unit": "H87",
    }


def _inspection(number: str, result: str) -> dict[str, Any]:
    return {
        "inspection_number": number,
        "inspector_id": OEM,
        "supplier_id": JINLI,
        "site_id": "haichuan-foshan",
        "inspected_at": "2025-07-16T10:00:00+08:00",
        "inspection_type": "incoming",
        "material_code": "M001",
        "lot_number": "L-GR3",
        "sample_size": 5,
        "result": result,
        "line_no": 1,
        "characteristic": "leak rate",
        "measured_value": 1,
        "line_result": result,
    }


@pytest.fixture
def chain(registered: sa.Engine, tmp_path: Path) -> sa.Engine:
    """The registered hub plus dongfang-steel and the hand-written documents above."""
    dongfang = {
        "partner_id": DONGFANG,
        "name_zh": "东方钢铁",
        "name_en": "Dongfang Steel",
        "roles": "supplier",
        "tier": 2,
    }
    assert ingest_records(registered, tmp_path, "partner", [dongfang]).status == "stored"
    submit(registered, tmp_path, "purchase_order", ORDERS, by=OEM)
    submit(registered, tmp_path, "purchase_order", JINLI_ORDERS, by=JINLI)
    submit(registered, tmp_path, "goods_receipt", RECEIPTS, by=OEM)
    submit(registered, tmp_path, "goods_receipt", JINLI_RECEIPTS, by=JINLI)
    shipped = {
        "shipment_number": "ASN-1",
        "shipper_id": JINLI,
        "receiver_id": OEM,
        "ship_from_site": "jinli-ningbo",
        "ship_to_site": "haichuan-foshan",
        "ship_date": "2025-07-08",
        "expected_delivery_date": "2025-07-09",
        "line_no": 1,
        "material_code": "M001",
        "quantity": 31,
        "unit": "H87",
        "lot_number": "L-ASN-1",
    }
    submit(registered, tmp_path, "shipment", [shipped], by=JINLI)
    stock = [_stock("2025-07-15", 5), _stock("2025-07-31", 15)]
    submit(registered, tmp_path, "inventory_snapshot", stock, by=JINLI)
    made = [
        # Finished 40 minutes after the planned hour, the same day: on time by the day.
        _made("MO1", "2025-08-04T12:00:00+08:00", "2025-08-04T12:40:00+08:00"),
        # Finished the next morning: late.
        _made("MO2", "2025-08-05T17:00:00+08:00", "2025-08-06T09:00:00+08:00"),
    ]
    submit(registered, tmp_path, "production_order", made, by=JINLI)
    inspections = [_inspection("QI1", "pass"), _inspection("QI2", "fail")]
    submit(registered, tmp_path, "quality_inspection", inspections, by=OEM)
    return registered


def arrival(day: int, hour: int) -> datetime:
    """A time in July 2025, UTC."""
    return datetime(2025, 7, day, hour, tzinfo=UTC)
