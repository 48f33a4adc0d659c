"""Sparkplug B: edge nodes' births, data and deaths to the MQTT convention's telemetry rows.

Sparkplug B (Eclipse Sparkplug 3.0) publishes protobuf payloads under
`spBv1.0/<group>/<type>/<edge node>[/<device>]`. The payload schema is Eclipse Tahu's
`sparkplug_b/sparkplug_b.proto` (github.com/eclipse-tahu/tahu, EPL-2.0; the specification's
chapter 6 gives the same field numbers); the part of it the hub reads is declared below as a
descriptor, so `protobuf` decodes payloads without generated code. Fields left out (metadata,
properties, data sets, templates, extensions) are skipped by the decoder as unknown fields.

A birth certificate (NBIRTH, DBIRTH) names each metric and its alias; later data messages
(NDATA, DDATA) may carry the alias alone. Every message of an edge node but its NDEATH carries
a sequence number (0-255, NBIRTH 0); a gap is counted (the values that came are still stored).
A death certificate (NDEATH for the node and its devices, DDEATH for a device) records the
machine `offline`: not observed, rather than broken down. An NDEATH whose bdSeq is not the
current birth's is a stale will from an earlier session and is ignored.

When the hub cannot read an edge node's messages whole (data before any birth seen, an alias
it was never told, a sequence gap), it asks the node for a new birth once, as a Sparkplug host
application does: an NCMD with the boolean metric `Node Control/Rebirth`. It asks again only
after the next birth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

from chainhub.equipment.nodemap import SparkplugMachine, SparkplugMap
from chainhub.equipment.parse import KEPT_PAYLOAD_CHARS, Row, parse_message
from chainhub.equipment.schemas import MachineState, Rejected
from chainhub.equipment.topics import Kind, Topic

NAMESPACE: Final = "spBv1.0"
REBIRTH_METRIC: Final = "Node Control/Rebirth"
_BOOLEAN: Final = 11
COUNTERS: Final = ("good_total", "scrap_total")
SIGNALS: Final = ("temperature_c", "vibration_mm_s", "spindle_load_pct")
# Sparkplug's signed integer types travel as two's complement in unsigned fields.
_SIGNED_BITS: Final = {1: 8, 2: 16, 3: 32, 4: 64}
_F = descriptor_pb2.FieldDescriptorProto


def _payload_class() -> type[Message]:
    """The Payload message of sparkplug_b.proto (package org.eclipse.tahu.protobuf), as read."""
    fields = {
        "Metric": [
            ("name", 1, _F.TYPE_STRING),
            ("alias", 2, _F.TYPE_UINT64),
            ("timestamp", 3, _F.TYPE_UINT64),
            ("datatype", 4, _F.TYPE_UINT32),
            ("is_historical", 5, _F.TYPE_BOOL),
            ("is_transient", 6, _F.TYPE_BOOL),
            ("is_null", 7, _F.TYPE_BOOL),
            ("int_value", 10, _F.TYPE_UINT32),
            ("long_value", 11, _F.TYPE_UINT64),
            ("float_value", 12, _F.TYPE_FLOAT),
            ("double_value", 13, _F.TYPE_DOUBLE),
            ("boolean_value", 14, _F.TYPE_BOOL),
            ("string_value", 15, _F.TYPE_STRING),
            ("bytes_value", 16, _F.TYPE_BYTES),
        ],
        "Payload": [
            ("timestamp", 1, _F.TYPE_UINT64),
            ("seq", 3, _F.TYPE_UINT64),
            ("uuid", 4, _F.TYPE_STRING),
            ("body", 5, _F.TYPE_BYTES),
        ],
    }
    file = descriptor_pb2.FileDescriptorProto(
        name="chainhub/sparkplug_b.proto", package="org.eclipse.tahu.protobuf", syntax="proto2"
    )
    payload = file.message_type.add(name="Payload")
    metric = payload.nested_type.add(name="Metric")
    for message, name in ((metric, "Metric"), (payload, "Payload")):
        for field_name, number, kind in fields[name]:
            message.field.add(name=field_name, number=number, type=kind, label=_F.LABEL_OPTIONAL)
    payload.field.add(
        name="metrics",
        number=2,
        type=_F.TYPE_MESSAGE,
        label=_F.LABEL_REPEATED,
        type_name=".org.eclipse.tahu.protobuf.Payload.Metric",
    )
    # The default pool may hold another library's copy of the same file: keep ours apart.
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    found: type[Message] = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("org.eclipse.tahu.protobuf.Payload")
    )
    return found


PAYLOAD: Final = _payload_class()


@dataclass(frozen=True, slots=True)
class SparkplugTopic:
    """`spBv1.0/<group>/<type>/<edge node>[/<device>]`."""

    group: str
    type: str
    edge: str
    device: str | None


def parse_sparkplug_topic(topic: str) -> SparkplugTopic:
    """The topic's parts; a ValueError naming what is wrong."""
    parts = topic.split("/")
    if parts[0] != NAMESPACE or len(parts) not in (4, 5) or not all(parts):
        raise ValueError(f"topic {topic!r} is not {NAMESPACE}/<group>/<type>/<edge>[/<device>]")
    device = parts[4] if len(parts) == 5 else None
    if parts[2].startswith("D") != (device is not None):
        raise ValueError(
            f"topic {topic!r}: {parts[2]} needs {'a' if device is None else 'no'} device"
        )
    return SparkplugTopic(parts[1], parts[2], parts[3], device)


