"""Trace: EPCIS capture jobs, events and the identifiers and parties they name.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "trace_captures",
        sa.Column("capture_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("stored_count", sa.Integer(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("capture_id", name=op.f("pk_trace_captures")),
    )
    op.create_table(
        "trace_events",
        sa.Column("event_hash", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("capture_id", sa.String(length=36), nullable=False),
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
        sa.PrimaryKeyConstraint("event_hash", name=op.f("pk_trace_events")),
    )
    op.create_index(op.f("ix_trace_events_event_id"), "trace_events", ["event_id"], unique=False)
    op.create_table(
        "trace_event_epcs",
        sa.Column("event_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epc", sa.String(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column("uom", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("event_hash", "role", "position", name=op.f("pk_trace_event_epcs")),
    )
    op.create_index(op.f("ix_trace_event_epcs_epc"), "trace_event_epcs", ["epc"], unique=False)
    op.create_table(
        "trace_event_parties",
        sa.Column("event_hash", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("party", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "event_hash", "kind", "position", name=op.f("pk_trace_event_parties")
        ),
    )
    op.create_index(
        op.f("ix_trace_event_parties_party"), "trace_event_parties", ["party"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_trace_event_parties_party"), table_name="trace_event_parties")
    op.drop_table("trace_event_parties")
    op.drop_index(op.f("ix_trace_event_epcs_epc"), table_name="trace_event_epcs")
    op.drop_table("trace_event_epcs")
    op.drop_index(op.f("ix_trace_events_event_id"), table_name="trace_events")
    op.drop_table("trace_events")
    op.drop_table("trace_captures")
