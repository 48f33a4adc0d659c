"""Commands: audit verify, audit checkpoint, audit anchor, audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chainhub.access.audit import (
    CHECKPOINT_FILE,
    check_audit_chain,
    do_write_checkpoint,
    get_entry_checkpoint,
    get_head_checkpoint,
    list_audit,
    list_checkpoints,
)
from chainhub.access.schemas import AuditVerification
from chainhub.cli.common import (
    DbOption,
    console,
    fail,
    hub_transaction,
    load_settings,
    usage_error,
)
from chainhub.cli.token import FormatOption, check_format
from chainhub.errors import ChainhubError

CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        help="Signed checkpoints to hold the log to (default: the data dir's, when present)",
    ),
]


def _verified(checkpoints: Path | None, db: str | None) -> tuple[AuditVerification, int]:
    """The chain's verification against the checkpoints (default: the data dir's, when
    present), and how many checkpoints it was held to; exit 1 when it fails."""
    if checkpoints is None:
        default = load_settings(db).data_dir / CHECKPOINT_FILE
        checkpoints = default if default.exists() else None
    with hub_transaction(db, migrate=True) as conn:
        anchors = list_checkpoints(path=checkpoints) if checkpoints else []
        result = check_audit_chain(conn=conn, checkpoints=anchors)
    if result.bad_checkpoint is not None:
        fail(
            ChainhubError(
                "checkpoint_forged",
                f"checkpoint at seq {result.bad_checkpoint} is not signed with the audit key",
                f"序号 {result.bad_checkpoint} 的检查点签名与审计密钥不符",
            )
        )
    if result.first_broken_seq is not None and result.short_of_checkpoint is not None:
        fail(
            ChainhubError(
                "audit_broken",
                f"audit chain broken at seq {result.first_broken_seq} "
                f"({result.checked} entries before it verified); the log falls short of "
                f"the checkpoint at seq {result.short_of_checkpoint}",
                f"审计链在序号 {result.first_broken_seq} 处断裂"
                f"（此前 {result.checked} 条校验通过）；日志未达到序号 "
                f"{result.short_of_checkpoint} 的检查点",
            )
        )
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
    return result, len(anchors)


def verify(checkpoints: CheckpointsOption = None, db: DbOption = None) -> None:
    """Recompute the audit log's chain under the audit key and hold it to the signed
    checkpoints; exit 1 naming the first entry that fails and the checkpoint it falls short of.
    Entries from before the audit key verify as a legacy segment at the start."""
    result, held = _verified(checkpoints, db)
    console.print(
        f"audit chain intact: {result.checked} entries verified, {held} checkpoints held; "
        f"{result.after_last_checkpoint} entries after the last checkpoint"
    )
    if result.legacy_entries:
        anchored = result.checked - result.after_last_checkpoint >= result.legacy_entries
        console.print(
            f"the first {result.legacy_entries} entries predate the audit key (plain SHA-256): "
            + (
                "anchored by a signed checkpoint"
                if anchored
                else "not yet anchored; run: chainhub audit anchor"
            )
        )


def checkpoint(
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the checkpoint to this file")
    ] = None,
    db: DbOption = None,
) -> None:
    """Sign the chain head and append it to the data dir's checkpoint file (and --out)."""
    settings = load_settings(db)
    with hub_transaction(db, migrate=True) as conn:
        head = get_head_checkpoint(conn=conn)
    if head is None:
        usage_error("audit_empty", "the audit log is empty", "审计日志为空")
    for path in (settings.data_dir / CHECKPOINT_FILE, out):
        if path is not None:
            do_write_checkpoint(path=path, checkpoint=head)
    console.print(f"checkpoint at seq {head.seq}: {head.row_hash[:16]}…")


def anchor(
    checkpoints: CheckpointsOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the checkpoint to this file")
    ] = None,
    db: DbOption = None,
) -> None:
    """Verify the log, then sign the last entry written before the audit key (plain SHA-256)
    and append that checkpoint to the data dir's file (and --out): from then on, a change to
    the legacy entries shows."""
    settings = load_settings(db)
    result, _held = _verified(checkpoints, db)
    if not result.legacy_entries:
        usage_error(
            "audit_no_legacy",
            "every audit entry is authenticated with the audit key: nothing to anchor",
            "所有审计条目均已用审计密钥认证：无需锚定",
        )
    with hub_transaction(db, migrate=True) as conn:
        legacy_head = get_entry_checkpoint(conn=conn, seq=result.legacy_entries)
    for path in (settings.data_dir / CHECKPOINT_FILE, out):
        if path is not None:
            do_write_checkpoint(path=path, checkpoint=legacy_head)
    console.print(
        f"legacy entries 1-{legacy_head.seq} anchored: checkpoint at seq {legacy_head.seq}: "
        f"{legacy_head.row_hash[:16]}…"
    )


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
    audit_app.command("checkpoint")(checkpoint)
    audit_app.command("anchor")(anchor)
    audit_app.command("log")(log)
    app.add_typer(audit_app)
