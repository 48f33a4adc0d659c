"""Forecast value added: per run and series, the hub's, the partner's and naive scores.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 07:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "forecast_value_added",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("issuer_id", sa.String(), nullable=True),
        sa.Column("allocated", sa.Boolean(), nullable=False),
        sa.Column("share", sa.Double(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("naive_method", sa.String(), nullable=False),
        sa.Column("hub_mase", sa.Double(), nullable=True),
        sa.Column("hub_wmape", sa.Double(), nullable=True),
        sa.Column("partner_mase", sa.Double(), nullable=True),
        sa.Column("partner_wmape", sa.Double(), nullable=True),
        sa.Column("naive_mase", sa.Double(), nullable=True),
        sa.Column("naive_wmape", sa.Double(), nullable=True),
        sa.Column("best", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint(
            "run_id", "material_code", "customer_id", name=op.f("pk_forecast_value_added")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("forecast_value_added")
