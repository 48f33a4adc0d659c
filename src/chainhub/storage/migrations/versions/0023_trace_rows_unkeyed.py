"""EPCIS event rows without composite primary keys: an index on the event hash on PostgreSQL.

`trace_event_epcs` and `trace_event_parties` were keyed by (event hash, role or kind,
position). Their rows are written once, with their event, whose hash keys `trace_events`; the
keys doubled the time of a bulk capture and no query used them. PostgreSQL finds an event's rows
by an index on its hash; DuckDB joins by hash without one. DuckDB cannot drop a constraint, so
there each table is built again.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 11:20:00.000000
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# Table → (its second key column, its indexed column).
_TABLES = {"trace_event_epcs": ("role", "epc"), "trace_event_parties": ("kind", "party")}


def _columns(table: str, *, keyed: bool) -> list[sa.schema.SchemaItem]:
    """The table's columns as of 0006 (with its primary key when `keyed`)."""
    second, _indexed = _TABLES[table]
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("event_hash", sa.String(), nullable=False),
        sa.Column(second, sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
    ]
    if table == "trace_event_epcs":
        columns += [
            sa.Column("epc", sa.String(), nullable=False),
            sa.Column("quantity", sa.Double(), nullable=True),
            sa.Column("uom", sa.String(), nullable=True),
        ]
    else:
        columns.append(sa.Column("party", sa.String(), nullable=False))
    if keyed:
        columns.append(
            sa.PrimaryKeyConstraint("event_hash", second, "position", name=op.f(f"pk_{table}"))
        )
    return columns


def _rebuild(table: str, *, keyed: bool) -> None:
    """Build a DuckDB table again with its rows, keyed or not, and its index."""
    _second, indexed = _TABLES[table]
    index = op.f(f"ix_{table}_{indexed}")
    op.drop_index(index, table_name=table)
    op.rename_table(table, f"{table}_old")
    op.create_table(table, *_columns(table, keyed=keyed))
    op.execute(f"INSERT INTO {table} SELECT * FROM {table}_old")
    op.drop_table(f"{table}_old")
    op.create_index(index, table, [indexed], unique=False)


def _each(postgresql: Callable[[str], None], duckdb: Callable[[str], None]) -> None:
    on_duckdb = op.get_bind().dialect.name == "duckdb"
    for table in _TABLES:
        (duckdb if on_duckdb else postgresql)(table)


def _unkey_postgresql(table: str) -> None:
    op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
    op.create_index(op.f(f"ix_{table}_event_hash"), table, ["event_hash"], unique=False)


def _key_postgresql(table: str) -> None:
    second, _indexed = _TABLES[table]
    op.drop_index(op.f(f"ix_{table}_event_hash"), table_name=table)
    op.create_primary_key(op.f(f"pk_{table}"), table, ["event_hash", second, "position"])


def upgrade() -> None:
    """Apply this revision."""
    _each(_unkey_postgresql, lambda table: _rebuild(table, keyed=False))


def downgrade() -> None:
    """Revert this revision."""
    _each(_key_postgresql, lambda table: _rebuild(table, keyed=True))
