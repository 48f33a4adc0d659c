"""The EPCIS simple event query over the indexed columns: the REST binding's parameters, one
SELECT per page, ordered by record time and hash ID, paged by an opaque token."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import get_trace_visible_clause
from chainhub.trace.identifiers import canonical_epc
from chainhub.trace.models import trace_event_epcs, trace_event_parties, trace_events
from chainhub.trace.vocabulary import bare_word

DEFAULT_PER_PAGE: Final = 30
MAX_PER_PAGE: Final = 1000
_INSTANCE_ROLES: Final = ("epc", "parent", "child", "input", "output")
_CLASS_ROLES: Final = ("quantity", "childQuantity", "inputQuantity", "outputQuantity")
# MATCH_ parameter → the roles (trace_event_epcs.role) its identifiers may play.
MATCH_ROLES: Final[dict[str, tuple[str, ...]]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": _INSTANCE_ROLES,
    "MATCH_epcClass": ("quantity", "childQuantity"),
    "MATCH_inputEPCClass": ("inputQuantity",),
    "MATCH_outputEPCClass": ("outputQuantity",),
    "MATCH_anyEPCClass": _CLASS_ROLES,
}
ANY_IDENTIFIER: Final = _INSTANCE_ROLES + _CLASS_ROLES
_EQUALS: Final = {
    "eventType": "event_type",
    "EQ_action": "action",
    "EQ_bizStep": "biz_step",
    "EQ_disposition": "disposition",
    "EQ_readPoint": "read_point",
    "EQ_bizLocation": "biz_location",
}
_TIMES: Final = {
    "GE_eventTime": ("event_time", ">="),
    "LT_eventTime": ("event_time", "<"),
    "GE_recordTime": ("record_time", ">="),
    "LT_recordTime": ("record_time", "<"),
}
_QUANTITY_OPS: Final = ("EQ", "GT", "GE", "LT", "LE")
_PAGING: Final = frozenset({"perPage", "nextPageToken"})
PARAMETERS: Final = frozenset(
    {*_EQUALS, *_TIMES, *MATCH_ROLES, *(f"{op}_quantity" for op in _QUANTITY_OPS), *_PAGING}
)


@dataclass(frozen=True)
class EventQuery:
    """A simple event query: values per parameter (any of them matches), a page and its start."""

    equals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    times: Mapping[str, datetime] = field(default_factory=dict)
    matches: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    quantities: Mapping[str, float] = field(default_factory=dict)
    per_page: int = DEFAULT_PER_PAGE
    after: tuple[datetime, str] | None = None


@dataclass(frozen=True)
class EventPage:
    """One page of events (stored JSON with their record time and hash ID), and the next token."""

    events: list[dict[str, Any]]
    next_token: str | None


def _invalid(parameter: str, en: str, zh: str) -> ChainhubError:
    return ChainhubError(
        "epcis_query_invalid", en, zh, {"parameter": parameter}, 400
    )  # the binding's QueryParameterException


def _values(raw: Sequence[str]) -> tuple[str, ...]:
    """A parameter's values: repeated, or pipe-delimited as the binding's `pipeDelimited` says."""
    return tuple(v for item in raw for v in item.split("|") if v)


def _time(parameter: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _invalid(
            parameter,
            f"{parameter} must be a time with a time-zone offset, e.g. 2024-01-01T00:00:00Z",
            f"{parameter} 必须是带时区偏移的时间，例如 2024-01-01T00:00:00Z",
        )
    return parsed.astimezone(UTC)


def _number(parameter: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise _invalid(
            parameter, f"{parameter} must be a number", f"{parameter} 必须是数字"
        ) from None


def _indexed(parameter: str, value: str) -> str:
    """A query value in the form the indexed column holds (see service.do_capture)."""
    if parameter == "EQ_bizStep":
        return bare_word("bizStep", value)
    if parameter == "EQ_disposition":
        return bare_word("disposition", value)
    if parameter in ("EQ_readPoint", "EQ_bizLocation") or parameter in MATCH_ROLES:
        return canonical_epc(value)
    return value


# A page token is the position's time in microseconds since 1970 and its tie-breaker in hex:
# every text of this form is a position, so the published pattern says exactly what is accepted.
PAGE_TOKEN_PATTERN: Final = r"^\d{1,16}\.(?:[0-9a-f]{2}){0,256}$"  # noqa: S105 - not a secret
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def encode_token(record_time: datetime, event_hash: str) -> str:
    """A page token: where the next page starts in the stable order."""
    micros = (record_time.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{event_hash.encode().hex()}"


def decode_token(token: str) -> tuple[datetime, str]:
    """Where a page token says the next page starts; a token of another form is a 400."""
    if not re.fullmatch(PAGE_TOKEN_PATTERN, token):
        raise _invalid(
            "nextPageToken",
            "nextPageToken is not a token this server gave",
            "nextPageToken 不是本服务器给出的令牌",
        )
    micros, tie = token.split(".")
    # No key holds a NUL (PostgreSQL text cannot): a tie cut at its first NUL starts the page
    # after the same keys.
    text = bytes.fromhex(tie).decode(errors="replace").split("\x00", 1)[0]
    return _EPOCH + timedelta(microseconds=int(micros)), text


def parse_query(params: Mapping[str, Sequence[str]]) -> EventQuery:
    """The query the binding's parameters ask; an unknown or malformed one is a 400."""
    for name in params:
        if name not in PARAMETERS:
            raise _invalid(
                name,
                f"{name} is not a query parameter this server supports",
                f"{name} 不是本服务器支持的查询参数",
            )
    one = {name: values[-1] for name, values in params.items() if values}
    per_page = DEFAULT_PER_PAGE
    if "perPage" in one:
        per_page = int(_number("perPage", one["perPage"]))
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise _invalid(
                "perPage",
                f"perPage must be between 1 and {MAX_PER_PAGE}",
                f"perPage 必须在 1 到 {MAX_PER_PAGE} 之间",
            )
    return EventQuery(
        equals={
            p: tuple(_indexed(p, v) for v in _values(params[p])) for p in _EQUALS if p in params
        },
        times={p: _time(p, one[p]) for p in _TIMES if p in one},
        matches={
            p: tuple(_indexed(p, v) for v in _values(params[p])) for p in MATCH_ROLES if p in params
        },
        quantities={
            op: _number(f"{op}_quantity", one[f"{op}_quantity"])
            for op in _QUANTITY_OPS
            if f"{op}_quantity" in one
        },
        per_page=per_page,
        after=decode_token(one["nextPageToken"]) if "nextPageToken" in one else None,
    )


