"""Reading stored runs back: a stored run never changes, so each kind of its rows is read once
per process and kept by database and run; then each caller is given what it sees."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Final, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.storage.bounded import BoundedCache

T = TypeVar("T")
P = TypeVar("P")

RUNS_KEPT: Final = 8
"""Stored runs kept per kind of rows (the latest and a few versions before it)."""


class RunReader(Generic[T]):
    """One kind of a stored run's rows, read by `read(conn, run_id)` once per process and
    database, then kept."""

    def __init__(self, read: Callable[[Connection, str], T], limit: int = RUNS_KEPT) -> None:
        self._read = read
        self._kept: BoundedCache[tuple[str, str], T] = BoundedCache(limit)

    def get(self, conn: Connection, run_id: str) -> T:
        """The run's rows, read on first use."""
        key = (conn.engine.url.render_as_string(hide_password=True), run_id)
        kept = self._kept.get(key)
        if kept is None:
            kept = self._read(conn, run_id)
            self._kept.put(key, kept)
        return kept


def read_points(
    conn: Connection,
    table: sa.Table,
    run_id: str,
    keys: tuple[str, ...],
    point: Callable[[sa.RowMapping], P],
) -> dict[tuple[Hashable, ...], list[P]]:
    """A run's values in `table`, in period order, as points per the values of `keys`."""
    found: dict[tuple[Hashable, ...], list[P]] = {}
    query = sa.select(table).where(table.c.run_id == run_id).order_by(table.c.period_start)
    for row in conn.execute(query).mappings():
        found.setdefault(tuple(row[k] for k in keys), []).append(point(row))
    return found
