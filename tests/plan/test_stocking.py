"""A receipt fills the order line it names only when it comes from that line's supplier to its
buyer: open quantities and observed lead times read receipts as the overview's alerts do."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainhub.access.tokens import do_set_chain_leader
from chainhub.plan.inputs import get_open_orders
from chainhub.plan.mrp import first_monday, week_grid
from chainhub.plan.stocking import get_lead_times, get_purchasing_terms, get_site_orders
from tests.support import LEADER, ingest_records

JINLI, HUAYANG, SITE = "jinli-motor", "huayang-compressor", "haichuan-foshan"
MONDAY = first_monday(date(2026, 3, 2))


def _receipt(number: str, supplier: str, day: date, quantity: str) -> dict[str, Any]:
    return {
        "receipt_number": number,
        "receiver_id": LEADER,
        "supplier_id": supplier,
        "site_id": SITE,
        "receipt_date": day.isoformat(),
        "line_no": 1,
        "po_number": "PO-1",
        "po_line_no": 10,
        "material_code": "M004",
        "lot_number": number,
        "received_quantity": quantity,
        "accepted_quantity": quantity,
        "unit": "H87",
    }


def test_a_receipt_from_another_supplier_fills_no_line(engine: sa.Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=LEADER)
    records: dict[str, list[dict[str, Any]]] = {
        "partner": [
            {"partner_id": p, "name_zh": p, "name_en": p, "roles": r, "tier": t, "city": "佛山"}
            for p, r, t in ((LEADER, "oem", 0), (JINLI, "supplier", 1), (HUAYANG, "supplier", 1))
        ],
        "site": [
            {
                "site_id": SITE,
                "partner_id": LEADER,
                "name_zh": "佛山工厂",
                "name_en": "Foshan",
                "site_type": "plant",
                "city": "佛山",
            }
        ],
        "material": [
            {
                "material_code": "M004",
                "name_zh": "电机",
                "name_en": "Motor",
                "category": "component",
                "base_unit": "H87",
            }
        ],
        "purchase_order": [
            {
                "po_number": "PO-1",
                "buyer_id": LEADER,
                "supplier_id": JINLI,
                "ship_to_site": SITE,
                "order_date": MONDAY.isoformat(),
                "line_no": 10,
                "material_code": "M004",
                "quantity": "50",
                "unit": "H87",
                "requested_date": (MONDAY + timedelta(weeks=1)).isoformat(),
            }
        ],
        # jinli delivers 20 against its line 10 days after the order; huayang's receipt names
        # jinli's order by mistake.
        "goods_receipt": [
            _receipt("GR-1", JINLI, MONDAY + timedelta(days=10), "20"),
            _receipt("GR-2", HUAYANG, MONDAY + timedelta(days=3), "30"),
        ],
    }
    for document_type, documents in records.items():
        result = ingest_records(engine, tmp_path, document_type, documents)
        assert result.status == "stored", document_type
    grid = week_grid(MONDAY, 4)
    with engine.connect() as conn:
        site = get_site_orders(conn=conn, customer_id=LEADER, grid=grid)
        orders, _quotas = get_open_orders(conn=conn, customer_id=LEADER, grid=grid)
        terms = get_purchasing_terms(conn=conn, customer_id=LEADER)
        leads = get_lead_times(conn=conn, customer_id=LEADER, terms=terms)
    assert site.select("supplier_id", "quantity").rows() == [(JINLI, 30.0)]
    assert orders.select("supplier_id", "quantity").rows() == [(JINLI, 30.0)]
    assert leads.select("lead_days", "lead_source", "lead_sd").rows() == [(10.0, "observed", 0.0)]
