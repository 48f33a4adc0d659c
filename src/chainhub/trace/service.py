"""The EPCIS capture service: one more entry into the hub's audited write path.

A capture is checked whole, then stored all or nothing, once per event (its CBV 2.0 hash ID),
audited in the caller's transaction and announced to webhook subscribers; it never commits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_append_audit
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.storage.service import do_bulk_insert
from chainhub.trace.digital_link import normalise
from chainhub.trace.hashing import event_hashes, json_event_trees
from chainhub.trace.models import trace_captures, trace_event_epcs, trace_events
from chainhub.trace.validation import check_document

_EPC_ROLES = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input",
              "outputEPCList": "output"}  # fmt: skip
_QUANTITY_ROLES = {"quantityList": "quantity", "childQuantityList": "childQuantity",
                   "inputQuantityList": "inputQuantity",
                   "outputQuantityList": "outputQuantity"}  # fmt: skip


@dataclass(frozen=True)
class Capture:
    """What a capture did: its job, how many events it had and how many were new."""

    capture_id: str
    event_count: int
    stored_count: int
    events: tuple[HubEvent, ...] = ()


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _epc_rows(event_hash: str, event: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(event.get("parentID"), str):
        rows.append({"role": "parent", "epc": event["parentID"], "quantity": None, "uom": None})
    for key, role in _EPC_ROLES.items():
        rows += [
            {"role": role, "epc": e, "quantity": None, "uom": None} for e in event.get(key, [])
        ]
    for key, role in _QUANTITY_ROLES.items():
        for item in event.get(key, []):
            amount = item.get("quantity")
            quantity = float(amount) if amount is not None else None
            rows.append(
                {
                    "role": role,
                    "epc": item["epcClass"],
                    "uom": item.get("uom"),
                    "quantity": quantity,
                }
            )
    return [{"event_hash": event_hash, "position": i, **row} for i, row in enumerate(rows)]


def do_capture(
    *,
    conn: Connection,
    document: Mapping[str, Any],
    partner_id: str,
    from_xml: bool = False,
    received_at: datetime | None = None,
) -> Capture:
    """Check and store one EPCIS document's events; an event already stored is stored once."""
    check_document(document, from_xml=from_xml)
    received_at = received_at or datetime.now(UTC)
    capture_id = str(uuid.uuid4())
    events = list(document["epcisBody"]["eventList"])
    hashes = event_hashes(json_event_trees(document))
    known = set(
        conn.execute(
            sa.select(trace_events.c.event_hash).where(trace_events.c.event_hash.in_(hashes))
        ).scalars()
    )
    context = [c for c in document.get("@context", []) if isinstance(c, Mapping)]
    rows, epcs, fresh = [], [], []
    for event_hash, event in zip(hashes, events, strict=True):
        if event_hash in known:
            continue
        known.add(event_hash)
        stored = {**({"@context": context} if context else {}), **event}
        read_point, location = event.get("readPoint") or {}, event.get("bizLocation") or {}
        rows.append({
            "event_hash": event_hash, "event_id": event.get("eventID") or event_hash,
            "capture_id": capture_id, "captured_by": partner_id, "event_type": event["type"],
            "event_time": _time(event["eventTime"]),
            "event_time_zone_offset": event["eventTimeZoneOffset"], "record_time": received_at,
            "action": event.get("action"), "biz_step": event.get("bizStep"),
            "disposition": event.get("disposition"),
            "read_point": normalise(read_point.get("id", "")) or read_point.get("id"),
            "biz_location": normalise(location.get("id", "")) or location.get("id"),
            "event": json.dumps(stored, ensure_ascii=False, sort_keys=True),
        })  # fmt: skip
        epcs += _epc_rows(event_hash, event)
        fresh.append(HubEvent(event=WebhookEvent.EPCIS_CAPTURED, document_type="epcis_event",
                              doc_key=event_hash, version=1, submission_id=capture_id,
                              occurred_at=received_at))  # fmt: skip
    if rows:
        do_bulk_insert(conn=conn, table=trace_events,
                       frame=pl.DataFrame(rows,
                                          schema_overrides={"action": pl.String}))  # fmt: skip
    if epcs:
        frame = pl.DataFrame(epcs, schema={"event_hash": pl.String, "position": pl.Int32,
                             "role": pl.String, "epc": pl.String, "quantity": pl.Float64,
                             "uom": pl.String})  # fmt: skip
        do_bulk_insert(conn=conn, table=trace_event_epcs, frame=frame.select(
            [c.name for c in trace_event_epcs.columns]))  # fmt: skip
    conn.execute(trace_captures.insert().values(
        capture_id=capture_id, partner_id=partner_id, received_at=received_at,
        format="xml" if from_xml else "json", event_count=len(events), stored_count=len(rows),
        success=True))  # fmt: skip
    do_append_audit(conn=conn, record=AuditRecord(
        action="epcis.capture", status=202, outcome="stored" if rows else "duplicate",
        partner_id=partner_id, target={"capture_id": capture_id, "events": len(events),
                                       "stored": len(rows)}))  # fmt: skip
    return Capture(capture_id, len(events), len(rows), tuple(fresh))
