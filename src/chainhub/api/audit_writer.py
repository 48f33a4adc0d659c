"""The one place a running hub appends to its audit chain.

A write's entries are appended at its commit, inside its transaction, so the change and its
record commit together; only that append and the commit hold the chain. Every other
request's entry goes to one writer thread, which appends whatever is queued in one
transaction (group commit). Either way the request is answered only once its entry is
committed, so a server killed at any moment has recorded every request it answered.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine

from chainhub.access.audit import (
    AuditRecord,
    do_append_audits,
    do_write_checkpoint,
    end_request_state,
    get_checkpoint,
    set_audit_key,
)
from chainhub.access.schemas import AuditEntry
from chainhub.storage.engine import start_autocommit

# Entries one group commit takes at most; the rest wait for the next.
_BATCH: Final = 1000
# How long a batch waits at most for the entries of reads still in their transactions: a
# commit costs some milliseconds of CPU (with its statements) whether it appends one entry or
# many (DuckDB: ~2.6 ms for one, ~3.9 for eight).
_GATHER_SECONDS: Final = 0.010
# How long a request waits for its entry before it fails rather than hang (the writer is
# dead or the database unreachable).
_WAIT_SECONDS: Final = 60.0


class AuditUnavailableError(RuntimeError):
    """The audit writer did not commit an entry in time; the request must not be answered."""


class _Wake:
    """Queued when the last read in its transaction ends: a gathering batch then waits no more."""


_WAKE: Final = _Wake()


@dataclass
class _Pending:
    record: AuditRecord
    # Resolved on its request's event loop once the entry is committed.
    done: asyncio.Future[None]


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    """On a loop: resolve its requests' futures of one batch (a request gone has cancelled
    its own)."""
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            failure = AuditUnavailableError("the audit entry could not be committed")
            failure.__cause__ = error
            future.set_exception(failure)


class AuditWriter:
    """Appends the hub's audit entries in chain order and anchors the head in checkpoints."""

    def __init__(
        self,
        *,
        engine: Engine,
        key: str,
        checkpoint_every: int,
        checkpoint_path: Path,
        checkpoint_seconds: float = 300.0,
        gather_seconds: float = _GATHER_SECONDS,
    ) -> None:
        self._engine = engine
        self._gather_seconds = gather_seconds
        self._key = key
        self._checkpoint_every = checkpoint_every
        self._checkpoint_seconds = checkpoint_seconds
        self._checkpoint_path = checkpoint_path
        # Held from an append until its commit, so entries commit in seq order.
        self._chain_lock = threading.Lock()
        # DuckDB: seq and hash of the newest committed entry (None: read it from the log).
        # A transaction's snapshot may predate it; one process writes the file.
        self._head: tuple[int, str] | None = None
        self._remember_head = engine.dialect.name == "duckdb"
        self._checkpoint_lock = threading.Lock()
        # The seq of the last checkpoint this process wrote (0: none yet, so the first
        # commit after start-up anchors the head).
        self._last_checkpoint_seq = 0
        self._last_checkpoint_at = time.monotonic()
        # The newest committed entry, for the writer thread's timed checkpoint.
        self._newest: AuditEntry | None = None
        self._queue: queue.SimpleQueue[_Pending | _Wake | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # The writer thread's own connection, kept open between batches (no pool check-out,
        # no key to set, per batch).
        self._conn: Connection | None = None
        self._start_lock = threading.Lock()
        # Reads in their transactions now: each will queue an entry when it ends.
        self._reading = 0
        self._reading_lock = threading.Lock()

    def commit(self, *, conn: Connection, records: list[AuditRecord]) -> list[AuditEntry]:
        """Append `records` in the transaction begun on `conn` and commit it."""
        # The writer thread also keeps time for checkpoints of writes in quiet periods.
        self._ensure_started()
        with self._chain_lock:
            entries = do_append_audits(conn=conn, records=records, head=self._head)
            conn.commit()
            if self._remember_head and entries:
                self._head = (entries[-1].seq, entries[-1].row_hash)
        if entries:
            self._checkpoint_at_intervals(entries[-1])
        return entries

    async def record(self, record: AuditRecord) -> None:
        """Queue one entry for the writer thread and return once it is committed."""
        self._ensure_started()
        done = asyncio.get_running_loop().create_future()
        self._queue.put(_Pending(record, done))
        try:
            async with asyncio.timeout(_WAIT_SECONDS):
                await done
        except TimeoutError:
            raise AuditUnavailableError("the audit entry was not committed in time") from None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Mark a read in its transaction: a batch may wait for the entry it will queue."""
        with self._reading_lock:
            self._reading += 1
        try:
            yield
        finally:
            with self._reading_lock:
                self._reading -= 1
                last = self._reading == 0
            # Woken by queued entries and by this, a gathering batch needs no polling.
            if last:
                self._queue.put(_WAKE)

    def stop(self) -> None:
        """Commit what is queued, then end the writer thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="chainhub-audit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._seconds_to_checkpoint())
            except queue.Empty:
                self._checkpoint_newest()
                continue
            if isinstance(first, _Wake):
                continue
            if first is None:
                self._close()
                return
            batch = [first]
            stop = False
            # A commit costs far more than an entry, so while reads whose entries will follow
            # are still in their transactions the batch waits a little for them.
            gather_until = time.monotonic() + self._gather_seconds
            while len(batch) < _BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    wait = gather_until - time.monotonic()
                    if self._reading <= 0 or wait <= 0:
                        break
                    try:
                        more = self._queue.get(timeout=wait)
                    except queue.Empty:
                        break
                if isinstance(more, _Wake):
                    continue
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit_batch(batch)
            if stop:
                self._close()
                return

    def _commit_batch(self, batch: list[_Pending]) -> None:
        error: BaseException | None = None
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
                set_audit_key(conn=self._conn, key=self._key)
                # On DuckDB a batch, its head known, is one INSERT: its own transaction,
                # committed as it ends, without a BEGIN and a COMMIT to parse and plan. The
                # chain lock keeps other appends out between reading the head and inserting.
                start_autocommit(conn=self._conn)
            self._conn.begin()
            self.commit(conn=self._conn, records=[p.record for p in batch])
        except Exception as exc:  # noqa: BLE001 - each waiting request fails with it
            self._close()
            error = exc
        # One wake-up of each loop for all its requests of the batch, not one per request.
        waiting: defaultdict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]]
        waiting = defaultdict(list)
        for pending in batch:
            waiting[pending.done.get_loop()].append(pending.done)
        for loop, futures in waiting.items():
            try:
                loop.call_soon_threadsafe(_settle, futures, error)
            except RuntimeError:  # the loop is closed: nobody waits on it any more
                pass

    def _close(self) -> None:
        """Give the writer's connection back (a failed one is opened anew for the next batch)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                # Its key and autocommit stay with this process's writer, not the pool.
                end_request_state(conn=conn)
                conn.close()
            except Exception:  # noqa: BLE001, S110 - a broken connection is discarded anyway
                pass

    def _checkpoint_at_intervals(self, entry: AuditEntry) -> None:
        """After a commit, anchor the chain head outside the database every so many entries
        or seconds, whichever comes first."""
        with self._checkpoint_lock:
            if self._newest is None or entry.seq > self._newest.seq:
                self._newest = entry
            if entry.seq - self._last_checkpoint_seq < self._checkpoint_every and (
                self._seconds_to_checkpoint() > 0
            ):
                return
            self._write_checkpoint(entry)

    def _checkpoint_newest(self) -> None:
        """Anchor the newest committed entry unless a checkpoint holds it already: bounds how
        long a deletion after the last checkpoint stays unseen."""
        with self._checkpoint_lock:
            if self._newest is not None and self._newest.seq > self._last_checkpoint_seq:
                self._write_checkpoint(self._newest)
            else:
                self._last_checkpoint_at = time.monotonic()

    def _seconds_to_checkpoint(self) -> float:
        return max(0.0, self._last_checkpoint_at + self._checkpoint_seconds - time.monotonic())

    def _write_checkpoint(self, entry: AuditEntry) -> None:
        self._last_checkpoint_seq = entry.seq
        self._last_checkpoint_at = time.monotonic()
        checkpoint = get_checkpoint(seq=entry.seq, row_hash=entry.row_hash, key=self._key)
        do_write_checkpoint(path=self._checkpoint_path, checkpoint=checkpoint)
