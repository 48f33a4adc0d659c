"""The hub's MQTT subscriber: a persistent session, QoS 1, batched writes, acks after commit.

Each message is acknowledged to the broker only once its batch has committed, so a message is
never lost between the broker and the database; the broker redelivers what was not
acknowledged (after a broker or hub restart) and the store keeps each message id once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import paho.mqtt.client as mqtt
import polars as pl
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import Engine

from chainhub.equipment.broker import connect
from chainhub.equipment.parse import SCHEMA, Row, parse_batch, split_parsed
from chainhub.equipment.receiver import QueueingClient, Received
from chainhub.equipment.schemas import Rejected, StoreResult
from chainhub.equipment.service import do_store_telemetry
from chainhub.equipment.sparkplug import NAMESPACE, SparkplugTranslator
from chainhub.equipment.topics import SUBSCRIPTION

DEFAULT_CLIENT_ID: Final = "chainhub-telemetry"
# The broker keeps the session (its subscription and the messages queued for it) a week.
SESSION_EXPIRY_S: Final = 7 * 24 * 3600
# Unacknowledged messages the broker may have in flight to us: MQTT 5's largest.
RECEIVE_MAXIMUM: Final = 65_535
_SPARKPLUG_PREFIX: Final = f"{NAMESPACE}/".encode()


class TelemetrySubscriber:
    """Subscribes to every machine's topics and stores what arrives in batches."""

    def __init__(
        self,
        *,
        engine: Engine,
        host: str,
        port: int,
        client_id: str = DEFAULT_CLIENT_ID,
        batch_size: int = 10_000,
        flush_seconds: float = 0.2,
        after_store: Callable[[list[Row]], None] | None = None,
        sparkplug: SparkplugTranslator | None = None,
    ) -> None:
        self.engine, self.host, self.port = engine, host, port
        # A Sparkplug B group's births, data and deaths, read beside the chainhub topics.
        self.sparkplug = sparkplug
        # Told each stored batch after its commit (co-control re-plans on breakdowns).
        self.after_store = after_store
        self.batch_size, self.flush_seconds = min(batch_size, RECEIVE_MAXIMUM), flush_seconds
        self.total = StoreResult()
        self.ready = threading.Event()
        self._client = QueueingClient(client_id)
        self._inbox = self._client.received
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_disconnect = self._on_disconnect

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            return
        self._client.generation += 1
        topics = [(SUBSCRIPTION, 1)]
        if self.sparkplug is not None:
            topics.append((self.sparkplug.subscription, 1))
        client.subscribe(topics)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, _r: Any, _p: Any) -> None:
        self.ready.set()

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, _r: Any, _p: Any) -> None:
        self.ready.clear()

    def start(self) -> None:
        """Connect (a ChainhubError when the broker cannot be reached) and start receiving."""
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        connect(self._client, self.host, self.port, clean_start=False, properties=properties)
        self._client.loop_start()

    def flush(self) -> StoreResult:
        """Store what has arrived (up to a batch) in one transaction, then acknowledge it."""
        taken = [self._inbox.popleft() for _ in range(min(len(self._inbox), self.batch_size))]
        if not taken:
            return StoreResult()
        sparkplug_rows, sparkplug_rejected = self._sparkplug(taken)
        plain = [item for item in taken if not self._is_sparkplug(item)]
        rows, rejected = parse_batch(
            [item[3] for item in plain], [item[4] for item in plain], [item[5] for item in plain]
        )
        if sparkplug_rows:
            rows = pl.concat([pl.DataFrame(sparkplug_rows, schema=SCHEMA, orient="row"), rows])
        rejected = sparkplug_rejected + rejected
        with self.engine.begin() as conn:
            result = do_store_telemetry(conn=conn, rows=rows, rejected=rejected)
        current = self._client.generation
        self._client.ack_all([mid for gen, mid, qos, *_ in taken if gen == current and qos])
        if self.sparkplug is not None:
            for topic, payload in self.sparkplug.take_rebirth_requests(datetime.now(UTC)):
                self._client.publish(topic, payload, qos=0)
        self.total += result
        if self.after_store is not None and len(rows):
            self.after_store(rows.to_dicts())
        return result

    def _is_sparkplug(self, item: Received) -> bool:
        return self.sparkplug is not None and item[3].startswith(_SPARKPLUG_PREFIX)

    def _sparkplug(self, taken: list[Received]) -> tuple[list[Row], list[Rejected]]:
        """The rows and rejects of the batch's Sparkplug B messages, in arrival order."""
        if self.sparkplug is None:
            return [], []
        translate = self.sparkplug.translate
        return split_parsed(
            parsed
            for _g, _m, _q, topic, payload, at in taken
            if topic.startswith(_SPARKPLUG_PREFIX)
            for parsed in translate(
                topic=topic.decode(errors="replace"),
                payload=payload,
                received_at=datetime.fromtimestamp(at, UTC),
            )
        )

    def run(
        self,
        *,
        stop: threading.Event,
        on_batch: Callable[[StoreResult], None] | None = None,
    ) -> StoreResult:
        """Store batches until `stop` is set, then store what is left and disconnect."""
        last, seen = time.monotonic(), 0
        try:
            while not stop.is_set():
                waiting = len(self._inbox)
                due = time.monotonic() - last >= self.flush_seconds
                # Nothing new since the last look (the broker's backlog is drained): store what
                # came now rather than wait out the timer.
                idle = waiting == seen
                if waiting >= self.batch_size or (waiting and (due or idle)):
                    result = self.flush()
                    last, seen = time.monotonic(), len(self._inbox)
                    if on_batch is not None:
                        on_batch(result)
                else:
                    seen = waiting
                    stop.wait(self.flush_seconds / 20)
            while self._inbox:
                self.flush()
        finally:
            self._client.disconnect()
            self._client.loop_stop()
        return self.total
