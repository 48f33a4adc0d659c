"""The rows a capture stores, built for all its events at once: one frame per table.

Fields are read from the events by one Arrow conversion (the whole event is kept as JSON too);
identifiers, times and words are converted once per distinct text, by column expressions where
`columnar` reads them. The frames name each row's event by its position in the document (`at`), so
they can be built while the events' hashes are still being computed; `keyed` then keeps the new
events' rows under their hashes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table

from chainhub.trace.columnar import Shared, by_distinct, completed, epc_texts, utc_times
from chainhub.trace.identifiers import canonical_epc
from chainhub.trace.parties import site_keys
from chainhub.trace.plain_columns import as_type
from chainhub.trace.validation import DocumentInvalidError, Problem
from chainhub.trace.vocabulary import bare_word

_EPC_ROLES: Final = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input",
                     "outputEPCList": "output"}  # fmt: skip
_QUANTITY_ROLES: Final = {"quantityList": "quantity", "childQuantityList": "childQuantity",
                          "inputQuantityList": "inputQuantity",
                          "outputQuantityList": "outputQuantity"}  # fmt: skip
_FEW: Final = 64  # distinct texts canonicalised one by one rather than by column expressions
_PARTY_KINDS: Final = ("source", "destination")
_EPC_SCHEMA: Final = {"at": pl.UInt32, "role": pl.String, "epc": pl.String,
                     "quantity": pl.Float64, "uom": pl.String}  # fmt: skip
_PLACES: Final = ("readPoint", "bizLocation")
_PARTY_LISTS: Final = {"sourceList": "source", "destinationList": "destination"}
_PLACE: Final = pa.struct([("id", pa.string())])
_QUANTITIES: Final = pa.list_(pa.struct([("epcClass", pa.string()), ("quantity", pa.float64()),
                                         ("uom", pa.string())]))  # fmt: skip
_EXACT: Final = 2**53
# The fields rows hold, as the schema types them (a quantity is any JSON number).
ROW_TYPE: Final = pa.struct(
    [(name, pa.string()) for name in ("eventID", "type", "eventTime", "eventTimeZoneOffset",
                                      "action", "bizStep", "disposition", "parentID")]
    + [(name, _PLACE) for name in _PLACES]
    + [(name, pa.list_(pa.string())) for name in _EPC_ROLES]
    + [(name, _QUANTITIES) for name in _QUANTITY_ROLES]
    + [(name, pa.list_(pa.struct([(kind, pa.string())]))) for name, kind in _PARTY_LISTS.items()]
)  # fmt: skip


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _canonical(values: pl.Series, shared: Shared | None) -> pl.Series:
    """`canonical_epc` of each value (null stays null), once per distinct value: an event's
    place and an EPC packed, shipped and received recur across a document."""
    distinct = values.drop_nulls().unique()
    # The column expressions cost milliseconds whatever their input: a few texts (a document's
    # read points) are quicker one by one.
    if distinct.is_empty():  # (replace_strict writes "" for null then)
        return values
    if len(distinct) <= _FEW:
        done = [canonical_epc(v) for v in distinct.to_list()]
        return values.replace_strict(distinct, done, return_dtype=pl.String)
    fast = partial(epc_texts, shared=shared)
    return by_distinct(values, lambda texts: completed(texts, fast=fast, slow=canonical_epc))


def _word(field: str, values: pl.Series) -> pl.Series:
    distinct = values.drop_nulls().unique()
    if distinct.is_empty():  # (replace_strict writes "" for null then)
        return values
    words = [bare_word(field, v) for v in distinct.to_list()]
    return values.replace_strict(distinct, words, return_dtype=pl.String)


def _text(event: Mapping[str, Any]) -> str:
    """The event as stored: JSON with sorted keys (what orjson cannot write, the stdlib does)."""
    try:
        return orjson.dumps(event, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(event, ensure_ascii=False, sort_keys=True)


def _with_context(event: Mapping[str, Any], context: list[Any]) -> str:
    own = event.get("@context")
    declared = context + (own if isinstance(own, list) else [own] if own else [])
    return _text({**event, "@context": declared} if declared else event)


def row_columns(
    events: Sequence[Mapping[str, Any]], columns: pa.StructArray | None
) -> pa.StructArray:
    """The fields of the events that their rows hold, as Arrow columns (other fields left out):
    cast from the events' `columns` (`plain_columns.event_array`) when their types allow, else
    converted; the events are a checked document's, so of the schema's types."""
    read = as_type(columns, ROW_TYPE)
    if read is not None:
        return read
    try:
        return pa.array(events, type=ROW_TYPE)
    except (pa.ArrowInvalid, OverflowError):
        # The schema takes any JSON number as a quantity; a double holds whole ones to 2^53.
        if problems := _inexact_quantities(events):
            raise DocumentInvalidError(problems) from None
        raise


def _inexact_quantities(events: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """A problem for each whole quantity beyond what the stored double holds exactly."""
    return [
        Problem(
            index,
            f"{role}[{at}].quantity",
            f"quantity {quantity} is beyond 2^53 and cannot be stored exactly",
            f"数量 {quantity} 超过 2^53，无法精确存储",
        )
        for index, event in enumerate(events)
        for role in _QUANTITY_ROLES
        for at, item in enumerate(event.get(role) or ())
        if isinstance(item, Mapping)
        and isinstance(quantity := item.get("quantity"), int)
        and abs(quantity) > _EXACT
    ]


def _column(read: pa.StructArray, name: str) -> pl.Series:
    return pl.Series(name, pc.struct_field(read, name), dtype=pl.String)


def event_frame(
    events: Sequence[Mapping[str, Any]],
    read: pa.StructArray,
    *,
    capture_id: str,
    captured_by: str,
    received_at: datetime,
    context: list[Any],
    shared: Shared | None = None,
) -> pl.DataFrame:
    """Rows of `trace_events` from the events and their columns (`row_columns`, their texts'
    conversions in `shared`); each event is kept whole with the document's namespace prefixes
    ahead of any it declares itself; `event_id` is null where the event has none."""
    stored = [
        _text(event) if not context and "@context" not in event else _with_context(event, context)
        for event in events
    ]
    event_id = _column(read, "eventID")
    places = {name: pl.Series(pc.struct_field(read, [name, "id"])) for name in _PLACES}
    times = partial(utc_times, shared=shared)
    return pl.DataFrame(
        {
            "at": pl.int_range(len(events), dtype=pl.UInt32, eager=True),
            "event_id": event_id.set(event_id == "", None),
            "event_type": _column(read, "type"),
            "event_time": completed(_column(read, "eventTime"), fast=times, slow=_time),
            "event_time_zone_offset": _column(read, "eventTimeZoneOffset"),
            "action": _column(read, "action"),
            "biz_step": _word("bizStep", _column(read, "bizStep")),
            "disposition": _word("disposition", _column(read, "disposition")),
            "read_point": _canonical(places["readPoint"].cast(pl.String), shared),
            "biz_location": _canonical(places["bizLocation"].cast(pl.String), shared),
            "event": pl.Series(stored, dtype=pl.String),
        }
    ).with_columns(
        capture_id=pl.lit(capture_id),
        captured_by=pl.lit(captured_by),
        record_time=pl.lit(received_at, dtype=pl.Datetime("us", "UTC")),
    )


def _numbered(at: np.ndarray[Any, Any], columns: dict[str, Any]) -> pa.Table:
    """The rows of `columns`, each of the event at `at`, sorted by event (stably, so each
    event's rows stay in the order given) and numbered within their event (`position`)."""
    order = np.argsort(at, kind="stable")
    at = at[order]
    position = np.arange(len(at)) - np.searchsorted(at, at, side="left")
    table = pa.table(columns).take(pa.array(order))
    return table.append_column("position", pa.array(position.astype(np.int32))).append_column(
        "at", pa.array(at.astype(np.uint32))
    )


def _roles(counts: list[int], names: list[str]) -> pa.DictionaryArray:
    """`names[i]` `counts[i]` times, one after the other."""
    codes = np.repeat(np.arange(len(names), dtype=np.int32), counts)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(names))


