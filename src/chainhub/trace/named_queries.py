"""Named queries and query subscriptions of the EPCIS REST binding.

A named query belongs to the partner whose writer created it: names are unique per partner, and
a partner reads, runs and subscribes to its own only. It stores the query, not its answer: it
runs with the visibility of whoever runs it, when it runs (for a subscription, its partner's),
so a named query never shows anyone more than /epcis/events would.

A stream subscription is a webhook of partners.webhooks (SSRF-checked destination, HMAC
signature keyed with the subscriber's signatureToken, retries, delivery log): each capture that
stores events queues, per subscription whose query matches some of them, one EPCISQueryDocument
of those events, in the capture's transaction. A scheduled subscription (trace.schedules) is run
by the webhook worker's rounds: the events recorded since its last report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final

import jsonschema_rs
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.models import partner_accounts
from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.partners.models import webhook_deliveries, webhook_subscriptions
from chainhub.partners.service import SETUP
from chainhub.partners.webhooks import (
    QUERY_RESULTS_EVENT,
    do_create_query_webhook,
    do_enqueue_payload,
    do_revoke_subscription,
)
from chainhub.trace.gs1_schemas import query_schema
from chainhub.trace.models import trace_named_queries, trace_query_subscriptions
from chainhub.trace.query import (
    MAX_PER_PAGE,
    EventQuery,
    decode_token,
    list_events,
    parse_query,
)
from chainhub.trace.results import query_document
from chainhub.trace.schedules import Schedule, check_schedule, get_next_run
from chainhub.trace.schemas import (
    NamedQueryCreate,
    NamedQueryRead,
    QuerySubscriptionCreate,
    QuerySubscriptionRead,
)

# How long a scheduled report waits for captures that arrived before its run to commit.
SETTLE: Final = timedelta(seconds=5)
# Parameters of /queries/{queryName}/events that ask for a WebSocket subscription.
WEBSOCKET_PARAMETERS: Final = frozenset(
    {"stream", "second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek",
     "reportIfEmpty", "initialRecordTime"}
)  # fmt: skip


@cache
def _query_validator() -> jsonschema_rs.Draft7Validator:
    # The compiled validator checks every format the schema names (uri among them).
    return jsonschema_rs.Draft7Validator(query_schema(), validate_formats=True)


def _bad_query(key: str, en: str, zh: str) -> ChainhubError:
    return ChainhubError("epcis_query_invalid", en, zh, {"field": f"query.{key}"}, 400)


def _unexpected(query: Mapping[str, Any]) -> list[str]:
    """Keys of the query that query-schema.json neither names nor matches by pattern."""
    definition = query_schema()["definitions"]["EPCIS-Query"]
    patterns = [re.compile(p) for p in definition.get("patternProperties", {})]
    return [
        key
        for key in query
        if key not in definition["properties"] and not any(p.search(key) for p in patterns)
    ]


def as_parameters(query: Mapping[str, Any]) -> dict[str, list[str]]:
    """The stored query as the binding's URL parameters, which the query engine reads."""
    params: dict[str, list[str]] = {}
    for key, value in query.items():
        if key == "@context":  # declares prefixes only; the stored values are full URIs
            continue
        values = value if isinstance(value, list) else [value]
        params[key] = [v if isinstance(v, str) else json.dumps(v) for v in values]
    return params


def check_query(query: Mapping[str, Any]) -> EventQuery:
    """The engine's query of a named query's `query` object: valid per query-schema.json and
    asking only what the engine answers, else a 400 naming the first bad key."""
    errors = sorted(
        _query_validator().iter_errors(query), key=lambda e: [str(p) for p in e.instance_path]
    )
    if errors and type(errors[0].kind).__name__ == "AdditionalProperties":
        key = _unexpected(query)[0]
        raise _bad_query(
            key,
            f"{key} is not a parameter of the EPCIS query language (query-schema.json)",
            f"{key} 不是 EPCIS 查询语言的参数（query-schema.json）",
        )
    if errors:
        key = ".".join(str(p) for p in errors[0].instance_path) or "query"
        message = errors[0].message
        raise _bad_query(
            key, f"query.{key}: {message}", f"query.{key} 不符合 query-schema.json：{message}"
        )
    return parse_query(as_parameters(query))


