"""The audit writer's group commit: a read's entry waits for the entries of reads still in their
transactions (one commit for all), never for nobody, and every waiter learns its entry is
committed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import sqlalchemy as sa

from chainhub.access.audit import AuditRecord
from chainhub.access.models import audit_log
from chainhub.api.audit_writer import AuditWriter

KEY = "a-test-audit-key-of-some-length"


def _writer(engine: sa.Engine, tmp_path: Path, gather_seconds: float) -> AuditWriter:
    return AuditWriter(
        engine=engine,
        key=KEY,
        checkpoint_every=1000,
        checkpoint_path=tmp_path / "checkpoints.jsonl",
        gather_seconds=gather_seconds,
    )


def _record(n: int) -> AuditRecord:
    return AuditRecord(action=f"GET /t/{n}", status=200, outcome="ok")


def _committed(engine: sa.Engine) -> list[tuple[str, object]]:
    """Each entry's action and time: the entries of one batch share their time."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.occurred_at).order_by(audit_log.c.seq)
        )
        return [(row.action, row.occurred_at) for row in rows]


def test_an_entry_waits_for_a_read_in_its_transaction(engine: sa.Engine, tmp_path: Path) -> None:
    writer = _writer(engine, tmp_path, gather_seconds=30.0)

    async def requests() -> None:
        with writer.reading():
            first = asyncio.create_task(writer.record(_record(1)))
            await asyncio.sleep(0.05)
            assert not first.done()  # held for the read still in its transaction
            second = asyncio.create_task(writer.record(_record(2)))
            await asyncio.sleep(0)  # queued before the read ends
        await asyncio.wait_for(asyncio.gather(first, second), 10)

    try:
        asyncio.run(requests())
    finally:
        writer.stop()
    (first_action, first_at), (second_action, second_at) = _committed(engine)
    assert (first_action, second_action) == ("GET /t/1", "GET /t/2")
    assert first_at == second_at


def test_an_entry_waits_for_nobody_when_no_read_is_in_its_transaction(
    engine: sa.Engine, tmp_path: Path
) -> None:
    writer = _writer(engine, tmp_path, gather_seconds=30.0)
    started = time.monotonic()
    try:
        asyncio.run(asyncio.wait_for(writer.record(_record(1)), 10))
        elapsed = time.monotonic() - started
    finally:
        writer.stop()
    assert elapsed < 10
    assert [action for action, _ in _committed(engine)] == ["GET /t/1"]


def test_entries_of_one_batch_are_all_answered(engine: sa.Engine, tmp_path: Path) -> None:
    writer = _writer(engine, tmp_path, gather_seconds=0.5)

    async def requests() -> None:
        with writer.reading():
            waiting = [asyncio.create_task(writer.record(_record(n))) for n in range(20)]
            await asyncio.sleep(0)
        await asyncio.wait_for(asyncio.gather(*waiting), 10)

    try:
        asyncio.run(requests())
    finally:
        writer.stop()
    assert sorted(action for action, _ in _committed(engine)) == sorted(
        f"GET /t/{n}" for n in range(20)
    )
