"""Bulk import on both backends: the rows document-by-document capture stores, once per event,
each document whole or not at all, a refused one reported by name with its located problems."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from sqlalchemy import Connection
from typer.testing import CliRunner

from chainhub.access.models import audit_log
from chainhub.cli import trace as trace_cli
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from chainhub.trace.bulk import (
    ImportRejectedError,
    ImportSource,
    default_workers,
    do_import_captures,
)
from chainhub.trace.models import (
    trace_captures,
    trace_event_epcs,
    trace_event_parties,
    trace_events,
)
from chainhub.trace.service import do_capture
from chainhub.trace.validation import DocumentInvalidError
from chainhub.trace.xml_binding import parse_xml, write_xml
from tests.support import ingest_records
from tests.trace.reference import GS1, OPENEPCIS, require

_CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
_LOTS = {"cbvmda": "urn:epcglobal:cbv:mda"}  # the XML twins' lot number namespace
_TABLES = (trace_events, trace_event_epcs, trace_event_parties)
_PER_IMPORT = {"capture_id", "record_time"}  # what differs between two captures of an event


def _event(i: int) -> dict[str, Any]:
    """Event i of a packing line: 2 units commissioned into lot L<i // 40>, packed onto a
    pallet, shipped and received, in turn."""
    base = {"eventTime": f"2026-03-{1 + i % 28:02d}T10:{i % 60:02d}:00.{i % 1000:03d}+08:00",
            "eventTimeZoneOffset": "+08:00",
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"}}  # fmt: skip
    pallet = f"urn:epc:id:sscc:6901234.{i // 4:010d}"
    units = [f"urn:epc:id:sgtin:6901234.000001.{i // 4 * 2 + k}" for k in range(2)]
    step = i % 4
    if step == 0:
        lot = {"cbvmda:lotNumber": f"L{i // 40}"}
        return {"type": "ObjectEvent", **base, "epcList": units, "action": "ADD",
                "bizStep": "commissioning", "ilmd": lot}  # fmt: skip
    if step == 1:
        return {"type": "AggregationEvent", **base, "parentID": pallet, "childEPCs": units,
                "action": "ADD", "bizStep": "packing"}  # fmt: skip
    return {"type": "ObjectEvent", **base, "epcList": [pallet], "action": "OBSERVE",
            "bizStep": "shipping" if step == 2 else "receiving",
            "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}],
            "destinationList": [{"type": "owning_party",
                                 "destination": "urn:epc:id:pgln:6909999.00000"}]}  # fmt: skip


def _document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@context": _CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-03-01T00:00:00+08:00",
            "epcisBody": {"eventList": events}}  # fmt: skip


def _xml(events: list[dict[str, Any]]) -> bytes:
    return write_xml(events=events, context=_LOTS,
                     attributes={"creationDate": "2026-03-01T00:00:00+08:00"})  # fmt: skip


def _sources() -> list[ImportSource]:
    """A JSON document given parsed, one given as text overlapping it, an XML one, and the XML
    twin of events the first has (stored once)."""
    first = [_event(i) for i in range(0, 60)]
    return [
        ImportSource("first.json", _document(first)),
        ImportSource(
            "second.json", json.dumps(_document([_event(i) for i in range(40, 100)])).encode()
        ),  # fmt: skip
        ImportSource("third.xml", _xml([_event(i) for i in range(100, 140)])),
        ImportSource("again.xml", _xml(first[:20])),
    ]


def _rows(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the trace tables but what differs between captures, in order."""
    rows = {}
    for table in _TABLES:
        columns = [c for c in table.columns if c.name not in _PER_IMPORT]
        found = conn.execute(sa.select(*columns).order_by(*columns)).all()
        rows[table.name] = [tuple(r) for r in found]
    return rows


