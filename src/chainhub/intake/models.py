"""Tables of the intake domain: every submission attempt, its failing rules, quarantined rows."""

from __future__ import annotations

import sqlalchemy as sa


def define_tables(metadata: sa.MetaData) -> None:
    """Add this domain's tables to the hub's metadata."""
    sa.Table(
        "intake_attempts",
        metadata,
        sa.Column("attempt_id", sa.String(36), primary_key=True),
        sa.Column("partner_id", sa.String(), nullable=False, index=True),
        sa.Column("document_type", sa.String(), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("valid_rows", sa.BigInteger(), nullable=False),
        sa.Column("stored_rows", sa.BigInteger(), nullable=False),
        sa.Column("error_count", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=True),
    )
    sa.Table(
        "intake_attempt_rules",
        metadata,
        sa.Column("attempt_id", sa.String(36), primary_key=True),
        sa.Column("rule", sa.String(), primary_key=True),
        sa.Column("field", sa.String(), primary_key=True),
        sa.Column("error_count", sa.BigInteger(), nullable=False),
    )
    sa.Table(
        "quarantine",
        metadata,
        sa.Column("attempt_id", sa.String(36), primary_key=True),
        sa.Column("source_row", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("partner_id", sa.String(), nullable=False, index=True),
        sa.Column("document_type", sa.String(), nullable=False),
        sa.Column("source_values", sa.Text(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
    )