def _not_found(name: str) -> ChainhubError:
    return ChainhubError(
        "epcis_query_not_found",
        f"no named query {name} of your partner",
        f"您的伙伴没有名为 {name} 的查询",
        {"queryName": name},
        404,
    )


def do_create_query(
    *, conn: Connection, partner_id: str, created: NamedQueryCreate, now: datetime | None = None
) -> NamedQueryRead:
    """Store a valid named query of the partner; its name taken already is a 409."""
    check_query(created.query)
    table = trace_named_queries
    taken = conn.execute(
        sa.select(table.c.name).where(
            table.c.partner_id == partner_id, table.c.name == created.name
        )
    ).first()
    if taken is not None:
        raise ChainhubError(
            "epcis_query_exists",
            f"your partner has a named query {created.name} already",
            f"您的伙伴已有名为 {created.name} 的查询",
            {"name": created.name},
            409,
        )
    conn.execute(
        table.insert().values(
            partner_id=partner_id,
            name=created.name,
            query=json.dumps(created.query, ensure_ascii=False, sort_keys=True),
            created_at=now or datetime.now(UTC),
        )
    )
    return NamedQueryRead(name=created.name, query=created.query)


def list_queries(
    *, conn: Connection, principal: Principal, limit: int, after: tuple[datetime, str] | None
) -> list[tuple[datetime, NamedQueryRead]]:
    """Named queries of the caller's partner (every partner's, with its id, for the hub admin),
    oldest first from `after`, each with its creation time (for the page token)."""
    table = trace_named_queries
    query = sa.select(table).order_by(table.c.created_at, table.c.partner_id, table.c.name)
    if not principal.is_hub_admin:
        query = query.where(table.c.partner_id == principal.partner_id)
    if after is not None:
        when, key = after
        query = query.where(
            sa.or_(
                table.c.created_at > when,
                sa.and_(table.c.created_at == when, table.c.partner_id + "/" + table.c.name > key),
            )
        )
    return [
        (
            _utc(row.created_at),
            NamedQueryRead(
                name=row.name,
                query=json.loads(row.query),
                partner_id=row.partner_id if principal.is_hub_admin else None,
            ),
        )
        for row in conn.execute(query.limit(limit))
    ]


def access_query(*, conn: Connection, principal: Principal, name: str) -> NamedQueryRead:
    """The caller's partner's named query of this name, else a 404 (the hub admin owns none)."""
    table = trace_named_queries
    row = None
    if principal.partner_id is not None:
        row = conn.execute(
            sa.select(table.c.query).where(
                table.c.partner_id == principal.partner_id, table.c.name == name
            )
        ).first()
    if row is None:
        raise _not_found(name)
    return NamedQueryRead(name=name, query=json.loads(row.query))


def _subscription_ids(conn: Connection, partner_id: str, name: str) -> list[str]:
    subs = trace_query_subscriptions
    return list(
        conn.execute(
            sa.select(subs.c.subscription_id).where(
                subs.c.partner_id == partner_id, subs.c.query_name == name
            )
        ).scalars()
    )


def do_delete_query(*, conn: Connection, partner_id: str, name: str) -> None:
    """Remove a named query and every subscription to it (pending deliveries are not sent)."""
    for subscription_id in _subscription_ids(conn, partner_id, name):
        do_unsubscribe(conn=conn, subscription_id=subscription_id)
    table = trace_named_queries
    conn.execute(table.delete().where(table.c.partner_id == partner_id, table.c.name == name))


