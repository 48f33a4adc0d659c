"""Forecast value added: RMSSE of each forecast, the measure the verdict is judged by and the
series' demand class (intermittent demand is judged by RMSSE).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 00:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

SCORES = ("hub_rmsse", "partner_rmsse", "naive_rmsse", "hub_all_rmsse", "naive_all_rmsse")
LABELS = ("measure", "demand_class")


def upgrade() -> None:
    """Apply this revision."""
    for name in SCORES:
        op.add_column("forecast_value_added", sa.Column(name, sa.Double(), nullable=True))
    for name in LABELS:
        op.add_column("forecast_value_added", sa.Column(name, sa.String(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for name in reversed((*SCORES, *LABELS)):
        op.drop_column("forecast_value_added", name)
