"""Intake log: every submission attempt, its failing rules, and quarantined rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "intake_attempts",
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("document_type", sa.String(), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("valid_rows", sa.BigInteger(), nullable=False),
        sa.Column("stored_rows", sa.BigInteger(), nullable=False),
        sa.Column("error_count", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_intake_attempts")),
    )
    op.create_index(
        op.f("ix_intake_attempts_partner_id"), "intake_attempts", ["partner_id"], unique=False
    )
    op.create_table(
        "intake_attempt_rules",
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("error_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "attempt_id", "rule", "field", name=op.f("pk_intake_attempt_rules")
        ),
    )
    op.create_table(
        "quarantine",
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("source_row", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("document_type", sa.String(), nullable=False),
        sa.Column("source_values", sa.Text(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("attempt_id", "source_row", name=op.f("pk_quarantine")),
    )
    op.create_index(op.f("ix_quarantine_partner_id"), "quarantine", ["partner_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_quarantine_partner_id"), table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_table("intake_attempt_rules")
    op.drop_index(op.f("ix_intake_attempts_partner_id"), table_name="intake_attempts")
    op.drop_table("intake_attempts")
