"""Tables of the partners domain: sharing agreements and webhooks."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

sharing_agreements = sa.Table(
    "sharing_agreements",
    METADATA,
    sa.Column("agreement_id", sa.String(36), primary_key=True),
    sa.Column("grantor_id", sa.String(), nullable=False),
    sa.Column("grantee_id", sa.String(), nullable=False),
    sa.Column("document_types", sa.String(), nullable=False),
    sa.Column("scope_kind", sa.String(), nullable=False),
    sa.Column("scope_values", sa.String(), nullable=False),
    sa.Column("purpose", sa.String(), nullable=False),
    sa.Column("valid_from", sa.Date(), nullable=False),
    sa.Column("valid_to", sa.Date(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("proposed_by", sa.String(), nullable=False),
    sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)


webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    METADATA,
    sa.Column("subscription_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=False),
    sa.Column("url", sa.String(), nullable=False),
    sa.Column("events", sa.String(), nullable=False),
    sa.Column("secret", sa.String(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)


webhook_deliveries = sa.Table(
    "webhook_deliveries",
    METADATA,
    sa.Column("delivery_id", sa.String(36), primary_key=True),
    sa.Column("subscription_id", sa.String(36), nullable=False),
    sa.Column("event", sa.String(), nullable=False),
    sa.Column("payload", sa.String(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
)


webhook_attempts = sa.Table(
    "webhook_attempts",
    METADATA,
    sa.Column("delivery_id", sa.String(36), primary_key=True),
    sa.Column("attempt", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=True),
    sa.Column("error", sa.String(), nullable=True),
)