def epc_frame(read: pa.StructArray, shared: Shared | None = None) -> pl.DataFrame:
    """Rows of `trace_event_epcs` from the events' columns (`row_columns`, their texts'
    conversions in `shared`): the parent, the EPC lists, then the quantity lists of each event,
    numbered in that order."""
    parent = pc.struct_field(read, "parentID")
    at = [pc.indices_nonzero(parent.is_valid()).to_numpy()]
    epc, quantity, uom = [parent.drop_null()], [], []
    for key in _EPC_ROLES:
        lists = pc.struct_field(read, key)
        at.append(pc.list_parent_indices(lists).to_numpy())
        epc.append(lists.flatten())
    for key in _QUANTITY_ROLES:
        lists = pc.struct_field(read, key)
        items = lists.flatten()
        at.append(pc.list_parent_indices(lists).to_numpy())
        epc.append(pc.struct_field(items, "epcClass"))
        quantity.append(pc.struct_field(items, "quantity"))
        uom.append(pc.struct_field(items, "uom"))
    counts = [len(a) for a in at]
    unquantified = sum(counts[: 1 + len(_EPC_ROLES)])
    rows = _numbered(np.concatenate(at), {
        "role": _roles(counts, ["parent", *_EPC_ROLES.values(), *_QUANTITY_ROLES.values()]),
        "epc": pa.concat_arrays(epc),
        "quantity": pa.concat_arrays([pa.nulls(unquantified, pa.float64()), *quantity]),
        "uom": pa.concat_arrays([pa.nulls(unquantified, pa.string()), *uom]),
    })  # fmt: skip
    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 (a table gives a frame)
    return frame.select(
        "at", "position", pl.col("role").cast(pl.String), epc=_canonical(frame["epc"], shared),
        quantity="quantity", uom="uom",
    )  # fmt: skip


