"""Plan: VMI replenishment proposals and the suppliers' decisions on them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "plan_proposals",
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("committed_quantity", sa.Double(), nullable=True),
        sa.Column("committed_date", sa.Date(), nullable=True),
        sa.Column("po_number", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_plan_proposals")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("plan_proposals")
