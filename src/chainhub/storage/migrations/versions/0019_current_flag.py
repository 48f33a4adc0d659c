"""A stored current-version flag on every document table; the current_* views filter on it.

The views grouped their whole table per query to find each document's latest version. Now
storage marks the rows of older versions when it writes a newer one, and each view is a plain
filter on the flag (without the flag among its columns).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Document types as of this revision.
_TYPES = (
    "bom",
    "capacity_group",
    "demand_forecast",
    "goods_receipt",
    "inventory_snapshot",
    "material",
    "material_crosswalk",
    "partner",
    "production_order",
    "purchase_order",
    "purchasing_terms",
    "quality_inspection",
    "routing",
    "sales_order",
    "shipment",
    "site",
    "weekly_material_demand",
    "work_centre",
)
_FLAG = "_current"


def _columns(table: str) -> str:
    """The table's columns but the flag, in order, quoted."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :table "
            "AND table_schema = current_schema() ORDER BY ordinal_position"
        ),
        {"table": table},
    )
    return ", ".join(f'"{name}"' for (name,) in rows if name != _FLAG)


def _alter(table: str, change: str) -> None:
    """ALTER a document table; DuckDB refuses it while an index depends on the table."""
    duckdb = op.get_bind().dialect.name == "duckdb"
    index = op.f(f"ix_{table}__doc_key")
    if duckdb:
        op.drop_index(index, table_name=table)
    op.execute(f"ALTER TABLE {table} {change}")
    if duckdb:
        op.create_index(index, table, ["_doc_key"], unique=False)


def upgrade() -> None:
    """Apply this revision."""
    for name in _TYPES:
        table = f"doc_{name}"
        op.execute(f"DROP VIEW current_{name}")
        _alter(table, f"ADD COLUMN {_FLAG} BOOLEAN DEFAULT true NOT NULL")
        # Every row of a version below its document's highest is no longer current.
        op.execute(
            f"UPDATE {table} AS d SET {_FLAG} = false FROM (SELECT _doc_key, "
            f"max(_doc_version) AS _latest FROM {table} GROUP BY _doc_key) AS v "
            "WHERE d._doc_key = v._doc_key AND d._doc_version < v._latest"
        )
        op.execute(
            f"CREATE VIEW current_{name} AS SELECT {_columns(table)} FROM {table} WHERE {_FLAG}"
        )


def downgrade() -> None:
    """Revert this revision."""
    for name in _TYPES:
        table = f"doc_{name}"
        op.execute(f"DROP VIEW current_{name}")
        _alter(table, f"DROP COLUMN {_FLAG}")
        # The latest version of each document: every line of the version with the highest number.
        op.execute(
            f"CREATE VIEW current_{name} AS SELECT d.* FROM {table} AS d "
            f"JOIN (SELECT _doc_key, max(_doc_version) AS _latest FROM {table} "
            "GROUP BY _doc_key) AS v ON d._doc_key = v._doc_key AND d._doc_version = v._latest"
        )
