"""Query results as the binding's EPCISQueryDocument, in JSON(-LD) or XML.

Each stored event keeps the namespace prefixes of the document it came in; the results document
declares them once at its top, and an event keeps its own `@context` only where its prefix
means something else than in an earlier event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from chainhub.trace.xml_binding import write_xml

EPCIS_CONTEXT: Final = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
QUERY_NAME: Final = "SimpleEventQuery"


def _event_context(event: Mapping[str, Any]) -> dict[str, Any]:
    context = event.get("@context")
    items = context if isinstance(context, list) else [context]
    return {k: v for item in items if isinstance(item, Mapping) for k, v in item.items()}


def split_contexts(
    events: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The prefixes declared once for all events, and the events without the ones declared."""
    shared: dict[str, Any] = {}
    bare: list[dict[str, Any]] = []
    for event in events:
        own = _event_context(event)
        body = {k: v for k, v in event.items() if k != "@context"}
        if all(shared.get(k, v) == v for k, v in own.items()):
            shared.update(own)
        else:
            body = {"@context": [own], **body}
        bare.append(body)
    return shared, bare


def query_document(
    events: Sequence[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    query_name: str = QUERY_NAME,
    subscription_id: str | None = None,
) -> dict[str, Any]:
    """An EPCISQueryDocument (JSON-LD) holding the events, the answer of the query named (and,
    sent to a subscriber, of its subscription)."""
    shared, bare = split_contexts(events)
    results: dict[str, Any] = {"queryName": query_name}
    if subscription_id is not None:
        results["subscriptionID"] = subscription_id
    return {
        "@context": [EPCIS_CONTEXT, *([shared] if shared else [])],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "epcisBody": {"queryResults": {**results, "resultsBody": {"eventList": bare}}},
    }


def _nested_namespaces(value: Any, found: dict[str, str]) -> Any:
    """The value without the `@context` its nodes declare, whose prefixes go to `found`
    (a prefix bound twice keeps its first binding)."""
    if isinstance(value, list):
        return [_nested_namespaces(v, found) for v in value]
    if not isinstance(value, Mapping):
        return value
    own = _event_context(value)
    for prefix, uri in own.items():
        if isinstance(uri, str) and not prefix.startswith("@"):
            found.setdefault(prefix, uri)
    return {k: _nested_namespaces(v, found) for k, v in value.items() if k != "@context"}


def query_document_xml(
    events: Sequence[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    query_name: str = QUERY_NAME,
) -> bytes:
    """An EPCISQueryDocument (XML) holding the events; prefixes are declared at its root, and on
    an event that binds one otherwise than an earlier event did."""
    namespaces: dict[str, str] = {}
    bare: list[Mapping[str, Any]] = []
    for event in events:
        own: dict[str, str] = {}
        body = _nested_namespaces(event, own)
        clash = {p: uri for p, uri in own.items() if namespaces.setdefault(p, uri) != uri}
        bare.append({"@context": clash, **body} if clash else body)
    created = (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    return write_xml(
        events=bare,
        context=namespaces,
        attributes={"creationDate": created},
        query={"queryName": query_name},
    )


def event_document(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event as a JSON-LD node of its own, with the context its prefixes need."""
    shared, bare = split_contexts([event])
    return {"@context": [EPCIS_CONTEXT, *([shared] if shared else [])], **bare[0]}
