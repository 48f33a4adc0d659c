"""Sparkplug B: payloads decoded, births, aliases, sequence gaps and deaths to telemetry rows,
and a group read by the subscriber through a real Mosquitto on both backends."""

from __future__ import annotations

import threading
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import sqlalchemy as sa

from chainhub.equipment.models import equipment_messages
from chainhub.equipment.nodemap import SparkplugMap, load_sparkplug_map
from chainhub.equipment.parse import split_parsed
from chainhub.equipment.publish import publish_messages
from chainhub.equipment.schemas import Rejected
from chainhub.equipment.service import list_rejects
from chainhub.equipment.simulate import Message
from chainhub.equipment.sparkplug import PAYLOAD, SparkplugTranslator, metric_value
from chainhub.equipment.subscriber import TelemetrySubscriber
from tests.equipment.broker import Mosquitto
from tests.equipment.test_subscriber import _wait

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
GROUP = "jinli-plant"
REBIRTH = "Node Control/Rebirth"
NODE = f"spBv1.0/{GROUP}"
# Encoded by Eclipse Tahu's generated sparkplug_b_pb2 (as pysparkplug 0.6.1 ships it): an
# Int32 of -5 by alias, a Double by name and alias, and a String with properties (field 9).
TAHU_ENCODED = bytes.fromhex(
    "0880d8beecca3312200a1153656e736f72732f566962726174696f6e1003200a690000000000000440120a10"
    "04200350fbffffff0f121c0a055374617465200c4a080a016b12034201767a0772756e6e696e671807"
)
MAP = f"""
group = "{GROUP}"

[[machine]]
partner = "jinli-motor"
site = "jinli-ningbo"
machine = "M1"
edge = "line1"
device = "press-1"
ideal_cycle_s = 30.0
[machine.metrics]
state = "Status/State"
good_total = "Counts/Good"
vibration_mm_s = "Sensors/Vibration"
spindle_load_pct = "Sensors/Load"
[machine.state_codes]
1 = "running"
4 = "breakdown"
"""


def _payload(seq: int | None, at: datetime, metrics: list[dict[str, Any]]) -> bytes:
    body = PAYLOAD(timestamp=int(at.timestamp() * 1000))
    if seq is not None:
        body.seq = seq
    for metric in metrics:
        body.metrics.add(**metric)
    return body.SerializeToString()


def _birth_metrics(state: int, good: int) -> list[dict[str, Any]]:
    return [
        {"name": "Status/State", "alias": 1, "datatype": 3, "int_value": state},
        {"name": "Counts/Good", "alias": 2, "datatype": 8, "long_value": good},
        {"name": "Sensors/Vibration", "alias": 3, "datatype": 10, "double_value": 2.0},
        {"name": "Sensors/Load", "alias": 4, "datatype": 9, "float_value": 60.0},
    ]


def _messages(at: datetime) -> list[Message]:
    """A node's birth, its device's birth and data, a gap of two, garbage and the device's death."""
    later = at + timedelta(seconds=10)
    return [
        Message(f"{NODE}/NBIRTH/line1", _payload(0, at, [
            {"name": "bdSeq", "datatype": 8, "long_value": 3}]), at),
        Message(f"{NODE}/DBIRTH/line1/press-1", _payload(1, at, _birth_metrics(1, 100)), at),
        Message(f"{NODE}/DDATA/line1/press-1", _payload(2, later, [
            {"alias": 2, "datatype": 8, "long_value": 104},
            {"alias": 3, "datatype": 10, "double_value": 2.5}]), later),
        Message(f"{NODE}/DDATA/line1/press-1", _payload(5, later + timedelta(seconds=10), [
            {"alias": 1, "datatype": 3, "int_value": 4}]), later),
        Message(f"{NODE}/DDATA/line1/press-1", b"\xff\xff not protobuf", later),
        Message(f"{NODE}/DDEATH/line1/press-1", _payload(6, later + timedelta(minutes=1), []),
                later),
    ]  # fmt: skip


def _translate(translator: SparkplugTranslator, messages: list[Message]) -> list[Any]:
    return [
        item
        for m in messages
        for item in translator.translate(topic=m.topic, payload=m.payload, received_at=T0)
    ]


def _map() -> SparkplugMap:
    return SparkplugMap.model_validate(tomllib.loads(MAP))


def test_a_payload_encoded_by_tahu_decodes() -> None:
    body = PAYLOAD.FromString(TAHU_ENCODED)
    translator = SparkplugTranslator(_map())
    assert (body.timestamp, body.seq) == (1772438400000, 7)
    assert [(m.name, m.alias) for m in body.metrics] == [
        ("Sensors/Vibration", 3), ("", 4), ("State", 0)
    ]  # fmt: skip
    # Alias 4 is a signed Int32 in two's complement.
    assert [metric_value(m) for m in body.metrics] == [2.5, -5, "running"]
    # An Int8 of -5 in its own width, and widened to 32 bits.
    int8 = PAYLOAD.Metric
    assert [metric_value(int8(datatype=1, int_value=v)) for v in (251, 0xFFFFFFFB, 5)] == [
        -5,
        -5,
        5,
    ]
    assert translator.gaps == 0


