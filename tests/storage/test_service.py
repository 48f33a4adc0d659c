"""Storing and reading submissions, on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from chainhub.errors import ChainhubError
from chainhub.storage.engine import create_engine_for
from chainhub.storage.models import doc_table, submissions
from chainhub.storage.schemas import StoreResult
from chainhub.storage.service import (
    count_documents,
    do_refresh_statistics,
    do_store_submission,
    get_document_history,
    list_current_records,
    list_submissions,
)

from .conftest import Records

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CST = timezone(timedelta(hours=8))
PoLine = Callable[..., dict[str, Any]]


def store(
    engine: sa.Engine,
    document_type: str,
    records: pl.DataFrame,
    *,
    content_hash: str,
    submitted_by: str = "haichuan",
    received_at: datetime = RECEIVED,
) -> StoreResult:
    with engine.begin() as conn:
        return do_store_submission(
            conn=conn,
            document_type=document_type,
            records=records,
            submitted_by=submitted_by,
            source_file=f"{document_type}.csv",
            content_hash=content_hash,
            standard_version="1.0.0",
            received_at=received_at,
        )


def test_purchase_order_values_come_back_exactly(
    engine: sa.Engine, records: Records, po_line: PoLine
) -> None:
    lines = [
        po_line("PO-2026-0001", 1, quantity=Decimal("999999999999.999999")),
        po_line(
            "PO-2026-0001",
            2,
            quantity=Decimal("0.000001"),
            unit_price=None,
            confirmed_date=date(2026, 4, 20),
            line_status="cancelled",
            cancel_reason='供应商停产, "紧急"\n改用替代料',
        ),
    ]
    result = store(engine, "purchase_order", records("purchase_order", lines), content_hash="a1")

    assert result.rows == 2 and result.documents == 1 and result.new_versions == 0
    assert result.duplicate_of is None and result.submission_id is not None
    with engine.connect() as conn:
        got = list_current_records(conn=conn, document_type="purchase_order")
    assert got.get_column("quantity").to_list() == [
        Decimal("999999999999.999999"),
        Decimal("0.000001"),
    ]
    assert got.get_column("unit_price").to_list() == [Decimal("38.25"), None]
    assert got.get_column("confirmed_date").to_list() == [None, date(2026, 4, 20)]
    assert got.get_column("cancel_reason").to_list() == [None, '供应商停产, "紧急"\n改用替代料']
    assert got.get_column("line_status").to_list() == ["open", "cancelled"]
    # Absent optional columns take the standard's default.
    assert got.get_column("currency").to_list() == ["CNY", "CNY"]
    assert got.get_column("revision").to_list() == [0, 0]
    first = got.row(0, named=True)
    assert first["_doc_key"] == "haichuan|PO-2026-0001"
    assert first["_doc_version"] == 1
    assert first["_source_row"] == 1
    assert first["_submission_id"] == result.submission_id
    assert first["_submitted_by"] == "haichuan"
    assert first["_received_at"] == RECEIVED
    assert first["_standard_version"] == "1.0.0"
    assert first["_source_file"] == "purchase_order.csv"
    assert first["order_date"] == date(2026, 3, 2)


def test_partner_roles_and_chinese_names(engine: sa.Engine, records: Records) -> None:
    partner = {
        "partner_id": "acme-castings",
        "name_zh": "艾克米铸造（佛山）有限公司",
        "name_en": "Acme Castings (Foshan) Co., Ltd.",
        "roles": ["supplier", "logistics"],
        "tier": 1,
        "city": "",
    }
    store(engine, "partner", records("partner", [partner]), content_hash="p1")

    with engine.connect() as conn:
        row = list_current_records(conn=conn, document_type="partner").row(0, named=True)
    assert row["name_zh"] == "艾克米铸造（佛山）有限公司"
    assert row["roles"] == "supplier,logistics"
    assert row["tier"] == 1
    assert row["country"] == "CN"
    assert row["city"] == ""  # empty text stays empty, not NULL
    assert row["uscc"] is None


def test_timestamps_keep_their_instant(engine: sa.Engine, records: Records) -> None:
    inspected = datetime(2026, 3, 8, 14, 30, 15, 123456, tzinfo=CST)
    line = {
        "inspection_number": "IQC-2026-0042",
        "inspector_id": "haichuan",
        "supplier_id": "acme-castings",
        "site_id": "haichuan-foshan",
        "inspected_at": inspected,
        "inspection_type": "incoming",
        "material_code": "HC-CAST-001",
        "lot_number": "L20260301",
        "sample_size": 32,
        "result": "pass",
        "line_no": 1,
        "characteristic": "孔径",
        "measured_value": Decimal("12.020000"),
        "lower_limit": Decimal("11.95"),
        "upper_limit": Decimal("12.05"),
        "measure_unit": "MMT",
        "line_result": "pass",
    }
    frame = records("quality_inspection", [line]).with_columns(
        pl.col("inspected_at").dt.convert_time_zone("Asia/Shanghai")
    )
    store(engine, "quality_inspection", frame, content_hash="q1")

    with engine.connect() as conn:
        row = list_current_records(conn=conn, document_type="quality_inspection").row(0, named=True)
    assert row["inspected_at"] == inspected
    assert row["inspected_at"] == datetime(2026, 3, 8, 6, 30, 15, 123456, tzinfo=UTC)
    assert row["measured_value"] == Decimal("12.02")
    assert row["characteristic"] == "孔径"


def test_naive_timestamps_are_refused(engine: sa.Engine, records: Records) -> None:
    frame = pl.DataFrame({"inspected_at": [datetime(2026, 3, 8, 14, 30)]})  # noqa: DTZ001
    with pytest.raises(ValueError, match="inspected_at"), engine.begin() as conn:
        do_store_submission(
            conn=conn,
            document_type="quality_inspection",
            records=frame.with_columns(pl.lit(1).alias("_source_row")),
            submitted_by="haichuan",
            source_file="qi.csv",
            content_hash="naive",
            standard_version="1.0.0",
            received_at=RECEIVED,
        )


def test_a_later_submission_of_a_document_is_version_2(
    engine: sa.Engine, records: Records, po_line: PoLine
) -> None:
    first = records(
        "purchase_order",
        [po_line("PO-2026-0001", 1), po_line("PO-2026-0001", 2), po_line("PO-2026-0002", 1)],
    )
    second = records(
        "purchase_order",
        [
            po_line("PO-2026-0001", 1, quantity=Decimal("800"), revision=1),
            po_line("PO-2026-0003", 1),
        ],
    )
    store(engine, "purchase_order", first, content_hash="v1")
    later = RECEIVED + timedelta(days=1)
    result = store(engine, "purchase_order", second, content_hash="v2", received_at=later)

    assert (result.rows, result.documents, result.new_versions) == (2, 2, 1)
    with engine.connect() as conn:
        current = list_current_records(
            conn=conn, document_type="purchase_order", filters={"po_number": "PO-2026-0001"}
        )
        history = get_document_history(
            conn=conn, document_type="purchase_order", doc_key="haichuan|PO-2026-0001"
        )
        counts = count_documents(conn=conn)
    assert current.select("line_no", "quantity", "revision", "_doc_version").rows() == [
        (1, Decimal("800"), 1, 2)
    ]
    assert history.select("_doc_version", "line_no", "quantity", "_received_at").rows() == [
        (1, 1, Decimal("1200.5"), RECEIVED),
        (1, 2, Decimal("1200.5"), RECEIVED),
        (2, 1, Decimal("800"), later),
    ]
    # PO-0001 now has one line (v2), PO-0002 and PO-0003 one each.
    assert counts["purchase_order"] == (3, 3)
    assert counts["partner"] == (0, 0)


def test_the_same_content_is_stored_once(
    engine: sa.Engine, records: Records, po_line: PoLine
) -> None:
    frame = records("purchase_order", [po_line("PO-2026-0001", 1)])
    first = store(engine, "purchase_order", frame, content_hash="same")
    again = store(engine, "purchase_order", frame, content_hash="same")
    by_other = store(
        engine, "purchase_order", frame, content_hash="same", submitted_by="acme-castings"
    )

    assert again == StoreResult(
        submission_id=None, rows=0, documents=0, new_versions=0, duplicate_of=first.submission_id
    )
    assert by_other.duplicate_of is None and by_other.new_versions == 1
    with engine.connect() as conn:
        assert len(list_submissions(conn=conn)) == 2
        history = get_document_history(
            conn=conn, document_type="purchase_order", doc_key="haichuan|PO-2026-0001"
        )
    assert history.get_column("_doc_version").to_list() == [1, 2]


def test_a_failure_after_storing_leaves_nothing(
    engine: sa.Engine, records: Records, po_line: PoLine
) -> None:
    frame = records("purchase_order", [po_line("PO-2026-0001", n) for n in range(1, 6)])
    with pytest.raises(RuntimeError, match="after the load"), engine.begin() as conn:
        do_store_submission(
            conn=conn,
            document_type="purchase_order",
            records=frame,
            submitted_by="haichuan",
            source_file="po.csv",
            content_hash="rolled-back",
            standard_version="1.0.0",
            received_at=RECEIVED,
        )
        raise RuntimeError("failure after the load")

    with engine.connect() as conn:
        assert list_submissions(conn=conn) == []
        assert count_documents(conn=conn)["purchase_order"] == (0, 0)
    # The content can be submitted again once the failed attempt is gone.
    assert store(engine, "purchase_order", frame, content_hash="rolled-back").rows == 5


def test_current_records_are_filtered_and_paged(
    engine: sa.Engine, records: Records, po_line: PoLine
) -> None:
    lines = [po_line(f"PO-2026-{n:04d}", line) for n in range(1, 4) for line in (1, 2)]
    store(engine, "purchase_order", records("purchase_order", lines), content_hash="page")

    with engine.connect() as conn:
        page = list_current_records(conn=conn, document_type="purchase_order", limit=2, offset=2)
        line_2 = list_current_records(
            conn=conn, document_type="purchase_order", filters={"line_no": 2}
        )
        no_reason = list_current_records(
            conn=conn, document_type="purchase_order", filters={"cancel_reason": None}
        )
        with pytest.raises(ChainhubError) as error:
            list_current_records(
                conn=conn, document_type="purchase_order", filters={"colour": "red"}
            )
    assert page.select("po_number", "line_no").rows() == [("PO-2026-0002", 1), ("PO-2026-0002", 2)]
    assert line_2.get_column("po_number").to_list() == [
        "PO-2026-0001",
        "PO-2026-0002",
        "PO-2026-0003",
    ]
    assert no_reason.height == 6
    assert error.value.code == "unknown_field"
    assert "colour" in error.value.message("en")


def test_submissions_are_listed_newest_first(
    engine: sa.Engine, records: Records, po_line: PoLine
) -> None:
    frame = records("purchase_order", [po_line("PO-2026-0001", 1)])
    old = store(engine, "purchase_order", frame, content_hash="old")
    new = store(
        engine, "purchase_order", frame, content_hash="new", received_at=RECEIVED + timedelta(1)
    )

    with engine.connect() as conn:
        listed = list_submissions(conn=conn, partner_id="haichuan")
        other_type = list_submissions(conn=conn, document_type="shipment")
        other_partner = list_submissions(conn=conn, partner_id="acme-castings")
    assert [s.submission_id for s in listed] == [new.submission_id, old.submission_id]
    assert listed[1].received_at == RECEIVED
    assert (listed[1].row_count, listed[1].document_count, listed[1].status) == (1, 1, "stored")
    assert (listed[1].content_hash, listed[1].source_file) == ("old", "purchase_order.csv")
    assert other_type == [] and other_partner == []


def test_a_load_gathers_postgresql_statistics_of_its_own_rows(
    postgres_url: str, records: Records, po_line: PoLine
) -> None:
    engine = create_engine_for(postgres_url)
    table = doc_table("purchase_order")
    lines = [po_line("PO-2026-0001", n) for n in range(1, 4)]
    stats = sa.text("SELECT reltuples FROM pg_class WHERE relname = :name")
    with engine.begin() as conn:
        submissions.create(conn)
        table.create(conn)
        do_store_submission(
            conn=conn, document_type="purchase_order", records=records("purchase_order", lines),
            submitted_by="haichuan", source_file="po.csv", content_hash="a1",
            standard_version="1.0.0", received_at=RECEIVED,
        )  # fmt: skip
        # Never analysed: the planner would guess.
        assert conn.execute(stats, {"name": table.name}).scalar_one() == -1
        do_refresh_statistics(conn=conn, document_types=["purchase_order"])
        # The load's rows count before it commits.
        assert conn.execute(stats, {"name": table.name}).scalar_one() == 3
        assert conn.execute(stats, {"name": submissions.name}).scalar_one() == 1
    engine.dispose()