def place_frame(read: pa.StructArray) -> pl.DataFrame:
    """(event `at`, `kind`, `uri`) of every place and party the events name (`row_columns`),
    each event's in document order: its sources, destinations, read point and business
    location."""
    at, uri = [], []
    for key, kind in _PARTY_LISTS.items():
        lists = pc.struct_field(read, key)
        at.append(pc.list_parent_indices(lists).to_numpy())
        uri.append(pc.struct_field(lists.flatten(), kind))
    for key in _PLACES:
        at.append(np.arange(len(read)))
        uri.append(pc.struct_field(read, [key, "id"]))
    counts = [len(a) for a in at]
    kinds = _roles(counts, [*_PARTY_LISTS.values(), *_PLACES])
    # A stable sort by event keeps each event's in the order above.
    places = _numbered(np.concatenate(at), {"kind": kinds, "uri": pa.concat_arrays(uri)})
    frame = pl.from_arrow(places.drop_columns("position"))
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 (a table gives a frame)
    return frame.filter(pl.col("uri") != "").with_columns(pl.col("kind").cast(pl.String))


def place_uris(places: pl.DataFrame) -> list[str]:
    """The distinct ids of the places and parties the events name (`place_frame`)."""
    return places["uri"].unique().to_list()


def party_frame(
    places: pl.DataFrame, *, events: int, captured_by: str, owners: Mapping[str, str]
) -> pl.DataFrame:
    """Rows of `trace_event_parties` of a document's `events` events and the places and
    parties they name (`place_frame`): the capturer, each source and destination (its site's
    owner when it is a directory site, else as named) and the owners of its sites."""
    uris = places["uri"].unique()
    owned = [next((owners[k] for k in site_keys(uri) if k in owners), None) for uri in uris]
    places = places.with_columns(
        owner=pl.col("uri").replace_strict(uris, owned, return_dtype=pl.String)
    )
    kept = places.filter(pl.col("owner").is_not_null() | pl.col("kind").is_in(_PARTY_KINDS))
    kept = kept.select("at", "kind", party=pl.coalesce("owner", "uri")).to_arrow()
    every = pa.array(np.zeros(events, dtype=np.int32))
    # Each event's capturer first, then its places in their order (a stable sort by event).
    rows = _numbered(np.concatenate([np.arange(events), kept["at"].to_numpy()]), {
        "kind": pa.chunked_array([pa.array(["capturer"], pa.large_string()).take(every),
                                  *kept["kind"].chunks]),
        "party": pa.chunked_array([pa.array([captured_by], pa.large_string()).take(every),
                                   *kept["party"].chunks]),
    })  # fmt: skip
    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 (a table gives a frame)
    return frame.select("at", "kind", "position", "party")


def keyed(frame: pl.DataFrame, table: Table, hashes: pl.Series, kept: pl.Series) -> pl.DataFrame:
    """The rows of `frame` (built by the functions above) of the events at the positions
    `kept`, each under its event's hash (`hashes`, one per event of the document), as `table`
    stores them: an event without an ID of its own is named by its hash."""
    rows = frame.filter(pl.col("at").is_in(kept.implode()))
    rows = rows.with_columns(event_hash=hashes.gather(rows["at"]))
    if "event_id" in rows.columns:
        rows = rows.with_columns(event_id=pl.coalesce("event_id", "event_hash"))
    return rows.select(table.columns.keys())
