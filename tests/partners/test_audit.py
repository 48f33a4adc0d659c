"""The audit log: every request on record, hash-chained, tampering found."""

from __future__ import annotations

import json
import threading

import sqlalchemy as sa

from chainhub.access.audit import AuditRecord, check_audit_chain, do_append_audit, list_audit
from tests.api.hub import JINLI, OEM, Hub


def test_reads_writes_and_refusals_are_recorded(hub: Hub) -> None:
    with hub.engine.connect() as conn:
        before = list_audit(conn=conn, limit=1)[0].seq
    hub.get(JINLI, "/api/v1/documents/purchase_order/haichuan%7CPO-HC-JL-1")
    hub.get(JINLI, "/api/v1/documents/purchase_order/haichuan%7CPO-HC-HY-1")
    hub.client.get("/api/v1/me", headers={"Authorization": "Bearer chk_0123456789abcdef_nope"})
    hub.submit(OEM, "purchase_order", {"po_number": "broken"})
    with hub.engine.connect() as conn:
        entries = list_audit(conn=conn, limit=4)
    assert [e.seq for e in entries] == [before + 4, before + 3, before + 2, before + 1]
    rows = [(e.partner_id, e.action, e.status, e.outcome) for e in reversed(entries)]
    assert rows == [
        (JINLI, "GET /api/v1/documents/{document_type}/{doc_key:path}", 200, "ok"),
        (JINLI, "GET /api/v1/documents/{document_type}/{doc_key:path}", 404,
         "document_not_found"),
        (None, "GET /api/v1/me", 401, "invalid_token"),
        (OEM, "POST /api/v1/documents/purchase_order", 422, "invalid_request"),
    ]  # fmt: skip
    assert json.loads(entries[3].target)["documents"] == ["purchase_order/haichuan|PO-HC-JL-1"]
    assert entries[1].token_id == "0123456789abcdef"
    assert entries[0].token_id == hub.tokens[OEM].split("_")[1]


def test_a_write_and_its_audit_entry_commit_together(hub: Hub) -> None:
    response = hub.submit(JINLI, "shipment", {
        "shipment_number": "ASN-JL-3", "shipper_id": JINLI, "receiver_id": OEM,
        "ship_from_site": "jinli-ningbo", "ship_to_site": "haichuan-foshan",
        "ship_date": "2026-03-09", "expected_delivery_date": "2026-03-11",
        "lines": [{"line_no": 10, "material_code": "M004", "quantity": "5", "unit": "H87",
                   "lot_number": "JL260309B"}]})  # fmt: skip
    submission = response.json()["submission_id"]
    with hub.engine.connect() as conn:
        entry = list_audit(conn=conn, partner_id=JINLI, limit=1)[0]
    assert (entry.action, entry.status, entry.outcome) == (
        "POST /api/v1/documents/shipment", 201, "submission_stored"
    )  # fmt: skip
    assert json.loads(entry.target)["documents"] == [f"submission/{submission}"]


def test_verify_passes_after_a_busy_run_and_fails_after_an_edit(hub: Hub) -> None:
    errors: list[BaseException] = []

    def busy(who: str) -> None:
        try:
            for _ in range(10):
                assert hub.get(who, "/api/v1/documents/purchase_order").status_code == 200
                hub.submit(who, "purchase_order", {})
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=busy, args=(w,)) for w in (OEM, JINLI, "admin", JINLI)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verify = hub.get("admin", "/api/v1/audit/verify").json()
    assert verify["ok"] is True and verify["checked"] > 80
    with hub.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET partner_id = 'jinli-motor' WHERE seq = 5"))
    broken = hub.get("admin", "/api/v1/audit/verify").json()
    assert (broken["ok"], broken["first_broken_seq"], broken["checked"]) == (False, 5, 4)


def test_a_deleted_entry_breaks_the_chain(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
        assert check_audit_chain(conn=conn).first_broken_seq == 3


def test_entries_hash_the_same_on_read_back(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        entry = do_append_audit(
            conn=conn,
            record=AuditRecord(
                action="test", status=200, outcome="ok", partner_id="海川", target={"q": "库存"}
            ),
        )
    with hub.engine.connect() as conn:
        assert list_audit(conn=conn, limit=1)[0] == entry
        assert check_audit_chain(conn=conn).ok


def test_only_the_hub_admin_reads_the_audit_log(hub: Hub) -> None:
    assert hub.get(OEM, "/api/v1/audit").status_code == 403
    page = hub.get("admin", "/api/v1/audit", params={"partner_id": JINLI, "limit": 2}).json()
    assert len(page["entries"]) == 2
    assert {e["partner_id"] for e in page["entries"]} == {JINLI}
