"""The audit log: append-only, each entry chained to the one before by an HMAC under a key the
database does not hold, so edits, deletions, renumbering and forged appends show; signed
checkpoints of the chain head, kept outside the database, show truncation."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.models import audit_log
from chainhub.access.schemas import AuditEntry, AuditVerification
from chainhub.errors import ChainhubError
from chainhub.settings import DEV_AUDIT_KEY

GENESIS_HASH: Final = "0" * 64
# Any constant serves as the PostgreSQL advisory-lock key; this one spells "chainhub audit".
_PG_LOCK_KEY: Final = 0x636861696E617564
_VERIFY_BATCH: Final = 10_000
# The edge puts the key on the connection (`conn.info`), so services that append (the one
# write path among them) need no key parameter; without one, the dev key signs.
AUDIT_KEY_INFO: Final = "chainhub_audit_key"
CHECKPOINT_FILE: Final = "audit-checkpoints.jsonl"
AUDIT_DEFER_INFO: Final = "chainhub_audit_deferred"


def set_audit_key(*, conn: Connection, key: str) -> None:
    """Sign this connection's audit entries with `key`."""
    conn.info[AUDIT_KEY_INFO] = key


def _key(conn: Connection) -> bytes:
    return str(conn.info.get(AUDIT_KEY_INFO, DEV_AUDIT_KEY)).encode()


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


def _message(prev_hash: str, entry: dict[str, Any]) -> bytes:
    """The previous entry's hash followed by the entry (its seq included) as canonical JSON."""
    fields = {k: v for k, v in entry.items() if k not in ("prev_hash", "row_hash")}
    occurred = fields["occurred_at"]
    if isinstance(occurred, datetime):
        fields["occurred_at"] = occurred.astimezone(UTC).isoformat(timespec="microseconds")
    return (prev_hash + _canonical(fields)).encode()


