"""Commands: token create, token list, token revoke."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from chainhub.access.audit import AuditRecord, do_append_audit
from chainhub.access.schemas import Role
from chainhub.access.tokens import do_create_token, do_revoke_token, get_token_id, list_tokens
from chainhub.cli.common import DbOption, console, hub_transaction, usage_error
from chainhub.errors import ChainhubError
from chainhub.partners.service import list_partners

FormatOption = Annotated[str, typer.Option("--format", help="table or json")]


def check_format(value: str) -> None:
    """A usage error unless the output format is table or json."""
    if value not in ("table", "json"):
        usage_error(
            "bad_format",
            f"unknown format {value!r}; use table or json",
            f"未知的输出格式 {value!r}；请使用 table 或 json",
        )


def create(
    partner: Annotated[str | None, typer.Option("--partner", help="Partner of the token")] = None,
    role: Annotated[Role, typer.Option("--role", help="Role of a partner token")] = (
        Role.PARTNER_ADMIN
    ),
    admin: Annotated[bool, typer.Option("--admin", help="A hub admin token")] = False,
    expires: Annotated[int | None, typer.Option("--expires", min=1, help="Days it lasts")] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for")] = "cli",
    user: Annotated[str | None, typer.Option("--user", help="User it belongs to")] = None,
    db: DbOption = None,
) -> None:
    """Create a token and print it alone on stdout, once: only its hash is kept."""
    if admin == (partner is not None) or (admin and role is not Role.PARTNER_ADMIN):
        usage_error(
            "token_target",
            "give --partner ID [--role ROLE], or --admin",
            "请指定 --partner ID [--role ROLE]，或 --admin",
        )
    if role is Role.HUB_ADMIN:
        usage_error(
            "token_target",
            "a hub admin token is made with --admin",
            "枢纽管理员令牌请用 --admin 创建",
        )
    with hub_transaction(db, migrate=True) as conn:
        if partner is not None and partner not in {p.partner_id for p in list_partners(conn=conn)}:
            raise ChainhubError(
                "unknown_partner",
                f"partner {partner!r} is not in the directory: load its partner record first "
                "(`chainhub partner list` shows the partners)",
                f"伙伴 {partner!r} 不在名录中：请先导入其伙伴主数据"
                "（`chainhub partner list` 可查看）",
            )
        token = do_create_token(
            conn=conn,
            partner_id=partner,
            role=Role.HUB_ADMIN if admin else role,
            label=label,
            user=user,
            expires_in=timedelta(days=expires) if expires else None,
        )
        do_append_audit(
            conn=conn,
            record=AuditRecord(
                action="CLI token create",
                status=201,
                outcome="ok",
                target={
                    "token_id": get_token_id(token),
                    "partner_id": partner,
                    "role": "hub_admin" if admin else role.value,
                },
            ),
        )
    typer.echo(token)


def revoke(
    token_id: Annotated[
        str,
        typer.Argument(help="Id of the token (from `token list`), or the whole token itself"),
    ],
    db: DbOption = None,
) -> None:
    """Revoke a token at once, given its id or the whole token."""
    # A whole token is chk_<id>_<secret>: its id is the part between the underscores.
    token_id = get_token_id(token_id) or token_id
    with hub_transaction(db, migrate=True) as conn:
        do_revoke_token(conn=conn, token_id=token_id)
        do_append_audit(
            conn=conn,
            record=AuditRecord(
                action="CLI token revoke", status=200, outcome="ok", target={"token_id": token_id}
            ),
        )
    console.print(f"token {token_id} revoked")


def show(
    partner: Annotated[str | None, typer.Option("--partner", help="Only this partner's")] = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """List tokens, newest first, without their secrets."""
    check_format(output)
    with hub_transaction(db, migrate=True) as conn:
        tokens = list_tokens(conn=conn, partner_id=partner)
    if output == "json":
        typer.echo(json.dumps([t.model_dump(mode="json") for t in tokens], ensure_ascii=False))
        return
    table = Table("token", "partner", "role", "label", "created", "expires", "revoked")
    for t in tokens:
        table.add_row(
            t.token_id,
            t.partner_id or "—",
            t.role.value,
            t.label,
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "—",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "—",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    token_app = typer.Typer(name="token", help="API tokens.", no_args_is_help=True)
    token_app.command("create")(create)
    token_app.command("list")(show)
    token_app.command("revoke")(revoke)
    app.add_typer(token_app)
