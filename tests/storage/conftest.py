"""Example records of the standard, built as intake hands them to storage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from chainhub.standard.registry import get_document_type
from chainhub.storage.models import doc_table, polars_type

Records = Callable[[str, list[dict[str, Any]]], pl.DataFrame]


def make_records(document_type: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows checked against the standard, typed as intake types them, with `_source_row`."""
    model = get_document_type(document_type).record_model
    table = doc_table(document_type)
    names = list(dict.fromkeys(name for row in rows for name in row))
    checked = [model.model_validate(row).model_dump(include=set(names)) for row in rows]
    schema = {
        name: pl.List(pl.String)
        if any(isinstance(row[name], list) for row in checked)
        else polars_type(table.c[name].type)
        for name in names
    }
    frame = pl.DataFrame(checked, schema=schema)
    source_row = pl.int_range(1, frame.height + 1, dtype=pl.Int32).alias("_source_row")
    return frame.with_columns(source_row)


@pytest.fixture
def records() -> Records:
    """Builds a records frame of a document type from standard rows."""
    return make_records


def _po_line(po_number: str, line_no: int, **changes: object) -> dict[str, Any]:
    line: dict[str, Any] = {
        "po_number": po_number,
        "buyer_id": "haichuan",
        "supplier_id": "acme-castings",
        "ship_to_site": "haichuan-foshan",
        "order_date": date(2026, 3, 2),
        "line_no": line_no,
        "material_code": f"HC-CAST-{line_no:03d}",
        "quantity": Decimal("1200.5"),
        "unit": "H87",
        "unit_price": Decimal("38.2500"),
        "requested_date": date(2026, 4, 15),
    }
    return {**line, **changes}


@pytest.fixture
def po_line() -> Callable[..., dict[str, Any]]:
    """Builds one line of a purchase order Haichuan places with Acme Castings."""
    return _po_line
