"""A select's rows read as one Polars frame: on DuckDB through Arrow, with no Python object per
value, which is what makes reading millions of rows (the lot graph's event rows) affordable."""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa

from chainhub.storage.engine import get_driver_connection
from chainhub.storage.models import polars_type


def list_frame(*, conn: sa.Connection, query: sa.Select[Any]) -> pl.DataFrame:
    """The rows of `query`, in the caller's transaction, typed by its columns' types."""
    schema = {column.name: polars_type(column.type) for column in query.selected_columns}
    if conn.dialect.name != "duckdb":
        return pl.DataFrame(conn.execute(query).all(), schema=schema, orient="row")
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    values = [params[name] for name in compiled.positiontup or ()]
    raw = get_driver_connection(conn=conn)
    # `sql` rather than `execute`: its relation hands Arrow its rows without a copy.
    frame = pl.DataFrame(pl.from_arrow(raw.sql(str(compiled), params=values).to_arrow_table()))
    # DuckDB answers moments in its session's time zone; the schema says UTC, as elsewhere.
    return frame.with_columns(
        pl.col(name).dt.convert_time_zone("UTC")
        for name, dtype in schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone
    ).cast(schema)
