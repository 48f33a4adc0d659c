"""A batch of messages parsed at once comes out as each message parsed on its own would."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import polars as pl

from chainhub.equipment.parse import SCHEMA, parse_batch, parse_message, split_parsed
from chainhub.equipment.simulate import simulate_line

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
BASE = b"chainhub/jinli-motor/jinli-ningbo/M9"
TS = b"2026-03-02T08:00:00+08:00"
ODD = [
    (b"/signal", b"{not json"),
    (b"/state", b'{"id": "1", "ts": "2026-03-02T08:00:00", "state": "running"}'),
    # Lax JSON that Pydantic takes (5.0 and "0" as integers), and a lower-case date separator.
    (b"/count", b'{"id": "2", "ts": "%s", "good": 5.0, "scrap": "0", "ideal_cycle_s": 30}' % TS),
    (b"/state", b'{"id": "3", "ts": "2026-03-02t08:00:00z", "state": "idle"}'),
    (b"/signal", b'{"id": "4", "ts": "%s", "temperature_c": 40, "colour": "red"}' % TS),
    (b"/signal", b'{"id": "5", "ts": "%s"}' % TS),
    (b"/power", b"{}"),
    (b"/stat\xff", b"{}"),
    (b"/state", b'{"id": "6", "ts": "%s", "state": "idle", "reason": "no\\u0000one"}' % TS),
    (b"/state", b'{"id": "7", "ts": "%s", "state": "idle\x00"}' % TS),
    # Two objects in one payload: refused, never read as two messages.
    (
        b"/state",
        b'{"id": "8", "ts": "%s", "state": "idle"}, {"id": "9", "ts": "%s", "state": "idle"}'
        % (TS, TS),
    ),
    (b"/state", b'{"id": "10", "id": "11", "ts": "%s", "state": "idle"}' % TS),
    # The same machine and id twice, of two kinds: both rows, in arrival order.
    (b"/state", b'{"id": "12", "ts": "%s", "state": "breakdown", "reason": "spindle"}' % TS),
    (b"/count", b'{"id": "12", "ts": "%s", "good": 1, "scrap": 0, "ideal_cycle_s": 30}' % TS),
]


def test_a_batch_is_parsed_as_its_messages_one_by_one() -> None:
    line = simulate_line(
        partner_id="jinli-motor", site_id="jinli-ningbo", machines=3, minutes=10, start=START
    )
    messages = [(m.topic.encode(), m.payload) for m in line.messages]
    mixed = random.Random(7)
    for kind, payload in ODD:
        messages.insert(mixed.randrange(len(messages)), (BASE + kind, payload))
    received = [time.time() + i / 1000 for i in range(len(messages))]
    frame, rejected = parse_batch([t for t, _ in messages], [p for _, p in messages], received)

    one_by_one = split_parsed(
        parse_message(
            topic=topic.decode(errors="replace"),
            payload=payload,
            received_at=datetime.fromtimestamp(at, UTC),
        )
        for (topic, payload), at in zip(messages, received, strict=True)
    )
    rows, expected = one_by_one
    assert frame.equals(pl.DataFrame(rows, schema=SCHEMA, orient="row"))
    assert [r.model_dump() for r in rejected] == [r.model_dump() for r in expected]
    # The lax ones, the repeated key (its last value, as Pydantic reads it) and the two 12s
    # are stored; the other nine kept aside.
    assert len(rejected) == 9
    assert frame.height == len(line.messages) + 5
    stored = frame.filter(pl.col("machine_id") == "M9").select("message_id", "kind").rows()
    assert sorted(stored) == [
        ("11", "state"),
        ("12", "count"),
        ("12", "state"),
        ("2", "count"),
        ("3", "state"),
    ]


def test_an_empty_batch() -> None:
    frame, rejected = parse_batch([], [], [])
    assert frame.height == 0 and frame.schema == pl.Schema(SCHEMA)
    assert rejected == []
