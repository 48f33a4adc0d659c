"""Tables of the intake domain: every submission attempt, its failing rules, quarantined rows,
unknown partner codes."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

intake_attempts = sa.Table(
    "intake_attempts",
    METADATA,
    sa.Column("attempt_id", sa.String(36), primary_key=True),
    sa.Column("partner_id", sa.String(), nullable=False, index=True),
    sa.Column("document_type", sa.String(), nullable=False),
    sa.Column("source_file", sa.String(), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("rows", sa.BigInteger(), nullable=False),
    sa.Column("valid_rows", sa.BigInteger(), nullable=False),
    sa.Column("stored_rows", sa.BigInteger(), nullable=False),
    sa.Column("error_count", sa.BigInteger(), nullable=False),
    sa.Column("submission_id", sa.String(36), nullable=True),
)

intake_attempt_rules = sa.Table(
    "intake_attempt_rules",
    METADATA,
    sa.Column("attempt_id", sa.String(36), primary_key=True),
    sa.Column("rule", sa.String(), primary_key=True),
    sa.Column("field", sa.String(), primary_key=True),
    sa.Column("error_count", sa.BigInteger(), nullable=False),
)

quarantine = sa.Table(
    "quarantine",
    METADATA,
    sa.Column("attempt_id", sa.String(36), primary_key=True),
    sa.Column("source_row", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("partner_id", sa.String(), nullable=False, index=True),
    sa.Column("document_type", sa.String(), nullable=False),
    sa.Column("source_values", sa.Text(), nullable=False),
    sa.Column("errors", sa.Text(), nullable=False),
)

# Partner codes seen without a crosswalk, whatever became of their file; master data reviews them.
unknown_codes = sa.Table(
    "masterdata_unknown_codes",
    METADATA,
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