def get_row_hash(*, prev_hash: str, entry: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256, under the audit key, of the previous entry's hash followed by the entry
    (its seq included) as canonical JSON."""
    return hmac.new(key, _message(prev_hash, entry), hashlib.sha256).hexdigest()


def get_legacy_hash(*, prev_hash: str, entry: dict[str, Any]) -> str:
    """SHA-256, without a key, of what `get_row_hash` authenticates: how the hub chained its
    entries before it had an audit key."""
    return hashlib.sha256(_message(prev_hash, entry)).hexdigest()


def do_append_audit(
    *, conn: Connection, record: AuditRecord, now: datetime | None = None
) -> AuditEntry:
    """Append one entry in the caller's transaction, chained to the last one."""
    return do_append_audits(conn=conn, records=[record], now=now)[-1]


def do_append_audits(
    *,
    conn: Connection,
    records: Iterable[AuditRecord],
    now: datetime | None = None,
    head: tuple[int, str] | None = None,
) -> list[AuditEntry]:
    """Append entries in the caller's transaction, chained to the last one and to each other.

    On DuckDB `head` (seq and hash of the newest committed entry) may be given by a caller
    that tracks it: a transaction's snapshot may predate the newest entry. Precondition on
    DuckDB: no other transaction appends until the caller's commits (DuckDB has one writing
    process and snapshot reads). On PostgreSQL an advisory lock, held until commit, orders
    the appends of every process, and the head is always read.
    """
    table = audit_log
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        head = None
    if head is None:
        last = conn.execute(
            sa.select(table.c.seq, table.c.row_hash).order_by(table.c.seq.desc()).limit(1)
        ).first()
        head = (0, GENESIS_HASH) if last is None else (last.seq, last.row_hash)
    seq, prev_hash = head
    occurred = (now or datetime.now(UTC)).astimezone(UTC)
    key = _key(conn)
    entries: list[dict[str, Any]] = []
    for record in records:
        seq += 1
        entry: dict[str, Any] = {
            "seq": seq,
            "occurred_at": occurred,
            "partner_id": record.partner_id,
            "user_id": record.user_id,
            "token_id": record.token_id,
            "action": record.action,
            "target": _canonical(record.target),
            "status": record.status,
            "outcome": record.outcome,
            "prev_hash": prev_hash,
        }
        entry["row_hash"] = prev_hash = get_row_hash(prev_hash=prev_hash, entry=entry, key=key)
        entries.append(entry)
    if entries:
        _insert(conn, entries)
    return [AuditEntry.model_validate(entry) for entry in entries]


def _insert(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Insert the entries in one statement."""
    if conn.dialect.name != "duckdb":
        conn.execute(audit_log.insert(), entries)
        return
    # DuckDB runs an executemany (and a multi-row VALUES) row by row, about a millisecond
    # per entry; one list per column, unnested, costs the same for one entry as for a batch.
    columns = [column.name for column in audit_log.columns]
    selected = ", ".join(
        f"UNNEST(${n})::{audit_log.c[name].type.compile(conn.dialect)}"
        for n, name in enumerate(columns, start=1)
    )
    conn.exec_driver_sql(
        f"INSERT INTO audit_log ({', '.join(columns)}) SELECT {selected}",  # noqa: S608 - our names
        tuple([entry[name] for entry in entries] for name in columns),
    )


def defer_audit(*, conn: Connection) -> list[AuditRecord]:
    """From now on, `do_log_audit` on this connection collects its records in the returned
    list for the edge to append when it commits, instead of appending at once."""
    deferred: list[AuditRecord] = []
    conn.info[AUDIT_DEFER_INFO] = deferred
    return deferred


@contextmanager
def audit_at_end(*, conn: Connection) -> Iterator[None]:
    """Collect the block's entries on `conn` and append them together, in the caller's
    transaction, when the block ends without error: a long transaction (a load of many files)
    then holds the chain only at its end. Where an edge defers entries already, they stay
    with it."""
    if AUDIT_DEFER_INFO in conn.info:
        yield
        return
    records = defer_audit(conn=conn)
    try:
        yield
    finally:
        del conn.info[AUDIT_DEFER_INFO]
    do_append_audits(conn=conn, records=records)


def end_request_state(*, conn: Connection) -> None:
    """Forget what an edge put on the (pooled) connection for one request or command."""
    for key in list(conn.info):
        if key.startswith("chainhub_"):
            del conn.info[key]


def do_log_audit(*, conn: Connection, record: AuditRecord) -> None:
    """Append an entry in the caller's transaction, or leave it to the edge that deferred the
    connection's entries to its commit (so a long transaction does not hold the chain)."""
    deferred: list[AuditRecord] | None = conn.info.get(AUDIT_DEFER_INFO)
    if deferred is None:
        do_append_audit(conn=conn, record=record)
    else:
        deferred.append(record)


def list_audit(
    *,
    conn: Connection,
    partner_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries, newest first, optionally of one partner, from a moment on and before another."""
    table = audit_log
    query = sa.select(table).order_by(table.c.seq.desc()).limit(limit).offset(offset)
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    if since is not None:
        query = query.where(table.c.occurred_at >= since)
    if until is not None:
        query = query.where(table.c.occurred_at < until)
    return [AuditEntry.model_validate(dict(row)) for row in conn.execute(query).mappings()]


@dataclass(frozen=True)
class Checkpoint:
    """The chain head at one moment, signed with the audit key, kept outside the database."""

    seq: int
    row_hash: str
    written_at: str
    signature: str

    def signed_by(self, key: bytes) -> bool:
        """The signature verifies under `key`."""
        return hmac.compare_digest(self.signature, _checkpoint_signature(self, key))


def _checkpoint_signature(checkpoint: Checkpoint, key: bytes) -> str:
    message = f"checkpoint:{checkpoint.seq}:{checkpoint.row_hash}:{checkpoint.written_at}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def get_checkpoint(*, seq: int, row_hash: str, key: str, now: datetime | None = None) -> Checkpoint:
    """A signed checkpoint of the entry `seq` whose hash is `row_hash`."""
    written = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    unsigned = Checkpoint(seq, row_hash, written, "")
    signature = _checkpoint_signature(unsigned, key.encode())
    return Checkpoint(seq, row_hash, written, signature)


def get_entry_checkpoint(*, conn: Connection, seq: int) -> Checkpoint:
    """A signed checkpoint of the entry `seq` as the log holds it now."""
    row_hash = conn.execute(
        sa.select(audit_log.c.row_hash).where(audit_log.c.seq == seq)
    ).scalar_one()
    return get_checkpoint(seq=seq, row_hash=row_hash, key=_key(conn).decode())


def get_head_checkpoint(*, conn: Connection) -> Checkpoint | None:
    """A signed checkpoint of the newest entry, or None for an empty log."""
    table = audit_log
    last = conn.execute(
        sa.select(table.c.seq, table.c.row_hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    if last is None:
        return None
    return get_checkpoint(seq=last.seq, row_hash=last.row_hash, key=_key(conn).decode())


def do_write_checkpoint(*, path: Path, checkpoint: Checkpoint) -> None:
    """Append the checkpoint to a JSON-lines file (the hub's is under its data dir)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "seq": checkpoint.seq,
            "row_hash": checkpoint.row_hash,
            "written_at": checkpoint.written_at,
            "signature": checkpoint.signature,
        }
    )
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def list_hub_checkpoints(*, data_dir: Path) -> list[Checkpoint]:
    """The checkpoints of the hub keeping its files in `data_dir` (none before the first)."""
    path = data_dir / CHECKPOINT_FILE
    return list_checkpoints(path=path) if path.exists() else []


def list_checkpoints(*, path: Path) -> list[Checkpoint]:
    """The checkpoints of a file, in seq order; a ChainhubError for a file that is not one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ChainhubError(
            "checkpoints_not_found",
            f"checkpoint file not found: {path}",
            f"找不到检查点文件：{path}",
        ) from None
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            checkpoints.append(
                Checkpoint(
                    int(data["seq"]),
                    str(data["row_hash"]),
                    str(data["written_at"]),
                    str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise ChainhubError(
                "checkpoints_unreadable",
                f"{path.name} line {number} is not a checkpoint",
                f"{path.name} 第 {number} 行不是检查点",
                {"file": path.name, "line": number},
            ) from None
    return sorted(checkpoints, key=lambda c: c.seq)


def _chained(entry: dict[str, Any], prev_hash: str, key: bytes, *, legacy: bool) -> str | None:
    """How the entry is chained to `prev_hash`: "keyed", "legacy" (only while `legacy` entries
    may still come) or None when it does not fit."""
    if entry["prev_hash"] != prev_hash:
        return None
    if hmac.compare_digest(
        entry["row_hash"], get_row_hash(prev_hash=prev_hash, entry=entry, key=key)
    ):
        return "keyed"
    # Anyone can compute a plain hash, so it is accepted only before the first keyed entry.
    if legacy and hmac.compare_digest(
        entry["row_hash"], get_legacy_hash(prev_hash=prev_hash, entry=entry)
    ):
        return "legacy"
    return None


@dataclass(frozen=True, slots=True)
class VerifiedPrefix:
    """Where a pass that verified the chain ended: its last entry, the legacy entries and the
    checkpoints it met, and when the chain was last verified from its first entry."""

    seq: int
    row_hash: str
    legacy: int
    anchored: frozenset[int]
    full_pass_at: datetime


def check_audit_chain(
    *, conn: Connection, checkpoints: Iterable[Checkpoint] = ()
) -> AuditVerification:
    """Recompute the chain from the first entry under the audit key; report the first entry
    that does not fit, and the first checkpoint the log falls short of or contradicts.

    Entries written before the hub had an audit key (plain SHA-256) verify as a legacy
    segment at the start of the log; a signed checkpoint at or beyond its last entry (or
    a keyed entry chained to it) protects it from then on."""
    return get_chain_verification(conn=conn, checkpoints=checkpoints, now=datetime.now(UTC))[0]


def get_chain_verification(
    *,
    conn: Connection,
    checkpoints: Iterable[Checkpoint],
    now: datetime,
    since: VerifiedPrefix | None = None,
) -> tuple[AuditVerification, VerifiedPrefix | None]:
    """As `check_audit_chain`, from the end of an earlier pass when `since` is given: its last
    entry must still be there unchanged, and the entries after it are verified now. With the
    prefix the chain verifies up to (None when it does not). A checkpoint within the prefix
    that the earlier pass did not meet sends the pass back to the first entry."""
    key = _key(conn)
    expected = sorted(checkpoints, key=lambda c: c.seq)
    for checkpoint in expected:
        if not checkpoint.signed_by(key):
            return AuditVerification(
                ok=False, checked=0, first_broken_seq=None, bad_checkpoint=checkpoint.seq
            ), None
    if since is not None and any(
        c.seq <= since.seq and c.seq not in since.anchored for c in expected
    ):
        since = None
    if since is not None:
        mark = conn.execute(
            sa.select(audit_log.c.row_hash).where(audit_log.c.seq == since.seq)
        ).scalar_one_or_none()
        if mark is None or not hmac.compare_digest(mark, since.row_hash):
            since = None
    start = since or VerifiedPrefix(0, GENESIS_HASH, 0, frozenset(), now)
    return _verify_from(conn, key, expected, start)


def _verify_from(
    conn: Connection, key: bytes, expected: list[Checkpoint], start: VerifiedPrefix
) -> tuple[AuditVerification, VerifiedPrefix | None]:
    table = audit_log
    anchors = {c.seq: c for c in expected}
    expected_seq, prev_hash = start.seq + 1, start.row_hash
    checked, legacy = start.seq, start.legacy
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
            kind = (
                _chained(entry, prev_hash, key, legacy=legacy == checked)
                if entry["seq"] == expected_seq
                else None
            )
            anchor = anchors.get(entry["seq"])
            if kind is None or (anchor is not None and anchor.row_hash != entry["row_hash"]):
                return AuditVerification(
                    ok=False,
                    checked=checked,
                    first_broken_seq=expected_seq,
                    short_of_checkpoint=_first_after(expected, checked)
                    if kind is None
                    else expected_seq,
                    legacy_entries=legacy,
                    newly_checked=checked - start.seq,
                    full_pass_at=start.full_pass_at,
                ), None
            legacy += kind == "legacy"
            expected_seq, prev_hash, checked = expected_seq + 1, entry["row_hash"], checked + 1
        if len(rows) < _VERIFY_BATCH:
            short = _first_after(expected, checked)
            covered = max((c.seq for c in expected), default=0)
            verification = AuditVerification(
                ok=short is None,
                checked=checked,
                first_broken_seq=None if short is None else checked + 1,
                short_of_checkpoint=short,
                legacy_entries=legacy,
                after_last_checkpoint=max(checked - covered, 0),
                newly_checked=checked - start.seq,
                full_pass_at=start.full_pass_at,
            )
            if short is not None:
                return verification, None
            anchored = frozenset(c.seq for c in expected if c.seq <= checked)
            return verification, VerifiedPrefix(
                checked, prev_hash, legacy, anchored, start.full_pass_at
            )


def _first_after(checkpoints: list[Checkpoint], checked: int) -> int | None:
    """The first checkpoint beyond the entries that verified."""
    return next((c.seq for c in checkpoints if c.seq > checked), None)
