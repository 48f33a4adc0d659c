"""An Ibis backend over the connection a request or command already holds."""

from __future__ import annotations

from typing import Any

import ibis
import polars as pl
from ibis.backends import BaseBackend
from sqlalchemy import Connection


def ibis_for(conn: Connection) -> BaseBackend:
    """Wrap the driver connection under `conn`, so Ibis reads inside the same transaction."""
    driver: Any = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        # duckdb-engine wraps the DuckDB connection; Ibis needs the DuckDB object itself.
        return ibis.duckdb.from_connection(getattr(driver, "_ConnectionWrapper__c", driver))
    return ibis.postgres.from_connection(driver)


def run_sql(conn: Connection, sql: str, schema: ibis.Schema) -> pl.DataFrame:
    """Rows of compiled SQL, run on the connection itself and typed by `schema`.

    Not through Ibis: handed SQL text, Ibis parses it again with sqlglot, which at dashboard
    sizes costs more than running it. `no_parameters` passes the text to the driver as it is,
    so psycopg reads no placeholder into a `%` of a date format.
    """
    result = conn.exec_driver_sql(sql, execution_options={"no_parameters": True})
    names = list(result.keys())
    rows = result.all()
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    # Cast by Ibis's schema: the driver may answer a month as a timestamp Ibis types as a date.
    frame = pl.DataFrame(columns, strict=False)
    return frame.cast(schema.to_polars(), strict=True)