def _has_identifier(roles: Sequence[str], values: Sequence[str]) -> ColumnElement[bool]:
    epcs = trace_event_epcs
    return (
        sa.select(sa.literal(1))
        .select_from(epcs)
        .where(
            epcs.c.event_hash == trace_events.c.event_hash,
            epcs.c.role.in_(roles),
            epcs.c.epc.in_(values),
        )
        .exists()
    )


def _has_quantity(quantities: Mapping[str, float]) -> ColumnElement[bool]:
    """A quantity element whose quantity meets every bound (EPCIS 2.0 repurposed *_quantity)."""
    epcs, quantity = trace_event_epcs, trace_event_epcs.c.quantity
    bounds = {
        "EQ": quantity.__eq__,
        "GT": quantity.__gt__,
        "GE": quantity.__ge__,
        "LT": quantity.__lt__,
        "LE": quantity.__le__,
    }
    return (
        sa.select(sa.literal(1))
        .select_from(epcs)
        .where(
            epcs.c.event_hash == trace_events.c.event_hash,
            epcs.c.role.in_(_CLASS_ROLES),
            *(bounds[op](value) for op, value in quantities.items()),
        )
        .exists()
    )


def _where(query: EventQuery) -> list[ColumnElement[bool]]:
    events = trace_events.c
    clauses: list[ColumnElement[bool]] = [
        events[_EQUALS[p]].in_(values) for p, values in query.equals.items()
    ]
    for parameter, when in query.times.items():
        column, op = _TIMES[parameter]
        clauses.append(events[column] >= when if op == ">=" else events[column] < when)
    clauses += [_has_identifier(MATCH_ROLES[p], values) for p, values in query.matches.items()]
    if query.quantities:
        clauses.append(_has_quantity(query.quantities))
    if query.after is not None:
        when, event_hash = query.after
        clauses.append(
            sa.or_(
                events.record_time > when,
                sa.and_(events.record_time == when, events.event_hash > event_hash),
            )
        )
    return clauses


