"""Tables of the master-data domain: unknown partner codes, match suggestions, decisions."""

from __future__ import annotations

import sqlalchemy as sa


def define_tables(metadata: sa.MetaData) -> None:
    """Add this domain's tables to the hub's metadata."""
    sa.Table(
        "masterdata_unknown_codes",
        metadata,
        sa.Column("partner_id", sa.String(), primary_key=True),
        sa.Column("partner_material_code", sa.String(), primary_key=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurrences", sa.BigInteger(), nullable=False),
        sa.Column("last_submission_ref", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=True),
    )
    sa.Table(
        "masterdata_suggestions",
        metadata,
        sa.Column("partner_id", sa.String(), primary_key=True),
        sa.Column("partner_material_code", sa.String(), primary_key=True),
        sa.Column("rank", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "masterdata_decisions",
        metadata,
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