def _utc(value: datetime) -> datetime:
    # DuckDB hands back naive UTC timestamps; PostgreSQL aware ones.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_subscription(
    created: QuerySubscriptionCreate, *, now: datetime
) -> tuple[Schedule | None, datetime | None]:
    """A stream subscription's (None, None), a scheduled one's schedule and first run, or a 400
    (neither stream nor schedule, both, or a schedule that never runs)."""
    if created.schedule is not None and created.stream is not None:
        raise ChainhubError(
            "epcis_subscription_invalid",
            'give "stream": true or a schedule, not both',
            '请只给出 "stream": true 或定时计划之一',
            {"field": "stream"},
            400,
        )
    if created.schedule is not None:
        sets = check_schedule(created.schedule)
        first = get_next_run(sets, now)
        if first is None:
            raise ChainhubError(
                "epcis_schedule_invalid",
                "the schedule matches no date (e.g. 31 February)",
                "定时计划不匹配任何日期（例如 2 月 31 日）",
                {"field": "schedule"},
                400,
            )
        return sets, first
    if created.stream is not True:
        raise ChainhubError(
            "epcis_subscription_invalid",
            'set "stream": true or a schedule so the server knows when to notify you',
            '请设置 "stream": true 或定时计划，服务器才知道何时通知您',
            {"field": "stream"},
            400,
        )
    return None, None


def _subscriber(conn: Connection, partner_id: str) -> Principal:
    """The principal a subscription's query runs as: a member of its partner."""
    leader = conn.execute(
        sa.select(partner_accounts.c.chain_leader).where(
            partner_accounts.c.partner_id == partner_id
        )
    ).scalar()
    return Principal(
        token_id=SETUP, partner_id=partner_id, role=Role.PARTNER_MEMBER, chain_leader=bool(leader)
    )


def _deliver(
    conn: Connection,
    *,
    subscription_id: str,
    name: str,
    events: Sequence[Mapping[str, Any]],
    now: datetime,
) -> None:
    document = query_document(events, now=now, query_name=name, subscription_id=subscription_id)
    do_enqueue_payload(
        conn=conn,
        subscription_id=subscription_id,
        event=QUERY_RESULTS_EVENT,
        payload=json.dumps(document, ensure_ascii=False),
        now=now,
    )


def _since(query: EventQuery, when: datetime) -> EventQuery:
    """The query limited to events recorded from `when` on (or later, if it says so)."""
    start = max(when.astimezone(UTC), query.times.get("GE_recordTime", when).astimezone(UTC))
    return replace(query, times={**query.times, "GE_recordTime": start}, per_page=MAX_PER_PAGE)


def _backlog(
    conn: Connection, *, reader: Principal, query: EventQuery
) -> Iterator[list[dict[str, Any]]]:
    """The query's answer in pages of MAX_PER_PAGE events, each page a delivery."""
    while True:
        page = list_events(conn=conn, principal=reader, query=query)
        if page.events:
            yield page.events
        if page.next_token is None:
            return
        query = replace(query, after=decode_token(page.next_token))


def do_subscribe(
    *,
    conn: Connection,
    partner_id: str,
    name: str,
    created: QuerySubscriptionCreate,
    allowed_hosts: Collection[str] = (),
    now: datetime | None = None,
) -> QuerySubscriptionRead:
    """Subscribe the partner's webhook to its named query: a stream (an initialRecordTime in the
    past first queues the matching events recorded since then) or a schedule (its first report
    starts at initialRecordTime, or now)."""
    now = now or datetime.now(UTC)
    sets, next_run = check_subscription(created, now=now)
    stored = conn.execute(
        sa.select(trace_named_queries.c.query).where(
            trace_named_queries.c.partner_id == partner_id, trace_named_queries.c.name == name
        )
    ).scalar_one()
    subscription_id = do_create_query_webhook(
        conn=conn,
        partner_id=partner_id,
        url=created.dest,
        secret=created.signature_token or "",
        allowed_hosts=allowed_hosts,
        now=now,
    )
    conn.execute(
        trace_query_subscriptions.insert().values(
            subscription_id=subscription_id,
            partner_id=partner_id,
            query_name=name,
            stream=sets is None,
            report_if_empty=created.report_if_empty,
            initial_record_time=created.initial_record_time,
            created_at=now,
            schedule=None if created.schedule is None else json.dumps(created.schedule),
            next_run_at=next_run,
            min_record_time=None if sets is None else created.initial_record_time or now,
            runs=0,
        )
    )
    stream = sets is None
    if stream and created.initial_record_time is not None and created.initial_record_time < now:
        query = _since(parse_query(as_parameters(json.loads(stored))), created.initial_record_time)
        reader = _subscriber(conn, partner_id)
        for events in _backlog(conn, reader=reader, query=query):
            _deliver(conn, subscription_id=subscription_id, name=name, events=events, now=now)
    return QuerySubscriptionRead(
        subscription_id=subscription_id,
        query_name=name,
        dest=created.dest,
        stream=True if stream else None,
        schedule=created.schedule,
        report_if_empty=created.report_if_empty,
        initial_record_time=created.initial_record_time,
        min_record_time=None if stream else created.initial_record_time or now,
        created_at=now,
    )


