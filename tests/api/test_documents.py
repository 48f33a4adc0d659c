"""Submitting and reading documents through the API, on both backends."""

from __future__ import annotations

import threading
from typing import Any

import duckdb_engine
import pytest
import sqlalchemy as sa

from chainhub.access.models import audit_log
from tests.api.hub import HUADONG, HUAYANG, JINLI, OEM, TAIHE, Hub, _po

BACKGROUND_THREADS = ("chainhub-webhooks", "chainhub-warmup", "chainhub-master")


def test_a_supplier_reads_its_orders_and_nothing_else(hub: Hub) -> None:
    page = hub.get(JINLI, "/api/v1/documents/purchase_order").json()
    assert [(r["po_number"], r["quantity"], r["_doc_version"]) for r in page["records"]] == [
        ("PO-HC-JL-1", "300", 1)
    ]
    assert page["total"] == 1
    assert hub.get(JINLI, "/api/v1/documents/sales_order").json()["records"] == []
    missing = hub.get(JINLI, "/api/v1/documents/purchase_order/haichuan%7CPO-HC-HY-1")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "document_not_found"


def test_the_chain_leader_sees_every_order(hub: Hub) -> None:
    page = hub.get(OEM, "/api/v1/documents/purchase_order").json()
    assert sorted(r["po_number"] for r in page["records"]) == [
        "PO-HC-HY-1", "PO-HC-HY-2", "PO-HC-JL-1", "PO-HC-TK-1", "PO-HY-TK-9"
    ]  # fmt: skip


