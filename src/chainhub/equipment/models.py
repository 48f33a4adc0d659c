"""Tables of equipment telemetry: every message once, and the malformed ones kept aside."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

# One row per message, whatever its kind; a machine is known by its partner and its id, so a
# message redelivered (same machine, same message id) is stored once.
equipment_messages = sa.Table(
    "equipment_messages",
    METADATA,
    sa.Column("partner_id", sa.String(), primary_key=True),
    sa.Column("machine_id", sa.String(), primary_key=True),
    sa.Column("message_id", sa.String(), primary_key=True),
    sa.Column("site_id", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("machine_time", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(), nullable=True),
    sa.Column("reason", sa.String(), nullable=True),
    sa.Column("good", sa.Integer(), nullable=True),
    sa.Column("scrap", sa.Integer(), nullable=True),
    sa.Column("ideal_cycle_s", sa.Double(), nullable=True),
    sa.Column("temperature_c", sa.Double(), nullable=True),
    sa.Column("vibration_mm_s", sa.Double(), nullable=True),
    sa.Column("spindle_load_pct", sa.Double(), nullable=True),
)

# Messages that broke the topic or payload conventions, with what was wrong.
equipment_rejects = sa.Table(
    "equipment_rejects",
    METADATA,
    sa.Column("reject_id", sa.String(36), primary_key=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("topic", sa.String(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
)
