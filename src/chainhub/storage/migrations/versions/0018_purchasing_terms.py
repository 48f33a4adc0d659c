"""Purchasing terms documents (standard 1.1.0) and the terms and dates of VMI proposals.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 05:10:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_NAME = "purchasing_terms"
_TABLE = f"doc_{_NAME}"
_DECIMAL = sa.Numeric(precision=18, scale=6)
_COLUMNS: tuple[tuple[str, Any, bool], ...] = (
    ("buyer_id", sa.String(), False),
    ("supplier_id", sa.String(), False),
    ("material_code", sa.String(), False),
    ("minimum_order_quantity", _DECIMAL, True),
    ("order_multiple", _DECIMAL, True),
    ("lead_time_days", sa.BigInteger(), True),
    ("changed_at", sa.DateTime(timezone=True), True),
    ("_submission_id", sa.String(length=36), False),
    ("_source_row", sa.Integer(), False),
    ("_doc_key", sa.String(), False),
    ("_doc_version", sa.Integer(), False),
    ("_submitted_by", sa.String(), False),
    ("_received_at", sa.DateTime(timezone=True), False),
    ("_standard_version", sa.String(), False),
    ("_source_file", sa.String(), False),
)
_PROPOSAL_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("shortfall", sa.Double()),
    ("minimum_order_quantity", sa.Double()),
    ("order_multiple", sa.Double()),
    ("capped", sa.Boolean()),
    ("lead_days", sa.Integer()),
    ("lead_source", sa.String()),
    ("order_date", sa.Date()),
    ("expected_date", sa.Date()),
    ("late", sa.Boolean()),
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        _TABLE,
        *(
            sa.Column(column, kind, nullable=nullable, autoincrement=False)
            if column == "_source_row"
            else sa.Column(column, kind, nullable=nullable)
            for column, kind, nullable in _COLUMNS
        ),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f(f"pk_{_TABLE}")),
    )
    op.create_index(op.f(f"ix_{_TABLE}__doc_key"), _TABLE, ["_doc_key"], unique=False)
    # The latest version of each document: every line of the version with the highest number.
    op.execute(
        f"CREATE VIEW current_{_NAME} AS SELECT d.* FROM {_TABLE} AS d "
        f"JOIN (SELECT _doc_key, max(_doc_version) AS _latest FROM {_TABLE} "
        "GROUP BY _doc_key) AS v ON d._doc_key = v._doc_key AND d._doc_version = v._latest"
    )
    for column, kind in _PROPOSAL_COLUMNS:
        op.add_column("plan_proposals", sa.Column(column, kind, nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for column, _kind in reversed(_PROPOSAL_COLUMNS):
        op.drop_column("plan_proposals", column)
    op.execute(f"DROP VIEW current_{_NAME}")
    op.drop_index(op.f(f"ix_{_TABLE}__doc_key"), table_name=_TABLE)
    op.drop_table(_TABLE)
