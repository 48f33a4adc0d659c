"""Password users: a hub-wide login name, the password's hash, role, disabling, throttling.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("login", sa.String(), True, None),
    ("password_hash", sa.String(), True, None),
    ("role", sa.String(), True, None),
    ("disabled_at", sa.DateTime(timezone=True), True, None),
    ("failed_logins", sa.Integer(), False, "0"),
    ("locked_until", sa.DateTime(timezone=True), True, None),
    ("last_sign_in_at", sa.DateTime(timezone=True), True, None),
)


def upgrade() -> None:
    """Apply this revision."""
    for name, type_, nullable, default in _COLUMNS:
        op.add_column("users", sa.Column(name, type_, nullable=nullable, server_default=default))
    op.create_index("ix_users_login", "users", ["login"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_users_login", table_name="users")
    for name, *_ in reversed(_COLUMNS):
        op.drop_column("users", name)
