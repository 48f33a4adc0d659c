"""What a running hub keeps beside its engine: the audit lock, the event broker, the worker."""

from __future__ import annotations

import threading
from typing import Protocol

from chainhub.events.broker import EventBroker


class Worker(Protocol):
    """A background worker the hub starts, stops and wakes after a commit."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...


class HubRuntime:
    """What a running hub keeps beside its engine: the audit lock, the broker and the worker."""

    def __init__(self, *, worker: Worker) -> None:
        # DuckDB has one writing process and snapshot reads, so this process's audited
        # transactions take turns; PostgreSQL serializes them with an advisory lock instead.
        self.audit_lock = threading.Lock()
        # The seq of the last checkpoint this process wrote (0: none yet, so the first write
        # after start-up anchors the head).
        self.checkpoint_lock = threading.Lock()
        self.last_checkpoint_seq = 0
        self.broker = EventBroker()
        self.worker = worker
