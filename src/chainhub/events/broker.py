"""The broker behind the event stream: committed events handed to this process's open streams."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable

from chainhub.events.schemas import HubEvent


class EventBroker:
    """Hands committed events to the open event streams of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[asyncio.Queue[HubEvent], asyncio.AbstractEventLoop] = {}

    def subscribe(self) -> asyncio.Queue[HubEvent]:
        """A queue that receives every event published from now on; call in the event loop."""
        queue: asyncio.Queue[HubEvent] = asyncio.Queue()
        with self._lock:
            self._queues[queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, queue: asyncio.Queue[HubEvent]) -> None:
        """Stop delivering to `queue`."""
        with self._lock:
            self._queues.pop(queue, None)

    def publish(self, events: Iterable[HubEvent]) -> None:
        """Give committed events to every stream; safe from any thread."""
        with self._lock:
            targets = list(self._queues.items())
        for event in events:
            for queue, loop in targets:
                loop.call_soon_threadsafe(queue.put_nowait, event)