def _millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def metric_value(metric: Any) -> Any:
    """The metric's value as Python, signed types made signed again; None when null."""
    kind = None if metric.is_null else _value_field(metric)
    if kind is None:
        return None
    value = getattr(metric, kind)
    bits = _SIGNED_BITS.get(metric.datatype)
    if bits is not None and isinstance(value, int):
        # Java's Tahu widens Int8 and Int16 to 32 bits before encoding; others keep the width.
        width = 32 if bits < 32 and value >= 1 << 31 else bits
        if value >= 1 << (width - 1):
            value -= 1 << width
    return value


def _value_field(metric: Any) -> str | None:
    for name in ("int_value", "long_value", "float_value", "double_value", "boolean_value",
                 "string_value"):  # fmt: skip
        if metric.HasField(name):
            return name
    return None


@dataclass
class _Node:
    """What the hub knows of one edge node since its birth."""

    born: bool = False
    bd_seq: int | None = None
    next_seq: int | None = None
    aliases: dict[tuple[str | None, int], str] = field(default_factory=dict)
    rebirth_asked: bool = False


class SparkplugTranslator:
    """Sparkplug B messages of one group to telemetry rows, remembering each edge node's
    birth (aliases, sequence, bdSeq) and the counters' last values."""

    def __init__(self, spb_map: SparkplugMap) -> None:
        self.group = spb_map.group
        self._machines: dict[tuple[str, str | None], list[SparkplugMachine]] = {}
        for machine in spb_map.machine:
            self._machines.setdefault((machine.edge, machine.device), []).append(machine)
        self._nodes: dict[str, _Node] = {}
        self._last: dict[tuple[str, str, str], tuple[datetime, int]] = {}
        self.gaps = 0
        self._rebirths: list[str] = []

    @property
    def subscription(self) -> str:
        """Every message of the group."""
        return f"{NAMESPACE}/{self.group}/#"

    def translate(
        self, *, topic: str, payload: bytes, received_at: datetime
    ) -> list[Row | Rejected | None]:
        """The rows the message gives (none for a machine not mapped, or a command), or the
        reason it is kept aside."""
        try:
            where = parse_sparkplug_topic(topic)
            if where.type in ("NCMD", "DCMD"):
                return []
            if where.type not in ("NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA"):
                raise ValueError(f"topic {topic!r}: {where.type} is not a Sparkplug B type")
            body = PAYLOAD.FromString(payload)
        except (ValueError, DecodeError) as error:
            return [_rejected(topic, payload, received_at, f"not Sparkplug B: {error}")]
        at = _millis(body.timestamp) if body.HasField("timestamp") else received_at
        node = self._nodes.setdefault(where.edge, _Node())
        if where.type == "NDEATH":
            return self._death(node, where, body, at, received_at)
        if self._check_seq(node, where, body) or not (node.born or where.type == "NBIRTH"):
            self._ask_rebirth(node, where.edge)
        if where.type == "NBIRTH":
            node.born, node.aliases, node.rebirth_asked = True, {}, False
        elif where.type == "DBIRTH":
            node.aliases = {k: v for k, v in node.aliases.items() if k[0] != where.device}
        try:
            named = self._named(node, where, body)
        except ValueError as error:
            self._ask_rebirth(node, where.edge)
            return [_rejected(topic, payload, received_at, str(error))]
        if where.type == "NBIRTH":
            node.bd_seq = named.pop("bdSeq", (None, at))[0]
        if where.type == "DDEATH":
            return [
                self._offline(m, at, received_at) for m in self._mapped(where.edge, where.device)
            ]
        return list(self._rows(where, named, received_at))

    def _check_seq(self, node: _Node, where: SparkplugTopic, body: Any) -> bool:
        """Count the messages missed since the last one (whether any were); a redelivered
        older one is no gap."""
        seq = int(body.seq) % 256
        ahead = 0
        if where.type != "NBIRTH" and node.next_seq is not None:
            ahead = (seq - node.next_seq) % 256
            if ahead > 128:
                return False
            self.gaps += ahead
        node.next_seq = (seq + 1) % 256
        return ahead > 0

    def _ask_rebirth(self, node: _Node, edge: str) -> None:
        if not node.rebirth_asked:
            node.rebirth_asked = True
            self._rebirths.append(edge)

    def take_rebirth_requests(self, now: datetime) -> list[tuple[str, bytes]]:
        """The NCMD topic and payload asking each node read in part for a new birth, once."""
        asked, self._rebirths = self._rebirths, []
        return [(f"{NAMESPACE}/{self.group}/NCMD/{edge}", rebirth_payload(now)) for edge in asked]

    def _named(
        self, node: _Node, where: SparkplugTopic, body: Any
    ) -> dict[str, tuple[Any, datetime]]:
        """Each metric's value and time by name, learning aliases from births."""
        named: dict[str, tuple[Any, datetime]] = {}
        default = _millis(body.timestamp) if body.HasField("timestamp") else None
        for metric in body.metrics:
            if metric.HasField("name") and metric.name:
                name = metric.name
                if metric.HasField("alias") and where.type.endswith("BIRTH"):
                    node.aliases[(where.device, metric.alias)] = name
            elif metric.HasField("alias"):
                found = node.aliases.get((where.device, metric.alias))
                if found is None:
                    raise ValueError(
                        f"metric alias {metric.alias} of {where.edge}/{where.device or '-'} is "
                        "unknown: no birth certificate seen since the hub started"
                    )
                name = found
            else:
                raise ValueError("a metric has neither name nor alias")
            at = _millis(metric.timestamp) if metric.HasField("timestamp") else default
            named[name] = (metric_value(metric), at or datetime.now(UTC))
        return named

    def _mapped(self, edge: str, device: str | None) -> list[SparkplugMachine]:
        return self._machines.get((edge, device), [])

    def _death(
        self, node: _Node, where: SparkplugTopic, body: Any, at: datetime, received_at: datetime
    ) -> list[Row | Rejected | None]:
        """A node's will: its machines and its devices' go offline, unless it is stale."""
        bd_seq = next((metric_value(m) for m in body.metrics if m.name == "bdSeq"), None)
        if node.born and node.bd_seq is not None and bd_seq is not None and bd_seq != node.bd_seq:
            return []
        self._nodes[where.edge] = _Node()
        return [
            self._offline(machine, at, received_at)
            for (edge, _), machines in self._machines.items()
            if edge == where.edge
            for machine in machines
        ]

    def _offline(
        self, machine: SparkplugMachine, at: datetime, received_at: datetime
    ) -> Row | Rejected:
        body = {"id": f"spb-offline-{at:%Y%m%dT%H%M%S%f}", "ts": at.isoformat(),
                "state": str(MachineState.OFFLINE)}  # fmt: skip
        return _row(machine, "state", body, received_at)

    def _rows(
        self,
        where: SparkplugTopic,
        named: dict[str, tuple[Any, datetime]],
        received_at: datetime,
    ) -> Iterator[Row | Rejected | None]:
        for machine in self._mapped(where.edge, where.device):
            metrics = machine.metrics.named()
            signals: dict[datetime, dict[str, Any]] = {}
            for field_name, metric_name in metrics.items():
                if metric_name not in named:
                    continue
                value, when = named[metric_name]
                if value is None:
                    continue
                stamp = {"ts": when.isoformat()}
                if field_name in SIGNALS:
                    signals.setdefault(when, stamp)[field_name] = value
                elif field_name == "state":
                    state = machine.state_codes.get(str(value), value)
                    body = {"id": f"spb-state-{when:%Y%m%dT%H%M%S%f}", **stamp, "state": state}
                    yield _row(machine, "state", body, received_at)
                else:
                    yield self._count(machine, field_name, value, when, received_at)
            for when, values in signals.items():
                body = {"id": f"spb-signal-{when:%Y%m%dT%H%M%S%f}", **values}
                yield _row(machine, "signal", body, received_at)

    def _count(
        self,
        machine: SparkplugMachine,
        field_name: str,
        value: Any,
        when: datetime,
        received_at: datetime,
    ) -> Row | Rejected | None:
        """Parts made since the counter's previous reading (none for its first, or one not
        newer); a counter that went back was reset."""
        if isinstance(value, int) and not isinstance(value, bool):
            key = (machine.partner, machine.machine, field_name)
            previous = self._last.get(key)
            # A reading delivered again, or late, was counted (or is lost) already.
            if previous is not None and when <= previous[0]:
                return None
            self._last[key] = (when, value)
            if previous is None:
                return None
            value = value - previous[1] if value >= previous[1] else value
        body = {"id": f"spb-{field_name}-{when:%Y%m%dT%H%M%S%f}", "ts": when.isoformat(),
                "good": 0, "scrap": 0, "ideal_cycle_s": machine.ideal_cycle_s}  # fmt: skip
        body["good" if field_name == "good_total" else "scrap"] = value
        return _row(machine, "count", body, received_at)


def rebirth_payload(now: datetime) -> bytes:
    """An NCMD payload asking an edge node to publish its births again."""
    body = PAYLOAD(timestamp=int(now.timestamp() * 1000))
    body.metrics.add(name=REBIRTH_METRIC, datatype=_BOOLEAN, boolean_value=True)
    return bytes(body.SerializeToString())


def _row(
    machine: SparkplugMachine, kind: Kind, body: dict[str, Any], received_at: datetime
) -> Row | Rejected:
    """Through the MQTT convention's checks, so both entries store alike."""
    topic = Topic(machine.partner, machine.site, machine.machine, kind)
    payload = json.dumps(body, default=str).encode()
    return parse_message(topic=str(topic), payload=payload, received_at=received_at)


def _rejected(topic: str, payload: bytes, received_at: datetime, reason: str) -> Rejected:
    kept = payload[: KEPT_PAYLOAD_CHARS // 2].hex()
    return Rejected(received_at=received_at, topic=topic, payload=kept, reason=reason)
