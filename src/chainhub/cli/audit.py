"""Commands: audit verify, audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from chainhub.access.audit import check_audit_chain, list_audit
from chainhub.cli.common import DbOption, console, fail, hub_transaction, usage_error
from chainhub.cli.token import FormatOption, check_format
from chainhub.errors import ChainhubError


def verify(db: DbOption = None) -> None:
    """Recompute the audit log's hash chain; exit 1 at the first entry that does not fit."""
    with hub_transaction(db, migrate=True) as conn:
        result = check_audit_chain(conn=conn)
    if not result.ok:
        fail(
            ChainhubError(
                "audit_broken",
                f"audit chain broken at seq {result.first_broken_seq} "
                f"({result.checked} entries before it verified)",
                f"审计链在序号 {result.first_broken_seq} 处断裂"
                f"（此前 {result.checked} 条校验通过）",
            )
        )
    console.print(f"audit chain intact: {result.checked} entries verified")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        usage_error(
            "bad_since",
            f"--since {value!r} is not an ISO date or time",
            f"--since {value!r} 不是 ISO 日期或时间",
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def log(
    partner: Annotated[str | None, typer.Option("--partner", help="Only this partner's")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this ISO date/time")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Entries shown")] = 100,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Show the audit log, newest first."""
    check_format(output)
    moment = _since(since)
    with hub_transaction(db, migrate=True) as conn:
        entries = list_audit(conn=conn, partner_id=partner, since=moment, limit=limit)
    if output == "json":
        typer.echo(json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False))
        return
    table = Table("seq", "when", "partner", "token", "action", "status", "outcome", "target")
    for e in entries:
        table.add_row(
            str(e.seq),
            f"{e.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            e.partner_id or "—",
            e.token_id or "—",
            e.action,
            str(e.status),
            e.outcome,
            e.target,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    audit_app = typer.Typer(
        name="audit", help="The tamper-evident audit log.", no_args_is_help=True
    )
    audit_app.command("verify")(verify)
    audit_app.command("log")(log)
    app.add_typer(audit_app)
