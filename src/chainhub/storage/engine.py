"""Database engines for the two supported backends, with connection errors made readable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import duckdb_engine
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError

from chainhub.errors import ChainhubError

ACCEPTED_FORMS: Final = (
    "duckdb:///path/file.duckdb, path/file.duckdb, postgresql://user@host/db "
    "or postgresql+psycopg://user@host/db"
)
# conn.info key of the cache a read-only request keeps on its connection.
_READ_CACHE_INFO: Final = "chainhub_read_cache"
# conn.info key set while a DuckDB connection runs each statement in its own transaction.
_AUTOCOMMIT_INFO: Final = "chainhub_autocommit"
_DUCKDB_LOCK: Final = re.compile(r"Could not set lock on file|Conflicting lock", re.IGNORECASE)


class CachingDuckDBDialect(duckdb_engine.Dialect):
    """duckdb_engine's dialect with SQLAlchemy's compiled-statement cache on. Its SQL is that of
    PostgreSQL's compiler, which caches; duckdb_engine declares no support only to silence the
    warning a dialect without the flag gets (its pull request 268), and without the cache every
    statement of every request is compiled anew, a large share of a small read's time."""

    supports_statement_cache = True

    # Whether a DuckDB connection has a transaction open, kept on the connection: the pool
    # rolls a returned connection back unless its `Connection` ended the transaction, so a
    # request's connection, committed, is rolled back again, and DuckDB answers that with an
    # error that duckdb_engine catches (~0.17 ms of CPU per request, for nothing).
    def do_begin(self, dbapi_connection: Any) -> None:
        # Under `start_autocommit` no transaction is begun: DuckDB runs each statement in its
        # own, and the commit that ends SQLAlchemy's finds none open.
        if _AUTOCOMMIT_INFO in getattr(dbapi_connection, "info", ()):
            _raw(dbapi_connection).chainhub_in_transaction = False
            return
        super().do_begin(dbapi_connection)
        _raw(dbapi_connection).chainhub_in_transaction = True

    def do_commit(self, dbapi_connection: Any) -> None:
        raw = _raw(dbapi_connection)
        if getattr(raw, "chainhub_in_transaction", True):
            super().do_commit(dbapi_connection)  # type: ignore[no-untyped-call]
            raw.chainhub_in_transaction = False

    def do_rollback(self, dbapi_connection: Any) -> None:
        # Unknown (a connection this dialect did not begin on) counts as open.
        raw = _raw(dbapi_connection)
        if getattr(raw, "chainhub_in_transaction", True):
            super().do_rollback(dbapi_connection)
            raw.chainhub_in_transaction = False


def _raw(dbapi_connection: Any) -> Any:
    """duckdb_engine's connection behind the pool's proxy (or itself)."""
    return getattr(dbapi_connection, "dbapi_connection", dbapi_connection)


# Every `duckdb://` engine of the process gets it: SQLAlchemy looks registered names up before
# installed entry points.
registry.register("duckdb", __name__, CachingDuckDBDialect.__name__)


def create_engine_for(
    url: str, *, must_exist: bool = False, pool_size: int | None = None
) -> sa.Engine:
    """An engine for a DuckDB file or a PostgreSQL database; ChainhubError for any other URL.

    With `must_exist`, a DuckDB file that is not there is an error instead of a new empty hub:
    commands that only read say so rather than create a database at a mistyped path.
    `pool_size` sizes the connection pool for a server (its requests wait at most 30 s for a
    connection beyond it and a few more).
    """
    parsed = _parse_url(url)
    if must_exist and parsed.get_backend_name() == "duckdb":
        path = Path(parsed.database or "")
        if not path.is_file():
            raise ChainhubError(
                "database_missing",
                f"there is no hub database at {path}; create one with `chainhub demo` or "
                "`chainhub db upgrade`, or point --db at an existing one",
                f"{path} 处没有枢纽数据库；请先运行 `chainhub demo` 或 `chainhub db upgrade`，"
                "或用 --db 指向已有的数据库",
                {"database": str(path)},
            )
    pool: dict[str, int] = {}
    if pool_size is not None:
        pool = {"pool_size": pool_size, "max_overflow": 4, "pool_timeout": 30}
    engine = sa.create_engine(
        parsed, pool_pre_ping=parsed.get_backend_name() == "postgresql", **pool
    )
    if parsed.get_backend_name() == "duckdb":
        # DuckDB returns DECIMAL as Decimal; without this flag SQLAlchemy round-trips the
        # value through float and loses digits beyond 15 significant ones.
        engine.dialect.supports_native_decimal = True
        sa.event.listen(engine, "connect", _without_progress_bar)
    sa.event.listen(engine, "handle_error", _translate_connect_error)
    sa.event.listen(engine, "connect", _in_utc)
    return engine


