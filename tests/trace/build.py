"""A build on the seeded hub: jinli's motor lot JL260305A and huayang's compressor lot HY260301
go into haichuan's P100 lot P100-2603-A, 1,200 of which are shipped to huadong."""

from __future__ import annotations

from typing import Any, Final

from tests.api.hub import HUADONG, HUAYANG, OEM, SITES, Hub

LOT: Final = "JL260305A"
# M004's GTIN (check digit 2), so the lot also has a GS1 Digital Link.
GTIN: Final = "06901234567892"
LINK: Final = f"https://id.gs1.org/01/{GTIN}/10/{LOT}"


def _shipment(number: str, shipper: str, receiver: str, lines: list[dict[str, Any]]) -> Any:
    return {
        "shipment_number": number,
        "shipper_id": shipper,
        "receiver_id": receiver,
        "ship_from_site": SITES[shipper],
        "ship_to_site": SITES[receiver],
        "ship_date": "2026-03-12",
        "expected_delivery_date": "2026-03-14",
        "lines": [{"line_no": 10, "unit": "H87", **line} for line in lines],
    }


def _line(direction: str, material: str, lot: str, quantity: str, k: int) -> dict[str, Any]:
    return {"line_no": k, "direction": direction, "material_code": material,
            "lot_number": lot, "quantity": quantity, "unit": "H87"}  # fmt: skip


def load_build(hub: Hub) -> None:
    """huayang ships compressors, haichuan builds P100 from them and jinli's motors, and ships
    1,200 of the 1,500 made to huadong."""
    material = {"material_code": "M004", "name_zh": "电机", "name_en": "Motor",
                "category": "component", "base_unit": "H87", "gtin": GTIN}  # fmt: skip
    order = {
        "order_number": "MO-HC-9",
        "manufacturer_id": OEM,
        "site_id": SITES[OEM],
        "product_code": "P100",
        "product_unit": "H87",
        "planned_quantity": "1500",
        "planned_start": "2026-03-09T08:00:00+08:00",
        "planned_end": "2026-03-10T20:00:00+08:00",
        "actual_end": "2026-03-10T19:40:00+08:00",
        "status": "completed",
        "lines": [
            _line("output", "P100", "P100-2603-A", "1500", 1),
            _line("input", "M004", LOT, "150", 2),
            _line("input", "M001", "HY260301", "150", 3),
        ],
    }
    for who, document_type, document in (
        (OEM, "material", material),
        (HUAYANG, "shipment", _shipment("ASN-HY-1", HUAYANG, OEM, [
            {"po_number": "PO-HC-HY-1", "po_line_no": 10, "material_code": "M001",
             "quantity": "500", "lot_number": "HY260301"}])),
        (OEM, "production_order", order),
        (OEM, "shipment", _shipment("ASN-HC-HD-1", OEM, HUADONG, [
            {"material_code": "P100", "quantity": "1200", "lot_number": "P100-2603-A"}])),
    ):  # fmt: skip
        response = hub.submit(who, document_type, document)
        assert response.status_code == 201, response.text
