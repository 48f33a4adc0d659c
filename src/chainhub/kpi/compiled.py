"""KPI queries compiled once per process, and their answers kept until documents change.

At dashboard sizes, building and compiling a KPI's Ibis expression costs more than running
it. Its SQL depends only on the KPI, the window and the database's dialect, never on the
caller nor on the stored rows: it is compiled over stand-in tables, once. Each run binds the
stand-ins' names to the caller's visible SELECTs (its grants and today's date as literals) in
a WITH clause around the compiled query, which is never edited, with the partner filter
outside it. The answer is kept by `storage.answers` until the next submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import ibis
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.kpi.backend import run_sql
from chainhub.kpi.catalogue import KpiDefinition, Read, Sources, Window, placeholder
from chainhub.storage.answers import get_kept_answer
from chainhub.storage.bounded import BoundedCache

_LIMIT: Final = 512
MAX_FACT_ROWS: Final = 500
# SQLAlchemy's dialect names as Ibis spells them.
_IBIS_DIALECTS: Final = {"postgresql": "postgres"}
# The alias of a compiled KPI wrapped in the partner filter or the drill-down's order.
_OUTER: Final = '"kpi_rows"'


@dataclass(frozen=True)
class _Compiled:
    sql: str
    schema: ibis.Schema
    # The stand-in tables the SQL names, each bound to the caller's visible rows by name.
    reads: tuple[Read, ...]


# Windows come from callers, so shapes are unbounded: the cache is bounded.
_queries: BoundedCache[tuple[str, str, Window], _Compiled] = BoundedCache(_LIMIT)


def _compile(definition: KpiDefinition, src: Sources, window: Window) -> _Compiled:
    table = definition.compute(src, window)
    dialect = src.conn.dialect.name
    sql = str(ibis.to_sql(table, dialect=_IBIS_DIALECTS.get(dialect, dialect)))
    return _Compiled(sql=sql, schema=table.schema(), reads=tuple(src.read))


def _literal(conn: Connection, value: str) -> str:
    return str(
        sa.literal(value).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    )


def _compiled(definition: KpiDefinition, src: Sources, window: Window) -> tuple[_Compiled, bool]:
    """The KPI's compiled query for `window` and the connection's dialect, compiled now unless
    kept; with whether it was compiled now."""
    key = (src.conn.dialect.name, definition.kpi_id, window)
    compiled = _queries.get(key)
    if compiled is not None:
        return compiled, False
    compiled = _compile(definition, src, window)
    _queries.put(key, compiled)
    return compiled, True


def _bound(src: Sources, compiled: _Compiled) -> str:
    """The compiled query whole, its stand-in tables bound by name to the caller's visible
    rows; each bound query inlined where it is read (NOT MATERIALIZED: a read query of every
    column of a document type is never to be written out first)."""
    bound = ",\n".join(
        f'"{placeholder(read)}" AS NOT MATERIALIZED '
        f"({src.visible_sql(read[0], versions=read[1], sited=read[2])})"
        for read in compiled.reads
    )
    query = f"SELECT * FROM ({compiled.sql}) AS {_OUTER}"
    return f"WITH {bound}\n{query}" if bound else query


def get_kpi_frame(
    *, definition: KpiDefinition, src: Sources, window: Window, partner_id: str | None
) -> pl.DataFrame:
    """The KPI's rows per partner and period (for a drill-down window, its facts, the first
    MAX_FACT_ROWS + 1 by day), over the documents the caller sees."""
    if partner_id is not None and not window.rows:
        # One partner's rows of the answer every partner's view keeps (a dashboard's first
        # views and the warm-up keep it): no query of its own.
        whole = get_kpi_frame(definition=definition, src=src, window=window, partner_id=None)
        return whole.filter(pl.col("partner_id") == partner_id)
    compiled, _ = _compiled(definition, src, window)
    sql = _bound(src, compiled)
    if partner_id is not None:
        sql += f' WHERE {_OUTER}."partner_id" = {_literal(src.conn, partner_id)}'
    if window.rows:
        sql += f' ORDER BY {_OUTER}."day" LIMIT {MAX_FACT_ROWS + 1}'
    return get_kept_answer(
        conn=src.conn,
        query=sql,
        compute=lambda: run_sql(src.conn, sql, compiled.schema),
    )


def do_compile_kpi(*, definition: KpiDefinition, src: Sources, window: Window) -> bool:
    """Compile the KPI's query for `window` and the connection's dialect ahead of its first
    caller (a served hub at start), unless it is kept already; whether it compiled."""
    return _compiled(definition, src, window)[1]
