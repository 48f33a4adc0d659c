"""What a running hub keeps beside its engine: the write lock, the audit writer, the event
broker, the worker, the sandbox and the capture preparers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from chainhub.api.audit_writer import AuditWriter
from chainhub.api.processes import ProcessPool
from chainhub.api.sandbox import Sandbox
from chainhub.events.broker import EventBroker
from chainhub.events.reactions import Reaction


class Worker(Protocol):
    """A background worker the hub starts, stops and wakes after a commit."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...


class HubRuntime:
    """What a running hub keeps beside its engine: the write lock, the audit writer, the
    broker, the worker, the sandbox, the capture preparers, and the reactions to stored
    documents its writes run."""

    def __init__(
        self,
        *,
        worker: Worker,
        audit: AuditWriter,
        sandbox: Sandbox,
        preparers: ProcessPool,
        reactions: Sequence[Reaction] = (),
    ) -> None:
        # DuckDB has one writing process and reports concurrent changes of the same rows as
        # conflicts, so this process's writing requests take turns (reads never take it);
        # PostgreSQL orders them with row locks and the audit chain's advisory lock instead.
        self.write_lock = threading.Lock()
        self.audit = audit
        self.broker = EventBroker()
        self.worker = worker
        # Uploaded files are read and checked in its child processes, within a budget.
        self.sandbox = sandbox
        # Large EPCIS captures are read, checked and hashed in its worker processes, off this
        # process's interpreter lock; each request stores its own.
        self.preparers = preparers
        # What the domains above intake do when it stores documents (see events.reactions).
        self.reactions = tuple(reactions)
