"""Capture through the audited write path, on both backends: stored once per event, audited."""

from __future__ import annotations

import json

import sqlalchemy as sa

from chainhub.access.models import audit_log
from chainhub.trace.models import trace_event_epcs, trace_events
from chainhub.trace.service import do_capture
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
