"""Migrations: head builds exactly the tables of the MetaData, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
import typer
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

from chainhub.cli import db, forecast
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import (
    alembic_config,
    check_schema_current,
    do_upgrade,
    get_current_revision,
    get_head_revision,
    include_name,
)
from chainhub.tables import METADATA

VIEWS = {f"current_{name}" for name in DOCUMENT_TYPES}


def _with_extra_column() -> sa.MetaData:
    changed = sa.MetaData(naming_convention=METADATA.naming_convention)
    for table in METADATA.tables.values():
        table.to_metadata(changed)
    changed.tables["doc_partner"].append_column(sa.Column("extra", sa.String()))
    return changed


def _postgres_diff(conn: sa.Connection, metadata: sa.MetaData) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, metadata))


def test_head_matches_the_metadata_on_postgresql(postgres_url: str) -> None:
    engine = create_engine_for(postgres_url)
    do_upgrade(engine=engine)
    with engine.connect() as conn:
        assert _postgres_diff(conn, METADATA) == []
        # The check can fail: a model change without a migration shows up.
        assert [d[0] for d in _postgres_diff(conn, _with_extra_column())] == ["add_column"]
    engine.dispose()


def _duckdb_catalog(conn: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    # duckdb-engine's reflection fails on SQLAlchemy 2.1 with DuckDB 2 (pg_collation, REGCLASS),
    # so alembic cannot compare here; DuckDB's own catalog functions give the same facts.
    tables = "(SELECT table_name FROM duckdb_tables() WHERE table_name <> 'alembic_version')"
    queries = {
        "columns": "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
        f"WHERE table_name IN {tables} ORDER BY table_name, column_index",
        "constraints": "SELECT table_name, constraint_type, constraint_column_names "
        f"FROM duckdb_constraints() WHERE table_name IN {tables} ORDER BY ALL",
        "indexes": "SELECT table_name, index_name, is_unique, expressions FROM duckdb_indexes() "
        "ORDER BY ALL",
    }
    return {name: [tuple(r) for r in conn.exec_driver_sql(q)] for name, q in queries.items()}


def _created_from(metadata: sa.MetaData, path: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine_for(str(path))
    with engine.begin() as conn:
        metadata.create_all(conn)
        catalog = _duckdb_catalog(conn)
    engine.dispose()
    return catalog


def test_head_matches_the_metadata_on_duckdb(tmp_path: Path) -> None:
    engine = create_engine_for(str(tmp_path / "migrated.duckdb"))
    do_upgrade(engine=engine)
    with engine.connect() as conn:
        migrated = _duckdb_catalog(conn)
    engine.dispose()

    assert len(migrated["columns"]) > 100
    assert migrated == _created_from(METADATA, tmp_path / "created.duckdb")
    assert migrated != _created_from(_with_extra_column(), tmp_path / "changed.duckdb")


def test_upgrade_reaches_head_once_and_creates_the_views(database_url: str) -> None:
    engine = create_engine_for(database_url)
    with engine.connect() as conn:
        assert get_current_revision(conn=conn) is None
    assert do_upgrade(engine=engine) == get_head_revision()
    assert do_upgrade(engine=engine) == get_head_revision()
    with engine.connect() as conn:
        assert get_current_revision(conn=conn) == get_head_revision()
        assert VIEWS <= set(sa.inspect(conn).get_view_names())
        assert conn.execute(sa.text("SELECT count(*) FROM current_purchase_order")).scalar() == 0
    engine.dispose()


def test_a_command_on_a_hub_not_upgraded_says_so(database_url: str) -> None:
    engine = create_engine_for(database_url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0018")
    engine.dispose()
    app = typer.Typer()
    db.register(app)
    forecast.register(app)
    # A reading command does not migrate: it names both revisions and the command to run.
    said = CliRunner().invoke(app, ["forecast", "show", "--db", database_url])
    assert said.exit_code == 1
    assert f"schema revision 0018, this chainhub needs {get_head_revision()}" in said.output
    assert "chainhub db upgrade" in said.output
    assert "Traceback" not in said.output
    upgraded = CliRunner().invoke(app, ["db", "upgrade", "--db", database_url])
    assert upgraded.exit_code == 0, upgraded.output
    engine = create_engine_for(database_url)
    with engine.begin() as conn:
        check_schema_current(conn=conn)
    engine.dispose()
