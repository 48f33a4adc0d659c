"""A small pool of worker processes for the CPU-heavy, database-free half of large requests.

A request that would hold the interpreter's lock for long (a large EPCIS capture's parse,
checks, hashes and rows) has that half done in a worker process, so this process's event loop
and its other requests' threads keep running meanwhile; the request stores the result itself.
"""

from __future__ import annotations

import importlib
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


def _imported(module: str) -> None:
    """Import `module` (in a worker, so that its first job does not wait for the import)."""
    importlib.import_module(module)


class ProcessPool:
    """Up to `workers` worker processes, spawned at their first job (or by `warm`), which
    import the `preload` modules as they warm; none at all when `workers` is 0."""

    def __init__(self, *, workers: int, preload: tuple[str, ...] = ()) -> None:
        self.workers = workers
        self._preload = preload
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, job: Callable[..., T], /, *args: Any) -> Future[T] | None:
        """`job(*args)` in a worker (both must pickle; the job a module-level function), or
        None when the pool has no workers or is closed: the caller does the job itself. A
        worker that died (or could not start) breaks its jobs, whose callers do them
        themselves; the next job starts new workers."""
        with self._lock:
            if self.workers < 1 or self._closed:
                return None
            if self._executor is not None:
                try:
                    return self._executor.submit(job, *args)
                except BrokenProcessPool:
                    self._executor.shutdown(wait=False, cancel_futures=True)
            # Spawned, not forked: this process runs DuckDB's, Polars' and the server's
            # threads, which a fork would copy mid-state.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            return self._executor.submit(job, *args)

    def warm(self) -> None:
        """Start every worker now, each importing the preload modules, so that no request
        waits for a worker's start-up."""
        for _ in range(self.workers):
            for module in self._preload:
                self.submit(_imported, module)

    def close(self) -> None:
        """End the workers once their jobs are done; later jobs are the callers' own."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
