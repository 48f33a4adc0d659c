"""Equipment telemetry: machine messages and the malformed ones kept aside.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-20 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "equipment_messages",
        sa.Column("partner_id", sa.String(), nullable=False),
        sa.Column("machine_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("machine_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("good", sa.Integer(), nullable=True),
        sa.Column("scrap", sa.Integer(), nullable=True),
        sa.Column("ideal_cycle_s", sa.Double(), nullable=True),
        sa.Column("temperature_c", sa.Double(), nullable=True),
        sa.Column("vibration_mm_s", sa.Double(), nullable=True),
        sa.Column("spindle_load_pct", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint(
            "partner_id", "machine_id", "message_id", name=op.f("pk_equipment_messages")
        ),
    )
    op.create_index(
        op.f("ix_equipment_messages_machine_time"),
        "equipment_messages",
        ["machine_time"],
        unique=False,
    )
    op.create_table(
        "equipment_rejects",
        sa.Column("reject_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("reject_id", name=op.f("pk_equipment_rejects")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("equipment_rejects")
    op.drop_index(op.f("ix_equipment_messages_machine_time"), table_name="equipment_messages")
    op.drop_table("equipment_messages")