def list_events(
    *,
    conn: Connection,
    principal: Principal,
    query: EventQuery,
    identifiers: Sequence[str] = (),
    among: Sequence[str] = (),
) -> EventPage:
    """One page of the events the caller may see that the query selects, in one SELECT.

    `identifiers` further keeps events that name one of them in any role (`/epcs/{epc}/events`);
    `among`, only the events of these hash IDs (a capture's, for query subscriptions).
    """
    events = trace_events
    where = _where(query)
    if among:
        where.append(events.c.event_hash.in_(among))
    if identifiers:
        where.append(_has_identifier(ANY_IDENTIFIER, [canonical_epc(i) for i in identifiers]))
    visible = get_trace_visible_clause(
        principal=principal, events=events, parties=trace_event_parties
    )
    rows = conn.execute(
        sa.select(events.c.event_hash, events.c.event_id, events.c.record_time, events.c.event)
        .where(visible, *where)
        .order_by(events.c.record_time, events.c.event_hash)
        .limit(query.per_page + 1)
    ).all()
    page = rows[: query.per_page]
    token = None
    if len(rows) > query.per_page:
        token = encode_token(_utc(page[-1].record_time), page[-1].event_hash)
    return EventPage([_event(row) for row in page], token)


def access_event(*, conn: Connection, principal: Principal, event_id: str) -> dict[str, Any]:
    """The event with this eventID (or hash ID) that the caller may see, else a 404."""
    events = trace_events
    visible = get_trace_visible_clause(
        principal=principal, events=events, parties=trace_event_parties
    )
    row = conn.execute(
        sa.select(events.c.event_hash, events.c.event_id, events.c.record_time, events.c.event)
        .where(visible, sa.or_(events.c.event_id == event_id, events.c.event_hash == event_id))
        .order_by(events.c.record_time, events.c.event_hash)
        .limit(1)
    ).first()
    if row is None:
        raise ChainhubError(
            "epcis_event_not_found",
            f"no event {event_id} that you may see",
            f"没有您可查看的事件 {event_id}",
            {"eventID": event_id},
            404,
        )
    return _event(row)


def list_values(*, conn: Connection, principal: Principal, column: str) -> list[str]:
    """The distinct values of an indexed column (bizStep, bizLocation, ...) in visible events."""
    events = trace_events
    visible = get_trace_visible_clause(
        principal=principal, events=events, parties=trace_event_parties
    )
    target = events.c[column]
    rows = conn.execute(
        sa.select(target).distinct().where(visible, target.is_not(None)).order_by(target)
    )
    return [str(value) for value in rows.scalars()]


def _utc(value: datetime) -> datetime:
    # DuckDB hands back naive UTC timestamps; PostgreSQL aware ones.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _event(row: Any) -> dict[str, Any]:
    """The stored event as the query answers it: with its eventID and its recordTime."""
    event: dict[str, Any] = json.loads(row.event)
    event.setdefault("eventID", row.event_id)
    event["recordTime"] = _utc(row.record_time).isoformat().replace("+00:00", "Z")
    return event
