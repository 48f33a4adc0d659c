"""KPI queries compiled once per process, and their answers kept until documents change.

At dashboard sizes, building and compiling a KPI's Ibis expression costs more than running
it. Its SQL depends only on the KPI, the window, the partner filter and what the caller may
see (the visible SELECTs it reads, which carry the caller's grants and today's date as
literals), never on the stored rows; so the SQL is kept under exactly those. Its answer
depends on the SQL and the stored documents, which are append-only and arrive only in
submissions: it is kept under the SQL and the count of submissions the transaction sees.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

import ibis
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.kpi.backend import run_sql
from chainhub.kpi.catalogue import KpiDefinition, Sources, Window
from chainhub.storage.engine import get_read_cache
from chainhub.storage.models import submissions

_LIMIT: Final = 512
_GENERATION: Final = "kpi.submissions"
Shape = tuple[str, Window, str | None]
Key = tuple[object, ...]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    schema: ibis.Schema


_lock = threading.Lock()
_queries: OrderedDict[Key, _Compiled] = OrderedDict()
_answers: OrderedDict[tuple[str, int], pl.DataFrame] = OrderedDict()
# Which visible tables each shape's computation reads: the code decides, not the data.
_reads: dict[Shape, tuple[tuple[str, bool], ...]] = {}


def _key(src: Sources, shape: Shape, reads: tuple[tuple[str, bool], ...]) -> Key:
    p = src.principal
    visible = tuple(src.visible_sql(name, versions=versions) for name, versions in reads)
    return (src.conn.dialect.name, p.partner_id, p.role, p.chain_leader, src.today, shape, visible)


def _generation(conn: Connection) -> int:
    """How many submissions the transaction sees: a new one is the only way rows change."""
    cache = get_read_cache(conn=conn)
    if cache is not None and _GENERATION in cache:
        return int(cache[_GENERATION])
    count = int(conn.execute(sa.select(sa.func.count()).select_from(submissions)).scalar_one())
    if cache is not None:
        cache[_GENERATION] = count
    return count


def _answer(conn: Connection, compiled: _Compiled) -> pl.DataFrame:
    key = (compiled.sql, _generation(conn))
    with _lock:
        found = _answers.get(key)
        if found is not None:
            _answers.move_to_end(key)
            return found
    frame = run_sql(conn, compiled.sql, compiled.schema)
    with _lock:
        _answers[key] = frame
        while len(_answers) > _LIMIT:
            _answers.popitem(last=False)
    return frame


def get_kpi_frame(
    *, definition: KpiDefinition, src: Sources, window: Window, partner_id: str | None
) -> pl.DataFrame:
    """The KPI's rows per partner and period, from its compiled SQL when the same query was
    compiled before for the same visibility."""
    shape: Shape = (definition.kpi_id, window, partner_id)
    reads = _reads.get(shape)
    if reads is not None:
        key = _key(src, shape, reads)
        with _lock:
            hit = _queries.get(key)
            if hit is not None:
                _queries.move_to_end(key)
        if hit is not None:
            return _answer(src.conn, hit)
    table = definition.compute(src, window)
    if partner_id is not None:
        table = table.filter(table.partner_id == partner_id)
    reads = tuple(src.read)
    key = _key(src, shape, reads)
    compiled = _Compiled(sql=str(ibis.to_sql(table)), schema=table.schema())
    with _lock:
        _reads[shape] = reads
        _queries[key] = compiled
        while len(_queries) > _LIMIT:
            _queries.popitem(last=False)
    return _answer(src.conn, compiled)
