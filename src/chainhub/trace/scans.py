"""Codes scanned at their end of life (sold at retail, dispensed) in more than one place.

A unit's code (a drug traceability code, an SGTIN) is scanned once when it leaves the chain; the
same code ending in two places means a copied or re-used code, which NMPA's traceability rules
ask to be flagged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.trace.models import trace_event_epcs, trace_events
from chainhub.trace.schemas import DuplicateScanRead, ScanRead

FINAL_STEPS: Final = ("retail_selling", "dispensing")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def access_duplicate_scans(
    *, conn: Connection, principal: Principal, limit: int = 1000
) -> list[DuplicateScanRead]:
    """Codes with final scans in more than one place (the first `limit`, by code). A partner
    sees those with a scan of its own; others' scans show neither place nor partner."""
    ev, ep = trace_events, trace_event_epcs
    place = sa.func.coalesce(ev.c.biz_location, ev.c.read_point)
    final = sa.and_(ep.c.role == "epc", ev.c.biz_step.in_(FINAL_STEPS), place.is_not(None))
    joined = ep.join(ev, ev.c.event_hash == ep.c.event_hash)
    twice = (
        sa.select(ep.c.epc)
        .select_from(joined)
        .where(final)
        .group_by(ep.c.epc)
        .having(sa.func.count(sa.distinct(place)) > 1)
    )
    if not principal.sees_all:
        own = (
            sa.select(ep.c.epc)
            .select_from(joined)
            .where(final, ev.c.captured_by == principal.partner_id)
        )
        twice = twice.where(ep.c.epc.in_(own))
    codes = twice.order_by(ep.c.epc).limit(limit).subquery()
    rows = conn.execute(
        sa.select(ep.c.epc, ev.c.event_id, ev.c.event_time, ev.c.biz_step, place.label("place"),
                  ev.c.captured_by)
        .select_from(joined)
        .where(final, ep.c.epc.in_(sa.select(codes.c.epc)))
        .order_by(ep.c.epc, ev.c.event_time, ev.c.event_id)
    ).all()  # fmt: skip
    found: dict[str, list[ScanRead]] = {}
    places: dict[str, set[str]] = {}
    for row in rows:
        mine = principal.sees_all or row.captured_by == principal.partner_id
        found.setdefault(row.epc, []).append(
            ScanRead(
                event_id=row.event_id,
                event_time=_aware(row.event_time),
                biz_step=row.biz_step,
                place=row.place if mine else None,
                partner_id=row.captured_by if mine else None,
            )
        )
        places.setdefault(row.epc, set()).add(row.place)
    return [
        DuplicateScanRead(epc=epc, places=len(places[epc]), scans=scans)
        for epc, scans in found.items()
    ]
