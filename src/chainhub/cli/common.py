"""What every command shares: the --db option, settings, and one-line errors."""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from chainhub.errors import ChainhubError, Language, parse_language
from chainhub.settings import Settings

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (duckdb:///file.duckdb or postgresql://...); "
        "default $CHAINHUB_DATABASE_URL or ./chainhub.duckdb",
        show_default=False,
    ),
]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def cli_language() -> Language:
    """Language of messages: CHAINHUB_LANGUAGE, else the locale."""
    return parse_language(
        os.environ.get("CHAINHUB_LANGUAGE") or os.environ.get("LC_ALL") or os.environ.get("LANG")
    )


def load_settings(db: str | None = None) -> Settings:
    """Settings from the environment, with the --db option taking precedence."""
    settings = Settings()
    if db:
        settings = settings.model_copy(update={"database_url": db})
    return settings


def fail(error: ChainhubError, *, exit_code: int = 1) -> NoReturn:
    """Print a one-line error in the user's language and exit."""
    err_console.print(f"[bold red]error[/]: {error.message(cli_language())}", highlight=False)
    raise typer.Exit(exit_code)


def usage_error(code: str, en: str, zh: str) -> NoReturn:
    """Exit with status 2 for a usage mistake (missing file, unknown choice)."""
    fail(ChainhubError(code, en, zh), exit_code=2)


def main_guard(app: typer.Typer) -> None:
    """Run the app; a ChainhubError escaping a command becomes a one-line error."""
    try:
        app(standalone_mode=True)
    except ChainhubError as error:
        err_console.print(f"error: {error.message(cli_language())}", highlight=False)
        sys.exit(1)
