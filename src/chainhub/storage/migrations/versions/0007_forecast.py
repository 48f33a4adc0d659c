"""Forecast: runs, the method chosen per series with its backtest scores, forecast values.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "forecast_runs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bucket", sa.String(), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("series_count", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_forecast_runs")),
        sa.UniqueConstraint("version", name=op.f("uq_forecast_runs_version")),
    )
    op.create_table(
        "forecast_series",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("fitted", sa.String(), nullable=False),
        sa.Column("mase", sa.Double(), nullable=True),
        sa.Column("wmape", sa.Double(), nullable=True),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "run_id", "material_code", "customer_id", name=op.f("pk_forecast_series")
        ),
    )
    op.create_table(
        "forecast_values",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("lo", sa.Double(), nullable=True),
        sa.Column("hi", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint(
            "run_id",
            "material_code",
            "customer_id",
            "period_start",
            name=op.f("pk_forecast_values"),
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("forecast_values")
    op.drop_table("forecast_series")
    op.drop_table("forecast_runs")
