"""Publishing simulated machines' messages to a broker, paced in machine time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt

from chainhub.equipment.broker import connect, new_client
from chainhub.equipment.simulate import Message
from chainhub.errors import ChainhubError

# QoS 1 messages on their way to the broker at once; the publisher waits for acks beyond that
# (paho scans its whole queue on every ack, so a long queue slows it to a crawl).
IN_FLIGHT = 1_000


class _Acks:
    """Counts the broker's acknowledgements of what was published."""

    def __init__(self) -> None:
        self.count = 0
        self.done = threading.Event()
        self.expected = -1
        self.window = threading.Semaphore(IN_FLIGHT)

    def on_publish(self, _c: mqtt.Client, _u: Any, _mid: int, _r: Any, _p: Any) -> None:
        self.count += 1
        self.window.release()
        if self.count == self.expected:
            self.done.set()


def publish_messages(
    *,
    host: str,
    port: int,
    messages: Sequence[Message],
    speed: float = 0.0,
    client_id: str = "",
    on_progress: Callable[[int], None] | None = None,
    timeout_s: float = 120.0,
) -> int:
    """Publish at QoS 1, `speed` times faster than machine time (0: as fast as the broker
    takes them); returns once the broker has acknowledged every message."""
    acks = _Acks()
    client = new_client(client_id)
    client.max_inflight_messages_set(IN_FLIGHT)
    client.on_publish = acks.on_publish
    connect(client, host, port)
    client.loop_start()
    try:
        began, first = time.monotonic(), messages[0].machine_time if messages else None
        for n, message in enumerate(messages, start=1):
            if speed > 0 and first is not None:
                due = (message.machine_time - first).total_seconds() / speed
                pause = due - (time.monotonic() - began)
                if pause > 0:
                    time.sleep(pause)
            if not acks.window.acquire(timeout=timeout_s):
                break
            client.publish(message.topic, message.payload, qos=1)
            if on_progress is not None and n % 1000 == 0:
                on_progress(n)
        acks.expected = len(messages)
        if acks.count < acks.expected and not acks.done.wait(timeout_s):
            raise ChainhubError(
                "broker_timeout",
                f"the broker acknowledged {acks.count} of {len(messages)} messages",
                f"代理只确认了 {len(messages)} 条消息中的 {acks.count} 条",
            )
    finally:
        client.disconnect()
        client.loop_stop()
    return len(messages)