def test_filters_and_pages(hub: Hub) -> None:
    first = hub.get(
        OEM,
        "/api/v1/documents/purchase_order",
        params={"filter": "supplier_id:huayang-compressor", "limit": 1},
    ).json()
    second = hub.get(
        OEM,
        "/api/v1/documents/purchase_order",
        params={"filter": "supplier_id:huayang-compressor", "limit": 1, "offset": 1},
    ).json()
    assert (first["total"], len(first["records"])) == (2, 1)
    assert [first["records"][0]["po_number"], second["records"][0]["po_number"]] == [
        "PO-HC-HY-1", "PO-HC-HY-2"
    ]  # fmt: skip
    # The filter's published pattern names the type's fields.
    bad = hub.get(OEM, "/api/v1/documents/purchase_order", params={"filter": "colour:red"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_request"
    assert bad.json()["error"]["location"] == {"field": "query.filter.0"}


def _key_lookup_plans(engine: sa.Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """The plans of the statements that look a document up by its key, as the database ran them
    (DuckDB decides on its index only when it runs one), or would with an index (PostgreSQL
    picks a sequential scan of a small table whatever the query)."""
    plans = []
    with engine.begin() as conn:
        explain = "EXPLAIN ANALYZE"
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN"
        for statement, parameters in statements:
            if "_doc_key = " in statement:
                rows = conn.exec_driver_sql(f"{explain} {statement}", parameters).all()
                plans.append("\n".join(str(cell) for row in rows for cell in row))
    return plans


def test_a_document_by_key_and_its_history(hub: Hub) -> None:
    changed = _po("PO-HC-JL-1", JINLI, "M004", "350")
    assert hub.submit(OEM, "purchase_order", changed).json()["status"] == "stored"
    statements: list[tuple[str, Any]] = []

    def keep(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    sa.event.listen(hub.engine, "before_cursor_execute", keep)
    try:
        current = hub.get(JINLI, "/api/v1/documents/purchase_order/haichuan%7CPO-HC-JL-1").json()
        history = hub.get(JINLI, "/api/v1/history/purchase_order/haichuan%7CPO-HC-JL-1").json()
    finally:
        sa.event.remove(hub.engine, "before_cursor_execute", keep)
    # Found through the key's index, with the visibility and current-version conditions.
    plans = _key_lookup_plans(hub.engine, statements)
    assert len(plans) == 2
    for plan in plans:
        assert "Index Scan" in plan, plan
    assert current["current"]["version"] == 2
    assert current["current"]["records"][0]["quantity"] == "350"
    assert [(v["version"], v["records"][0]["quantity"]) for v in history["versions"]] == [
        (1, "300"), (2, "350")
    ]  # fmt: skip
    assert {v["submitted_by"] for v in history["versions"]} == {OEM}


def test_a_document_read_on_duckdb_runs_its_statements_without_begin_and_commit(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    if hub.engine.dialect.name != "duckdb":
        pytest.skip("DuckDB's autocommit; PostgreSQL's reads keep their transactions")
    path = "/api/v1/documents/purchase_order/haichuan%7CPO-HC-JL-1"
    begun: list[str] = []
    original = duckdb_engine.Dialect.do_begin

    def counted(self: duckdb_engine.Dialect, dbapi_connection: object) -> None:
        begun.append(threading.current_thread().name)
        original(self, dbapi_connection)

    monkeypatch.setattr(duckdb_engine.Dialect, "do_begin", counted)
    for _ in range(3):
        response = hub.get(JINLI, path)
        assert response.status_code == 200
        assert response.json()["current"]["records"][0]["quantity"] == "300"
    # Neither the request (in worker threads) nor its audit entry's batch began one; the
    # hub's background workers may have.
    assert [name for name in begun if not name.startswith(BACKGROUND_THREADS)] == []
    # Its entry is committed all the same: the audit log holds the three reads.
    with hub.engine.connect() as conn:
        actions = conn.execute(
            sa.select(audit_log.c.action).order_by(audit_log.c.seq.desc()).limit(3)
        ).scalars()
        assert list(actions) == ["GET /api/v1/documents/{document_type}/{doc_key:path}"] * 3


def test_the_same_batch_twice_is_stored_once(hub: Hub) -> None:
    document = _po("PO-HC-JL-7", JINLI, "M004", "10")
    first = hub.submit(OEM, "purchase_order", document)
    second = hub.submit(OEM, "purchase_order", document)
    assert (first.status_code, first.json()["status"], first.json()["documents"]) == (
        201, "stored", 1
    )  # fmt: skip
    assert (second.status_code, second.json()["status"]) == (200, "duplicate")
    assert second.json()["submission_id"] == first.json()["submission_id"]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "1 rows checked, 1 problems; nothing was stored"),
        ("zh-CN", "已检查 1 行，发现 1 个问题；未入库"),
    ],
)
def test_a_document_the_sender_is_no_party_to_is_rejected_with_its_location(
    hub: Hub, lang: str, message: str
) -> None:
    stranger = _po("PO-HY-TK-10", TAIHE, "M009", "5", buyer=HUAYANG)
    response = hub.client.post(
        "/api/v1/documents/purchase_order",
        json={"documents": [stranger]},
        headers={**hub.headers(JINLI), "Accept-Language": lang},
    )
    body = response.json()
    assert response.status_code == 403
    assert body["error"]["code"] == "submission_rejected"
    assert body["error"]["message"] == message
    assert body["error"]["location"] == {"document": 1, "line": 1, "row": 1, "field": "buyer_id"}
    assert [(i["rule"], i["value"]) for i in body["outcome"]["issues"]] == [
        ("not_a_party", "huayang-compressor")
    ]  # fmt: skip
    page = hub.get(HUAYANG, "/api/v1/documents/purchase_order").json()
    assert "PO-HY-TK-10" not in {r["po_number"] for r in page["records"]}


def test_a_rejection_only_by_what_the_hub_holds_is_a_conflict(hub: Hub) -> None:
    unknown = _po("PO-HC-XX-1", "no-such-supplier", "M004", "5")
    response = hub.submit(OEM, "purchase_order", unknown)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "submission_rejected")
    assert [(i["rule"], i["field"]) for i in response.json()["outcome"]["issues"]] == [
        ("unknown_reference", "supplier_id")
    ]  # fmt: skip
    # The same with an invalid value too is invalid, whatever the hub holds.
    invalid = _po("PO-HC-XX-1", "no-such-supplier", "M004", "-5")
    assert hub.submit(OEM, "purchase_order", invalid).status_code == 422


def test_master_data_of_another_partner_is_refused(hub: Hub) -> None:
    site = {
        "site_id": "fake-site",
        "partner_id": HUADONG,
        "name_zh": "假",
        "name_en": "fake",
        "site_type": "warehouse",
        "city": "上海",
    }
    response = hub.submit(JINLI, "site", site)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_party"
    material = {
        "material_code": "X1",
        "name_zh": "X",
        "name_en": "X",
        "category": "raw",
        "base_unit": "H87",
    }
    assert hub.submit(JINLI, "material", material).json()["error"]["code"] == "forbidden"


def test_an_analyst_reads_but_cannot_write(hub: Hub) -> None:
    assert hub.get("jinli-analyst", "/api/v1/documents/purchase_order").json()["total"] == 1
    response = hub.submit("jinli-analyst", "shipment", {})
    assert response.status_code == 422  # the body is checked before the role
    document = _po("PO-HC-JL-8", JINLI, "M004", "1")
    refused = hub.submit("jinli-analyst", "purchase_order", document)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")


def test_bad_input_is_an_error_body_never_a_500(hub: Hub) -> None:
    """And a JSON document is held to its schema as sent: no number as text, no padded code."""
    cases = [
        ("GET", "/api/v1/documents/no_such_type", None, 422, "invalid_request"),
        ("GET", "/api/v1/documents/purchase_order?limit=0", None, 422, "invalid_request"),
        ("POST", "/api/v1/documents/purchase_order", {"documents": []}, 422, "invalid_request"),
        (
            "POST",
            "/api/v1/documents/purchase_order",
            {"documents": [{"po_number": "x"}]},
            422,
            "invalid_request",
        ),
        ("GET", "/api/v1/nowhere", None, 404, "not_found"),
        ("DELETE", "/api/v1/me", None, 405, "method_not_allowed"),
    ]
    for method, url, body, status, code in cases:
        response = hub.client.request(method, url, json=body, headers=hub.headers(JINLI, "zh"))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), url
    invalid = hub.client.post(
        "/api/v1/documents/purchase_order",
        json={"documents": [{"po_number": "x"}]},
        headers=hub.headers(JINLI, "zh-CN"),
    ).json()["error"]
    assert invalid["message"].startswith("请求不符合接口定义：body.documents.0.buyer_id")
    assert invalid["location"] == {"field": "body.documents.0.buyer_id"}
    for field, value in (("line_no", "10"), ("quantity", "1e5"), ("material_code", " M004")):
        sent = _po("PO-HC-JL-9", JINLI, "M004", "1")
        sent["lines"][0][field] = value
        answer = hub.submit(OEM, "purchase_order", sent).json()["error"]
        assert (answer["code"], answer["location"]) == (
            "invalid_request",
            {"field": f"body.documents.0.lines.0.{field}"},
        )
    whole = _po("PO-HC-JL-9", JINLI, "M004", "1")
    whole["lines"][0]["line_no"] = 10.0  # a JSON integer, as JSON Schema reads it
    assert hub.submit(OEM, "purchase_order", whole).status_code == 201
    anonymous = hub.get(None, "/api/v1/documents/purchase_order")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"