def _subscriptions_query(partner_id: str | None) -> sa.Select[Any]:
    subs, hooks, deliveries = trace_query_subscriptions, webhook_subscriptions, webhook_deliveries
    notified = (
        sa.select(sa.func.max(deliveries.c.delivered_at))
        .where(deliveries.c.subscription_id == subs.c.subscription_id)
        .scalar_subquery()
    )
    return (
        sa.select(subs, hooks.c.url, notified.label("last_notified_at"))
        .select_from(subs.join(hooks, hooks.c.subscription_id == subs.c.subscription_id))
        .where(subs.c.partner_id == partner_id, hooks.c.revoked_at.is_(None))
    )


def _maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _read(row: Any) -> QuerySubscriptionRead:
    return QuerySubscriptionRead(
        subscription_id=row.subscription_id,
        query_name=row.query_name,
        dest=row.url,
        stream=True if row.stream else None,
        schedule=None if row.schedule is None else json.loads(row.schedule),
        report_if_empty=row.report_if_empty,
        initial_record_time=_maybe_utc(row.initial_record_time),
        min_record_time=_maybe_utc(row.min_record_time),
        created_at=_utc(row.created_at),
        last_notified_at=_maybe_utc(row.last_notified_at),
    )


def list_query_subscriptions(
    *,
    conn: Connection,
    partner_id: str,
    name: str,
    limit: int,
    after: tuple[datetime, str] | None,
) -> list[QuerySubscriptionRead]:
    """Active subscriptions to the partner's named query, oldest first from `after`."""
    subs = trace_query_subscriptions
    query = _subscriptions_query(partner_id).where(subs.c.query_name == name)
    if after is not None:
        when, subscription_id = after
        query = query.where(
            sa.or_(
                subs.c.created_at > when,
                sa.and_(subs.c.created_at == when, subs.c.subscription_id > subscription_id),
            )
        )
    query = query.order_by(subs.c.created_at, subs.c.subscription_id).limit(limit)
    return [_read(row) for row in conn.execute(query)]


def access_query_subscription(
    *, conn: Connection, principal: Principal, name: str, subscription_id: str
) -> QuerySubscriptionRead:
    """An active subscription to the caller's partner's named query, else a 404."""
    subs = trace_query_subscriptions
    row = conn.execute(
        _subscriptions_query(principal.partner_id).where(
            subs.c.query_name == name, subs.c.subscription_id == subscription_id
        )
    ).first()
    if row is None:
        raise ChainhubError(
            "epcis_subscription_not_found",
            f"no subscription {subscription_id} to your named query {name}",
            f"您的命名查询 {name} 没有订阅 {subscription_id}",
            {"subscriptionID": subscription_id},
            404,
        )
    return _read(row)


