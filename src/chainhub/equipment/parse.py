"""One MQTT message to a row of `equipment_messages`, or the reason it is kept aside."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, cast

import polars as pl
from pydantic import Json, TypeAdapter, ValidationError

from chainhub.equipment.models import equipment_messages
from chainhub.equipment.schemas import (
    CountPayload,
    Payload,
    Rejected,
    SignalPayload,
    StatePayload,
)
from chainhub.equipment.topics import KINDS, Topic, parse_topic
from chainhub.storage.models import polars_type

PAYLOADS: Final[dict[str, type[Payload]]] = {
    "state": StatePayload,
    "count": CountPayload,
    "signal": SignalPayload,
}
# What of a malformed payload is kept: enough to see what was sent, bounded against floods.
KEPT_PAYLOAD_CHARS: Final = 4_000
_NUL: Final = b"\\u0000"
_NO_VALUES: Final = {
    "state": None,
    "reason": None,
    "good": None,
    "scrap": None,
    "ideal_cycle_s": None,
    "temperature_c": None,
    "vibration_mm_s": None,
    "spindle_load_pct": None,
}

Row = dict[str, Any]
# The columns of `equipment_messages` as a frame holds them.
SCHEMA: Final = {c.name: polars_type(c.type) for c in equipment_messages.columns}
# Each payload parsed on its own (no joining that one payload could break), a kind's batch in
# one call.
_BATCH: Final[dict[str, TypeAdapter[list[Payload]]]] = {
    kind: TypeAdapter(list[Json[model]])  # type: ignore[valid-type]
    for kind, model in PAYLOADS.items()
}
_FIELDS: Final = {
    kind: [f for f in model.model_fields if f not in ("id", "ts")]
    for kind, model in PAYLOADS.items()
}
_ARRIVAL: Final = "arrival"


def _reason(error: ValidationError) -> str:
    """The first problems, named by field, e.g. `ts: Input should have timezone info`."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "payload"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_message(*, topic: str, payload: bytes, received_at: datetime) -> Row | Rejected:
    """The row of a well-formed message; otherwise what it broke, with the message kept."""
    try:
        where = parse_topic(topic)
        if _NUL in payload:
            # PostgreSQL text cannot hold it: stored, it would fail its whole batch.
            raise ValueError("payload holds a NUL character (\\u0000)")
        body = PAYLOADS[where.kind].model_validate_json(payload)
    except ValueError as error:
        # ValidationError is a ValueError; a topic error is a plain one.
        reason = _reason(error) if isinstance(error, ValidationError) else str(error)
        kept = payload[:KEPT_PAYLOAD_CHARS].decode("utf-8", errors="replace")
        kept = kept.replace("\x00", "\ufffd")
        return Rejected(received_at=received_at, topic=topic, payload=kept, reason=reason)
    # The fields as validated (a model_dump costs more than the validation here).
    values = dict(body.__dict__)
    del values["id"], values["ts"]
    if "state" in values:
        values["state"] = str(values["state"])
    return {
        "partner_id": where.partner_id,
        "machine_id": where.machine_id,
        "message_id": body.id,
        "site_id": where.site_id,
        "kind": where.kind,
        "machine_time": body.ts,
        "received_at": received_at,
        **_NO_VALUES,
        **values,
    }


def split_parsed(parsed: Iterable[Row | Rejected | None]) -> tuple[list[Row], list[Rejected]]:
    """Rows to store and messages to keep aside, in arrival order; None (nothing to store,
    e.g. a counter's first reading) is left out."""
    rows: list[Row] = []
    rejected: list[Rejected] = []
    for item in parsed:
        if isinstance(item, Rejected):
            rejected.append(item)
        elif item is not None:
            rows.append(item)
    return rows, rejected


def _topic(topic: bytes) -> Topic | None:
    try:
        return parse_topic(topic.decode())
    except ValueError:  # a UnicodeDecodeError is one
        return None


