"""Engines: accepted URLs, and readable errors for bad URLs, locked files and absent servers."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import duckdb_engine
import pytest
import sqlalchemy as sa
from sqlalchemy.engine.interfaces import CacheStats

from chainhub.access.audit import end_request_state
from chainhub.errors import ChainhubError
from chainhub.storage.engine import create_engine_for, start_autocommit


@pytest.mark.parametrize(
    ("url", "driver", "database"),
    [
        ("duckdb:///data/hub.duckdb", "duckdb", "data/hub.duckdb"),
        ("data/hub.duckdb", "duckdb", "data/hub.duckdb"),
        ("/srv/chainhub/hub.duckdb", "duckdb", "/srv/chainhub/hub.duckdb"),
        ("postgresql://hub@db.example/chainhub", "postgresql+psycopg", "chainhub"),
        ("postgresql+psycopg://hub@db.example/chainhub", "postgresql+psycopg", "chainhub"),
    ],
)
def test_accepted_urls(url: str, driver: str, database: str) -> None:
    engine = create_engine_for(url)
    assert (engine.url.drivername, engine.url.database) == (driver, database)


@pytest.mark.parametrize(
    "url",
    [
        "mysql://hub:secret@db.example/chainhub",
        "sqlite:///hub.db",
        "postgresql+psycopg2://hub@db.example/chainhub",
        "postgresql://hub@db.example",
        "duckdb://",
        "hub.db",
        "",
    ],
)
def test_other_urls_are_refused_by_name(url: str) -> None:
    with pytest.raises(ChainhubError) as error:
        create_engine_for(url)
    message = error.value.message("en")
    assert error.value.code == "bad_database_url"
    assert "duckdb:///path/file.duckdb" in message and "postgresql://" in message
    assert "secret" not in message
    assert url.replace("secret", "***") in message


def test_a_locked_duckdb_file_names_the_file_and_the_server(held_duckdb_file: Path) -> None:
    engine = create_engine_for(str(held_duckdb_file))
    with pytest.raises(ChainhubError) as error, engine.connect():
        pass
    assert error.value.code == "database_locked"
    assert str(held_duckdb_file) in error.value.message("en")
    assert "chainhub serve" in error.value.message("en")
    assert str(held_duckdb_file) in error.value.message("zh")


def test_a_duckdb_file_in_a_missing_folder_is_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "hub.duckdb"
    with pytest.raises(ChainhubError) as error, create_engine_for(str(path)).connect():
        pass
    assert error.value.code == "database_unreachable"
    assert str(path) in error.value.message("en")


def test_an_absent_postgresql_server_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket is closed
    engine = create_engine_for(f"postgresql://hub:secret@127.0.0.1:{port}/chainhub")
    with pytest.raises(ChainhubError) as error, engine.connect():
        pass
    assert error.value.code == "database_unreachable"
    assert f"127.0.0.1:{port}/chainhub" in error.value.message("en")
    assert "secret" not in error.value.message("en")


def test_a_missing_duckdb_file_is_an_error_when_it_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "typo.duckdb"
    with pytest.raises(ChainhubError) as caught:
        create_engine_for(f"duckdb:///{path}", must_exist=True)
    assert caught.value.code == "database_missing"
    assert not path.exists()


def test_every_connection_reads_instants_in_utc(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client in Shanghai: libpq sends PGTZ as the session's zone, DuckDB takes the process's.
    monkeypatch.setenv("PGTZ", "Asia/Shanghai")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                zone = conn.exec_driver_sql("SELECT current_setting('TimeZone')").scalar()
                assert zone == "UTC"
    finally:
        engine.dispose()
        monkeypatch.undo()
        time.tzset()


def test_a_duckdb_engine_compiles_a_statement_once(tmp_path: Path) -> None:
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub.duckdb'}")
    statement = sa.select(sa.literal(1)).where(sa.bindparam("n") > 0)
    with engine.connect() as conn:
        hits = [conn.execute(statement, {"n": n}).context.cache_hit for n in (1, 2)]
    assert hits == [CacheStats.CACHE_MISS, CacheStats.CACHE_HIT]


def _calls(monkeypatch: pytest.MonkeyPatch, method: str) -> list[object]:
    """The DBAPI connections DuckDB's dialect `method` (do_begin, do_rollback) is called with,
    in order, as it goes on doing its work."""
    calls: list[object] = []
    original = getattr(duckdb_engine.Dialect, method)

    def counted(self: duckdb_engine.Dialect, dbapi_connection: object) -> None:
        calls.append(dbapi_connection)
        original(self, dbapi_connection)

    monkeypatch.setattr(duckdb_engine.Dialect, method, counted)
    return calls


def test_a_duckdb_connection_is_rolled_back_on_return_only_with_a_transaction_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub.duckdb'}", pool_size=1)
    rollbacks = _calls(monkeypatch, "do_rollback")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.commit()
    # A new connection is rolled back once (its state unknown); a committed one is not.
    rollbacks.clear()
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT count(*) FROM t"))
        conn.commit()
    assert rollbacks == []
    # Returned with its transaction open (a failed request): rolled back, the row not kept.
    with engine.connect() as conn:
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    assert len(rollbacks) == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 0
        conn.rollback()
    assert len(rollbacks) == 2
    with engine.connect() as conn:
        conn.execute(sa.text("INSERT INTO t VALUES (2)"))
        conn.commit()
        conn.execute(sa.text("INSERT INTO t VALUES (3)"))
    assert len(rollbacks) == 3
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()


def test_a_duckdb_connection_under_autocommit_runs_each_statement_in_its_own_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub.duckdb'}", pool_size=2)
    begun = _calls(monkeypatch, "do_begin")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.commit()
    begun.clear()
    with engine.connect() as conn, engine.connect() as other:
        start_autocommit(conn=conn)
        conn.begin()
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        # Committed as the statement ended: another connection sees it before `commit`.
        assert other.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
        other.rollback()
        conn.commit()
        assert len(begun) == 1  # the other connection's
        # Once the edge removes the request's state, a transaction is begun again.
        end_request_state(conn=conn)
        conn.execute(sa.text("INSERT INTO t VALUES (2)"))
        assert other.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
        other.rollback()
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT x FROM t")).scalars().all() == [1]
    engine.dispose()


def test_autocommit_leaves_a_postgresql_connection_in_its_transaction(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's case; DuckDB's is the test above")
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as conn, engine.connect() as other:
            conn.execute(sa.text("CREATE TABLE autocommit_t (x INTEGER)"))
            conn.commit()
            start_autocommit(conn=conn)
            conn.execute(sa.text("INSERT INTO autocommit_t VALUES (1)"))
            assert other.execute(sa.text("SELECT count(*) FROM autocommit_t")).scalar_one() == 0
            other.rollback()
            conn.rollback()
            end_request_state(conn=conn)
            conn.execute(sa.text("DROP TABLE autocommit_t"))
            conn.commit()
    finally:
        engine.dispose()


def test_a_duckdb_connection_draws_no_progress_bar(tmp_path: Path) -> None:
    """A long statement (the lot graph's rows) prints nothing on the process's output."""
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub.duckdb'}")
    try:
        with engine.connect() as conn:
            shown = conn.exec_driver_sql("SELECT current_setting('enable_progress_bar')")
            assert shown.scalar() is False
    finally:
        engine.dispose()
