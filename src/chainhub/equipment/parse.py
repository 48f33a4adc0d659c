"""One MQTT message to a row of `equipment_messages`, or the reason it is kept aside."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError

from chainhub.equipment.schemas import (
    CountPayload,
    Payload,
    Rejected,
    SignalPayload,
    StatePayload,
)
from chainhub.equipment.topics import parse_topic

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