def _captured_one_by_one(conn: Connection, sources: list[ImportSource]) -> list[tuple[int, int]]:
    """Each source through do_capture, as the API captures it; (events, stored) of each."""
    counts = []
    for source in sources:
        body = source.body
        if isinstance(body, bytes) and source.name.endswith(".xml"):
            capture = do_capture(conn=conn, document=parse_xml(body), partner_id="acme", xml=body)
        else:
            document = json.loads(body) if isinstance(body, bytes) else body
            assert not isinstance(document, Path)
            capture = do_capture(conn=conn, document=document, partner_id="acme")
        counts.append((capture.event_count, capture.stored_count))
    return counts


@pytest.mark.parametrize("workers", [0, 2])
def test_bulk_import_stores_what_capture_stores_document_by_document(
    engine: sa.Engine, workers: int
) -> None:
    sources = _sources()
    with engine.connect() as conn:
        one_by_one = _captured_one_by_one(conn, sources)
        expected = _rows(conn)
        conn.rollback()
    with engine.begin() as conn:
        report = do_import_captures(conn=conn, sources=sources, partner_id="acme", workers=workers)
        got = _rows(conn)
        jobs = conn.execute(
            sa.select(trace_captures.c.format, trace_captures.c.event_count,
                      trace_captures.c.stored_count)
            .order_by(trace_captures.c.event_count, trace_captures.c.stored_count)
        ).all()  # fmt: skip
    assert [o.name for o in report.outcomes] == ["first.json", "second.json", "third.xml",
                                                 "again.xml"]  # fmt: skip
    counts = [(o.capture.event_count, o.capture.stored_count) for o in report.outcomes
              if o.capture is not None]  # fmt: skip
    assert counts == one_by_one == [(60, 60), (60, 40), (40, 40), (20, 0)]
    assert (report.events, report.stored, report.rejected) == (180, 140, ())
    assert sorted(tuple(j) for j in jobs) == sorted(
        [("json", 60, 60), ("json", 60, 40), ("xml", 40, 40), ("xml", 20, 0)]
    )
    assert len(got["trace_events"]) == 140
    assert got == expected


def test_a_document_imported_twice_stores_its_events_once(engine: sa.Engine) -> None:
    sources = _sources()[:3]
    with engine.begin() as conn:
        first = do_import_captures(conn=conn, sources=sources, partner_id="acme", workers=2)
        stored = _rows(conn)
    with engine.begin() as conn:
        again = do_import_captures(conn=conn, sources=sources, partner_id="acme", workers=2)
        assert _rows(conn) == stored
        outcomes = conn.execute(
            sa.select(audit_log.c.outcome).where(audit_log.c.action == "epcis.capture")
        ).scalars().all()  # fmt: skip
    assert (first.events, first.stored, again.events, again.stored) == (160, 140, 160, 0)
    assert sorted(outcomes) == ["duplicate"] * 3 + ["stored"] * 3


def _bad_sources() -> list[ImportSource]:
    bad = [_event(i) for i in range(200, 204)]
    bad[1] = {**bad[1], "action": "JUMP", "bizStep": "flying"}
    bad[3] = {**bad[3], "eventTime": "2026-03-05T10:00:00"}
    return [
        ImportSource("good.json", _document([_event(i) for i in range(0, 8)])),
        ImportSource("bad.json", json.dumps(_document(bad)).encode()),
        ImportSource("broken.xml", b"<epcis:EPCISDocument><unclosed>"),
        ImportSource("later.json", _document([_event(i) for i in range(8, 12)])),
    ]