def test_births_data_gaps_and_deaths() -> None:
    translator = SparkplugTranslator(_map())
    rows, rejected = split_parsed(_translate(translator, _messages(T0)))
    later = T0 + timedelta(seconds=10)
    found = [
        (r["kind"], r["machine_time"], r["state"], r["good"], r["vibration_mm_s"]) for r in rows
    ]
    assert found == [
        ("state", T0, "running", None, None),
        # The counter's first reading is its baseline; the birth's signals are one row.
        ("signal", T0, None, None, 2.0),
        ("count", later, None, 4, None),
        ("signal", later, None, None, 2.5),
        ("state", later + timedelta(seconds=10), "breakdown", None, None),
        ("state", later + timedelta(minutes=1), "offline", None, None),
    ]
    assert rows[1]["spindle_load_pct"] == 60.0
    assert translator.gaps == 2  # seq 3 and 4 never came
    assert [r.reason[:33] for r in rejected] == ["not Sparkplug B: Error parsing me"]

    # Redelivered after the death: no gap counted, the same ids (stored once), the counter's
    # reading not counted twice.
    again = _translate(translator, _messages(T0)[2:4])
    assert translator.gaps == 2
    assert [r["message_id"] for r in again if r is not None] == [
        rows[3]["message_id"], rows[4]["message_id"]
    ]  # fmt: skip


def test_aliases_unknown_without_a_birth_and_stale_node_deaths() -> None:
    translator = SparkplugTranslator(_map())
    data = _messages(T0)[2]
    [kept] = _translate(translator, [data])
    assert isinstance(kept, Rejected)
    assert "alias 2 of line1/press-1 is unknown: no birth certificate" in kept.reason
    # The node is asked for a new birth, once until it is born again.
    [(topic, payload)] = translator.take_rebirth_requests(T0)
    assert topic == f"{NODE}/NCMD/line1"
    [metric] = PAYLOAD.FromString(payload).metrics
    assert (metric.name, metric.datatype, metric.boolean_value) == (REBIRTH, 11, True)
    _translate(translator, [data])
    assert translator.take_rebirth_requests(T0) == []
    _translate(translator, _messages(T0)[:2])
    assert translator.take_rebirth_requests(T0) == []
    stale = Message(f"{NODE}/NDEATH/line1", _payload(None, T0, [
        {"name": "bdSeq", "datatype": 8, "long_value": 2}]), T0)  # fmt: skip
    assert _translate(translator, [stale]) == []
    death = Message(f"{NODE}/NDEATH/line1", _payload(None, T0, [
        {"name": "bdSeq", "datatype": 8, "long_value": 3}]), T0)  # fmt: skip
    [offline] = _translate(translator, [death])
    assert offline["state"] == "offline"
    # The node's birth is forgotten with it.
    assert isinstance(_translate(translator, [data])[0], Rejected)
    assert len(translator.take_rebirth_requests(T0)) == 1


def test_a_sequence_gap_asks_for_a_rebirth() -> None:
    translator = SparkplugTranslator(_map())
    _translate(translator, _messages(T0)[:3])
    assert translator.take_rebirth_requests(T0) == []
    _translate(translator, _messages(T0)[3:4])  # seq 5 after 2
    assert [t for t, _ in translator.take_rebirth_requests(T0)] == [f"{NODE}/NCMD/line1"]


def test_a_group_through_mosquitto(engine: sa.Engine, mosquitto: Mosquitto, tmp_path: Path) -> None:
    path = tmp_path / "spb.toml"
    path.write_text(MAP, encoding="utf-8")
    translator = SparkplugTranslator(load_sparkplug_map(path))
    subscriber = TelemetrySubscriber(
        engine=engine, host="127.0.0.1", port=mosquitto.port, client_id="hub",
        flush_seconds=0.05, sparkplug=translator,
    )  # fmt: skip
    subscriber.start()
    assert subscriber.ready.wait(10)
    stop = threading.Event()
    thread = threading.Thread(target=subscriber.run, kwargs={"stop": stop})
    thread.start()
    messages = _messages(T0)
    try:
        publish_messages(host="127.0.0.1", port=mosquitto.port, messages=messages + messages[2:3])
        _wait(lambda: subscriber.total.stored + subscriber.total.duplicates >= 7)
    finally:
        stop.set()
        thread.join(10)
    assert (subscriber.total.stored, subscriber.total.duplicates) == (6, 1)
    assert subscriber.total.rejected == 1
    with engine.connect() as conn:
        m = equipment_messages.c
        states = conn.execute(
            sa.select(m.state).where(m.kind == "state").order_by(m.machine_time)
        ).scalars()
        assert list(states) == ["running", "breakdown", "offline"]
        [kept] = list_rejects(conn=conn)
    assert kept.topic == f"{NODE}/DDATA/line1/press-1"
    assert kept.payload.startswith("ffff")


def test_the_hub_asks_a_node_it_cannot_read_for_a_rebirth(
    engine: sa.Engine, mosquitto: Mosquitto
) -> None:
    commands: list[tuple[str, bytes]] = []
    edge = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="line1")
    edge.on_message = lambda _c, _u, m: commands.append((m.topic, m.payload))
    edge.connect("127.0.0.1", mosquitto.port)
    edge.subscribe(f"{NODE}/NCMD/+", qos=1)
    edge.loop_start()
    subscriber = TelemetrySubscriber(
        engine=engine, host="127.0.0.1", port=mosquitto.port, client_id="hub-rebirth",
        flush_seconds=0.05, sparkplug=SparkplugTranslator(_map()),
    )  # fmt: skip
    subscriber.start()
    assert subscriber.ready.wait(10)
    stop = threading.Event()
    thread = threading.Thread(target=subscriber.run, kwargs={"stop": stop})
    thread.start()
    try:
        # Data by alias from a node whose birth the hub never saw.
        publish_messages(host="127.0.0.1", port=mosquitto.port, messages=_messages(T0)[2:3])
        _wait(lambda: bool(commands))
    finally:
        stop.set()
        thread.join(10)
        edge.loop_stop()
        edge.disconnect()
    [(topic, payload)] = commands
    assert topic == f"{NODE}/NCMD/line1"
    assert [m.name for m in PAYLOAD.FromString(payload).metrics] == ["Node Control/Rebirth"]
