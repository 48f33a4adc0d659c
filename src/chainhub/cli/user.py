"""Commands: user add, user list, user passwd, user disable — people who sign in to the
dashboard with a name and password."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_append_audit
from chainhub.access.passwords import (
    check_password,
    check_user_name,
    check_user_role,
    do_create_user,
    do_disable_user,
    do_set_password,
    generate_password,
    get_user_by_name,
    list_users,
)
from chainhub.access.schemas import Role, UserRead
from chainhub.cli.common import DbOption, console, err_console, hub_transaction, usage_error
from chainhub.cli.token import FormatOption, check_format
from chainhub.errors import ChainhubError
from chainhub.partners.service import list_partners

StdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin"),
]
GenerateOption = Annotated[
    bool,
    typer.Option("--generate", help="Generate a random password and print it alone, once"),
]


def _password(name: str, *, from_stdin: bool, generate: bool) -> str:
    """The new password: from stdin, generated, or typed twice at a hidden prompt; a usage
    error when it breaks the rules, before the database is opened."""
    if from_stdin and generate:
        usage_error(
            "password_source",
            "give --password-stdin or --generate, not both",
            "--password-stdin 与 --generate 只能选一个",
        )
    if generate:
        return generate_password()
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            f"password for {name}", hide_input=True, confirmation_prompt=True, err=True
        )
    try:
        check_password(password, name=name)
    except ChainhubError as error:
        usage_error(error.code, error.message_en, error.message_zh)
    return password


def _audit(action: str, status: int, target: dict[str, Any]) -> AuditRecord:
    return AuditRecord(action=f"CLI user {action}", status=status, outcome="ok", target=target)


def _named(conn: Connection, name: str) -> UserRead:
    user = get_user_by_name(conn=conn, name=name)
    if user is None:
        raise ChainhubError(
            "user_not_found",
            f"no user {name!r} signs in with a password (`chainhub user list` shows the users)",
            f"没有使用密码登录的用户 {name!r}（`chainhub user list` 可查看）",
        )
    return user


def add(
    name: Annotated[str, typer.Argument(help="Sign-in name, unique across the hub")],
    partner: Annotated[str | None, typer.Option("--partner", help="Partner of the user")] = None,
    role: Annotated[Role, typer.Option("--role", help="Role (hub_admin has no --partner)")] = (
        Role.PARTNER_MEMBER
    ),
    password_stdin: StdinOption = False,
    generate: GenerateOption = False,
    db: DbOption = None,
) -> None:
    """Add a user who signs in with a password (prompted twice unless --password-stdin or
    --generate)."""
    try:
        name = check_user_name(name)
        check_user_role(partner_id=partner, role=role)
    except ChainhubError as error:
        usage_error(error.code, error.message_en, error.message_zh)
    password = _password(name, from_stdin=password_stdin, generate=generate)
    with hub_transaction(db, migrate=True) as conn:
        if partner is not None and partner not in {p.partner_id for p in list_partners(conn=conn)}:
            raise ChainhubError(
                "unknown_partner",
                f"partner {partner!r} is not in the directory: load its partner record first "
                "(`chainhub partner list` shows the partners)",
                f"伙伴 {partner!r} 不在名录中：请先导入其伙伴主数据"
                "（`chainhub partner list` 可查看）",
            )
        user = do_create_user(
            conn=conn, partner_id=partner, name=name, role=role, password=password
        )
        target = {"user_id": user.user_id, "partner_id": partner, "role": role.value}
        do_append_audit(conn=conn, record=_audit("add", 201, target))
    done = f"user {name} added ({partner or 'hub'}, {role.value})"
    if generate:
        # The password alone on stdout, so a script can take it; the note goes to stderr.
        err_console.print(f"{done}; its password, shown once:", highlight=False)
        typer.echo(password)
    else:
        console.print(done, highlight=False)


def show(
    partner: Annotated[str | None, typer.Option("--partner", help="Only this partner's")] = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """List users (token-only users too), without their passwords."""
    check_format(output)
    with hub_transaction(db, migrate=True) as conn:
        users = list_users(conn=conn, partner_id=partner)
    if output == "json":
        typer.echo(json.dumps([u.model_dump(mode="json") for u in users], ensure_ascii=False))
        return
    table = Table("name", "partner", "role", "signs in with", "status", "last sign-in")
    for u in users:
        status = "disabled" if u.disabled_at else "active"
        if u.locked_until and not u.disabled_at:
            status = f"active (lock until {u.locked_until:%Y-%m-%d %H:%M})"
        table.add_row(
            u.name,
            u.partner_id or "—",
            u.role.value if u.role else "—",
            "password" if u.has_password else "token only",
            status,
            f"{u.last_sign_in_at:%Y-%m-%d %H:%M}" if u.last_sign_in_at else "—",
        )
    console.print(table)


def passwd(
    name: Annotated[str, typer.Argument(help="Sign-in name of the user")],
    password_stdin: StdinOption = False,
    generate: GenerateOption = False,
    db: DbOption = None,
) -> None:
    """Set a user's password: it unlocks the user and ends its web sessions."""
    password = _password(name, from_stdin=password_stdin, generate=generate)
    with hub_transaction(db, migrate=True) as conn:
        user = _named(conn, name)
        ended = do_set_password(conn=conn, user_id=user.user_id, password=password)
        do_append_audit(conn=conn, record=_audit("passwd", 200, {"user_id": user.user_id}))
    done = f"password of {user.name} set; {ended} web session(s) ended"
    if generate:
        err_console.print(f"{done}; the new password, shown once:", highlight=False)
        typer.echo(password)
    else:
        console.print(done, highlight=False)


def disable(
    name: Annotated[str, typer.Argument(help="Sign-in name of the user")],
    db: DbOption = None,
) -> None:
    """Disable a user: it cannot sign in, and every token of it is revoked."""
    with hub_transaction(db, migrate=True) as conn:
        user = _named(conn, name)
        revoked = do_disable_user(conn=conn, user_id=user.user_id)
        do_append_audit(conn=conn, record=_audit("disable", 200, {"user_id": user.user_id}))
    console.print(f"user {user.name} disabled; {revoked} token(s) revoked", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    user_app = typer.Typer(
        name="user", help="Users who sign in with a password.", no_args_is_help=True
    )
    user_app.command("add")(add)
    user_app.command("list")(show)
    user_app.command("passwd")(passwd)
    user_app.command("disable")(disable)
    app.add_typer(user_app)