def _setting(dbapi_connection: Any, statement: str) -> None:
    """Run one SET statement on a new driver connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def _in_utc(dbapi_connection: Any, _record: Any) -> None:
    # Every session reads instants in UTC: a date cast or month truncation must not depend on
    # the server's zone or on which pooled connection a request gets (Ibis sets UTC on the
    # first connection it reads a schema on, and only that one).
    _setting(dbapi_connection, "SET TimeZone = 'UTC'")


def _without_progress_bar(dbapi_connection: Any, _record: Any) -> None:
    # DuckDB draws a progress bar on the process's output for a statement of more than two
    # seconds (reading a large lot graph's rows): not for a server's log or a command's table.
    _setting(dbapi_connection, "SET enable_progress_bar = false")


def get_driver_connection(*, conn: Connection) -> Any:
    """The DB-API driver's own connection (DuckDB's or psycopg's) behind `conn`."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the connection is closed")
    return raw


def start_read_cache(*, conn: Connection) -> None:
    """Give a transaction that changes nothing a cache for what it would otherwise read again
    (the caller's sharing grants); the edge removes it with the connection's other state."""
    conn.info[_READ_CACHE_INFO] = {}


def start_autocommit(*, conn: Connection) -> None:
    """On DuckDB, run each statement of the connection in its own transaction, with no BEGIN
    and COMMIT around them (each a statement to parse and plan, ~0.17 ms of CPU together),
    until the edge removes the connection's state; it begins no transaction then. For a
    transaction of one statement, or of statements that need not see one snapshot."""
    if conn.dialect.name == "duckdb" and not conn.in_transaction():
        conn.info[_AUTOCOMMIT_INFO] = True


def get_autocommit(*, conn: Connection) -> bool:
    """True while `start_autocommit` holds on the connection (DuckDB's)."""
    return _AUTOCOMMIT_INFO in conn.info


def get_read_cache(*, conn: Connection) -> dict[Any, Any] | None:
    """The read-only transaction's cache, or None outside one."""
    cache: dict[Any, Any] | None = conn.info.get(_READ_CACHE_INFO)
    return cache


def describe_url(url: URL) -> str:
    """The database a URL names, for messages: the DuckDB file, or host/db without a password."""
    if url.get_backend_name() == "duckdb":
        return url.database or ""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def _parse_url(url: str) -> URL:
    text = url.strip()
    if "://" not in text and text.endswith(".duckdb"):
        text = f"duckdb:///{text}"
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise _bad_url(url) from None
    if parsed.drivername == "duckdb" and parsed.database:
        return parsed
    if parsed.drivername in ("postgresql", "postgresql+psycopg") and parsed.database:
        return parsed.set(drivername="postgresql+psycopg")
    raise _bad_url(url)


def _bad_url(url: str) -> ChainhubError:
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = url
    return ChainhubError(
        "bad_database_url",
        f"Unsupported database URL {shown!r}; use {ACCEPTED_FORMS}",
        f"不支持的数据库地址 {shown!r}；请使用 {ACCEPTED_FORMS}",
    )


def _translate_connect_error(context: ExceptionContext) -> None:
    # Only failures to open a connection are translated; errors of a statement stay as they are.
    if context.connection is not None or context.engine is None:
        return
    url = context.engine.url
    where = describe_url(url)
    detail = str(context.original_exception).splitlines()[0] if context.original_exception else ""
    if url.get_backend_name() == "duckdb":
        if _DUCKDB_LOCK.search(str(context.original_exception)):
            raise ChainhubError(
                "database_locked",
                f"The database file {where} is in use by another process, usually a running "
                "`chainhub serve`: use the hub's API while it runs, or stop the server first",
                f"数据库文件 {where} 正被另一个进程占用（通常是正在运行的 `chainhub serve`）："
                "服务运行期间请通过 API 操作，或先停止服务",
            ) from None
        raise ChainhubError(
            "database_unreachable",
            f"Cannot open the database file {where}: {detail}",
            f"无法打开数据库文件 {where}：{detail}",
        ) from None
    raise ChainhubError(
        "database_unreachable",
        f"Cannot connect to PostgreSQL at {where}: {detail}",
        f"无法连接 PostgreSQL 数据库 {where}：{detail}",
    ) from None
