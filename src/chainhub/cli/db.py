"""Commands: db upgrade, db status."""

from __future__ import annotations

import typer
from rich.table import Table

from chainhub.cli.common import DbOption, console, fail, hub_transaction
from chainhub.errors import ChainhubError
from chainhub.storage.migrate import get_current_revision, get_head_revision
from chainhub.storage.service import count_documents


def upgrade(db: DbOption = None) -> None:
    """Apply database migrations up to the newest revision."""
    with hub_transaction(db, must_exist=False, migrate=True) as conn:
        revision = get_current_revision(conn=conn)
    console.print(f"database at revision {revision}")


def status(db: DbOption = None) -> None:
    """Show the database revision and the stored rows and documents per type."""
    with hub_transaction(db) as conn:
        revision = get_current_revision(conn=conn)
        counts = count_documents(conn=conn) if revision is not None else {}
    head = get_head_revision()
    if revision is None:
        fail(
            ChainhubError(
                "database_not_initialised",
                "The database has no schema yet: run `chainhub db upgrade`",
                "数据库尚未初始化：请运行 `chainhub db upgrade`",
            )
        )
    note = "" if revision == head else f" (code expects {head}: run `chainhub db upgrade`)"
    console.print(f"database at revision {revision}{note}")
    table = Table("document type", "rows", "documents")
    for name, (rows, documents) in counts.items():
        table.add_row(name, str(rows), str(documents))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    db_app = typer.Typer(name="db", help="Database schema and contents.", no_args_is_help=True)
    db_app.command("upgrade")(upgrade)
    db_app.command("status")(status)
    app.add_typer(db_app)
