"""Tables of access: partner accounts, users, API tokens, the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

api_tokens = sa.Table(
    "api_tokens",
    METADATA,
    sa.Column("token_id", sa.String(16), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("partner_id", sa.String(), nullable=True),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("label", sa.String(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("user_id", sa.String(16), nullable=True),
)


partner_accounts = sa.Table(
    "partner_accounts",
    METADATA,
    sa.Column("partner_id", sa.String(), primary_key=True),
    sa.Column("chain_leader", sa.Boolean(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


users = sa.Table(
    "users",
    METADATA,
    sa.Column("user_id", sa.String(16), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Password users only (token-only users leave these empty): `login` is the name folded
    # for comparison, unique across the hub, so a sign-in names exactly one user.
    sa.Column("login", sa.String(), nullable=True),
    sa.Column("password_hash", sa.String(), nullable=True),
    sa.Column("role", sa.String(), nullable=True),
    sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_users_login", "login", unique=True),
)


audit_log = sa.Table(
    "audit_log",
    METADATA,
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("partner_id", sa.String(), nullable=True),
    sa.Column("user_id", sa.String(), nullable=True),
    sa.Column("token_id", sa.String(), nullable=True),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("target", sa.String(), nullable=False),
    sa.Column("status", sa.Integer(), nullable=False),
    sa.Column("outcome", sa.String(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
)
