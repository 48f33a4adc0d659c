"""A small thread-safe map that forgets its least recently used entries beyond a limit."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `limit` entries; a read or write makes an entry the most recent."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value kept under `key`, or None."""
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        """Keep `value` under `key`, forgetting the oldest entries beyond the limit."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._limit:
                self._entries.popitem(last=False)

    def items(self) -> list[tuple[K, V]]:
        """The entries, oldest first."""
        with self._lock:
            return list(self._entries.items())

    def __getstate__(self) -> tuple[int, list[tuple[K, V]]]:
        # A lock does not pickle: a copy gets its own.
        return self._limit, self.items()

    def __setstate__(self, state: tuple[int, list[tuple[K, V]]]) -> None:
        self._limit, entries = state
        self._lock = threading.Lock()
        self._entries = OrderedDict(entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
