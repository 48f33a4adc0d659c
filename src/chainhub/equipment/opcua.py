"""The hub's OPC UA client: subscribes to the mapped nodes and stores what changes.

Each data change becomes the message the MQTT convention would carry (same topic, same
payload checks, same rows), so OEE and early warning read both entries alike. Counters on
PLCs are cumulative; the hub stores the parts made between two readings. Message ids come
from the node's source timestamp, so a value delivered again after a reconnect is stored once.
OPC UA keeps no queue for a client that is away: what changes while the hub is not connected
is not seen, except that counters still add up at the next reading.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.ua.uaerrors import UaError, UaStatusCodeError
from sqlalchemy import Engine

from chainhub.equipment.nodemap import MachineMap, NodeMap
from chainhub.equipment.parse import Row, parse_message, split_parsed
from chainhub.equipment.schemas import Rejected, StoreResult
from chainhub.equipment.service import do_store_telemetry
from chainhub.equipment.topics import Kind, Topic
from chainhub.errors import ChainhubError

COUNTERS: Final = ("good_total", "scrap_total")
CONNECT_TIMEOUT_S: Final = 5.0


@dataclass(frozen=True, slots=True)
class Change:
    """One data change as the server reported it."""

    node: ua.NodeId
    value: Any
    source_time: datetime | None
    received_at: datetime


class Translator:
    """Data changes of mapped nodes to telemetry rows, remembering the counters' last values."""

    def __init__(self, node_map: NodeMap) -> None:
        self._where: dict[ua.NodeId, tuple[MachineMap, str]] = {
            ua.NodeId.from_string(node): (machine, field)
            for machine in node_map.machine
            for field, node in machine.nodes.named().items()
        }
        self._last: dict[ua.NodeId, int] = {}

    @property
    def nodes(self) -> list[ua.NodeId]:
        """Every mapped node."""
        return list(self._where)

    def describe(self, node: ua.NodeId) -> str:
        """`machine field (node id)`, to name a node in messages."""
        machine, field = self._where[node]
        return f"{machine.machine} {field} ({node.to_string()})"

    def translate(self, change: Change) -> Row | Rejected | None:
        """The change's row, the reason it is kept aside, or None for a counter's first reading."""
        machine, field = self._where[change.node]
        at = change.source_time or change.received_at
        body: dict[str, Any] = {"id": f"ua-{field}-{at:%Y%m%dT%H%M%S%f}", "ts": at.isoformat()}
        kind: Kind
        if field == "state":
            kind = "state"
            body["state"] = machine.state_codes.get(str(change.value), change.value)
        elif field in COUNTERS:
            kind = "count"
            counted = self._counted(change.node, change.value)
            if counted is None:
                return None
            body |= {"good": 0, "scrap": 0, "ideal_cycle_s": machine.ideal_cycle_s}
            body["good" if field == "good_total" else "scrap"] = counted
        else:
            kind = "signal"
            body[field] = change.value
        topic = Topic(machine.partner, machine.site, machine.machine, kind)
        payload = json.dumps(body, default=str).encode()
        return parse_message(topic=str(topic), payload=payload, received_at=change.received_at)

    def _counted(self, node: ua.NodeId, value: Any) -> Any:
        """Parts made since the previous reading; a counter that went back was reset."""
        if not isinstance(value, int) or isinstance(value, bool):
            return value  # the payload check names what is wrong with it
        previous = self._last.get(node)
        self._last[node] = value
        if previous is None:
            return None
        return value - previous if value >= previous else value


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class _Handler:
    """asyncua's subscription callback: queue the change, store it later in a batch."""

    def __init__(self, inbox: deque[Change]) -> None:
        self.inbox = inbox

    def datachange_notification(self, node: Node, value: Any, data: Any) -> None:
        reported = data.monitored_item.Value
        self.inbox.append(
            Change(node.nodeid, value, _aware(reported.SourceTimestamp), datetime.now(UTC))
        )


class OpcUaReader:
    """Reads one OPC UA server's mapped nodes and stores their changes in batches."""

    def __init__(
        self,
        *,
        engine: Engine,
        endpoint: str,
        node_map: NodeMap,
        flush_seconds: float = 0.5,
        sampling_ms: float = 100.0,
        after_store: Callable[[list[Row]], None] | None = None,
    ) -> None:
        self.engine, self.endpoint = engine, endpoint
        # Told each stored batch after its commit (co-control re-plans on breakdowns).
        self.after_store = after_store
        self.flush_seconds, self.sampling_ms = flush_seconds, sampling_ms
        self.translator = Translator(node_map)
        self.total = StoreResult()
        self.ready = asyncio.Event()
        self._inbox: deque[Change] = deque()

    def flush(self) -> StoreResult:
        """Store the changes received so far in one transaction."""
        taken = [self._inbox.popleft() for _ in range(len(self._inbox))]
        rows, rejected = split_parsed(self.translator.translate(change) for change in taken)
        if not rows and not rejected:
            return StoreResult()
        with self.engine.begin() as conn:
            result = do_store_telemetry(conn=conn, rows=rows, rejected=rejected)
        self.total += result
        if self.after_store is not None and rows:
            self.after_store(rows)
        return result

    async def _check_nodes(self, client: Client) -> list[Node]:
        nodes = [client.get_node(node) for node in self.translator.nodes]
        for node in nodes:
            try:
                await node.read_data_value()
            except UaStatusCodeError as error:
                where = self.translator.describe(node.nodeid)
                raise ChainhubError(
                    "opcua_node_unreadable",
                    f"OPC UA node {where} cannot be read on {self.endpoint}: {error}",
                    f"OPC UA 节点 {where} 在 {self.endpoint} 上无法读取：{error}",
                    {"node": node.nodeid.to_string()},
                ) from None
        return nodes

    async def run(
        self, *, stop: asyncio.Event, on_batch: Callable[[StoreResult], None] | None = None
    ) -> StoreResult:
        """Subscribe and store batches until `stop` is set; then store what is left."""
        client = Client(self.endpoint, timeout=CONNECT_TIMEOUT_S)
        try:
            await client.connect()
        except (OSError, TimeoutError, UaError) as error:
            raise ChainhubError(
                "opcua_unreachable",
                f"cannot connect to the OPC UA server {self.endpoint}: {error or 'timed out'}",
                f"无法连接 OPC UA 服务器 {self.endpoint}：{error or '超时'}",
            ) from None
        try:
            nodes = await self._check_nodes(client)
            subscription = await client.create_subscription(self.sampling_ms, _Handler(self._inbox))
            await subscription.subscribe_data_change(
                nodes, sampling_interval=ua.Double(self.sampling_ms)
            )
            self.ready.set()
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), self.flush_seconds)
                except TimeoutError:
                    pass
                result = await asyncio.to_thread(self.flush)
                if on_batch is not None and (result.stored or result.rejected):
                    on_batch(result)
            await subscription.delete()
        finally:
            await client.disconnect()
        await asyncio.to_thread(self.flush)
        return self.total
