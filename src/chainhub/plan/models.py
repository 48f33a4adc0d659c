"""Tables of the plan domain: the alerts raised, so each goes out once."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

# One row per alert ever raised (a red group-week, a demand swing between two versions);
# `alert_key` names what it is about, so a second run finding the same one sends nothing.
plan_alerts = sa.Table(
    "plan_alerts",
    METADATA,
    sa.Column("alert_key", sa.String(), primary_key=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("customer_id", sa.String(), nullable=False),
    sa.Column("supplier_id", sa.String(), nullable=False),
    sa.Column("subject", sa.String(), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
)
