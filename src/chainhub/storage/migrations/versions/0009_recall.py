"""Recall: cases opened for a lot and their affected partners' acknowledgements.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-17 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "recall_cases",
        sa.Column("recall_id", sa.String(length=36), nullable=False),
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
        sa.PrimaryKeyConstraint("recall_id", name=op.f("pk_recall_cases")),
    )
    op.create_table(
        "recall_partners",
        sa.Column("recall_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("lots", sa.Text(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(), nullable=True),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("recall_id", "partner_id", name=op.f("pk_recall_partners")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("recall_partners")
    op.drop_table("recall_cases")
