"""A served hub's memory of its last pass over the audit chain, so that a view of the audit log
recomputes only the entries that came after it instead of the whole chain (every request adds
an entry, so the whole chain grows without bound).

A pass from the first entry runs again once the last one is older than the hub's setting, and
on demand: an entry changed inside the remembered prefix shows at that pass (or at once with
`chainhub audit verify`), not at the next view; the page says when the last one ran."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from chainhub.access.audit import Checkpoint, VerifiedPrefix, get_chain_verification
from chainhub.access.schemas import AuditVerification


class AuditPrefixKeeper:
    """Where this process's last pass that verified the chain ended."""

    def __init__(self, *, full_pass_every: timedelta) -> None:
        self._full_pass_every = full_pass_every
        self._prefix: VerifiedPrefix | None = None
        self._lock = threading.Lock()

    def get_verification(
        self,
        *,
        conn: Connection,
        checkpoints: Iterable[Checkpoint],
        now: datetime,
        full: bool = False,
    ) -> AuditVerification:
        """The chain verified on from the kept prefix, or from its first entry when asked
        (`full`), when none is kept or when the last pass from there is too old."""
        with self._lock:
            since = self._prefix
        if full or (since is not None and now - since.full_pass_at >= self._full_pass_every):
            since = None
        verification, reached = get_chain_verification(
            conn=conn, checkpoints=checkpoints, now=now, since=since
        )
        with self._lock:
            # A broken chain forgets the prefix: the next view recomputes from the first entry.
            if reached is None or self._prefix is None or reached.seq >= self._prefix.seq:
                self._prefix = reached
        return verification
