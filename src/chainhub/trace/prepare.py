"""A capture's database-free half: a document read, checked, hashed and turned into rows.

`prepared_capture` does everything a capture does before it reads the database (parse, checks,
Arrow conversion, CBV 2.0 hash IDs, the event and EPC rows), so it can run in another process;
`service` stores what it gives. `packed` and `unpacked` carry it between processes as Arrow IPC
buffers, not as Python objects per event.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

import polars as pl
import pyarrow as pa

from chainhub.errors import ChainhubError
from chainhub.trace.columnar import Shared
from chainhub.trace.hashing import hashes_begun
from chainhub.trace.plain_columns import event_array
from chainhub.trace.rows import epc_frame, event_frame, party_frame, place_frame, row_columns
from chainhub.trace.validation import (
    DocumentInvalidError,
    check_depth,
    check_document,
    check_json_schema,
    check_xml_schema,
)
from chainhub.trace.xml_binding import read_xml, xml_document

Format = Literal["json", "xml"]


@dataclass(frozen=True)
class Prepared:
    """A checked document's rows by position (`rows.event_frame`, `rows.epc_frame`, and
    `rows.party_frame` when the site owners were given), each event's hash ID and the places
    and parties the events name (`rows.place_frame`, to build the party rows from once the
    owners are known)."""

    capture_id: str
    received_at: datetime
    format: Format
    events: pl.DataFrame
    epcs: pl.DataFrame
    parties: pl.DataFrame | None
    places: pl.DataFrame
    hashes: list[str]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused, and resumed if it ran before: a capture allocates
    tens of thousands of objects that live until it returns and form no cycles, which the
    collector would otherwise walk again and again (with the whole heap) for nothing."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _malformed(en: str, zh: str) -> ChainhubError:
    return ChainhubError("epcis_malformed", en, zh, {"field": "body"}, 400)


def _json(body: bytes) -> Any:
    # The standard library's reader: orjson takes as long once the garbage collector is paused
    # (the objects cost, not the parse), and reads integers beyond 64 bits as floats.
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _malformed(f"the body is not JSON: {exc}", f"请求体不是 JSON：{exc}") from exc
    except RecursionError as exc:
        raise _malformed(
            "the body nests arrays or objects too deeply to read",
            "请求体中数组或对象嵌套过深，无法读取",
        ) from exc


class ReadBody(NamedTuple):
    """A capture body read: its document (`capture_document`) and, when it came as XML, its
    bytes and their element tree (`xml_binding.read_xml`, which the XSD checks too)."""

    document: dict[str, Any]
    xml: bytes | None = None
    xml_tree: Any = None


def parsed_document(body: bytes, form: Format) -> ReadBody:
    """The capture document a body holds (`capture_document`), with its XML if it was XML."""
    if form == "xml":
        tree = read_xml(body)
        return ReadBody(capture_document(xml_document(tree)), body, tree)
    return ReadBody(capture_document(_json(body)))


def capture_document(document: Any) -> dict[str, Any]:
    """A parsed document in the JSON binding's shape as a capture reads it: a query document's
    events as a capture document's (the binding captures them too, once the query document is
    one)."""
    if not isinstance(document, Mapping):
        raise _malformed("the body is not an EPCIS document", "请求体不是 EPCIS 文档")
    if document.get("type") != "EPCISQueryDocument":
        return document if isinstance(document, dict) else dict(document)
    if problems := check_json_schema(document):
        raise DocumentInvalidError(problems)
    body = document.get("epcisBody") or {}
    results = (body.get("queryResults") or {}).get("resultsBody") or {}
    events = body.get("eventList", results.get("eventList", []))
    return {**document, "type": "EPCISDocument", "epcisBody": {"eventList": events}}


def _event_list(document: Mapping[str, Any]) -> list[Any]:
    """The events a document lists (none, when it is not shaped as a capture document)."""
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, Mapping) else None
    return events if isinstance(events, list) else []


def prepared_capture(
    *,
    document: Mapping[str, Any],
    xml: bytes | None,
    partner_id: str,
    capture_id: str,
    received_at: datetime,
    owners: Mapping[str, str] | None = None,
    aside: bool = True,
    xml_tree: Any = None,
    parsed: bool = False,
) -> Prepared:
    """Check a document (raising `DocumentInvalidError` with every problem) and build its rows;
    its party rows too when given the `owners` of every directory site (`parties`). A document
    read from `xml` may come with the element tree read from it (`ReadBody.xml_tree`), which
    the XSD then checks rather than reading the XML again; one `parsed` here from its body
    (`parsed_document`) has its events' depth told by their Arrow type (`check_depth`).

    The events are converted to Arrow columns once, which the checks, the hashes (of plain
    events) and the rows read; with `aside`, a large document of other events is hashed on
    another core while it is checked and its rows are built (`hashing.hashes_begun`).
    """
    listed = _event_list(document)
    if parsed:
        # Nested no deeper than its reader allows (Python's recursion limit, libxml2's 256
        # levels), which Arrow's conversion takes: the events' type then bounds their depth.
        columns = event_array(listed)
        check_depth(document, columns)
    else:
        check_depth(document)
        columns = event_array(listed)
    # Their EPC URIs and times, which the checks, hashes and rows convert alike, converted once.
    shared = Shared()
    hashes_of = hashes_begun(document, xml, events=len(listed), columns=columns, aside=aside,
                             shared=shared)  # fmt: skip
    if xml is not None and (problems := check_xml_schema(xml, xml_tree)):
        raise DocumentInvalidError(problems)
    check_document(document, from_xml=xml is not None, columns=columns, shared=shared)
    events = list(document["epcisBody"]["eventList"])
    context = [c for c in document.get("@context", []) if isinstance(c, Mapping)]
    read = row_columns(events, columns)
    places = place_frame(read)
    parties = None
    if owners is not None:
        parties = party_frame(places, events=len(events), captured_by=partner_id, owners=owners)
    return Prepared(
        capture_id=capture_id,
        received_at=received_at,
        format="json" if xml is None else "xml",
        events=event_frame(events, read, capture_id=capture_id, captured_by=partner_id,
                           received_at=received_at, context=context, shared=shared),
        epcs=epc_frame(read, shared),
        parties=parties,
        places=places,
        hashes=hashes_of(),
    )  # fmt: skip


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _table(buffer: bytes) -> pa.Table:
    return pa.ipc.open_stream(buffer).read_all()


def _frame(buffer: bytes) -> pl.DataFrame:
    frame = pl.from_arrow(_table(buffer))
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 (a table gives a frame)
    return frame


# A prepared capture between processes: its scalars, then Arrow IPC streams of its columns
# (an empty one for what it lacks).
Packed = tuple[str, datetime, str, tuple[bytes, ...]]


def packed(prepared: Prepared) -> Packed:
    """`prepared` as Arrow IPC buffers (and its few scalars), for another process."""
    tables = (
        prepared.events.to_arrow(),
        prepared.epcs.to_arrow(),
        None if prepared.parties is None else prepared.parties.to_arrow(),
        prepared.places.to_arrow(),
        pa.table({"hash": pa.array(prepared.hashes, pa.string())}),
    )
    form = prepared.format
    buffers = tuple(b"" if t is None else _ipc(t) for t in tables)
    return prepared.capture_id, prepared.received_at, form, buffers


def unpacked(packed_: Packed) -> Prepared:
    """The prepared capture `packed` gave."""
    capture_id, received_at, form, (events, epcs, parties, places, hashes) = packed_
    return Prepared(
        capture_id=capture_id,
        received_at=received_at,
        format="xml" if form == "xml" else "json",
        events=_frame(events),
        epcs=_frame(epcs),
        parties=_frame(parties) if parties else None,
        places=_frame(places),
        hashes=_frame(hashes)["hash"].to_list(),
    )
