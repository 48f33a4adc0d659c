"""Who an EPCIS event names, for visibility: its capturer, the sources and destinations it lists,
and the partners whose directory sites are its read point or business location."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.storage.models import current_view

_LAST_SEGMENT: Final = re.compile(r"[^:/]+$")


def site_keys(uri: str) -> tuple[str, ...]:
    """A place's id and its last segment: a site is named by its directory id, bare or as the
    last part of a URI (`urn:example:site:haichuan-foshan`)."""
    last = _LAST_SEGMENT.search(uri)
    return (uri, last.group(0)) if last and last.group(0) != uri else (uri,)


def get_site_owners(*, conn: Connection, uris: Iterable[str]) -> dict[str, str]:
    """Site id → owning partner, for the sites of the directory these places may be."""
    keys = {key for uri in uris for key in site_keys(uri)}
    if not keys:
        return {}
    site = current_view("site")
    rows = conn.execute(
        sa.select(site.c.site_id, site.c.partner_id).where(site.c.site_id.in_(sorted(keys)))
    )
    return {row.site_id: row.partner_id for row in rows}


def list_site_owners(*, conn: Connection) -> dict[str, str]:
    """Site id → owning partner, for every site of the directory."""
    site = current_view("site")
    rows = conn.execute(sa.select(site.c.site_id, site.c.partner_id))
    return {row.site_id: row.partner_id for row in rows}
