"""Answers of read queries kept until the stored documents change.

Documents are append-only and arrive only in submissions, so the count of submissions a
transaction sees says which rows it reads: an answer kept under its database, its query's
text and that count is the answer the query would give again. Only queries whose text holds
everything they depend on (the caller's visibility as literals) may be kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.storage.bounded import BoundedCache
from chainhub.storage.engine import get_read_cache
from chainhub.storage.models import submissions

T = TypeVar("T")
_LIMIT: Final = 1024
_GENERATION: Final = "storage.submissions"
# Wrapped so that a kept None is told apart from a miss.
_answers: BoundedCache[tuple[str, str, int], tuple[Any]] = BoundedCache(_LIMIT)


def get_generation(*, conn: Connection) -> int:
    """How many submissions the transaction sees (once per read-only request)."""
    cache = get_read_cache(conn=conn)
    if cache is not None and _GENERATION in cache:
        return int(cache[_GENERATION])
    count = int(conn.execute(sa.select(sa.func.count()).select_from(submissions)).scalar_one())
    if cache is not None:
        cache[_GENERATION] = count
    return count


def get_statement_text(*, conn: Connection, statement: sa.ClauseElement) -> str:
    """A statement's SQL with its parameters written in, as the key of its answer."""
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)


def get_kept_answer(*, conn: Connection, query: str, compute: Callable[[], T]) -> T:
    """The answer to `query` (a text naming everything it reads) as of the documents the
    transaction sees: computed once, then kept until the next submission. Callers must not
    change what they get back."""
    # The database's address, not only its dialect: two hubs in one process (tests, scripts)
    # may have stored as many submissions each.
    database = conn.engine.url.render_as_string(hide_password=True)
    key = (database, query, get_generation(conn=conn))
    kept = _answers.get(key)
    if kept is not None:
        found: T = kept[0]
        return found
    answer = compute()
    _answers.put(key, (answer,))
    return answer
