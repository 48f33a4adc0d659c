"""The subscriber through a real Mosquitto: stored, once, malformed kept aside, restarts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from chainhub.equipment import receiver
from chainhub.equipment.models import equipment_messages
from chainhub.equipment.publish import publish_messages
from chainhub.equipment.service import count_messages, list_rejects
from chainhub.equipment.simulate import Message, simulate_line
from chainhub.equipment.subscriber import TelemetrySubscriber
from tests.equipment.broker import Mosquitto

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
BASE = "chainhub/jinli-motor/jinli-ningbo"


def _wait(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def _listening(
    engine: sa.Engine, broker: Mosquitto, client_id: str = "hub"
) -> Iterator[TelemetrySubscriber]:
    subscriber = TelemetrySubscriber(
        engine=engine, host="127.0.0.1", port=broker.port, client_id=client_id, flush_seconds=0.05
    )
    subscriber.start()
    assert subscriber.ready.wait(10)
    stop = threading.Event()
    thread = threading.Thread(target=subscriber.run, kwargs={"stop": stop})
    thread.start()
    try:
        yield subscriber
    finally:
        stop.set()
        thread.join(10)


def _raw(topic: str, body: dict[str, object] | bytes) -> Message:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Message(f"{BASE}/{topic}", payload, START)


def _publish(broker: Mosquitto, messages: list[Message]) -> None:
    publish_messages(host="127.0.0.1", port=broker.port, messages=messages)


def _line(machines: int, minutes: int) -> list[Message]:
    line = simulate_line(
        partner_id="jinli-motor",
        site_id="jinli-ningbo",
        machines=machines,
        minutes=minutes,
        start=START,
    )
    return line.messages


def test_simulated_messages_are_stored(engine: sa.Engine, mosquitto: Mosquitto) -> None:
    messages = _line(3, 20)
    with _listening(engine, mosquitto) as subscriber:
        _publish(mosquitto, messages)
        _wait(lambda: subscriber.total.stored == len(messages))
    assert subscriber.total.duplicates == subscriber.total.rejected == 0
    with engine.connect() as conn:
        assert count_messages(conn=conn) == (len(messages), 0)
        m = equipment_messages.c
        machines = conn.execute(sa.select(m.machine_id).distinct().order_by(m.machine_id))
        assert machines.scalars().all() == ["M001", "M002", "M003"]
        first = conn.execute(
            sa.select(m.kind, m.state, m.machine_time).where(m.message_id == "1")
        ).all()
    # Each machine's first message is its state at the start, in UTC whatever its offset.
    assert {(k, s, t.astimezone(UTC)) for k, s, t in first} == {("state", "running", START)}


def test_a_duplicate_is_stored_once(engine: sa.Engine, mosquitto: Mosquitto) -> None:
    ts = START.isoformat()
    reading = {"id": "42", "ts": ts, "temperature_c": 40.0}
    with _listening(engine, mosquitto) as subscriber:
        # The same id twice in a batch, then again after it was stored; another machine's 42.
        _publish(mosquitto, [_raw("M1/signal", reading), _raw("M1/signal", reading)])
        _wait(lambda: subscriber.total.stored + subscriber.total.duplicates == 2)
        _publish(mosquitto, [_raw("M1/signal", reading), _raw("M2/signal", reading)])
        _wait(lambda: subscriber.total.stored + subscriber.total.duplicates == 4)
    assert (subscriber.total.stored, subscriber.total.duplicates) == (2, 2)
    with engine.connect() as conn:
        assert count_messages(conn=conn) == (2, 0)


def test_malformed_messages_are_kept_aside(engine: sa.Engine, mosquitto: Mosquitto) -> None:
    ts = START.isoformat()
    bad = [
        _raw("M1/signal", b"{not json"),
        _raw("M1/state", {"id": "1", "ts": "2026-03-02T08:00:00", "state": "running"}),
        _raw("M1/state", {"id": "2", "ts": ts, "state": "sleeping"}),
        _raw("M1/count", {"id": "3", "ts": ts, "good": -1, "scrap": 0, "ideal_cycle_s": 30}),
        _raw("M1/signal", {"id": "4", "ts": ts}),
        _raw("M1/signal", {"id": "5", "ts": ts, "temperature_c": 40, "colour": "red"}),
        _raw("M1/power", {"id": "6", "ts": ts}),
        Message("chainhub/jinli-motor/jinli ningbo/M1/state", b"{}", START),
        # NUL, escaped or raw, which PostgreSQL text cannot hold.
        _raw("M1/state", {"id": "8", "ts": ts, "state": "idle", "reason": "no\u0000material"}),
        _raw("M1/state", b'{"id": "9", "state": "idle\x00"}'),
    ]
    good = _raw("M1/state", {"id": "7", "ts": ts, "state": "running"})
    with _listening(engine, mosquitto) as subscriber:
        _publish(mosquitto, [*bad, good])
        _wait(lambda: subscriber.total.stored + subscriber.total.rejected == 11)
    assert (subscriber.total.stored, subscriber.total.rejected) == (1, 10)
    with engine.connect() as conn:
        kept = {r.topic + " " + r.payload[:9]: r.reason for r in list_rejects(conn=conn)}
        payloads = [r.payload for r in list_rejects(conn=conn)]
    assert len(kept) == 10
    assert '{"id": "9", "state": "idle\ufffd"}' in payloads
    reasons = sorted(kept.values())
    assert any(r.startswith("payload: Invalid JSON") for r in reasons), reasons
    assert "ts: Input should have timezone info" in reasons
    assert any(r.startswith("state: Input should be 'running'") for r in reasons)
    assert "good: Input should be greater than or equal to 0" in reasons
    assert "payload holds a NUL character (\\u0000)" in reasons
    assert any("a signal needs temperature_c" in r for r in reasons)
    assert "colour: Extra inputs are not permitted" in reasons
    assert f"topic '{BASE}/M1/power': kind 'power' is not one of state, count, signal" in reasons
    assert (
        "topic 'chainhub/jinli-motor/jinli ningbo/M1/state': site 'jinli ningbo' is not 1-64 of "
        "A-Z a-z 0-9 . _ - starting with a letter or digit"
    ) in reasons


def test_a_broker_restart_loses_nothing(engine: sa.Engine, mosquitto: Mosquitto) -> None:
    messages = _line(2, 30)
    half = len(messages) // 2
    with _listening(engine, mosquitto) as subscriber:
        _publish(mosquitto, messages[:half])
        _wait(lambda: subscriber.total.stored == half)
        mosquitto.stop()
        _wait(lambda: not subscriber.ready.is_set())
        mosquitto.start()
        # Published before the subscriber is back: the broker keeps them for its session.
        _publish(mosquitto, messages[half:])
        _wait(lambda: subscriber.total.stored == len(messages))
    with engine.connect() as conn:
        assert count_messages(conn=conn) == (len(messages), 0)


def test_what_is_published_while_the_hub_is_away_arrives(
    engine: sa.Engine, mosquitto: Mosquitto
) -> None:
    messages = _line(2, 10)
    with _listening(engine, mosquitto, client_id="hub-a") as subscriber:
        _publish(mosquitto, messages[:10])
        _wait(lambda: subscriber.total.stored == 10)
    _publish(mosquitto, messages[10:])
    with _listening(engine, mosquitto, client_id="hub-a") as again:
        _wait(lambda: again.total.stored == len(messages) - 10)
    assert again.total.duplicates == 0
    with engine.connect() as conn:
        assert count_messages(conn=conn) == (len(messages), 0)


def test_packets_cut_across_reads_arrive_whole_and_are_acknowledged(
    engine: sa.Engine, mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reads of a thousand bytes: some whole packets each, and the last one (now and then its
    # header) cut in two.
    monkeypatch.setattr(receiver, "RECV_BYTES", 1_000)
    messages = _line(2, 10)
    with _listening(engine, mosquitto, client_id="hub-b") as subscriber:
        _publish(mosquitto, messages)
        _wait(lambda: subscriber.total.stored == len(messages))
    assert subscriber.total.duplicates == subscriber.total.rejected == 0
    with engine.connect() as conn:
        m = equipment_messages.c
        stored = conn.execute(sa.select(m.machine_id, m.message_id, m.kind)).all()
    sent = {(msg.topic.split("/")[3], json.loads(msg.payload)["id"], msg.topic.split("/")[4])
            for msg in messages}  # fmt: skip
    assert set(stored) == sent
    # All were acknowledged: back on the same session, only what is new arrives.
    with _listening(engine, mosquitto, client_id="hub-b") as again:
        _publish(
            mosquitto, [_raw("M1/signal", {"id": "x", "ts": START.isoformat(), "temperature_c": 1})]
        )
        _wait(lambda: again.total.stored == 1)
    assert again.total.duplicates == 0
