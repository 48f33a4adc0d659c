"""A table's row count as the database's catalogue estimates it, read without a scan."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

# DuckDB's catalogue view of the tables; a system view, not one of the hub's tables.
_DUCKDB_TABLES = sa.table("duckdb_tables", sa.column("table_name"), sa.column("estimated_size"))


def get_duckdb_row_estimate(*, conn: Connection, table: sa.Table) -> int:
    """How many committed rows DuckDB's catalogue counts in `table` (0 when it has none)."""
    query = sa.select(_DUCKDB_TABLES.c.estimated_size).where(
        _DUCKDB_TABLES.c.table_name == table.name
    )
    return int(conn.execute(query).scalar() or 0)
