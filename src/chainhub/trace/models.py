"""Tables of the trace domain: capture jobs, EPCIS events (whole, canonical), their identifiers,
recall cases and their affected partners."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

trace_captures = sa.Table(
    "trace_captures",
    METADATA,
    sa.Column("capture_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("format", sa.String(), nullable=False),
    sa.Column("event_count", sa.Integer(), nullable=False),
    sa.Column("stored_count", sa.Integer(), nullable=False),
    sa.Column("success", sa.Boolean(), nullable=False),
)

# One row per distinct event (its CBV 2.0 hash ID); the event itself is kept whole as JSON.
# `event_id` is the event's own ID, else its hash. An event is looked up by either
# (`query.access_event`): PostgreSQL combines the two indexes, DuckDB scans for the pair with or
# without an index on `event_id`, so it has none (which cost a bulk capture 1.2 us an event).
trace_events = sa.Table(
    "trace_events",
    METADATA,
    sa.Column("event_hash", sa.String(), primary_key=True),
    sa.Column("event_id", sa.String(), nullable=False),
    sa.Column("capture_id", sa.String(36), nullable=False),
    sa.Column("captured_by", sa.String(), nullable=False),
    sa.Column("event_type", sa.String(), nullable=False),
    sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event_time_zone_offset", sa.String(), nullable=False),
    sa.Column("record_time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(), nullable=True),
    sa.Column("biz_step", sa.String(), nullable=True),
    sa.Column("disposition", sa.String(), nullable=True),
    sa.Column("read_point", sa.String(), nullable=True),
    sa.Column("biz_location", sa.String(), nullable=True),
    sa.Column("event", sa.Text(), nullable=False),
    sa.Index("ix_trace_events_event_id", "event_id").ddl_if(dialect="postgresql"),
)

# Every identifier an event names, with the role it plays: epc, parent, child, input, output
# (instance level) or quantity, childQuantity, inputQuantity, outputQuantity (class level).
# No primary key: an event's rows are written once, with the event (whose hash is the key of
# `trace_events`), and a composite key doubled the time of a bulk capture. PostgreSQL looks an
# event's rows up by an index on its hash; DuckDB joins them by hash and has no use for one.
trace_event_epcs = sa.Table(
    "trace_event_epcs",
    METADATA,
    sa.Column("event_hash", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False, autoincrement=False),
    sa.Column("epc", sa.String(), nullable=False, index=True),
    sa.Column("quantity", sa.Double(), nullable=True),
    sa.Column("uom", sa.String(), nullable=True),
    sa.Index("ix_trace_event_epcs_event_hash", "event_hash").ddl_if(dialect="postgresql"),
)

# Places and parties an event names (readPoint, bizLocation, source, destination), for
# visibility; keyed like `trace_event_epcs`.
trace_event_parties = sa.Table(
    "trace_event_parties",
    METADATA,
    sa.Column("event_hash", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False, autoincrement=False),
    sa.Column("party", sa.String(), nullable=False, index=True),
    sa.Index("ix_trace_event_parties_event_hash", "event_hash").ddl_if(dialect="postgresql"),
)

# A recall case: the lot, who opened it and when, when its trace was computed, how it closed.
recall_cases = sa.Table(
    "recall_cases",
    METADATA,
    sa.Column("recall_id", sa.String(36), primary_key=True),
    sa.Column("lot_number", sa.String(), nullable=False),
    sa.Column("material_code", sa.String(), nullable=True),
    sa.Column("reason", sa.String(), nullable=True),
    sa.Column("opened_by", sa.String(), nullable=True),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("traced_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("affected_lots", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_by", sa.String(), nullable=True),
)

# One line per affected partner of a case: its affected lots, its notice, its acknowledgement.
recall_partners = sa.Table(
    "recall_partners",
    METADATA,
    sa.Column("recall_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), primary_key=True),
    sa.Column("lots", sa.Text(), nullable=False),
    sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("acknowledged_by", sa.String(), nullable=True),
    sa.Column("quantity", sa.Double(), nullable=True),
    sa.Column("unit", sa.String(), nullable=True),
    sa.Column("note", sa.String(), nullable=True),
)

# A named query of the EPCIS REST binding: per partner, its name and its `query` object as sent.
trace_named_queries = sa.Table(
    "trace_named_queries",
    METADATA,
    sa.Column("partner_id", sa.String(), primary_key=True),
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("query", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# A query subscription: its webhook (same id in partners' webhook_subscriptions, which holds
# the destination and the signature token and carries the deliveries) and how it reports.
trace_query_subscriptions = sa.Table(
    "trace_query_subscriptions",
    METADATA,
    sa.Column("subscription_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=False),
    sa.Column("query_name", sa.String(), nullable=False),
    sa.Column("stream", sa.Boolean(), nullable=False),
    sa.Column("report_if_empty", sa.Boolean(), nullable=False),
    sa.Column("initial_record_time", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # A scheduled subscription: its schedule (JSON), when it runs next, where its next report
    # starts (minRecordTime), and how often it ran (a run claims it by this count).
    sa.Column("schedule", sa.Text(), nullable=True),
    sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("min_record_time", sa.DateTime(timezone=True), nullable=True),
    sa.Column("runs", sa.Integer(), nullable=False),
    sa.Index("ix_trace_query_subscriptions_query", "partner_id", "query_name"),
)
