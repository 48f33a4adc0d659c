"""Tables of the schedule domain: plan runs, their slots, the problems named, material needs."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

schedule_runs = sa.Table(
    "schedule_runs",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("site_id", sa.String(), nullable=False, index=True),
    sa.Column("manufacturer_id", sa.String(), nullable=False),
    sa.Column("planned_from", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("makespan_end", sa.DateTime(timezone=True), nullable=True),
    sa.Column("late_orders", sa.Integer(), nullable=False),
    sa.Column("moved_operations", sa.Integer(), nullable=False),
    sa.Column("previous_run_id", sa.String(36), nullable=True),
)

# One row per scheduled operation: where, when, and whether it moved from the previous plan.
schedule_slots = sa.Table(
    "schedule_slots",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("order_number", sa.String(), primary_key=True),
    sa.Column("operation_no", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("work_centre_id", sa.String(), nullable=False),
    sa.Column("machine_id", sa.String(), nullable=False),
    sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("moved", sa.Boolean(), nullable=False),
)

# Problems in the input, named by order, operation and field; the rest is still planned.
schedule_issues = sa.Table(
    "schedule_issues",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("order_number", sa.String(), nullable=False),
    sa.Column("operation_no", sa.Integer(), nullable=True),
    sa.Column("field", sa.String(), nullable=False),
    sa.Column("message", sa.String(), nullable=False),
)

# When each order needs each component: the start of its first operation (what suppliers see).
schedule_needs = sa.Table(
    "schedule_needs",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("order_number", sa.String(), primary_key=True),
    sa.Column("material_code", sa.String(), primary_key=True),
    sa.Column("quantity", sa.Double(), nullable=False),
    sa.Column("need_at", sa.DateTime(timezone=True), nullable=False),
)

# When a machine (`WC-01#1`) or a whole work centre (`WC-01`) cannot work: a breakdown its
# telemetry reported, a maintenance window opened from a warning, or one entered by a planner.
# Every later plan of the site keeps its operations out of these windows.
machine_downtime = sa.Table(
    "machine_downtime",
    METADATA,
    sa.Column("downtime_id", sa.String(36), primary_key=True),
    sa.Column("site_id", sa.String(), nullable=False, index=True),
    sa.Column("machine", sa.String(), nullable=False),
    sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("reason", sa.String(), nullable=True),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
)
