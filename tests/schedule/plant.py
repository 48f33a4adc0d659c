"""haichuan's Foshan plant on the seeded hub: two assembly stations and a packing station,
three released orders of P100 (one needing packaging that never arrives), sent through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from tests.api.hub import OEM, SITES, Hub

PLANT: Final = SITES[OEM]
NOW: Final = datetime(2026, 3, 12, tzinfo=UTC)


def _order(number: str, quantity: int, due_hours: int, inputs: dict[str, int]) -> dict[str, Any]:
    lines = [
        {"line_no": 1, "direction": "output", "material_code": "P100", "lot_number": f"{number}-P",
         "quantity": str(quantity), "unit": "H87"},
    ]  # fmt: skip
    lines += [
        {"line_no": k, "direction": "input", "material_code": code, "lot_number": f"{number}-{k}",
         "quantity": str(amount), "unit": "H87"}
        for k, (code, amount) in enumerate(sorted(inputs.items()), start=2)
    ]  # fmt: skip
    return {
        "order_number": number,
        "manufacturer_id": OEM,
        "site_id": PLANT,
        "product_code": "P100",
        "product_unit": "H87",
        "planned_quantity": str(quantity),
        "planned_start": NOW.isoformat(),
        "planned_end": (NOW + timedelta(hours=due_hours)).isoformat(),
        "status": "released",
        "lines": lines,
    }


def load_plant(hub: Hub) -> None:
    """Two assembly stations and a packing station; P100 is assembled, then packed."""
    centres = [
        {"partner_id": OEM, "site_id": PLANT, "work_centre_id": wc, "name_zh": wc, "name_en": wc,
         "machines": n, "hours_per_day": "24"}
        for wc, n in (("WC-ASM", 2), ("WC-PACK", 1))
    ]  # fmt: skip
    routing = {
        "owner_id": OEM,
        "site_id": PLANT,
        "material_code": "P100",
        "operations": [
            {"operation_no": 10, "work_centre_id": "WC-ASM", "description": "总装",
             "setup_minutes": "10", "run_minutes_per_unit": "1"},
            {"operation_no": 20, "work_centre_id": "WC-PACK", "description": "包装",
             "setup_minutes": "0", "run_minutes_per_unit": "0.5"},
        ],
    }  # fmt: skip
    orders = [
        _order("MO-HC-1", 40, 48, {"M001": 40, "M004": 40}),
        _order("MO-HC-2", 20, 72, {"M001": 20}),
        # More packaging than was ever on hand or is coming: named, left out of the plan.
        _order("MO-HC-3", 10, 72, {"M009": 99999}),
    ]
    for document_type, documents in (
        ("work_centre", centres),
        ("routing", [routing]),
        ("production_order", orders),
    ):
        response = hub.submit(OEM, document_type, *documents)
        assert response.status_code == 201, response.text
