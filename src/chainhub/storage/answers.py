"""Answers of read queries kept until the stored documents change.

Documents are append-only and arrive only in submissions, so the count of submissions a
transaction sees says which rows it reads: an answer kept under its database, its query's
text and that count is the answer the query would give again. Only queries whose text holds
everything they depend on (the caller's visibility as literals) may be kept.

Within a process one request computes a missing answer while the others asking for it wait
for its result, rather than every concurrent request computing the same answer at once.
"""

from __future__ import annotations

import threading
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
# Statement texts by dialect, SQLAlchemy cache key and parameter values.
_texts: BoundedCache[tuple[str, Any, str], str] = BoundedCache(_LIMIT)
# The answers being computed, each with the event set once it is kept or its computing
# failed.
_computing: dict[tuple[str, str, int], threading.Event] = {}
_computing_lock = threading.Lock()
# How long a request waits for another's computing before it computes the answer itself.
_WAIT_SECONDS: Final = 60.0


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
    # Compiling with the values written in costs more than the answer's look-up; the same
    # shape with the same values (SQLAlchemy's cache key) gives the same text. SQLAlchemy
    # 2.0 offers no public spelling of it: `HasCacheKey._generate_cache_key` is the method
    # its reference documents (returning the public `CacheKey`).
    cache_key = statement._generate_cache_key()
    shape = None
    if cache_key is not None:
        values = repr([bind.effective_value for bind in cache_key.bindparams])
        shape = (conn.dialect.name, cache_key.key, values)
        text = _texts.get(shape)
        if text is not None:
            return text
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    text = str(compiled)
    if shape is not None:
        _texts.put(shape, text)
    return text


def get_kept_answer(*, conn: Connection, query: str, compute: Callable[[], T]) -> T:
    """The answer to `query` (a text naming everything it reads) as of the documents the
    transaction sees: computed once, then kept until the next submission. Callers must not
    change what they get back."""
    # The database's address, not only its dialect: two hubs in one process (tests, scripts)
    # may have stored as many submissions each.
    database = conn.engine.url.render_as_string(hide_password=True)
    key = (database, query, get_generation(conn=conn))
    while True:
        with _computing_lock:
            kept = _answers.get(key)
            if kept is not None:
                found: T = kept[0]
                return found
            running = _computing.get(key)
            if running is None:
                running = _computing[key] = threading.Event()
                break
        # Another request computes it: wait, then look again (if its computing failed, one
        # of the waiters computes it next).
        if not running.wait(_WAIT_SECONDS):
            return compute()
    return _compute_and_keep(key, compute, running)


def _compute_and_keep(
    key: tuple[str, str, int], compute: Callable[[], T], running: threading.Event
) -> T:
    """Compute the answer under `key`, keep it, and wake whoever waits for it."""
    try:
        answer = compute()
        _answers.put(key, (answer,))
        return answer
    finally:
        with _computing_lock:
            if _computing.get(key) is running:
                del _computing[key]
        running.set()
