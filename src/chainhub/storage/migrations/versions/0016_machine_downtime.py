"""Machine downtime windows that every later plan of a site respects.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 01:35:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "machine_downtime",
        sa.Column("downtime_id", sa.String(length=36), primary_key=True),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("machine", sa.String(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_machine_downtime_site_id", "machine_downtime", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_machine_downtime_site_id", table_name="machine_downtime")
    op.drop_table("machine_downtime")
