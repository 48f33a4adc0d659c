"""The standard's semantic version and changelog."""

from typing import Final

STANDARD_VERSION: Final = "1.1.2"

CHANGELOG: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "1.1.2",
        "2026-11-30",
        "Stated in the JSON Schemas what was checked already across fields: a capacity line is "
        "a week's capacities or a served material (oneOf), purchasing terms give at least one "
        "term (anyOf), weeks start on a Monday (x-iso-weekday), a receipt line's accepted and "
        "rejected quantities add up to the received one (x-sums), an order line's requested "
        "date is not before the order date (x-ordered into lines), a week's actual capacity "
        "is not above its maximum (x-ordered). Documents sent as JSON are held to these "
        "schemas as sent (a number is not text, a code is not padded); files are read as before.",
    ),
    (
        "1.1.1",
        "2026-11-30",
        "Stated in the JSON Schemas what was checked already: bounds and steps of decimals sent "
        "as JSON numbers, formats of GTIN, GLN and USCC identifiers (check digits), fields that "
        "go in order (x-ordered), keys unique within a batch (x-unique-by), required text that is "
        "not blank. Fixed: whole numbers go up to 2^53 - 1 and prices up to 12 digits before the "
        "point, as far as they can be kept exact and stored; larger ones were never storable.",
    ),
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
