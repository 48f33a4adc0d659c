"""Schedule: plan runs, slots, named problems and material needs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "schedule_runs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(), nullable=False),
        sa.Column("manufacturer_id", sa.String(), nullable=False),
        sa.Column("planned_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("makespan_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_orders", sa.Integer(), nullable=False),
        sa.Column("moved_operations", sa.Integer(), nullable=False),
        sa.Column("previous_run_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_schedule_runs")),
    )
    op.create_index(op.f("ix_schedule_runs_site_id"), "schedule_runs", ["site_id"], unique=False)
    op.create_table(
        "schedule_slots",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("operation_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("work_centre_id", sa.String(), nullable=False),
        sa.Column("machine_id", sa.String(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "run_id", "order_number", "operation_no", name=op.f("pk_schedule_slots")
        ),
    )
    op.create_table(
        "schedule_issues",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("operation_no", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "position", name=op.f("pk_schedule_issues")),
    )
    op.create_table(
        "schedule_needs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("material_code", sa.String(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("need_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "run_id", "order_number", "material_code", name=op.f("pk_schedule_needs")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("schedule_needs")
    op.drop_table("schedule_issues")
    op.drop_table("schedule_slots")
    op.drop_index(op.f("ix_schedule_runs_site_id"), table_name="schedule_runs")
    op.drop_table("schedule_runs")
