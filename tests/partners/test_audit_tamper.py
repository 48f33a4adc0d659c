"""Rewriting the audit log shows: every kind of tampering is named by `audit verify`, with the
first entry that fails and the signed checkpoint the log falls short of."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.access.audit import (
    GENESIS_HASH,
    AuditRecord,
    Checkpoint,
    check_audit_chain,
    do_write_checkpoint,
    get_checkpoint,
    get_head_checkpoint,
    get_legacy_hash,
    get_row_hash,
    list_checkpoints,
    set_audit_key,
)
from chainhub.access.models import audit_log
from chainhub.access.schemas import AuditVerification
from chainhub.api.audit_writer import AuditWriter
from chainhub.cli import audit as audit_cli
from tests.support import fill_audit_log

KEY = "a-test-audit-key-of-some-length"


def _fill(engine: sa.Engine, count: int) -> None:
    fill_audit_log(engine, count, key=KEY)


def _rehash_from(conn: sa.Connection, seq: int, key: str) -> None:
    """What a forger without the key does: recompute every hash from `seq` on."""
    rows = conn.execute(sa.select(audit_log).where(audit_log.c.seq >= seq).order_by("seq"))
    prev = conn.execute(
        sa.select(audit_log.c.row_hash).where(audit_log.c.seq == seq - 1)
    ).scalar_one()
    for row in rows.mappings().all():
        entry = dict(row)
        new = get_row_hash(prev_hash=prev, entry=entry, key=key.encode())
        conn.execute(
            audit_log.update()
            .where(audit_log.c.seq == entry["seq"])
            .values(prev_hash=prev, row_hash=new)
        )
        prev = new


def _edit_and_rehash(conn: sa.Connection) -> None:
    conn.execute(audit_log.update().where(audit_log.c.seq == 20).values(partner_id="forger"))
    _rehash_from(conn, 20, "guessed-key")


def _delete_and_renumber(conn: sa.Connection) -> None:
    conn.execute(audit_log.delete().where(audit_log.c.seq == 30))
    conn.execute(audit_log.update().where(audit_log.c.seq > 30).values(seq=audit_log.c.seq - 1))


def _forged_append(conn: sa.Connection) -> None:
    last = conn.execute(sa.select(audit_log).where(audit_log.c.seq == 60)).mappings().one()
    forged = {**dict(last), "seq": 61, "prev_hash": last["row_hash"], "action": "forged"}
    forged["row_hash"] = get_row_hash(prev_hash=last["row_hash"], entry=forged, key=b"no-key")
    conn.execute(audit_log.insert().values(**forged))


TAMPERING: dict[str, tuple[Callable[[sa.Connection], None], int | None, int | None]] = {
    # kind: (what the forger does, first entry that fails, checkpoint the log falls short of)
    "edit": (
        lambda c: c.execute(audit_log.update().where(audit_log.c.seq == 12).values(status=500)),
        12,
        50,
    ),
    "edit and rehash": (_edit_and_rehash, 20, 50),
    "delete one": (lambda c: c.execute(audit_log.delete().where(audit_log.c.seq == 7)), 7, 50),
    "delete and renumber": (_delete_and_renumber, 30, 50),
    "delete the last": (
        lambda c: c.execute(audit_log.delete().where(audit_log.c.seq == 60)),
        60,
        60,
    ),
    "delete the last 50": (
        lambda c: c.execute(audit_log.delete().where(audit_log.c.seq > 10)),
        11,
        50,
    ),
    "delete all": (lambda c: c.execute(audit_log.delete()), 1, 50),
    "forged append": (_forged_append, 61, None),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_every_kind_of_tampering_is_named(engine: sa.Engine, tmp_path: Path, kind: str) -> None:
    _fill(engine, 50)
    checkpoints = tmp_path / "checkpoints.jsonl"
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        head = get_head_checkpoint(conn=conn)
        assert head is not None and head.seq == 50
        do_write_checkpoint(path=checkpoints, checkpoint=head)
    _fill(engine, 10)
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        head = get_head_checkpoint(conn=conn)
        assert head is not None
        do_write_checkpoint(path=checkpoints, checkpoint=head)
        intact = check_audit_chain(conn=conn, checkpoints=list_checkpoints(path=checkpoints))
    assert (intact.ok, intact.checked) == (True, 60)
    tamper, broken_at, short_of = TAMPERING[kind]
    with engine.begin() as conn:
        tamper(conn)
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        result = check_audit_chain(conn=conn, checkpoints=list_checkpoints(path=checkpoints))
    assert (result.ok, result.first_broken_seq, result.short_of_checkpoint) == (
        False,
        broken_at,
        short_of,
    )


def test_a_forged_checkpoint_is_named(engine: sa.Engine, tmp_path: Path) -> None:
    _fill(engine, 5)
    path = tmp_path / "c.jsonl"
    do_write_checkpoint(path=path, checkpoint=get_checkpoint(seq=9, row_hash="0" * 64, key="x"))
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        result = check_audit_chain(conn=conn, checkpoints=list_checkpoints(path=path))
    assert (result.ok, result.bad_checkpoint) == (False, 9)


def test_the_cli_checkpoints_and_names_a_truncated_log(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAINHUB_AUDIT_KEY", KEY)
    monkeypatch.setenv("CHAINHUB_DATA_DIR", str(tmp_path))
    from chainhub.storage.engine import create_engine_for
    from chainhub.storage.migrate import do_upgrade

    engine = create_engine_for(database_url)
    do_upgrade(engine=engine)
    _fill(engine, 8)
    runner, cli_app = CliRunner(), typer.Typer()
    audit_cli.register(cli_app)
    exported = tmp_path / "exported.jsonl"
    made = runner.invoke(
        cli_app, ["audit", "checkpoint", "--out", str(exported), "--db", database_url]
    )
    assert made.exit_code == 0, made.output
    assert "checkpoint at seq 8" in made.output
    ok = runner.invoke(cli_app, ["audit", "verify", "--db", database_url])
    assert ok.exit_code == 0 and "8 entries verified, 1 checkpoints held" in ok.output, ok.output
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq > 5))
    engine.dispose()
    for lang, words in (
        ("en", "audit chain broken at seq 6 (5 entries before it verified); the log falls "
               "short of the checkpoint at seq 8"),
        ("zh", "审计链在序号 6 处断裂（此前 5 条校验通过）；日志未达到序号 8 的检查点"),
    ):  # fmt: skip
        monkeypatch.setenv("CHAINHUB_LANGUAGE", lang)
        args = ["audit", "verify", "--checkpoints", str(exported), "--db", database_url]
        broken = runner.invoke(cli_app, args)
        assert broken.exit_code == 1
        assert words in " ".join(broken.output.split()).replace("( ", "("), broken.output


def _fill_legacy(engine: sa.Engine, count: int) -> None:
    """Entries as the hub chained them before it had an audit key: plain SHA-256."""
    prev = GENESIS_HASH
    with engine.begin() as conn:
        for seq in range(1, count + 1):
            entry = {
                "seq": seq,
                "occurred_at": datetime(2026, 1, 5, 8, seq, tzinfo=UTC),
                "partner_id": "p",
                "user_id": None,
                "token_id": None,
                "action": f"GET /old/{seq}",
                "target": "{}",
                "status": 200,
                "outcome": "ok",
                "prev_hash": prev,
            }
            entry["row_hash"] = prev = get_legacy_hash(prev_hash=prev, entry=entry)
            conn.execute(audit_log.insert().values(**entry))


def _rehash_legacy(conn: sa.Connection, first: int, last: int) -> None:
    """What a forger does to entries without a key: recompute their plain hashes."""
    prev = conn.execute(
        sa.select(audit_log.c.row_hash).where(audit_log.c.seq == first - 1)
    ).scalar_one()
    rows = conn.execute(
        sa.select(audit_log).where(audit_log.c.seq.between(first, last)).order_by("seq")
    )
    for row in rows.mappings().all():
        new = get_legacy_hash(prev_hash=prev, entry={**dict(row), "prev_hash": prev})
        conn.execute(
            audit_log.update()
            .where(audit_log.c.seq == row["seq"])
            .values(prev_hash=prev, row_hash=new)
        )
        prev = new


def _verify(engine: sa.Engine, checkpoints: list[Checkpoint] | None = None) -> AuditVerification:
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        return check_audit_chain(conn=conn, checkpoints=checkpoints or [])


def test_a_log_from_before_the_audit_key_verifies_as_legacy(engine: sa.Engine) -> None:
    _fill_legacy(engine, 6)
    _fill(engine, 4)
    result = _verify(engine)
    assert (result.ok, result.checked, result.legacy_entries) == (True, 10, 6)
    assert result.after_last_checkpoint == 10
    # Anyone can compute a plain hash: one after the keyed entries is a forgery.
    with engine.begin() as conn:
        last = conn.execute(sa.select(audit_log).where(audit_log.c.seq == 10)).mappings().one()
        forged = {**dict(last), "seq": 11, "prev_hash": last["row_hash"], "action": "forged"}
        forged["row_hash"] = get_legacy_hash(prev_hash=last["row_hash"], entry=forged)
        conn.execute(audit_log.insert().values(**forged))
    result = _verify(engine)
    assert (result.ok, result.first_broken_seq, result.legacy_entries) == (False, 11, 6)
    # Rewriting the legacy entries breaks the first keyed entry, chained to their head.
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 11))
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(status=500))
        _rehash_legacy(conn, 3, 6)
    result = _verify(engine)
    assert (result.ok, result.first_broken_seq, result.legacy_entries) == (False, 7, 6)


def test_tampering_with_anchored_legacy_entries_is_caught(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAINHUB_AUDIT_KEY", KEY)
    monkeypatch.setenv("CHAINHUB_DATA_DIR", str(tmp_path))
    from chainhub.storage.engine import create_engine_for
    from chainhub.storage.migrate import do_upgrade

    engine = create_engine_for(database_url)
    do_upgrade(engine=engine)
    _fill_legacy(engine, 6)
    engine.dispose()
    runner, cli_app = CliRunner(), typer.Typer()
    audit_cli.register(cli_app)
    before = runner.invoke(cli_app, ["audit", "verify", "--db", database_url])
    assert before.exit_code == 0, before.output
    assert "the first 6 entries predate the audit key" in " ".join(before.output.split())
    assert "not yet anchored; run: chainhub audit anchor" in " ".join(before.output.split())
    anchored = runner.invoke(cli_app, ["audit", "anchor", "--db", database_url])
    assert anchored.exit_code == 0, anchored.output
    assert "legacy entries 1-6 anchored: checkpoint at seq 6" in anchored.output
    after = runner.invoke(cli_app, ["audit", "verify", "--db", database_url])
    assert after.exit_code == 0, after.output
    assert "anchored by a signed checkpoint" in " ".join(after.output.split())
    # A forger without the key edits an entry and recomputes every plain hash after it.
    with engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 2).values(partner_id="forger"))
        _rehash_legacy(conn, 2, 6)
    engine.dispose()
    broken = runner.invoke(cli_app, ["audit", "verify", "--db", database_url])
    assert broken.exit_code == 1
    assert "falls short of the checkpoint at seq 6" in " ".join(broken.output.split())
    again = runner.invoke(cli_app, ["audit", "anchor", "--db", database_url])
    assert again.exit_code == 1, again.output


def test_a_truncation_after_a_timed_checkpoint_is_caught(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.jsonl"
    writer = AuditWriter(
        engine=engine, key=KEY, checkpoint_every=1000, checkpoint_path=path, checkpoint_seconds=0.2
    )
    try:
        for n in range(5):
            asyncio.run(writer.record(AuditRecord(action=f"GET /t/{n}", status=200, outcome="ok")))
        deadline = time.monotonic() + 3
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        writer.stop()
    checkpoints = list_checkpoints(path=path)
    assert [c.seq for c in checkpoints] == [5]
    assert _verify(engine, checkpoints).after_last_checkpoint == 0
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq > 3))
    result = _verify(engine, checkpoints)
    assert (result.ok, result.first_broken_seq, result.short_of_checkpoint) == (False, 4, 5)
