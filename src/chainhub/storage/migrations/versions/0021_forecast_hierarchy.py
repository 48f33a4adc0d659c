"""Forecast hierarchy: each run's levels, nodes and reconciled values.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 07:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _scores() -> list[sa.Column[float]]:
    return [
        sa.Column(name, sa.Double(), nullable=True)
        for name in ("base_mase", "base_wmape", "mase", "wmape")
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "forecast_levels",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("windows", sa.Integer(), nullable=False),
        *_scores(),
        sa.PrimaryKeyConstraint("run_id", "level", name=op.f("pk_forecast_levels")),
    )
    op.create_table(
        "forecast_nodes",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("node", sa.String(), nullable=False),
        sa.Column("family", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=True),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("method", sa.String(), nullable=False),
        *_scores(),
        sa.PrimaryKeyConstraint("run_id", "level", "node", name=op.f("pk_forecast_nodes")),
    )
    op.create_table(
        "forecast_node_values",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("node", sa.String(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("base", sa.Double(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("lo", sa.Double(), nullable=True),
        sa.Column("hi", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint(
            "run_id", "level", "node", "period_start", name=op.f("pk_forecast_node_values")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("forecast_node_values")
    op.drop_table("forecast_nodes")
    op.drop_table("forecast_levels")