def _validated(kind: str, payloads: list[bytes]) -> tuple[list[Payload], set[int]]:
    """The valid payloads of one kind, and the positions of the others."""
    # A NUL (which PostgreSQL text cannot hold) is refused one by one, with its reason.
    failed = {i for i, p in enumerate(payloads) if _NUL in p}
    candidates = [i for i in range(len(payloads)) if i not in failed]
    try:
        return _BATCH[kind].validate_python([payloads[i] for i in candidates]), failed
    except ValidationError as error:
        failed |= {candidates[int(e["loc"][0])] for e in error.errors()}
    # Validated again without the failed ones: a failure leaves no partial result.
    return _BATCH[kind].validate_python(
        [p for i, p in enumerate(payloads) if i not in failed]
    ), failed


def _epoch_us(seconds: Any) -> Any:
    """Epoch seconds (a float Series or expression) as UTC times to the microsecond, rounded
    as `datetime.fromtimestamp` does (the fraction on its own: whole microseconds since 1970
    are past a float's precision)."""
    whole = seconds.floor()
    micros = whole.cast(pl.Int64) * 1_000_000 + ((seconds - whole) * 1e6).round(0).cast(pl.Int64)
    return micros.cast(pl.Datetime("us", "UTC"))


def _kind_frame(
    kind: str, where: list[Topic], models: list[Payload], arrival: list[int]
) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {
        _ARRIVAL: arrival,
        "partner_id": [w.partner_id for w in where],
        "machine_id": [w.machine_id for w in where],
        "message_id": [m.id for m in models],
        "site_id": [w.site_id for w in where],
        # Epoch seconds, exact to the microsecond, convert far faster than datetimes.
        "machine_time": [m.ts.timestamp() for m in models],
    }
    for name in _FIELDS[kind]:
        values = [getattr(m, name) for m in models]
        columns[name] = [str(v) for v in values] if name == "state" else values
    schema = {_ARRIVAL: pl.Int64(), **{c: SCHEMA[c] for c in columns if c != _ARRIVAL}}
    schema["machine_time"] = pl.Float64()
    return pl.DataFrame(columns, schema=schema).with_columns(
        machine_time=_epoch_us(pl.col("machine_time")), kind=pl.lit(kind)
    )


def parse_batch(
    topics: Sequence[bytes], payloads: Sequence[bytes], received_at: Sequence[float]
) -> tuple[pl.DataFrame, list[Rejected]]:
    """What `parse_message` makes of each message (times received in epoch seconds), as one
    frame of rows in arrival order and the rejects: each kind's payloads validated in one call,
    the messages that fail (or need the topic's message) taken one by one."""
    where: dict[bytes, Topic | None] = {t: _topic(t) for t in set(topics)}
    by_kind: dict[str, list[int]] = {k: [] for k in KINDS}
    one_by_one: list[int] = []
    for i, topic in enumerate(topics):
        found = where[topic]
        (one_by_one if found is None else by_kind[found.kind]).append(i)
    frames = []
    for kind, positions in by_kind.items():
        if not positions:
            continue
        models, failed = _validated(kind, [payloads[i] for i in positions])
        one_by_one.extend(positions[j] for j in failed)
        kept = [i for j, i in enumerate(positions) if j not in failed]
        if kept:
            topic_of = [cast(Topic, where[topics[i]]) for i in kept]
            frames.append(_kind_frame(kind, topic_of, models, kept))
    rows: list[Row] = []
    rejected: list[tuple[int, Rejected]] = []
    for i in sorted(one_by_one):
        at = datetime.fromtimestamp(received_at[i], UTC)
        parsed = parse_message(
            topic=topics[i].decode(errors="replace"), payload=payloads[i], received_at=at
        )
        if isinstance(parsed, Rejected):
            rejected.append((i, parsed))
        else:
            rows.append({_ARRIVAL: i, **parsed})
    # Every column, whichever kinds the batch holds.
    frames.append(pl.DataFrame(rows, schema={_ARRIVAL: pl.Int64(), **SCHEMA}, orient="row"))
    frame = pl.concat(frames, how="diagonal_relaxed")
    received = _epoch_us(pl.Series(received_at, dtype=pl.Float64))
    frame = frame.sort(_ARRIVAL)
    frame = frame.with_columns(received_at=received.gather(frame[_ARRIVAL]))
    return frame.select([pl.col(c).cast(t) for c, t in SCHEMA.items()]), [r for _, r in rejected]