def test_a_file_upload_goes_through_intake(hub: Hub) -> None:
    csv = (
        "shipment_number,shipper_id,receiver_id,ship_from_site,ship_to_site,ship_date,"
        "expected_delivery_date,line_no,material_code,quantity,unit,lot_number\n"
        "ASN-JL-2,jinli-motor,haichuan,jinli-ningbo,haichuan-foshan,2026-03-09,2026-03-12,"
        "10,M004,50,H87,JL260309A\n"
    )
    response = hub.post(
        JINLI,
        "/api/v1/documents/shipment/upload",
        files={"file": ("asn.csv", csv.encode(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["stored_rows"]) == ("stored", 1)
    stored = hub.get(OEM, "/api/v1/documents/shipment/jinli-motor%7CASN-JL-2").json()
    assert stored["current"]["source_file"] == "asn.csv"
    assert stored["current"]["records"][0]["lot_number"] == "JL260309A"
    odd = hub.post(
        JINLI, "/api/v1/documents/shipment/upload", files={"file": ("asn.txt", b"x", "text/plain")}
    )
    assert (odd.status_code, odd.json()["error"]["code"]) == (415, "file_format")


def test_the_vmi_view_of_a_supplier(hub: Hub) -> None:
    overview = hub.get(JINLI, "/api/v1/me/overview").json()
    assert overview["purchased"] == []
    assert overview["supplied"] == [{
        "material_code": "M004", "buyer_id": OEM, "supplier_id": JINLI,
        "on_hand": "120", "stock_date": "2026-03-11",
        "open_order_quantity": "300", "open_order_lines": 1,
        "forecast_quantity": "600", "forecast_date": "2026-04-01",
        "recent_receipts": [{"receipt_number": "GR-HC-JL-1", "receipt_date": "2026-03-08",
                             "lot_number": "JL260305A", "received_quantity": "200",
                             "unit": "H87"}],
    }]  # fmt: skip
    huayang = hub.get(HUAYANG, "/api/v1/me/overview").json()
    assert [
        (s["material_code"], s["on_hand"], s["open_order_quantity"], s["forecast_quantity"])
        for s in huayang["supplied"]
    ] == [("M001", "320", "500", "2500")]
    taihe = hub.get(TAIHE, "/api/v1/me/overview").json()
    # No agreement: orders and receipts of its own, but not the OEM's stock or forecast.
    assert [
        (s["material_code"], s["on_hand"], s["forecast_quantity"]) for s in taihe["supplied"]
    ] == [("M001", None, None), ("M009", None, None)]
