"""Capture through the audited write path, on both backends: stored once per event, audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest
import sqlalchemy as sa

from chainhub.access.models import audit_log
from chainhub.events.schemas import WebhookEvent
from chainhub.partners.models import webhook_deliveries
from chainhub.partners.schemas import SubscriptionCreate
from chainhub.partners.webhooks import do_create_subscription
from chainhub.storage.service import do_bulk_insert
from chainhub.trace.models import trace_event_epcs, trace_event_parties, trace_events
from chainhub.trace.service import _stored_hashes, do_capture
from tests.trace.reference import OPENEPCIS, require


def test_capture_is_idempotent_and_audited(engine: sa.Engine) -> None:
    path = require(
        OPENEPCIS / "JSON" / "Capture" / "Documents" / "Combination_of_different_event.json"
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    count = len(document["epcisBody"]["eventList"])
    with engine.begin() as conn:
        first = do_capture(conn=conn, document=document, partner_id="acme")
    with engine.begin() as conn:
        second = do_capture(conn=conn, document=document, partner_id="acme")
    assert (first.event_count, first.stored_count) == (count, count)
    assert (second.event_count, second.stored_count) == (count, 0)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(trace_events)).scalar()
        epcs = conn.execute(sa.select(sa.func.count()).select_from(trace_event_epcs)).scalar()
        audits = (
            conn.execute(
                sa.select(audit_log.c.outcome).where(audit_log.c.action == "epcis.capture")
            )
            .scalars()
            .all()
        )
    assert stored == count
    assert epcs and epcs > 0
    assert audits == ["stored", "duplicate"]


def _packing(pallet: int) -> dict[str, object]:
    units = [f"urn:epc:id:sgtin:6901234.000001.{pallet * 2 + k}" for k in range(2)]
    return {
        "type": "AggregationEvent",
        "eventTime": f"2026-03-01T10:00:0{pallet}.5+08:00",
        "eventTimeZoneOffset": "+08:00",
        "parentID": f"urn:epc:id:sscc:6901234.{pallet:010d}",
        "childEPCs": units,
        "action": "ADD",
        "bizStep": "packing",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}],
    }


def test_a_document_is_stored_in_rows_once_per_event(engine: sa.Engine) -> None:
    events = [_packing(0), _packing(1), _packing(0)]
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00+08:00",
        "epcisBody": {"eventList": events},
    }
    with engine.begin() as conn:
        capture = do_capture(conn=conn, document=document, partner_id="acme")
        rows = conn.execute(
            sa.select(
                trace_events.c.event_time, trace_events.c.read_point, trace_events.c.event
            ).order_by(trace_events.c.event_time)
        ).all()
        epcs = conn.execute(
            sa.select(trace_event_epcs.c.role, trace_event_epcs.c.position, trace_event_epcs.c.epc)
            .join(trace_events, trace_events.c.event_hash == trace_event_epcs.c.event_hash)
            .where(trace_events.c.event_time == rows[0].event_time)
            .order_by(trace_event_epcs.c.position)
        ).all()
        parties = conn.execute(
            sa.select(trace_event_parties.c.kind, trace_event_parties.c.position,
                      trace_event_parties.c.party)
            .where(trace_event_parties.c.event_hash == capture.events[0].doc_key)
            .order_by(trace_event_parties.c.position)
        ).all()  # fmt: skip
    assert (capture.event_count, capture.stored_count, len(capture.events)) == (3, 2, 2)
    assert [r.event_time.astimezone(UTC) for r in rows] == [
        datetime(2026, 3, 1, 2, 0, s, 500_000, tzinfo=UTC) for s in (0, 1)
    ]
    assert rows[0].read_point == "https://id.gs1.org/414/6901234000016"
    assert json.loads(rows[0].event)["childEPCs"] == events[0]["childEPCs"]
    assert [tuple(e) for e in epcs] == [
        ("parent", 0, "https://id.gs1.org/00/069012340000000009"),
        ("child", 1, "https://id.gs1.org/01/06901234000016/21/0"),
        ("child", 2, "https://id.gs1.org/01/06901234000016/21/1"),
    ]
    assert [tuple(p) for p in parties] == [
        ("capturer", 0, "acme"),
        ("source", 1, "urn:epc:id:pgln:6901234.00000"),
    ]


def test_a_capture_that_publishes_none_announces_only_to_subscribers(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        unwanted = do_capture(conn=conn, document=_document(0), partner_id="acme", publish=False)
        do_create_subscription(
            conn=conn,
            partner_id="acme",
            subscription=SubscriptionCreate.model_validate(
                {"url": "https://hooks.example.com/in", "events": [WebhookEvent.EPCIS_CAPTURED]}
            ),
        )
        wanted = do_capture(conn=conn, document=_document(1, 2), partner_id="acme", publish=False)
        queued = conn.execute(sa.select(webhook_deliveries.c.payload)).scalars().all()
    assert (unwanted.stored_count, unwanted.events) == (1, ())
    assert wanted.stored_count == 2
    assert sorted(json.loads(p)["doc_key"] for p in queued) == sorted(
        e.doc_key for e in wanted.events
    )
    assert len(queued) == 2


def _hash(i: int) -> str:
    return f"ni:///sha-256;{i:064x}?ver=CBV2.0"


def _document(*pallets: int) -> dict[str, object]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00+08:00",
        "epcisBody": {"eventList": [_packing(p) for p in pallets]},
    }


def test_an_event_stored_before_and_repeated_is_stored_once_with_its_rows(
    engine: sa.Engine,
) -> None:
    statements: list[str] = []

    def keep(_c: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with engine.begin() as conn:
        first = do_capture(conn=conn, document=_document(0, 1), partner_id="acme")
    with engine.begin() as conn:
        sa.event.listen(engine, "before_cursor_execute", keep)
        try:
            # Pallet 1 is stored; pallet 2 is new and twice in the document; pallet 3 is new.
            second = do_capture(conn=conn, document=_document(1, 2, 3, 2), partner_id="acme")
        finally:
            sa.event.remove(engine, "before_cursor_execute", keep)
        counts = [
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in (trace_events, trace_event_epcs, trace_event_parties)
        ]
        announced = [e.doc_key for e in second.events]
        times = conn.execute(
            sa.select(trace_events.c.event_hash, trace_events.c.event_time).where(
                trace_events.c.event_hash.in_(announced)
            )
        ).all()
    assert (first.stored_count, second.event_count, second.stored_count) == (2, 4, 2)
    # The new events announced once each, in document order: pallet 2's, then pallet 3's.
    second_of = {h: t.astimezone(UTC).second for h, t in times}
    assert [second_of[h] for h in announced] == [2, 3]
    # Four events of a parent, two children and two parties each (the capturer, the source).
    assert counts == [4, 12, 8]
    if engine.dialect.name == "duckdb":
        # The insert's own key check finds the stored events: no look-up reads them first.
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
                 and "trace_events" in s]  # fmt: skip
        assert reads == []
        # (The events' insert itself runs on the driver's connection, unseen here; the rows'
        # inserts after it show the capture's statements were seen.)
        assert any("INSERT INTO trace_event_epcs" in s for s in statements)


def test_the_stored_check_looks_hashes_up_in_the_key_index(engine: sa.Engine) -> None:
    if engine.dialect.name == "duckdb":
        pytest.skip("DuckDB's insert looks the hashes up itself (the test above)")
    # Enough stored events for DuckDB to prefer its index for 200 hashes (a list it would
    # otherwise scan for: more than the few it looks up by itself).
    stored, asked = 30_000, 200
    when = datetime(2026, 3, 1, tzinfo=UTC)
    rows = pl.DataFrame({"event_hash": [_hash(i) for i in range(stored)]}).with_columns(
        event_id=pl.col("event_hash"), capture_id=pl.lit("c"), captured_by=pl.lit("acme"),
        event_type=pl.lit("ObjectEvent"), event_time=pl.lit(when),
        event_time_zone_offset=pl.lit("+00:00"), record_time=pl.lit(when),
        action=pl.lit(None, pl.String), biz_step=pl.lit(None, pl.String),
        disposition=pl.lit(None, pl.String), read_point=pl.lit(None, pl.String),
        biz_location=pl.lit(None, pl.String), event=pl.lit("{}"),
    )  # fmt: skip
    statements: list[tuple[str, object]] = []

    def keep(_c: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if "event_hash" in statement and "trace_events" in statement:
            statements.append((statement, parameters))

    wanted = [_hash(i) for i in range(stored - asked // 2, stored + asked // 2)]
    with engine.begin() as conn:
        do_bulk_insert(conn=conn, table=trace_events, frame=rows)
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE trace_events")  # its planner weighs what it knows
    with engine.begin() as conn:
        sa.event.listen(engine, "before_cursor_execute", keep)
        try:
            found = _stored_hashes(conn, wanted)
        finally:
            sa.event.remove(engine, "before_cursor_execute", keep)
        # DuckDB decides on its index only when it runs the query.
        explain = "EXPLAIN" if engine.dialect.name == "postgresql" else "EXPLAIN ANALYZE"
        plans = [
            "\n".join(str(cell) for row in conn.exec_driver_sql(f"{explain} {sql}", values)
                      for cell in row)
            for sql, values in statements
        ]  # fmt: skip
    assert found == set(wanted[: asked // 2])
    assert plans
    for plan in plans:
        assert "Index" in plan and "Sequential Scan" not in plan and "Seq Scan" not in plan, plan
