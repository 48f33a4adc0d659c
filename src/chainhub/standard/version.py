"""The standard's semantic version and changelog."""

from typing import Final

STANDARD_VERSION: Final = "1.1.0"

CHANGELOG: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "1.1.0",
        "2026-11-30",
        "Added (backward compatible): weekly material demand and capacity groups after Catena-X "
        "demand and capacity management, the material's planned lead time, and purchasing terms "
        "(minimum order quantity, order multiple and lead time per customer, supplier and "
        "material).",
    ),
    (
        "1.0.0",
        "2026-11-24",
        "First release: partners, sites, materials, BOMs, work centres, routings, material "
        "crosswalks; purchase and sales orders, demand forecasts, inventory snapshots, shipments "
        "(ASN) with lots, goods receipts, production orders with input and output lots, quality "
        "inspections.",
    ),
)