def test_a_bad_document_among_good_ones_is_reported_by_name(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        report = do_import_captures(conn=conn, sources=_bad_sources(), partner_id="acme",
                                    workers=2)  # fmt: skip
        stored = conn.execute(sa.select(sa.func.count()).select_from(trace_events)).scalar()
        refused = conn.execute(
            sa.select(audit_log.c.status, audit_log.c.outcome, audit_log.c.target)
            .where(audit_log.c.action == "epcis.capture", audit_log.c.status == 400)
        ).all()  # fmt: skip
    assert [(o.name, o.capture is not None) for o in report.outcomes] == [
        ("good.json", True), ("bad.json", False), ("broken.xml", False), ("later.json", True)
    ]  # fmt: skip
    assert (report.events, report.stored, stored) == (12, 12, 12)
    bad, broken = (o.error for o in report.rejected)
    assert isinstance(bad, DocumentInvalidError)
    where = {(p.event, p.field) for p in bad.problems}
    assert {(1, "action"), (1, "bizStep"), (3, "eventTime")} <= where
    assert all(p.event in (1, 3) for p in bad.problems)
    assert broken is not None and broken.code == "epcis_malformed"
    assert "not well-formed XML" in broken.message_en
    targets = sorted(
        (r.outcome, (r.target if isinstance(r.target, dict) else json.loads(r.target))["document"])
        for r in refused
    )
    assert targets == [("epcis_invalid", "bad.json"), ("epcis_malformed", "broken.xml")]


def test_an_all_or_nothing_import_with_a_bad_document_stores_none(engine: sa.Engine) -> None:
    named = []
    with pytest.raises(ImportRejectedError) as raised, engine.begin() as conn:
        do_import_captures(conn=conn, sources=_bad_sources(), partner_id="acme", workers=2,
                           all_or_nothing=True,
                           progress=lambda o: named.append(o.name))  # fmt: skip
    assert named == ["good.json", "bad.json", "broken.xml", "later.json"]
    report = raised.value.report
    assert [o.name for o in report.rejected] == ["bad.json", "broken.xml"]
    assert "2 of 4 documents are invalid (bad.json, broken.xml)" in raised.value.message_en
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(trace_events)).scalar() == 0


def _reference_documents() -> list[Path]:
    """The GS1 and OpenEPCIS capture documents, JSON and XML."""
    openepcis = require(OPENEPCIS) / "JSON" / "Capture" / "Documents"
    found = [*require(GS1).glob("JSON/**/*.json*"), *openepcis.glob("*.json")]
    documents = [p for p in found if json.loads(p.read_bytes()).get("type") == "EPCISDocument"]
    for path in [*GS1.glob("XML/**/*.xml"), *(OPENEPCIS / "XML" / "Capture" / "Documents")
                 .glob("*.xml")]:  # fmt: skip
        head = path.read_bytes()[:2000]
        if b"EPCISDocument" in head and b"EPCISMasterDataDocument" not in head:
            documents.append(path)
    return sorted(documents)


def test_the_reference_documents_import_in_bulk_as_one_by_one(engine: sa.Engine) -> None:
    paths = _reference_documents()
    assert len(paths) > 100
    with engine.connect() as conn:
        one_by_one = []
        for path in paths:
            body = path.read_bytes()
            xml = body if path.suffix == ".xml" else None
            document = parse_xml(body) if xml is not None else json.loads(body)
            capture = do_capture(conn=conn, document=document, partner_id="acme", xml=xml)
            one_by_one.append((capture.event_count, capture.stored_count))
        expected = _rows(conn)
        conn.rollback()
    sources = [ImportSource(p.name, p) for p in paths]
    with engine.begin() as conn:
        report = do_import_captures(conn=conn, sources=sources, partner_id="acme", workers=2)
        assert _rows(conn) == expected
    assert report.rejected == ()
    assert [(o.capture.event_count, o.capture.stored_count) for o in report.outcomes
            if o.capture is not None] == one_by_one  # fmt: skip
    assert report.stored == len(expected["trace_events"]) > 100


def _cli() -> typer.Typer:
    app = typer.Typer()
    trace_cli.register(app)
    return app


