"""KPI queries compiled once per process, and their answers kept until documents change.

At dashboard sizes, building and compiling a KPI's Ibis expression costs more than running
it. Its SQL depends only on the KPI, the window, the partner filter and what the caller may
see (the visible SELECTs it reads, which carry the caller's grants and today's date as
literals), never on the stored rows; so the SQL is kept under exactly those. Its answer is
kept by `storage.answers` until the next submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import ibis
import polars as pl
from sqlalchemy import Connection

from chainhub.kpi.backend import run_sql
from chainhub.kpi.catalogue import KpiDefinition, Sources, Window
from chainhub.storage.answers import get_kept_answer
from chainhub.storage.bounded import BoundedCache

_LIMIT: Final = 512
MAX_FACT_ROWS: Final = 500
Shape = tuple[str, Window, str | None]
Key = tuple[object, ...]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    schema: ibis.Schema


_queries: BoundedCache[Key, _Compiled] = BoundedCache(_LIMIT)
# Which visible tables each shape's computation reads: the code decides, not the data. Kept
# within the same bound as the queries: windows come from callers, so shapes are unbounded.
_reads: BoundedCache[Shape, tuple[tuple[str, bool, bool], ...]] = BoundedCache(_LIMIT)


def _key(src: Sources, shape: Shape, reads: tuple[tuple[str, bool, bool], ...]) -> Key:
    p = src.principal
    visible = tuple(
        src.visible_sql(name, versions=versions, sited=sited) for name, versions, sited in reads
    )
    return (src.conn.dialect.name, p.partner_id, p.role, p.chain_leader, src.today, shape, visible)


def _answer(conn: Connection, compiled: _Compiled) -> pl.DataFrame:
    return get_kept_answer(
        conn=conn,
        query=compiled.sql,
        compute=lambda: run_sql(conn, compiled.sql, compiled.schema),
    )


def get_kpi_frame(
    *, definition: KpiDefinition, src: Sources, window: Window, partner_id: str | None
) -> pl.DataFrame:
    """The KPI's rows per partner and period, from its compiled SQL when the same query was
    compiled before for the same visibility."""
    shape: Shape = (definition.kpi_id, window, partner_id)
    reads = _reads.get(shape)
    if reads is not None:
        hit = _queries.get(_key(src, shape, reads))
        if hit is not None:
            return _answer(src.conn, hit)
    table = definition.compute(src, window)
    if partner_id is not None:
        table = table.filter(table.partner_id == partner_id)
    if window.rows:
        table = table.order_by("day").limit(MAX_FACT_ROWS + 1)
    reads = tuple(src.read)
    key = _key(src, shape, reads)
    compiled = _Compiled(sql=str(ibis.to_sql(table)), schema=table.schema())
    _reads.put(shape, reads)
    _queries.put(key, compiled)
    return _answer(src.conn, compiled)
