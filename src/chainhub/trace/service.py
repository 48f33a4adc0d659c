"""The EPCIS capture service: one more entry into the hub's audited write path.

A capture is checked whole, then stored all or nothing, once per event (its CBV 2.0 hash ID),
audited in the caller's transaction and announced to webhook subscribers; it never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
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
from chainhub.partners.webhooks import (
    LiveSubscription,
    do_enqueue_deliveries,
    list_live_subscriptions,
)
from chainhub.storage.service import do_bulk_insert, do_bulk_insert_new
from chainhub.trace.models import (
    trace_captures,
    trace_event_epcs,
    trace_event_parties,
    trace_events,
)
from chainhub.trace.named_queries import do_notify_streams
from chainhub.trace.parties import get_site_owners
from chainhub.trace.prepare import Prepared, collector_paused, prepared_capture
from chainhub.trace.rows import keyed, party_frame, place_uris
from chainhub.trace.schemas import CaptureJob


@dataclass(frozen=True)
class Capture:
    """What a capture did: its job, how many events it had and how many were new."""

    capture_id: str
    event_count: int
    stored_count: int
    events: tuple[HubEvent, ...] = ()


def _stored_hashes(conn: Connection, hashes: list[str]) -> set[str]:
    """Those of `hashes` already stored (PostgreSQL: DuckDB's insert finds them itself)."""
    events = trace_events.c.event_hash
    wanted = sa.bindparam("hashes", type_=sa.ARRAY(sa.String()))
    # PostgreSQL's planner weighs an index join against a scan; `= ANY` of thousands of values
    # it always scans for (0.45 s at a million stored events, against 34 ms).
    given = sa.func.unnest(wanted).table_valued("event_hash").render_derived()
    query = sa.select(events).join(given, events == given.c.event_hash)
    return set(conn.execute(query, {"hashes": hashes}).scalars())


def _new_events(hashes: list[str], known: set[str]) -> tuple[list[str], list[int]]:
    """The hashes of the events not stored yet, each once (its first occurrence), and those
    events' positions."""
    column = pl.Series(hashes, dtype=pl.String)
    fresh = column.is_first_distinct() & ~column.is_in(
        pl.Series(list(known), dtype=pl.String).implode()
    )
    positions = fresh.arg_true()
    return column.gather(positions).to_list(), positions.to_list()


def _do_store_new_events(
    conn: Connection, events: pl.DataFrame, hashes: list[str]
) -> tuple[list[str], list[int]]:
    """Store the rows of `trace_events` (`rows.event_frame`) of the events not stored yet, each
    once (its first occurrence), on DuckDB; their hashes and positions, in document order.

    The insert's own key check is the look-up: one probe of the key's index per event, where a
    look-up before the insert read the index (or every stored hash) once more."""
    column = pl.Series(hashes, dtype=pl.String)
    first = column.is_first_distinct().arg_true()
    frame = keyed(events, trace_events, column, first)
    inserted = do_bulk_insert_new(conn=conn, table=trace_events, frame=frame)
    kept = first.filter(column.gather(first).is_in(inserted.implode()))
    return column.gather(kept).to_list(), kept.to_list()


def do_capture(
    *,
    conn: Connection,
    document: Mapping[str, Any],
    partner_id: str,
    xml: bytes | None = None,
    received_at: datetime | None = None,
    publish: bool = True,
    xml_tree: Any = None,
) -> Capture:
    """Check and store one EPCIS document's events; an event already stored is stored once.

    The new events' announcements are queued for the webhook subscriptions that want them and
    returned for the caller to publish to live streams; a caller that publishes none (a
    scripted load) passes `publish=False`, and then they are built only for the subscriptions.

    A document read from `xml` has its events hashed from the XML, as the CBV reads it (and its
    element tree, when given as `xml_tree`, checked by the XSD: `prepare.ReadBody`). Its
    rows are built for every event (`prepare.prepared_capture`) before it is known which are
    new; the new events' rows are loaded in one bulk insert per table (`do_store_capture`).
    """
    with collector_paused():
        prepared = prepared_capture(
            document=document,
            xml=xml,
            xml_tree=xml_tree,
            partner_id=partner_id,
            capture_id=str(uuid.uuid4()),
            received_at=received_at or datetime.now(UTC),
        )
        return do_store_capture(conn=conn, prepared=prepared, partner_id=partner_id,
                                publish=publish)  # fmt: skip


def do_store_capture(
    *,
    conn: Connection,
    prepared: Prepared,
    partner_id: str,
    publish: bool,
    subscriptions: list[LiveSubscription] | None = None,
) -> Capture:
    """Store a prepared capture of `partner_id`'s: the new events' rows (the party rows built
    from the directory's site owners, unless prepared with them), its job, its audit entry and
    its announcements to the webhook `subscriptions` (read here unless given)."""
    capture_id, received_at, hashes = prepared.capture_id, prepared.received_at, prepared.hashes
    parties = prepared.parties
    if parties is None:
        owners = get_site_owners(conn=conn, uris=place_uris(prepared.places))
        parties = party_frame(prepared.places, events=len(hashes), captured_by=partner_id,
                              owners=owners)  # fmt: skip
    frames = {trace_event_epcs: prepared.epcs, trace_event_parties: parties}
    if subscriptions is None:
        subscriptions = list_live_subscriptions(conn=conn)
    if conn.dialect.name == "duckdb":
        new_hashes, positions = _do_store_new_events(conn, prepared.events, hashes)
    else:
        new_hashes, positions = _new_events(hashes, _stored_hashes(conn, hashes))
        frames = {trace_events: prepared.events, **frames}
    wanted = any(WebhookEvent.EPCIS_CAPTURED.value in s.events for s in subscriptions)
    # The database loads the rows without the interpreter's lock: the announcements are built
    # meanwhile, and `conn` is the loader's alone until it is done.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="epcis-load") as loader:
        loading = loader.submit(_do_store_rows, conn, frames, hashes, positions)
        fresh = _announcements(new_hashes, capture_id, received_at) if wanted or publish else ()
        loading.result()
    event_count = len(hashes)
    conn.execute(trace_captures.insert().values(
        capture_id=capture_id, partner_id=partner_id, received_at=received_at,
        format=prepared.format, event_count=event_count,
        stored_count=len(new_hashes), success=True))  # fmt: skip
    do_log_audit(conn=conn, record=AuditRecord(
        action="epcis.capture", status=202, outcome="stored" if new_hashes else "duplicate",
        partner_id=partner_id, target={"capture_id": capture_id, "events": event_count,
                                       "stored": len(new_hashes)}))  # fmt: skip
    if wanted:
        do_enqueue_deliveries(conn=conn, events=list(fresh), today=received_at.date(),
                              now=received_at, is_visible=_sees_event(conn),
                              subscriptions=subscriptions)  # fmt: skip
    do_notify_streams(conn=conn, event_hashes=new_hashes, now=received_at)
    return Capture(capture_id, event_count, len(new_hashes), fresh)


def _announcements(
    hashes: list[str], capture_id: str, received_at: datetime
) -> tuple[HubEvent, ...]:
    """One announcement per newly stored event, its hash as the document key."""
    # Validated construction: pydantic-core builds these several times faster than
    # `model_construct`, which sets each field in Python.
    return tuple(
        HubEvent(event=WebhookEvent.EPCIS_CAPTURED, document_type="epcis_event",
                 doc_key=event_hash, version=1, submission_id=capture_id,
                 occurred_at=received_at)
        for event_hash in hashes
    )  # fmt: skip


def _do_store_rows(
    conn: Connection, frames: Mapping[sa.Table, pl.DataFrame], hashes: list[str], kept: list[int]
) -> None:
    """Insert the rows of the events at positions `kept` under their hashes, by table."""
    if not kept:
        return
    every, at = pl.Series(hashes, dtype=pl.String), pl.Series(kept, dtype=pl.UInt32)
    for table, frame in frames.items():
        do_bulk_insert(conn=conn, table=table, frame=keyed(frame, table, every, at))


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
