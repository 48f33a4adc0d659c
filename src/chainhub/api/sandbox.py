"""Work that hostile input can make long or big, run in child processes with a budget.

A bounded pool of worker processes (fresh interpreters, so no lock or thread of the server
is copied into them, and no main module run again) runs one job at a time each. A worker's
address space is capped (`RLIMIT_AS`), and a job that overruns its wall time is ended by
killing its worker; either way the caller gets `BudgetExceededError` and a fresh worker
takes the dead one's place, so the server process itself never holds the input's memory
nor waits past the budget.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import chainhub
from chainhub.errors import ChainhubError

T = TypeVar("T")
# A worker is replaced after this many jobs, so what a long run leaves behind (allocator
# caches, fragmentation) cannot add up.
_JOBS_PER_WORKER: Final = 200
# Seconds a new worker may take to start (an interpreter importing the jobs' modules); its
# start-up is not charged to the job that waits for it.
_START_SECONDS: Final = 60.0
# Where the chainhub package is found, for the workers' interpreters.
_SOURCE_ROOT: Final = str(Path(chainhub.__file__).resolve().parent.parent)


class BudgetExceededError(Exception):
    """A job overran its budget: `kind` is "time" or "memory"."""

    def __init__(self, kind: Literal["time", "memory"]) -> None:
        super().__init__(kind)
        self.kind: Literal["time", "memory"] = kind


@dataclass(frozen=True)
class Budget:
    """What one job may take: wall-clock seconds and megabytes of address space."""

    seconds: float
    memory_mb: int


def _limit_memory(memory_mb: int) -> None:
    import resource  # noqa: PLC0415 - POSIX only, and needed only in the child

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve(conn: Connection, memory_mb: int, preload: tuple[str, ...]) -> None:
    """A worker's loop: run each job sent, send back its outcome; end when the pipe closes."""
    _limit_memory(memory_mb)
    for module in preload:
        importlib.import_module(module)
    conn.send(("ready", None))
    while True:
        try:
            job, kwargs = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", job(**kwargs)))
        except MemoryError:
            conn.send(("memory", None))
            return
        except ChainhubError as error:
            # A dataclass exception does not pickle by its args: send its fields.
            fields = (error.code, error.message_en, error.message_zh, error.location, error.status)
            conn.send(("chainhub", fields))
        except Exception as exc:  # noqa: BLE001 - the parent raises it as a failed job
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class SandboxFailedError(RuntimeError):
    """A worker did not start, or its job raised something other than a ChainhubError."""


class _Worker:
    def __init__(self, memory_mb: int, preload: tuple[str, ...]) -> None:
        ours, theirs = socket.socketpair()
        path = os.pathsep.join(p for p in (_SOURCE_ROOT, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
            [sys.executable, "-m", __name__, str(theirs.fileno()), str(memory_mb), *preload],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.jobs = 0
        try:
            ready = self.conn.poll(_START_SECONDS) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise SandboxFailedError("a file-check worker did not start")

    def end(self) -> None:
        self.conn.close()
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()


class Sandbox:
    """At most `workers` jobs at once, each in a child process within `budget`; the others
    wait up to the budget's seconds for a worker, then are refused as the hub being busy.
    Workers import the `preload` modules (those of the jobs) as they start."""

    def __init__(self, *, workers: int, budget: Budget, preload: tuple[str, ...] = ()) -> None:
        self.budget = budget
        self._preload = preload
        self._workers = workers
        self._turns = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, job: Callable[..., T], /, **kwargs: Any) -> T:
        """`job(**kwargs)` in a worker (job and arguments must pickle; the job must be a
        module-level function); BudgetExceededError when it overruns."""
        if not self._turns.acquire(timeout=self.budget.seconds):
            raise _busy(self.budget.seconds)
        try:
            worker = self._take()
            outcome = self._ask(worker, job, kwargs)
        finally:
            self._turns.release()
        kind, value = outcome
        if kind == "ok":
            return value  # type: ignore[no-any-return]
        if kind == "chainhub":
            raise ChainhubError(*value)
        raise SandboxFailedError(value)

    def warm(self, count: int | None = None) -> None:
        """Start `count` workers (default: all) in the background, so that no job waits for
        their start-up."""
        threading.Thread(
            target=self._warm,
            args=(self._workers if count is None else count,),
            name="chainhub-sandbox-warm",
            daemon=True,
        ).start()

    def _warm(self, count: int) -> None:
        for _ in range(count):
            try:
                worker = _Worker(self.budget.memory_mb, self._preload)
            except SandboxFailedError:
                return
            with self._lock:
                keep = not self._closed and len(self._idle) < self._workers
                if keep:
                    self._idle.append(worker)
            if not keep:
                worker.end()
                return

    def close(self) -> None:
        """End the idle workers; a busy one ends when its job is answered."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.end()

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker(self.budget.memory_mb, self._preload)

    def _ask(
        self, worker: _Worker, job: Callable[..., Any], kwargs: dict[str, Any]
    ) -> tuple[str, Any]:
        try:
            worker.conn.send((job, kwargs))
            if not worker.conn.poll(self.budget.seconds):
                self._replace(worker)
                raise BudgetExceededError("time")
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            # The worker died: the kernel refused it memory past its cap (or killed it).
            self._replace(worker)
            raise BudgetExceededError("memory") from None
        if kind == "memory":
            self._replace(worker)
            raise BudgetExceededError("memory")
        worker.jobs += 1
        worn = worker.jobs >= _JOBS_PER_WORKER
        with self._lock:
            keep = not self._closed and not worn and len(self._idle) < self._workers
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.end()
            if worn and not self._closed:
                self.warm(1)
        return kind, value

    def _replace(self, worker: _Worker) -> None:
        """Kill an overrunning worker and start another in its place in the background."""
        worker.kill()
        if not self._closed:
            self.warm(1)


def _busy(seconds: float) -> ChainhubError:
    return ChainhubError(
        "hub_busy",
        f"the hub is busy checking other files: no turn for this one within {seconds:g} s; "
        "nothing was changed, retry later",
        f"枢纽正忙于检查其他文件：{seconds:g} 秒内未能轮到该文件；未做任何更改，请稍后重试",
        {},
        503,
    )


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]), tuple(sys.argv[3:]))
