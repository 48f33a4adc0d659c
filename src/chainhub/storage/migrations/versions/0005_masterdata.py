"""Master data: unknown partner codes, match suggestions and review decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "masterdata_unknown_codes",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("partner_material_code", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurrences", sa.BigInteger(), nullable=False),
        sa.Column("last_submission_ref", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint(
            "partner_id", "partner_material_code", name=op.f("pk_masterdata_unknown_codes")
        ),
    )
    op.create_table(
        "masterdata_suggestions",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("partner_material_code", sa.String(), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "partner_id", "partner_material_code", "rank", name=op.f("pk_masterdata_suggestions")
        ),
    )
    op.create_table(
        "masterdata_decisions",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("partner_material_code", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_masterdata_decisions")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("masterdata_decisions")
    op.drop_table("masterdata_suggestions")
    op.drop_table("masterdata_unknown_codes")
