"""The index on `trace_events.event_id` on PostgreSQL only.

An event is looked up by its eventID or its hash ID (`trace.query.access_event`, one query for
the pair): PostgreSQL combines the two indexes, DuckDB scans the table with the index or without
it alike (9 to 14 ms at 200,000 events, measured both ways), and its bulk capture spent 1.2 us
an event merging rows into the index at commit.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 03:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_INDEX = "ix_trace_events_event_id"


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == "duckdb":
        op.drop_index(op.f(_INDEX), table_name="trace_events")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "duckdb":
        op.create_index(op.f(_INDEX), "trace_events", ["event_id"], unique=False)
