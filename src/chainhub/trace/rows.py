"""The rows a capture stores, built for all its events at once: one frame per table.

Fields are gathered from the events in one pass; identifiers, times and words are converted
once per distinct text, by column expressions where `columnar` reads them. The frames name each
row's event by its position in the document (`at`), so they can be built while the events'
hashes are still being computed; `keyed` then keeps the new events' rows under their hashes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import orjson
import polars as pl
from sqlalchemy import Table

from chainhub.trace.columnar import by_distinct, completed, epc_texts, utc_times
from chainhub.trace.identifiers import canonical_epc
from chainhub.trace.parties import site_keys
from chainhub.trace.vocabulary import bare_word

_EPC_ROLES: Final = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input",
                     "outputEPCList": "output"}  # fmt: skip
_QUANTITY_ROLES: Final = {"quantityList": "quantity", "childQuantityList": "childQuantity",
                          "inputQuantityList": "inputQuantity",
                          "outputQuantityList": "outputQuantity"}  # fmt: skip
_FEW: Final = 64  # distinct texts canonicalised one by one rather than by column expressions
_PARTY_KINDS: Final = frozenset(("source", "destination"))
_EPC_SCHEMA: Final = {"at": pl.UInt32, "position": pl.Int32, "role": pl.String,
                     "epc": pl.String, "quantity": pl.Float64, "uom": pl.String}  # fmt: skip
_PARTY_SCHEMA: Final = {"at": pl.UInt32, "kind": pl.String, "position": pl.Int32,
                       "party": pl.String}  # fmt: skip


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _canonical(values: Sequence[str | None]) -> pl.Series:
    """`canonical_epc` of each value (null stays null), once per distinct value: an event's
    place and an EPC packed, shipped and received recur across a document."""
    distinct = set(values)
    # The column expressions cost milliseconds whatever their input: a few texts (a document's
    # read points) are quicker one by one.
    if len(distinct) <= _FEW:
        done = {v: None if v is None else canonical_epc(v) for v in distinct}
        return pl.Series([done[v] for v in values], dtype=pl.String)
    return by_distinct(
        pl.Series(values, dtype=pl.String),
        lambda texts: completed(texts, fast=epc_texts, slow=canonical_epc),
    )


def _word(field: str, values: Sequence[str | None]) -> pl.Series:
    words = {v: bare_word(field, v) for v in set(values) if v is not None}
    return pl.Series([None if v is None else words[v] for v in values], dtype=pl.String)


def _places(events: Sequence[Mapping[str, Any]], key: str) -> list[str | None]:
    """The id of each event's place `key` (none where it has none)."""
    places = [event.get(key) or {} for event in events]
    return [place["id"] if "id" in place else None for place in places]