def do_unsubscribe(*, conn: Connection, subscription_id: str) -> None:
    """End a subscription: its webhook is revoked, so its pending deliveries are not sent."""
    do_revoke_subscription(conn=conn, subscription_id=subscription_id)
    subs = trace_query_subscriptions
    conn.execute(subs.delete().where(subs.c.subscription_id == subscription_id))


def do_notify_streams(*, conn: Connection, event_hashes: Sequence[str], now: datetime) -> int:
    """Queue, for each live stream subscription, one EPCISQueryDocument of the newly stored
    events its query selects and its partner may see (an empty one if it reports when empty);
    the number queued."""
    subs, queries = trace_query_subscriptions, trace_named_queries
    rows = conn.execute(
        sa.select(subs.c.subscription_id, subs.c.partner_id, subs.c.query_name,
                  subs.c.report_if_empty, queries.c.query)
        .select_from(subs.join(queries, sa.and_(queries.c.partner_id == subs.c.partner_id,
                                                queries.c.name == subs.c.query_name)))
        .where(subs.c.stream.is_(True))
        .order_by(subs.c.subscription_id)
    ).all()  # fmt: skip
    queued = 0
    # The binding sends no pages to a webhook: a large capture goes in batches.
    batches = [
        event_hashes[i : i + MAX_PER_PAGE] for i in range(0, len(event_hashes), MAX_PER_PAGE)
    ]
    for row in rows if batches else []:
        query = replace(parse_query(as_parameters(json.loads(row.query))), per_page=MAX_PER_PAGE)
        reader = _subscriber(conn, row.partner_id)
        found = [
            page.events
            for batch in batches
            if (page := list_events(conn=conn, principal=reader, query=query, among=batch)).events
        ]
        if not found and row.report_if_empty:
            found = [[]]
        for events in found:
            _deliver(conn, subscription_id=row.subscription_id, name=row.query_name,
                     events=events, now=now)  # fmt: skip
        queued += len(found)
    return queued


def do_run_schedules(*, conn: Connection, now: datetime) -> int:
    """Run each scheduled subscription whose time has come: queue the events its query selects
    that were recorded since its last report and its partner may see (an empty document if it
    reports when empty), and set its next run; the number of deliveries queued.

    Each run claims its subscription by its run count, so two hub processes never both run it.
    """
    subs, queries = trace_query_subscriptions, trace_named_queries
    due = conn.execute(
        sa.select(subs.c.subscription_id, subs.c.partner_id, subs.c.query_name, subs.c.schedule,
                  subs.c.report_if_empty, subs.c.min_record_time, subs.c.runs, queries.c.query)
        .select_from(subs.join(queries, sa.and_(queries.c.partner_id == subs.c.partner_id,
                                                queries.c.name == subs.c.query_name)))
        .where(subs.c.next_run_at <= now)
        .order_by(subs.c.next_run_at, subs.c.subscription_id)
    ).all()  # fmt: skip
    queued = 0
    # A capture's record time is taken when it arrives and it commits later: a run covers what
    # was recorded until SETTLE before it, so a capture still being written is in the next one.
    settled = now - SETTLE
    for row in due:
        claimed = conn.execute(
            subs.update()
            .where(subs.c.subscription_id == row.subscription_id, subs.c.runs == row.runs)
            .values(
                runs=row.runs + 1,
                min_record_time=max(settled, _utc(row.min_record_time)),
                next_run_at=get_next_run(check_schedule(json.loads(row.schedule)), now),
            )
        )
        if claimed.rowcount != 1:
            continue
        query = parse_query(as_parameters(json.loads(row.query)))
        query = _since(query, _utc(row.min_record_time))
        until = min(settled, query.times.get("LT_recordTime", settled))
        query = replace(query, times={**query.times, "LT_recordTime": until})
        reader = _subscriber(conn, row.partner_id)
        found = list(_backlog(conn, reader=reader, query=query))
        if not found and row.report_if_empty:
            found = [[]]
        for events in found:
            _deliver(conn, subscription_id=row.subscription_id, name=row.query_name,
                     events=events, now=now)  # fmt: skip
        queued += len(found)
    return queued
