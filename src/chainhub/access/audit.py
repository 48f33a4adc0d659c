"""The audit log: append-only, each entry hash-chained to the one before, so edits show."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.models import audit_log
from chainhub.access.schemas import AuditEntry, AuditVerification

GENESIS_HASH: Final = "0" * 64
# Any constant serves as the PostgreSQL advisory-lock key; this one spells "chainhub audit".
_PG_LOCK_KEY: Final = 0x636861696E617564
_VERIFY_BATCH: Final = 10_000


@dataclass(frozen=True)
class AuditRecord:
    """What happened, before it gets its place in the chain."""

    action: str
    status: int
    outcome: str
    partner_id: str | None = None
    user_id: str | None = None
    token_id: str | None = None
    target: dict[str, Any] = field(default_factory=dict)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def get_row_hash(*, prev_hash: str, entry: dict[str, Any]) -> str:
    """SHA-256 of the previous entry's hash followed by the entry as canonical JSON."""
    fields = {k: v for k, v in entry.items() if k not in ("prev_hash", "row_hash")}
    occurred = fields["occurred_at"]
    if isinstance(occurred, datetime):
        fields["occurred_at"] = occurred.astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256((prev_hash + _canonical(fields)).encode()).hexdigest()


def do_append_audit(
    *, conn: Connection, record: AuditRecord, now: datetime | None = None
) -> AuditEntry:
    """Append one entry in the caller's transaction, chained to the last one."""
    # Precondition on DuckDB: the caller holds the process's audit lock from before its
    # transaction began until it commits (DuckDB has one writing process and snapshot reads).
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    table = audit_log
    last = conn.execute(
        sa.select(table.c.seq, table.c.row_hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    occurred = (now or datetime.now(UTC)).astimezone(UTC)
    entry: dict[str, Any] = {
        "seq": 1 if last is None else last.seq + 1,
        "occurred_at": occurred,
        "partner_id": record.partner_id,
        "user_id": record.user_id,
        "token_id": record.token_id,
        "action": record.action,
        "target": _canonical(record.target),
        "status": record.status,
        "outcome": record.outcome,
        "prev_hash": GENESIS_HASH if last is None else last.row_hash,
    }
    entry["row_hash"] = get_row_hash(prev_hash=entry["prev_hash"], entry=entry)
    conn.execute(table.insert().values(**entry))
    return AuditEntry.model_validate(entry)


def list_audit(
    *,
    conn: Connection,
    partner_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries, newest first, optionally of one partner and from a moment on."""
    table = audit_log
    query = sa.select(table).order_by(table.c.seq.desc()).limit(limit).offset(offset)
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    if since is not None:
        query = query.where(table.c.occurred_at >= since)
    return [AuditEntry.model_validate(dict(row)) for row in conn.execute(query).mappings()]


def check_audit_chain(*, conn: Connection) -> AuditVerification:
    """Recompute the chain from the first entry; report the first entry that does not fit."""
    table = audit_log
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    while True:
        rows = (
            conn.execute(
                sa.select(table)
                .where(table.c.seq >= expected_seq)
                .order_by(table.c.seq)
                .limit(_VERIFY_BATCH)
            )
            .mappings()
            .all()
        )
        for row in rows:
            entry = dict(row)
            if (
                entry["seq"] != expected_seq
                or entry["prev_hash"] != prev_hash
                or entry["row_hash"] != get_row_hash(prev_hash=prev_hash, entry=entry)
            ):
                return AuditVerification(ok=False, checked=checked, first_broken_seq=expected_seq)
            expected_seq, prev_hash, checked = expected_seq + 1, entry["row_hash"], checked + 1
        if len(rows) < _VERIFY_BATCH:
            return AuditVerification(ok=True, checked=checked, first_broken_seq=None)
