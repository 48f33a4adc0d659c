"""Tables of the partners domain."""

from __future__ import annotations

import sqlalchemy as sa


def define_tables(metadata: sa.MetaData) -> None:
    """Add this domain's tables to the hub's metadata."""
    sa.Table(
        "api_tokens",
        metadata,
        sa.Column("token_id", sa.String(16), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