def _text(event: Mapping[str, Any]) -> str:
    """The event as stored: JSON with sorted keys (what orjson cannot write, the stdlib does)."""
    try:
        return orjson.dumps(event, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(event, ensure_ascii=False, sort_keys=True)


def event_frame(
    events: Sequence[Mapping[str, Any]],
    *,
    capture_id: str,
    captured_by: str,
    received_at: datetime,
    context: list[Any],
) -> pl.DataFrame:
    """Rows of `trace_events`; each event is kept whole with the document's namespace prefixes
    ahead of any it declares itself; `event_id` is null where the event has none."""
    stored = []
    for event in events:
        own = event.get("@context")
        declared = context + (own if isinstance(own, list) else [own] if own else [])
        stored.append(_text({**event, "@context": declared} if declared else event))
    frame = pl.DataFrame(
        {
            "at": pl.int_range(len(events), dtype=pl.UInt32, eager=True),
            "event_id": pl.Series([e.get("eventID") or None for e in events], dtype=pl.String),
            "event_type": [e["type"] for e in events],
            "event_time": completed(
                pl.Series([e["eventTime"] for e in events], dtype=pl.String),
                fast=utc_times,
                slow=_time,
            ),
            "event_time_zone_offset": [e["eventTimeZoneOffset"] for e in events],
            "action": pl.Series([e.get("action") for e in events], dtype=pl.String),
            "biz_step": _word("bizStep", [e.get("bizStep") for e in events]),
            "disposition": _word("disposition", [e.get("disposition") for e in events]),
            "read_point": _canonical(_places(events, "readPoint")),
            "biz_location": _canonical(_places(events, "bizLocation")),
            "event": stored,
        }
    ).with_columns(
        capture_id=pl.lit(capture_id),
        captured_by=pl.lit(captured_by),
        record_time=pl.lit(received_at, dtype=pl.Datetime("us", "UTC")),
    )
    return frame


def epc_frame(events: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Rows of `trace_event_epcs`: the parent, the EPC lists, then the quantity lists of each
    event, numbered in that order."""
    owner: list[int] = []
    role: list[str] = []
    position: list[int] = []
    epc: list[str] = []
    quantity: list[float | None] = []
    uom: list[str | None] = []
    for at, event in enumerate(events):
        start = len(epc)
        if isinstance(event.get("parentID"), str):
            role.append("parent")
            epc.append(event["parentID"])
        for key, name in _EPC_ROLES.items():
            found = event.get(key)
            if found:
                role.extend([name] * len(found))
                epc.extend(found)
        quantity.extend([None] * (len(epc) - len(quantity)))
        uom.extend([None] * (len(epc) - len(uom)))
        for key, name in _QUANTITY_ROLES.items():
            for item in event.get(key) or ():
                role.append(name)
                epc.append(item["epcClass"])
                amount = item.get("quantity")
                quantity.append(float(amount) if amount is not None else None)
                uom.append(item.get("uom"))
        owner.extend([at] * (len(epc) - start))
        position.extend(range(len(epc) - start))
    return pl.DataFrame(
        {"at": owner, "position": position, "role": role, "epc": _canonical(epc),
         "quantity": quantity, "uom": uom},
        schema=_EPC_SCHEMA,
    )  # fmt: skip


def party_frame(
    places: Sequence[list[tuple[str, str]]],
    *,
    captured_by: str,
    owners: Mapping[str, str],
) -> pl.DataFrame:
    """Rows of `trace_event_parties` from the places each event names (`parties.named`): the
    capturer, each source and destination (its site's owner when it is a directory site, else
    as named) and the owners of its sites."""
    owner: list[int] = []
    kind: list[str] = []
    position: list[int] = []
    party: list[str] = []
    resolved: dict[str, str | None] = {}
    for at, named in enumerate(places):
        start = len(party)
        kind.append("capturer")
        party.append(captured_by)
        for what, uri in named:
            if uri not in resolved:
                resolved[uri] = next((owners[k] for k in site_keys(uri) if k in owners), None)
            found = resolved[uri]
            if found is not None or what in _PARTY_KINDS:
                kind.append(what)
                party.append(found if found is not None else uri)
        owner.extend([at] * (len(party) - start))
        position.extend(range(len(party) - start))
    return pl.DataFrame(
        {"at": owner, "kind": kind, "position": position, "party": party},
        schema=_PARTY_SCHEMA,
    )


def keyed(frame: pl.DataFrame, table: Table, hashes: pl.Series, kept: pl.Series) -> pl.DataFrame:
    """The rows of `frame` (built by the functions above) of the events at the positions
    `kept`, each under its event's hash (`hashes`, one per event of the document), as `table`
    stores them: an event without an ID of its own is named by its hash."""
    rows = frame.filter(pl.col("at").is_in(kept.implode()))
    rows = rows.with_columns(event_hash=hashes.gather(rows["at"]))
    if "event_id" in rows.columns:
        rows = rows.with_columns(event_id=pl.coalesce("event_id", "event_hash"))
    return rows.select(table.columns.keys())
