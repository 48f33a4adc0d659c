"""Master-data suggestions say which attributes agreed, disagreed, or were stated on one side.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_COLUMNS = ("agreed", "disagreed", "missing")


def upgrade() -> None:
    """Apply this revision."""
    for name in _COLUMNS:
        op.add_column(
            "masterdata_suggestions",
            sa.Column(name, sa.String(), nullable=False, server_default=""),
        )


def downgrade() -> None:
    """Revert this revision."""
    for name in reversed(_COLUMNS):
        op.drop_column("masterdata_suggestions", name)
