"""Ingesting files: stored whole or not at all, once per content, with provenance."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from chainhub.intake.models import intake_attempt_rules, intake_attempts, quarantine
from chainhub.intake.schemas import FieldMapping
from chainhub.intake.service import do_submit, errors_as_records
from chainhub.masterdata.service import list_unknown_codes
from chainhub.storage.service import (
    count_documents,
    get_document_history,
    list_current_records,
    list_submissions,
)
from tests.intake.shipments import SHIPMENT_PROFILE, shipment_file
from tests.support import ingest_records, submitter


def test_file_is_stored_with_golden_codes_and_provenance(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    path = shipment_file(
        tmp_path,
        "ASN-1,20260305,20260308,10,MAT01,200,件,JL260305A\n"
        "ASN-1,20260305,20260308,20,MAT02,50,件,JL260305B\n",
    )
    with with_crosswalk.begin() as conn:
        result = do_submit(
            conn=conn, path=path, profile=SHIPMENT_PROFILE, submitter=submitter("jinli-motor")
        )
    assert (result.status, result.stored_rows, result.documents) == ("stored", 2, 1)
    with with_crosswalk.connect() as conn:
        stored = list_current_records(conn=conn, document_type="shipment")
        submission = list_submissions(conn=conn, document_type="shipment")[0]
    assert stored.sort("line_no")["material_code"].to_list() == ["M001", "M002"]
    assert stored["_source_file"].unique().to_list() == ["asn.csv"]
    assert sorted(stored["_source_row"].to_list()) == [1, 2]
    assert stored["_submitted_by"].unique().to_list() == ["jinli-motor"]
    assert submission.submission_id == result.submission_id
    assert (submission.row_count, submission.document_count) == (2, 1)


def test_same_content_twice_is_stored_once(with_crosswalk: sa.Engine, tmp_path: Path) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,200,件,JL260305A\n")
    with with_crosswalk.begin() as conn:
        first = do_submit(
            conn=conn, path=path, profile=SHIPMENT_PROFILE, submitter=submitter("jinli-motor")
        )
    with with_crosswalk.begin() as conn:
        second = do_submit(
            conn=conn, path=path, profile=SHIPMENT_PROFILE, submitter=submitter("jinli-motor")
        )
    assert first.status == "stored"
    assert (second.status, second.submission_id) == ("duplicate", first.submission_id)
    with with_crosswalk.connect() as conn:
        assert count_documents(conn=conn)["shipment"] == (1, 1)


def test_a_file_with_one_bad_row_is_rejected_whole(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    path = shipment_file(
        tmp_path,
        "ASN-2,20260305,20260308,10,MAT01,200,件,JL260305A\n"
        "ASN-2,20260305,20260308,20,MAT99,50,件,JL260305B\n",
    )
    with with_crosswalk.begin() as conn:
        result = do_submit(
            conn=conn, path=path, profile=SHIPMENT_PROFILE, submitter=submitter("jinli-motor")
        )
    assert result.status == "rejected"
    assert result.validation is not None
    assert errors_as_records(result.validation, lang="en") == [
        {
            "row": 2,
            "column": "物料编码",
            "field": "material_code",
            "value": "MAT99",
            "rule": "crosswalk",
            "message": "material_code: the partner's code has no crosswalk to a golden material",
        },
    ]
    with with_crosswalk.connect() as conn:
        assert count_documents(conn=conn).get("shipment", (0, 0)) == (0, 0)
        assert list_submissions(conn=conn, document_type="shipment") == []


def test_a_changed_document_becomes_a_new_version(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    first = shipment_file(tmp_path, "ASN-3,20260305,20260308,10,MAT01,200,件,L1\n", "a.csv")
    second = shipment_file(tmp_path, "ASN-3,20260305,20260309,10,MAT01,180,件,L1\n", "b.csv")
    for path in (first, second):
        with with_crosswalk.begin() as conn:
            assert (
                do_submit(
                    conn=conn,
                    path=path,
                    profile=SHIPMENT_PROFILE,
                    submitter=submitter("jinli-motor"),
                ).status
                == "stored"
            )
    with with_crosswalk.connect() as conn:
        current = list_current_records(conn=conn, document_type="shipment")
    assert current["_doc_version"].to_list() == [2]
    assert str(current["quantity"][0]) == "180.000000"


def test_accept_valid_stores_whole_good_documents_and_quarantines_the_rest(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    path = shipment_file(
        tmp_path,
        "ASN-4,20260305,20260308,10,MAT01,200,件,L1\n"
        "ASN-5,20260305,20260308,10,MAT01,10,件,L2\n"
        "ASN-5,20260305,20260308,20,MAT02,-1,件,L3\n",
    )
    with with_crosswalk.begin() as conn:
        result = do_submit(
            conn=conn,
            path=path,
            profile=SHIPMENT_PROFILE,
            submitter=submitter("jinli-motor"),
            accept_valid=True,
        )
    assert (result.status, result.stored_rows, result.quarantined_rows) == ("partial", 1, 2)
    with with_crosswalk.connect() as conn:
        stored = list_current_records(conn=conn, document_type="shipment")
        kept = conn.execute(
            sa.select(
                quarantine.c.source_row, quarantine.c.source_values, quarantine.c.errors
            ).order_by(quarantine.c.source_row)
        ).all()
    assert stored["shipment_number"].to_list() == ["ASN-4"]
    assert [row.source_row for row in kept] == [2, 3]
    assert json.loads(kept[1].source_values)["数量"] == "-1"
    assert json.loads(kept[0].errors) == {"errors": []}
    assert [e["rule"] for e in json.loads(kept[1].errors)["errors"]] == ["range"]


def test_unknown_master_data_is_reported_by_field(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    profile = SHIPMENT_PROFILE.model_copy(
        update={
            "fields": {
                **SHIPMENT_PROFILE.fields,
                "ship_to_site": FieldMapping(value="haichuan-hefei"),
            }
        }
    )
    path = shipment_file(tmp_path, "ASN-6,20260305,20260308,10,MAT01,200,件,L1\n")
    with with_crosswalk.begin() as conn:
        result = do_submit(
            conn=conn, path=path, profile=profile, submitter=submitter("jinli-motor")
        )
    assert result.validation is not None
    assert errors_as_records(result.validation, lang="zh") == [
        {
            "row": 1,
            "column": None,
            "field": "ship_to_site",
            "value": "haichuan-hefei",
            "rule": "unknown_reference",
            "message": "ship_to_site：枢纽中没有登记此编码的场所",
        },
    ]


def test_every_attempt_is_logged_with_its_failing_rules(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    bad = shipment_file(tmp_path, "ASN-7,20260305,20260308,10,MAT01,0,件,L1\n", "bad.csv")
    good = shipment_file(tmp_path, "ASN-7,20260305,20260308,10,MAT01,5,件,L1\n", "good.csv")
    for path in (bad, good, good):
        with with_crosswalk.begin() as conn:
            do_submit(
                conn=conn, path=path, profile=SHIPMENT_PROFILE, submitter=submitter("jinli-motor")
            )
    attempts, rules = intake_attempts, intake_attempt_rules
    with with_crosswalk.connect() as conn:
        logged = conn.execute(
            sa.select(attempts.c.source_file, attempts.c.status, attempts.c.error_count)
            .where(attempts.c.document_type == "shipment")
            .order_by(attempts.c.received_at)
        ).all()
        failing = conn.execute(sa.select(rules.c.rule, rules.c.field, rules.c.error_count)).all()
    assert [tuple(r) for r in logged] == [
        ("bad.csv", "rejected", 1),
        ("good.csv", "stored", 0),
        ("good.csv", "duplicate", 0),
    ]
    assert [tuple(r) for r in failing] == [("range", "quantity", 1)]


def test_revisions_of_one_order_in_one_file_become_successive_versions(
    registered: sa.Engine, tmp_path: Path
) -> None:
    line = {
        "buyer_id": "haichuan",
        "supplier_id": "jinli-motor",
        "ship_to_site": "haichuan-foshan",
        "order_date": "2026-03-01",
        "line_no": 10,
        "material_code": "M001",
        "unit": "H87",
        "requested_date": "2026-03-09",
    }
    records = [
        {**line, "po_number": "4500000001", "revision": 0, "quantity": "100"},
        {**line, "po_number": "4500000001", "revision": 1, "quantity": "80", "status": "confirmed"},
        {**line, "po_number": "4500000002", "revision": 0, "quantity": "5"},
    ]
    result = ingest_records(registered, tmp_path, "purchase_order", records)
    assert (result.status, result.stored_rows, result.documents) == ("stored", 3, 2)
    with registered.connect() as conn:
        current = list_current_records(conn=conn, document_type="purchase_order")
        history = get_document_history(
            conn=conn, document_type="purchase_order", doc_key="haichuan|4500000001"
        )
    by_po = {r["po_number"]: r for r in current.to_dicts()}
    assert (by_po["4500000001"]["revision"], by_po["4500000001"]["_doc_version"]) == (1, 2)
    assert str(by_po["4500000001"]["quantity"]) == "80.000000"
    assert by_po["4500000002"]["_doc_version"] == 1
    assert sorted(history["_doc_version"].to_list()) == [1, 2]


def test_unknown_partner_codes_wait_for_review_even_when_the_file_is_rejected(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    profile = SHIPMENT_PROFILE.model_copy(update={"material_description": "物料描述"})
    path = tmp_path / "asn.csv"
    path.write_bytes(
        (
            "发货单号,发货日期,预计到货,行号,物料编码,物料描述,数量,单位,批号\n"
            "ASN-8,20260305,20260308,10,MAT01,压缩机,2,件,L1\n"
            "ASN-8,20260305,20260308,20,MAT55,不锈钢螺钉M4x12,100,件,L2\n"
            "ASN-9,20260306,20260309,10,MAT55,,100,件,L3\n"
        ).encode("gbk")
    )
    with with_crosswalk.begin() as conn:
        result = do_submit(
            conn=conn, path=path, profile=profile, submitter=submitter("jinli-motor")
        )
    assert result.status == "rejected"
    with with_crosswalk.connect() as conn:
        (code,) = list_unknown_codes(conn=conn, partner_id="jinli-motor")
    assert (code.partner_material_code, code.description, code.unit, code.occurrences) == (
        "MAT55",
        "不锈钢螺钉M4x12",
        "件",
        2,
    )
    assert code.last_submission_ref == result.attempt_id
