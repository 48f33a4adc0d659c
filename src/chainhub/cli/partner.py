"""Commands: partner list, partner leader."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from chainhub.access.audit import AuditRecord, do_append_audit
from chainhub.access.tokens import do_set_chain_leader
from chainhub.cli.common import DbOption, console, hub_transaction, usage_error
from chainhub.cli.token import FormatOption, check_format
from chainhub.partners.service import list_partners


def show(output: FormatOption = "table", db: DbOption = None) -> None:
    """List the partners with their ids and roles, the chain leader first."""
    check_format(output)
    with hub_transaction(db, migrate=True) as conn:
        partners = list_partners(conn=conn)
    if output == "json":
        typer.echo(json.dumps([p.model_dump() for p in partners], ensure_ascii=False))
        return
    table = Table("partner", "name", "roles", "tier", "city", "leader")
    for p in partners:
        table.add_row(
            p.partner_id,
            p.name_zh or p.name_en or "",
            ", ".join(p.roles),
            "" if p.tier is None else str(p.tier),
            p.city or "",
            "yes" if p.chain_leader else "",
        )
    console.print(table)


def leader(
    partner: Annotated[str, typer.Argument(help="Partner id")],
    unset: Annotated[bool, typer.Option("--unset", help="Stop leading the chain")] = False,
    db: DbOption = None,
) -> None:
    """Designate the chain leader, who sees every document of the chain."""
    with hub_transaction(db, migrate=True) as conn:
        if partner not in {p.partner_id for p in list_partners(conn=conn)}:
            usage_error(
                "unknown_partner",
                f"partner {partner!r} is not in the directory (`chainhub partner list`)",
                f"伙伴 {partner!r} 不在名录中（见 `chainhub partner list`）",
            )
        do_set_chain_leader(conn=conn, partner_id=partner, leader=not unset)
        do_append_audit(
            conn=conn,
            record=AuditRecord(
                action="CLI partner leader",
                status=200,
                outcome="ok",
                target={"partner_id": partner, "chain_leader": not unset},
            ),
        )
    console.print(f"{partner} {'no longer leads' if unset else 'leads'} the chain")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    partner_app = typer.Typer(name="partner", help="Partners of the chain.", no_args_is_help=True)
    partner_app.command("list")(show)
    partner_app.command("leader")(leader)
    app.add_typer(partner_app)
