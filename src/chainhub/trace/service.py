"""The EPCIS capture service: one more entry into the hub's audited write path.

A capture is checked whole, then stored all or nothing, once per event (its CBV 2.0 hash ID),
audited in the caller's transaction and announced to webhook subscribers; it never commits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_log_audit
from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.partners.visibility import check_trace_event_visible
from chainhub.partners.webhooks import do_enqueue_deliveries
from chainhub.storage.service import do_bulk_insert
from chainhub.trace.hashing import event_hashes, json_event_hashes, xml_event_trees
from chainhub.trace.identifiers import canonical_epc
from chainhub.trace.models import (
    trace_captures,
    trace_event_epcs,
    trace_event_parties,
    trace_events,
)
from chainhub.trace.named_queries import do_notify_streams
from chainhub.trace.parties import get_site_owners, party_rows
from chainhub.trace.schemas import CaptureJob
from chainhub.trace.validation import check_document
from chainhub.trace.vocabulary import bare_word

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


def _word(field: str, value: str | None) -> str | None:
    return None if value is None else bare_word(field, value)


def _with_context(event: Mapping[str, Any], context: list[Any]) -> dict[str, Any]:
    """The event with the document's namespace prefixes ahead of any it declares itself."""
    own = event.get("@context")
    declared = context + (own if isinstance(own, list) else [own] if own else [])
    return {**event, "@context": declared} if declared else dict(event)


def _epc_rows(event_hash: str, event: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(event.get("parentID"), str):
        rows.append(
            {
                "role": "parent",
                "epc": canonical_epc(event["parentID"]),
                "quantity": None,
                "uom": None,
            }
        )
    for key, role in _EPC_ROLES.items():
        rows += [
            {"role": role, "epc": canonical_epc(e), "quantity": None, "uom": None}
            for e in event.get(key, [])
        ]
    for key, role in _QUANTITY_ROLES.items():
        for item in event.get(key, []):
            amount = item.get("quantity")
            quantity = float(amount) if amount is not None else None
            rows.append(
                {
                    "role": role,
                    "epc": canonical_epc(item["epcClass"]),
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
    xml: bytes | None = None,
    received_at: datetime | None = None,
) -> Capture:
    """Check and store one EPCIS document's events; an event already stored is stored once.

    A document read from `xml` has its events hashed from the XML, as the CBV reads it.
    """
    check_document(document, from_xml=xml is not None)
    received_at = received_at or datetime.now(UTC)
    capture_id = str(uuid.uuid4())
    events = list(document["epcisBody"]["eventList"])
    hashes = event_hashes(xml_event_trees(xml)) if xml is not None else json_event_hashes(document)
    known = set(
        conn.execute(
            sa.select(trace_events.c.event_hash).where(trace_events.c.event_hash.in_(hashes))
        ).scalars()
    )
    context = [c for c in document.get("@context", []) if isinstance(c, Mapping)]
    owners = get_site_owners(conn=conn, events=events)
    rows, epcs, parties, fresh = [], [], [], []
    for event_hash, event in zip(hashes, events, strict=True):
        if event_hash in known:
            continue
        known.add(event_hash)
        stored = _with_context(event, context)
        read_point, location = event.get("readPoint") or {}, event.get("bizLocation") or {}
        rows.append({
            "event_hash": event_hash, "event_id": event.get("eventID") or event_hash,
            "capture_id": capture_id, "captured_by": partner_id, "event_type": event["type"],
            "event_time": _time(event["eventTime"]),
            "event_time_zone_offset": event["eventTimeZoneOffset"], "record_time": received_at,
            "action": event.get("action"), "biz_step": _word("bizStep", event.get("bizStep")),
            "disposition": _word("disposition", event.get("disposition")),
            "read_point": canonical_epc(read_point["id"]) if "id" in read_point else None,
            "biz_location": canonical_epc(location["id"]) if "id" in location else None,
            "event": json.dumps(stored, ensure_ascii=False, sort_keys=True),
        })  # fmt: skip
        epcs += _epc_rows(event_hash, event)
        parties += party_rows(event_hash=event_hash, event=event, captured_by=partner_id,
                              owners=owners)  # fmt: skip
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
    if parties:
        frame = pl.DataFrame(parties, schema={"event_hash": pl.String, "kind": pl.String,
                             "position": pl.Int32, "party": pl.String})  # fmt: skip
        columns = [c.name for c in trace_event_parties.columns]
        do_bulk_insert(conn=conn, table=trace_event_parties, frame=frame.select(columns))
    conn.execute(trace_captures.insert().values(
        capture_id=capture_id, partner_id=partner_id, received_at=received_at,
        format="json" if xml is None else "xml", event_count=len(events), stored_count=len(rows),
        success=True))  # fmt: skip
    do_log_audit(conn=conn, record=AuditRecord(
        action="epcis.capture", status=202, outcome="stored" if rows else "duplicate",
        partner_id=partner_id, target={"capture_id": capture_id, "events": len(events),
                                       "stored": len(rows)}))  # fmt: skip
    do_enqueue_deliveries(conn=conn, events=fresh, today=received_at.date(), now=received_at,
                          is_visible=_sees_event(conn))  # fmt: skip
    do_notify_streams(conn=conn, event_hashes=[row["event_hash"] for row in rows], now=received_at)
    return Capture(capture_id, len(events), len(rows), tuple(fresh))


def _sees_event(conn: Connection) -> Callable[[Principal, HubEvent], bool]:
    """Whether a webhook subscriber may see a captured event (its hash is the event's key)."""

    def sees(reader: Principal, event: HubEvent) -> bool:
        return check_trace_event_visible(conn=conn, principal=reader, events=trace_events,
                                         parties=trace_event_parties,
                                         event_hash=event.doc_key)  # fmt: skip

    return sees


def _job(row: Any) -> CaptureJob:
    received = row.received_at
    received = received.replace(tzinfo=UTC) if received.tzinfo is None else received
    return CaptureJob(
        capture_id=row.capture_id,
        created_at=received,
        finished_at=received,
        success=row.success,
        event_count=row.event_count,
        stored_count=row.stored_count,
    )


def access_capture(*, conn: Connection, principal: Principal, capture_id: str) -> CaptureJob:
    """A capture job of the caller's partner (any, for who sees all), else a 404."""
    jobs = trace_captures
    query = sa.select(jobs).where(jobs.c.capture_id == capture_id)
    if not principal.sees_all:
        query = query.where(jobs.c.partner_id == principal.partner_id)
    row = conn.execute(query).first()
    if row is None:
        raise ChainhubError(
            "epcis_capture_not_found",
            f"no capture job {capture_id} of yours",
            f"没有您的采集作业 {capture_id}",
            {"captureID": capture_id},
            404,
        )
    return _job(row)


def list_captures(
    *, conn: Connection, principal: Principal, limit: int, before: tuple[datetime, str] | None
) -> list[CaptureJob]:
    """The caller's partner's capture jobs (all, for who sees all), newest first, from `before`."""
    jobs = trace_captures
    query = sa.select(jobs).order_by(jobs.c.received_at.desc(), jobs.c.capture_id.desc())
    if not principal.sees_all:
        query = query.where(jobs.c.partner_id == principal.partner_id)
    if before is not None:
        when, capture_id = before
        query = query.where(
            sa.or_(
                jobs.c.received_at < when,
                sa.and_(jobs.c.received_at == when, jobs.c.capture_id < capture_id),
            )
        )
    return [_job(row) for row in conn.execute(query.limit(limit))]
