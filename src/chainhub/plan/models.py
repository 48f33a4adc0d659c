"""Tables of the plan domain: the alerts raised, so each goes out once; VMI proposals."""

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

# VMI replenishment proposals: a delivery the hub proposes to a supplier for a material it
# manages at a customer's site. A new set replaces the still-open ones; the supplier's accepted
# (possibly changed) quantity and date become its purchase order `po_number`. The shortfall,
# the purchasing terms and the lead time say how the quantity and the dates came about
# (null on proposals stored before them).
plan_proposals = sa.Table(
    "plan_proposals",
    METADATA,
    sa.Column("proposal_id", sa.String(36), primary_key=True),
    sa.Column("customer_id", sa.String(), nullable=False),
    sa.Column("supplier_id", sa.String(), nullable=False),
    sa.Column("material_code", sa.String(), nullable=False),
    sa.Column("site_id", sa.String(), nullable=False),
    sa.Column("week_start", sa.Date(), nullable=False),
    sa.Column("quantity", sa.Double(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("committed_quantity", sa.Double(), nullable=True),
    sa.Column("committed_date", sa.Date(), nullable=True),
    sa.Column("po_number", sa.String(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decided_by", sa.String(), nullable=True),
    sa.Column("shortfall", sa.Double(), nullable=True),
    sa.Column("minimum_order_quantity", sa.Double(), nullable=True),
    sa.Column("order_multiple", sa.Double(), nullable=True),
    sa.Column("capped", sa.Boolean(), nullable=True),
    sa.Column("lead_days", sa.Integer(), nullable=True),
    sa.Column("lead_source", sa.String(), nullable=True),
    sa.Column("order_date", sa.Date(), nullable=True),
    sa.Column("expected_date", sa.Date(), nullable=True),
    sa.Column("late", sa.Boolean(), nullable=True),
)
