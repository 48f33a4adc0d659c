"""Tables of the master-data domain: match suggestions and review decisions."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

masterdata_suggestions = sa.Table(
    "masterdata_suggestions",
    METADATA,
    sa.Column("partner_id", sa.String(), primary_key=True),
    sa.Column("partner_material_code", sa.String(), primary_key=True),
    sa.Column("rank", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("material_code", sa.String(), nullable=False),
    sa.Column("confidence", sa.Double(), nullable=False),
    sa.Column("reasons", sa.String(), nullable=False),
    sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=False),
    # Attribute names, comma-separated: which agreed, disagreed, or were stated on one side only.
    sa.Column("agreed", sa.String(), nullable=False, server_default=""),
    sa.Column("disagreed", sa.String(), nullable=False, server_default=""),
    sa.Column("missing", sa.String(), nullable=False, server_default=""),
)


masterdata_decisions = sa.Table(
    "masterdata_decisions",
    METADATA,
    sa.Column("decision_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=False),
    sa.Column("partner_material_code", sa.String(), nullable=False),
    sa.Column("material_code", sa.String(), nullable=False),
    sa.Column("decision", sa.String(), nullable=False),
    sa.Column("mode", sa.String(), nullable=False),
    sa.Column("confidence", sa.Double(), nullable=True),
    sa.Column("flagged", sa.Boolean(), nullable=False),
    sa.Column("decided_by", sa.String(), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("submission_id", sa.String(36), nullable=True),
)
