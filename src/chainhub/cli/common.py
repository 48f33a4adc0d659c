"""What every command shares: the --db option, settings, and one-line errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Final, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Connection

from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError, Language, parse_language
from chainhub.masterdata.text import use_industries
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
# A listener's bounded run (tests, scripted captures); without it, until Ctrl-C.
DurationOption = Annotated[
    float | None,
    typer.Option("--duration", min=0.1, help="Stop after this many seconds", show_default=False),
]

# Whoever runs a command on the hub's database already holds every document in it.
OPERATOR: Final = Principal(
    token_id="cli",  # noqa: S106 - a name for the operator, not a secret
    partner_id=None,
    role=Role.HUB_ADMIN,
)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


_chosen: list[Language] = []


def choose_language(lang: str | None) -> Language:
    """The language of every message of this command: --lang when given, else the default."""
    _chosen[:] = ["zh" if lang == "zh" else "en"] if lang in ("en", "zh") else []
    return cli_language()


def cli_language() -> Language:
    """Language of messages: --lang, CHAINHUB_LANGUAGE, else the locale."""
    if _chosen:
        return _chosen[0]
    return parse_language(
        os.environ.get("CHAINHUB_LANGUAGE") or os.environ.get("LC_ALL") or os.environ.get("LANG")
    )


def load_settings(db: str | None = None) -> Settings:
    """Settings from the environment, with the --db option taking precedence."""
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ChainhubError(
            "settings_invalid",
            f"invalid setting {where}: {first['msg']}",
            f"设置 {where} 无效：{first['msg']}",
        ) from None
    if db:
        settings = settings.model_copy(update={"database_url": db})
    use_industries(settings.match_industries)
    return settings


def fail(error: ChainhubError, *, exit_code: int = 1) -> NoReturn:
    """Print a one-line error in the user's language and exit."""
    err_console.print(f"[bold red]error[/]: {error.message(cli_language())}", highlight=False)
    raise typer.Exit(exit_code)


def usage_error(code: str, en: str, zh: str) -> NoReturn:
    """Exit with status 2 for a usage mistake (missing file, unknown choice)."""
    fail(ChainhubError(code, en, zh), exit_code=2)


def check_partner_known(conn: Connection, partner: str) -> None:
    """A usage error unless the partner is in the directory."""
    from chainhub.partners.service import list_partners

    if partner not in {p.partner_id for p in list_partners(conn=conn)}:
        usage_error(
            "unknown_partner",
            f"partner {partner!r} is not in the directory (`chainhub partner list`)",
            f"伙伴 {partner!r} 不在名录中（见 `chainhub partner list`）",
        )


def check_output_path(path: Path, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """A usage error, before any work, when `path` cannot be written or has a suffix the
    command does not write."""
    if suffixes and path.suffix.lower() not in suffixes:
        usage_error(
            "bad_output",
            f"{option} {path}: write one of {', '.join(suffixes)}",
            f"{option} {path}：只能写入 {'、'.join(suffixes)} 文件",
        )
    folder = path.parent
    if not folder.is_dir():
        usage_error(
            "bad_output",
            f"{option} {path}: folder {folder} does not exist",
            f"{option} {path}：目录 {folder} 不存在",
        )
    if (
        path.is_dir()
        or not os.access(folder, os.W_OK)
        or (path.exists() and not os.access(path, os.W_OK))
    ):
        usage_error(
            "bad_output",
            f"{option} {path}: cannot write there",
            f"{option} {path}：无法写入该位置",
        )


def main_guard(app: typer.Typer) -> None:
    """Run the app; a ChainhubError escaping a command becomes a one-line error."""
    try:
        app(standalone_mode=True)
    except ChainhubError as error:
        err_console.print(f"error: {error.message(cli_language())}", highlight=False)
        sys.exit(1)


@contextmanager
def hub_transaction(
    db: str | None, *, must_exist: bool = True, migrate: bool = False, deliver: bool = False
) -> Iterator[Connection]:
    """Run the block in one transaction on the hub's database, and always dispose the engine.

    A ChainhubError becomes a one-line error. With `migrate` the schema is brought up to date
    first; with `deliver` the webhook deliveries the block queued are sent once after commit
    (a running server's worker retries any that fail). Documents the block stores bring the
    plan's alerts, as they do through the API.
    """
    from chainhub.access.audit import set_audit_key
    from chainhub.events.reactions import set_reactions
    from chainhub.partners.delivery import DeliveryWorker
    from chainhub.plan.service import get_reactions
    from chainhub.storage.engine import create_engine_for
    from chainhub.storage.migrate import check_schema_current, do_upgrade

    engine = None
    try:
        settings = load_settings(db)
        engine = create_engine_for(settings.database_url, must_exist=must_exist)
        if migrate:
            do_upgrade(engine=engine)
        with engine.begin() as conn:
            if not migrate:
                check_schema_current(conn=conn)
            set_audit_key(conn=conn, key=settings.audit_key.get_secret_value())
            set_reactions(conn=conn, reactions=get_reactions(settings))
            yield conn
        if deliver:
            DeliveryWorker(
                engine=engine, timeout_seconds=5.0, allowed_hosts=settings.webhook_allowed_hosts
            ).deliver_due()
    except ChainhubError as error:
        fail(error)
    finally:
        if engine is not None:
            engine.dispose()
