"""A paho MQTT 5 client for receiving many small QoS 1 messages: raw messages into a queue,
acknowledgements sent in bulk.

Stock paho reads each packet with three socket reads and a select, builds a message and its
properties per packet and sends each acknowledgement on its own; at tens of thousands of
messages a second that, not storing, is the ceiling. This client keeps paho for the session
(connect, subscribe, keep-alive, reconnect) and reads the socket a megabyte at a time, queues
each PUBLISH as (generation, packet id, QoS, topic, payload, time received) without decoding its
properties, and acknowledges a whole batch as one write. It leans on paho 2.2's
`_sock_recv`, `_handle_publish` and `_packet_queue` (the version pinned in pyproject.toml).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from typing import Final

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

# Bytes read from the socket at once: some ten thousand telemetry messages.
RECV_BYTES: Final = 1 << 20
# PUBACK, remaining length 2, then the packet id (MQTT 5 leaves out a success reason code).
_PUBACK_HEAD: Final = 0x4002
# A fixed header's packet type, and its QoS bits (QoS 2 is left to paho).
_PUBLISH: Final = 0x30
_QOS_BITS: Final = 0x06
# generation, packet id, QoS, topic, payload, time received (epoch seconds)
Received = tuple[int, int, int, bytes, bytes, float]


class QueueingClient(mqtt.Client):
    """An MQTT 5 client with manual acks that queues what it receives in `received`."""

    def __init__(self, client_id: str) -> None:
        super().__init__(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        self.reconnect_delay_set(min_delay=1, max_delay=5)
        self.received: deque[Received] = deque()
        # A reconnect starts a new generation: older deliveries' packet ids mean nothing to
        # the new connection, and the broker sends those messages again anyway.
        self.generation = 0
        self._buffer = b""
        self._at = 0
        self._buffer_of: object = None

    def _sock_recv(self, bufsize: int) -> bytes:
        """Up to `bufsize` bytes, from what was read ahead of the current socket."""
        if self._buffer_of is not self._sock:
            self._buffer, self._at, self._buffer_of = b"", 0, self._sock
        if self._at >= len(self._buffer):
            self._buffer, self._at = super()._sock_recv(RECV_BYTES), 0
            if not self._buffer:
                return b""
        chunk = self._buffer[self._at : self._at + bufsize]
        self._at += len(chunk)
        return chunk

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        """Handle every packet read so far, not one per select as paho does: whole PUBLISH
        packets here, anything else (and a packet split across reads) by paho."""
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._at < len(self._buffer):
            if self._in_packet["command"] == 0:
                self._take_publishes()
            if self._at < len(self._buffer):
                rc = super().loop_read(max_packets)
        return rc

    def _take_publishes(self) -> None:
        """Queue the whole QoS 0 and 1 PUBLISH packets at the head of what was read."""
        buffer, at, now = self._buffer, self._at, time.time()
        end_of_buffer, generation, append = len(buffer), self.generation, self.received.append
        while at < end_of_buffer:
            header = buffer[at]
            if (header & 0xF0) != _PUBLISH or (header & _QOS_BITS) > 0x02:
                break
            body, length = _varint(buffer, at + 1, end_of_buffer)
            if body < 0 or body + length > end_of_buffer:
                break
            publish = _publish(buffer, body, body + length, header & _QOS_BITS)
            if publish is None:
                break
            append((generation, publish[0], (header & _QOS_BITS) >> 1, publish[1], publish[2], now))
            at = body + length
        self._at = at

    def _handle_publish(self) -> MQTTErrorCode:
        header = self._in_packet["command"]
        if (header & _QOS_BITS) > 0x02:
            return super()._handle_publish()
        packet = bytes(self._in_packet["packet"])
        publish = _publish(packet, 0, len(packet), header & _QOS_BITS)
        if publish is None:
            return MQTTErrorCode.MQTT_ERR_PROTOCOL
        mid, topic, payload = publish
        qos = (header & _QOS_BITS) >> 1
        self.received.append((self.generation, mid, qos, topic, payload, time.time()))
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def ack_all(self, mids: Sequence[int]) -> None:
        """Acknowledge these QoS 1 deliveries of the current connection in one write."""
        if not mids:
            return
        packets = np.empty((len(mids), 2), dtype=">u2")
        packets[:, 0] = _PUBACK_HEAD
        packets[:, 1] = mids
        self._packet_queue(mqtt.PUBACK, packets.tobytes(), 0, 0)


def _varint(buffer: bytes, at: int, end: int) -> tuple[int, int]:
    """Where the bytes after a variable byte integer start, and its value; -1 when cut off."""
    value, shift = 0, 0
    while at < end and shift < 28:
        byte = buffer[at]
        at, value, shift = at + 1, value | (byte & 0x7F) << shift, shift + 7
        if not byte & 0x80:
            return at, value
    return -1, 0


def _publish(packet: bytes, at: int, end: int, qos_bits: int) -> tuple[int, bytes, bytes] | None:
    """A PUBLISH packet's id (0 at QoS 0), topic and payload from its variable header on;
    None when malformed."""
    topic_at = at + 2
    if topic_at > end:
        return None
    topic_end = topic_at + ((packet[at] << 8) | packet[at + 1])
    if topic_end > end:
        return None
    mid, properties_at = 0, topic_end
    if qos_bits:
        if topic_end + 2 > end:
            return None
        mid, properties_at = (packet[topic_end] << 8) | packet[topic_end + 1], topic_end + 2
    # The properties (none that the hub uses), behind their size.
    payload_at, size = _varint(packet, properties_at, end)
    if payload_at < 0 or payload_at + size > end:
        return None
    return mid, packet[topic_at:topic_end], packet[payload_at + size : end]
