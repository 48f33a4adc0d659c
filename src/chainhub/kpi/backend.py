"""An Ibis backend over the connection a request or command already holds."""

from __future__ import annotations

from typing import Any

import ibis
from ibis.backends import BaseBackend
from sqlalchemy import Connection


def ibis_for(conn: Connection) -> BaseBackend:
    """Wrap the driver connection under `conn`, so Ibis reads inside the same transaction."""
    driver: Any = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        # duckdb-engine wraps the DuckDB connection; Ibis needs the DuckDB object itself.
        return ibis.duckdb.from_connection(getattr(driver, "_ConnectionWrapper__c", driver))
    return ibis.postgres.from_connection(driver)
