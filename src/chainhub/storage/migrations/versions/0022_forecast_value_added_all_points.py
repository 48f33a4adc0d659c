"""Forecast value added: the hub and naive scored on every backtest point as well.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 11:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COLUMNS = ("hub_all_mase", "hub_all_wmape", "naive_all_mase", "naive_all_wmape")


def upgrade() -> None:
    """Apply this revision."""
    for name in COLUMNS:
        op.add_column("forecast_value_added", sa.Column(name, sa.Double(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for name in reversed(COLUMNS):
        op.drop_column("forecast_value_added", name)