def test_the_import_command_names_each_refused_file(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    engine = create_engine_for(url, must_exist=False)
    do_upgrade(engine=engine)
    partner = {"partner_id": "acme", "name_zh": "艾克美", "name_en": "Acme", "roles": "supplier",
               "tier": 1, "city": "佛山"}  # fmt: skip
    assert ingest_records(engine, tmp_path, "partner", [partner]).status == "stored"
    engine.dispose()
    folder = tmp_path / "epcis"
    folder.mkdir()
    for source in _bad_sources():
        body = source.body
        (folder / source.name).write_bytes(
            body if isinstance(body, bytes) else json.dumps(body).encode()
        )
    run, db = CliRunner(), ["--db", url]

    whole = run.invoke(_cli(), ["epcis", "import", str(folder), "--partner", "acme",
                                "--all-or-nothing", *db])  # fmt: skip
    assert whole.exit_code == 1, whole.output
    assert "2 of 4 documents are invalid" in whole.stderr
    assert "nothing was stored" in whole.stderr

    imported = run.invoke(_cli(), ["epcis", "import", str(folder), "--partner", "acme", *db])
    assert imported.exit_code == 1, imported.output
    lines = imported.stderr.splitlines()
    assert any(line.startswith(f"{folder / 'bad.json'}: the EPCIS document has") for line in lines)
    assert "  event 1, action: schema: 'JUMP' is not one of ['OBSERVE', 'ADD', 'DELETE']" in lines
    assert any(line.startswith(f"{folder / 'broken.xml'}: the body is not well-formed XML")
               for line in lines)  # fmt: skip
    assert "imported 2 documents: 12 events, 12 of them new; 2 documents refused" in (
        imported.stdout
    )
    again = run.invoke(_cli(), ["epcis", "import", str(folder / "good.json"), "--partner", "acme",
                                "--lang", "zh", *db])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "已导入 1 个文档：8 个事件，其中 0 个为新事件" in again.stdout

    missing = run.invoke(_cli(), ["epcis", "import", str(folder / "no.json"), "--partner", "acme",
                                  *db])  # fmt: skip
    assert missing.exit_code == 2
    assert f"file not found: {folder / 'no.json'}" in missing.stderr
    stranger = run.invoke(_cli(), ["epcis", "import", str(folder), "--partner", "nobody", *db])
    assert stranger.exit_code == 2
    assert "partner 'nobody' is not in the directory" in stranger.stderr


def test_the_import_command_refuses_a_file_a_running_server_holds(
    tmp_path: Path, held_duckdb_file: Path
) -> None:
    document = tmp_path / "good.json"
    document.write_text(json.dumps(_document([_event(0)])))
    result = CliRunner().invoke(_cli(), ["epcis", "import", str(document), "--partner", "acme",
                                         "--db", f"duckdb:///{held_duckdb_file}"])  # fmt: skip
    assert result.exit_code != 0
    assert f"The database file {held_duckdb_file} is in use" in result.stderr
    assert "Traceback" not in result.output


def test_a_parsed_document_of_values_json_lacks_is_refused_by_name(engine: sa.Engine) -> None:
    odd = {**_document([_event(0)]), "creationDate": datetime(2026, 3, 1, tzinfo=UTC)}
    sources = [ImportSource("odd", odd), ImportSource("fine", _document([_event(1)]))]
    with engine.begin() as conn:
        report = do_import_captures(conn=conn, sources=sources, partner_id="acme", workers=2)
    (refused,) = report.rejected
    assert refused.name == "odd" and refused.error is not None
    assert refused.error.message_en == "document odd holds values JSON does not have"
    assert (report.events, report.stored) == (1, 1)


def test_workers_start_for_more_than_one_document_of_a_megabyte_or_more() -> None:
    small = [ImportSource(f"{k}.json", b"{}") for k in range(8)]
    large = [ImportSource(f"{k}.json", b" " * 600_000) for k in range(2)]
    cores = len(os.sched_getaffinity(0))
    assert default_workers(small) == 0
    assert default_workers(large[:1]) == 0
    assert default_workers(large) == min(2, cores)
    parsed = [ImportSource("a", _document([_event(i) for i in range(1_200)]))] * 2
    assert default_workers(parsed) == min(2, cores)
