"""Who an EPCIS event names, for visibility: its capturer, the sources and destinations it lists,
and the partners whose directory sites are its read point or business location."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.storage.models import current_view

_PARTY_LISTS: Final = {"sourceList": "source", "destinationList": "destination"}
_PLACES: Final = {"readPoint": "readPoint", "bizLocation": "bizLocation"}
_LAST_SEGMENT: Final = re.compile(r"[^:/]+$")


def _site_keys(uri: str) -> tuple[str, ...]:
    """A place's id and its last segment: a site is named by its directory id, bare or as the
    last part of a URI (`urn:example:site:haichuan-foshan`)."""
    last = _LAST_SEGMENT.search(uri)
    return (uri, last.group(0)) if last and last.group(0) != uri else (uri,)


def _named(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, id) of every place and party the event names, in document order."""
    found = [
        (kind, str(item[kind]))
        for field, kind in _PARTY_LISTS.items()
        for item in event.get(field) or []
        if isinstance(item, Mapping) and item.get(kind)
    ]
    for field, kind in _PLACES.items():
        place = event.get(field)
        if isinstance(place, Mapping) and place.get("id"):
            found.append((kind, str(place["id"])))
    return found


def get_site_owners(*, conn: Connection, events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Site id → owning partner, for the sites of the directory the events may name."""
    keys = {key for event in events for _, uri in _named(event) for key in _site_keys(uri)}
    if not keys:
        return {}
    site = current_view("site")
    rows = conn.execute(
        sa.select(site.c.site_id, site.c.partner_id).where(site.c.site_id.in_(sorted(keys)))
    )
    return {row.site_id: row.partner_id for row in rows}


def party_rows(
    *, event_hash: str, event: Mapping[str, Any], captured_by: str, owners: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Rows of `trace_event_parties`: the capturer, each source and destination (its site's
    owner when it is a directory site, else as named) and the owners of its sites."""
    rows = [("capturer", captured_by)]
    for kind, uri in _named(event):
        owner = next((owners[k] for k in _site_keys(uri) if k in owners), None)
        if owner is not None:
            rows.append((kind, owner))
        elif kind in _PARTY_LISTS.values():
            rows.append((kind, uri))
    return [
        {"event_hash": event_hash, "kind": kind, "position": i, "party": party}
        for i, (kind, party) in enumerate(rows)
    ]
