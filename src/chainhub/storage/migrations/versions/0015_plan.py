"""Plan: weekly material demand and capacity group documents, material lead times, plan alerts.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 22:40:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_SYSTEM = (
    ("_submission_id", sa.String(length=36), False),
    ("_source_row", sa.Integer(), False),
    ("_doc_key", sa.String(), False),
    ("_doc_version", sa.Integer(), False),
    ("_submitted_by", sa.String(), False),
    ("_received_at", sa.DateTime(timezone=True), False),
    ("_standard_version", sa.String(), False),
    ("_source_file", sa.String(), False),
)
_DECIMAL = sa.Numeric(precision=18, scale=6)
_MATERIAL = (
    ("material_code", sa.String(), False),
    ("name_zh", sa.String(), False),
    ("name_en", sa.String(), False),
    ("category", sa.String(), False),
    ("base_unit", sa.String(), False),
    ("gtin", sa.String(), True),
    ("spec", sa.String(), True),
    ("net_weight_kg", _DECIMAL, True),
    ("shelf_life_days", sa.BigInteger(), True),
)
_LEAD_TIME = ("lead_time_days", sa.BigInteger(), True)
_NEW_TYPES = {
    "weekly_material_demand": (
        ("customer_id", sa.String(), False),
        ("supplier_id", sa.String(), False),
        ("material_code", sa.String(), False),
        ("supplier_material_code", sa.String(), True),
        ("customer_site", sa.String(), True),
        ("demand_category", sa.String(), False),
        ("unit", sa.String(), False),
        ("changed_at", sa.DateTime(timezone=True), False),
        ("week_start", sa.Date(), False),
        ("quantity", _DECIMAL, False),
    ),
    "capacity_group": (
        ("supplier_id", sa.String(), False),
        ("capacity_group_id", sa.String(), False),
        ("customer_id", sa.String(), False),
        ("name", sa.String(), False),
        ("unit", sa.String(), False),
        ("changed_at", sa.DateTime(timezone=True), True),
        ("line_no", sa.BigInteger(), False),
        ("week_start", sa.Date(), True),
        ("actual_capacity", _DECIMAL, True),
        ("maximum_capacity", _DECIMAL, True),
        ("agreed_capacity", _DECIMAL, True),
        ("material_code", sa.String(), True),
        ("load_factor", _DECIMAL, True),
    ),
}


def _document_table(name: str, fields: tuple[tuple[str, Any, bool], ...]) -> None:
    table = f"doc_{name}"
    op.create_table(
        table,
        *(
            sa.Column(column, kind, nullable=nullable, autoincrement=False)
            if column == "_source_row"
            else sa.Column(column, kind, nullable=nullable)
            for column, kind, nullable in (*fields, *_SYSTEM)
        ),
        sa.PrimaryKeyConstraint("_submission_id", "_source_row", name=op.f(f"pk_{table}")),
    )
    op.create_index(op.f(f"ix_{table}__doc_key"), table, ["_doc_key"], unique=False)


def _current_view(name: str) -> None:
    # The latest version of each document: every line of the version with the highest number.
    op.execute(
        f"CREATE VIEW current_{name} AS SELECT d.* FROM doc_{name} AS d "
        f"JOIN (SELECT _doc_key, max(_doc_version) AS _latest FROM doc_{name} "
        "GROUP BY _doc_key) AS v ON d._doc_key = v._doc_key AND d._doc_version = v._latest"
    )


def _rebuild_material(fields: tuple[tuple[str, Any, bool], ...]) -> None:
    """Rebuild doc_material with `fields`, keeping its rows: a column added in place, as the
    standard declares it, rather than appended after the system columns."""
    kept = ", ".join(name for name, _, _ in (*_MATERIAL, *_SYSTEM))
    op.execute("DROP VIEW current_material")
    op.execute(f"CREATE TABLE material_before_0012 AS SELECT {kept} FROM doc_material")
    op.drop_index(op.f("ix_doc_material__doc_key"), table_name="doc_material")
    op.drop_table("doc_material")
    _document_table("material", fields)
    op.execute(f"INSERT INTO doc_material ({kept}) SELECT {kept} FROM material_before_0012")
    op.execute("DROP TABLE material_before_0012")
    _current_view("material")


def upgrade() -> None:
    """Apply this revision."""
    _rebuild_material((*_MATERIAL, _LEAD_TIME))
    for name, fields in _NEW_TYPES.items():
        _document_table(name, fields)
        _current_view(name)
    op.create_table(
        "plan_alerts",
        sa.Column("alert_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("supplier_id", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alert_key", name=op.f("pk_plan_alerts")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("plan_alerts")
    for name in _NEW_TYPES:
        op.execute(f"DROP VIEW current_{name}")
        op.drop_index(op.f(f"ix_doc_{name}__doc_key"), table_name=f"doc_{name}")
        op.drop_table(f"doc_{name}")
    _rebuild_material(_MATERIAL)
