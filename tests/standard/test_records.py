"""Nested documents to flat records and back."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from chainhub.errors import ChainhubError
from chainhub.standard.examples import example_of
from chainhub.standard.registry import DOCUMENT_TYPES, UnknownDocumentTypeError
from chainhub.standard.service import (
    document_to_records,
    get_example_document,
    records_to_documents,
)

NAMES = list(DOCUMENT_TYPES)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _vary(value: Any, step: int) -> Any:
    """A distinct, still valid value of a key field for the `step`-th document or line."""
    if isinstance(value, int):
        return value + 10 * step
    if _DATE.match(value):
        return (date.fromisoformat(value) + timedelta(days=7 * step)).isoformat()
    return f"{value}-{step}" if step else value


@st.composite
def _documents(draw: st.DrawFn, name: str) -> list[BaseModel]:
    doc_type = DOCUMENT_TYPES[name]
    quantities = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("999999"), places=6)
    documents: list[BaseModel] = []
    for doc_no in range(draw(st.integers(min_value=1, max_value=3))):
        data = example_of(doc_type.model)
        for key in doc_type.key:
            data[key] = _vary(data[key], doc_no)
        if doc_type.lines_field is not None:
            template = data[doc_type.lines_field][0]
            lines = []
            for line_no in range(draw(st.integers(min_value=1, max_value=4))):
                line = copy.deepcopy(template)
                for key in doc_type.line_key:
                    line[key] = _vary(line[key], line_no)
                if "quantity" in line:
                    line["quantity"] = draw(quantities)
                lines.append(line)
            data[doc_type.lines_field] = lines
        documents.append(doc_type.model.model_validate(data))
    return documents


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, list[BaseModel], list[dict[str, Any]]]:
    """A type, its records interleaved (each document's rows in order), and the documents in
    the order their first rows appear."""
    name = draw(st.sampled_from(NAMES))
    documents = draw(_documents(name))
    per_document = [document_to_records(document_type=name, document=d) for d in documents]
    order = draw(st.permutations([i for i, rows in enumerate(per_document) for _ in rows]))
    cursors = [iter(rows) for rows in per_document]
    records = [next(cursors[i]) for i in order]
    return name, [documents[i] for i in dict.fromkeys(order)], records


@settings(max_examples=150, deadline=None)
@given(_case())
def test_records_round_trip_to_the_same_documents(
    case: tuple[str, list[BaseModel], list[dict[str, Any]]],
) -> None:
    name, documents, records = case
    assert records_to_documents(document_type=name, records=records) == documents


@pytest.mark.parametrize("name", NAMES)
def test_json_records_round_trip(name: str) -> None:
    doc_type = DOCUMENT_TYPES[name]
    document = get_example_document(document_type=name)
    rows = document_to_records(document_type=name, document=document)
    as_json = [doc_type.record_model.model_validate(r).model_dump(mode="json") for r in rows]
    assert records_to_documents(document_type=name, records=as_json) == [document]


def _purchase_order(lines: int = 2) -> BaseModel:
    data = example_of(DOCUMENT_TYPES["purchase_order"].model)
    line = data["lines"][0]
    data["lines"] = [{**line, "line_no": 10 * (i + 1)} for i in range(lines)]
    return get_example_document(document_type="purchase_order").model_validate(data)


def test_document_to_records_repeats_the_header_on_every_line() -> None:
    rows = document_to_records(document_type="purchase_order", document=_purchase_order())
    assert [r["line_no"] for r in rows] == [10, 20]
    for row in rows:
        assert row["po_number"] == "4500012345"
        assert row["buyer_id"] == "haichuan"
        assert row["order_date"] == date(2026, 3, 1)
        assert row["quantity"] == Decimal("500")
        assert row["unit"] == "H87"
        assert "standard_version" not in row
        assert "lines" not in row
    assert list(rows[0])[:3] == ["po_number", "revision", "buyer_id"]


def test_a_master_record_is_the_document_without_its_envelope() -> None:
    partner = get_example_document(document_type="partner")
    [row] = document_to_records(document_type="partner", document=partner)
    assert row == {k: v for k, v in partner.model_dump().items() if k != "standard_version"}


def test_documents_come_back_in_order_of_first_appearance() -> None:
    first = _purchase_order(1)
    second = first.model_copy(update={"po_number": "4500012346"})
    rows = [
        *document_to_records(document_type="purchase_order", document=second),
        *document_to_records(document_type="purchase_order", document=first),
    ]
    documents = records_to_documents(document_type="purchase_order", records=rows)
    assert [d.model_dump()["po_number"] for d in documents] == ["4500012346", "4500012345"]


def _error(name: str, records: list[dict[str, Any]]) -> ChainhubError:
    with pytest.raises(ChainhubError) as info:
        records_to_documents(document_type=name, records=records)
    return info.value


def test_a_record_that_breaks_the_schema_names_its_row() -> None:
    rows = document_to_records(document_type="purchase_order", document=_purchase_order())
    rows[1]["unit"] = "PCS"
    error = _error("purchase_order", rows)
    assert error.code == "invalid_record"
    assert error.location == {"document_type": "purchase_order", "row": 2}
    assert "unit" in error.message_en
    assert error.message_zh.startswith("采购订单记录不符合数据标准")


def test_rows_of_one_document_must_agree_on_the_header() -> None:
    rows = document_to_records(document_type="purchase_order", document=_purchase_order())
    rows[1]["order_date"] = date(2026, 3, 2)
    error = _error("purchase_order", rows)
    assert error.code == "inconsistent_header"
    assert error.location == {
        "document_type": "purchase_order",
        "key": "haichuan/4500012345",
        "row": 2,
    }
    assert "order_date" in error.message_en


def test_a_line_key_may_not_repeat_within_a_document() -> None:
    rows = document_to_records(document_type="purchase_order", document=_purchase_order())
    rows[1]["line_no"] = 10
    error = _error("purchase_order", rows)
    assert error.code == "duplicate_line"
    assert error.location["row"] == 2


def test_a_master_key_may_not_repeat() -> None:
    rows = document_to_records(
        document_type="partner", document=get_example_document(document_type="partner")
    )
    error = _error("partner", rows * 2)
    assert error.code == "duplicate_key"
    assert error.location == {"document_type": "partner", "key": "haichuan", "row": 2}


def test_rules_across_lines_are_checked_on_the_document() -> None:
    rows = document_to_records(document_type="purchase_order", document=_purchase_order())
    rows[1]["requested_date"] = date(2026, 2, 1)
    error = _error("purchase_order", rows)
    assert error.code == "invalid_document"
    assert "requested_date is before order_date" in error.message_en


def test_wrong_model_or_type_is_refused() -> None:
    with pytest.raises(TypeError):
        document_to_records(
            document_type="sales_order", document=get_example_document(document_type="partner")
        )
    with pytest.raises(UnknownDocumentTypeError):
        records_to_documents(document_type="invoice", records=[])


def test_no_records_make_no_documents() -> None:
    assert records_to_documents(document_type="shipment", records=[]) == []
