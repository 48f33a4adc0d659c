"""EPCIS named queries and their query subscriptions.

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-29 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "trace_named_queries",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "name", name=op.f("pk_trace_named_queries")),
    )
    op.create_table(
        "trace_query_subscriptions",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("query_name", sa.String(), nullable=False),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("report_if_empty", sa.Boolean(), nullable=False),
        sa.Column("initial_record_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("min_record_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_trace_query_subscriptions")),
    )
    op.create_index(
        "ix_trace_query_subscriptions_query",
        "trace_query_subscriptions",
        ["partner_id", "query_name"],
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_trace_query_subscriptions_query", table_name="trace_query_subscriptions")
    op.drop_table("trace_query_subscriptions")
    op.drop_table("trace_named_queries")
