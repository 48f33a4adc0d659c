"""Webhooks: subscriptions per partner, an outbox of deliveries written with the change they
announce, signed sending with exponential backoff, and a log of every attempt."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import re
import secrets
import socket
import ssl
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.models import partner_accounts
from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.partners.models import webhook_attempts, webhook_deliveries, webhook_subscriptions
from chainhub.partners.schemas import (
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)
from chainhub.partners.service import SETUP
from chainhub.partners.visibility import check_document_visible
from chainhub.storage.models import LIST_SEPARATOR, doc_table

SIGNATURE_HEADER: Final = "X-Chainhub-Signature"
EVENT_HEADER: Final = "X-Chainhub-Event"
DELIVERY_HEADER: Final = "X-Chainhub-Delivery"
# EPCIS query subscriptions: their deliveries carry this event, and the binding's GS1-Signature
# header (the same HMAC as SIGNATURE_HEADER, keyed with the subscriber's signatureToken).
QUERY_RESULTS_EVENT: Final = "epcis.query_results"
GS1_SIGNATURE_HEADER: Final = "GS1-Signature"
PENDING: Final = "pending"
DELIVERED: Final = "delivered"
FAILED: Final = "failed"
# What the delivery log says of an attempt that got no HTTP answer: a class, never the
# network's own words, so the log cannot map which ports answer behind an address.
REFUSED_ADDRESS: Final = "refused: address not allowed"
UNREACHABLE: Final = "unreachable"
# Names that lead to cloud metadata services or the machine itself, whatever they resolve to.
_INTERNAL_NAMES: Final = re.compile(
    r"(^|\.)(localhost|localdomain|internal|local|home\.arpa)$"
    r"|^(metadata|instance-data)(\.|$)|^metadata\.(google\.internal|tencentyun\.com|azure\.com)$"
)
_NUMERIC_HOST: Final = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?", re.I)


@dataclass(frozen=True)
class WebhookTarget:
    """Where a delivery connects: the URL's parts and the vetted address to reach."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _url_refused(url: str, en: str, zh: str) -> ChainhubError:
    return ChainhubError(
        "webhook_url_refused",
        f"webhook URL {url} is refused: {en}",
        f"拒绝 webhook 地址 {url}：{zh}",
        {"field": "url"},
        422,
    )


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as a number stands for, in any spelling a resolver accepts
    (127.0.0.1, 2130706433, 0x7f.1, 0177.0.0.1, ::ffff:127.0.0.1)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Reachable on the internet: not loopback, private, link-local, carrier-grade NAT,
    metadata, multicast, reserved or unspecified, also when embedded in an IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and not _is_public(embedded):
            return False
        if address in ipaddress.IPv6Network("64:ff9b::/96"):
            return _is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


def check_webhook_url(*, url: str, allowed_hosts: Collection[str]) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL webhooks may be sent to, else a ChainhubError: only
    http(s), and no internal host unless the hub's allow-list names it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _url_refused(url, "only http and https are allowed", "只允许 http 和 https")
    try:
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise _url_refused(url, "the port is not a number", "端口不是数字") from None
    if not host:
        raise _url_refused(url, "it names no host", "未指明主机")
    if parts.username or parts.password:
        raise _url_refused(url, "credentials in URLs are not allowed", "不允许在地址中写入凭据")
    target = (scheme, host, port or (443 if scheme == "https" else 80), parts.path or "/")
    if parts.query:
        target = (*target[:3], f"{target[3]}?{parts.query}")
    if host in allowed_hosts:
        return target
    literal = _literal_address(host)
    if literal is not None and not _is_public(literal):
        raise _url_refused(
            url,
            f"{literal} is a loopback, private, link-local or reserved address",
            f"{literal} 是环回、内网、链路本地或保留地址",
        )
    if literal is None and _INTERNAL_NAMES.search(host.rstrip(".")):
        raise _url_refused(
            url, f"{host} names an internal or metadata host", f"{host} 是内部或元数据主机"
        )
    return target


def resolve_webhook_target(*, url: str, allowed_hosts: Collection[str]) -> WebhookTarget:
    """The URL checked, its host resolved and every address it resolves to checked again (a
    name may point inside); the delivery connects to the vetted address, not to the name."""
    scheme, host, port, path = check_webhook_url(url=url, allowed_hosts=allowed_hosts)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _url_refused(url, "its host does not resolve", "主机名无法解析") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if host not in allowed_hosts and not all(_is_public(a) for a in addresses):
        raise _url_refused(url, "its host resolves to an internal address", "主机名解析到内部地址")
    return WebhookTarget(scheme, host, port, path, str(addresses[0]))


def _subscription(row: Mapping[Any, Any]) -> SubscriptionRead:
    values = {k: v for k, v in row.items() if k != "secret"}
    values["events"] = values["events"].split(LIST_SEPARATOR)
    return SubscriptionRead.model_validate(values)


def get_signature(*, secret: str, body: bytes) -> str:
    """The signature header value: sha256= and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def do_create_subscription(
    *,
    conn: Connection,
    partner_id: str,
    subscription: SubscriptionCreate,
    allowed_hosts: Collection[str] = (),
    now: datetime | None = None,
) -> SubscriptionCreated:
    """Subscribe the partner to events; the signing secret is returned this once."""
    check_webhook_url(url=str(subscription.url), allowed_hosts=allowed_hosts)
    subscription_id, secret = str(uuid.uuid4()), secrets.token_urlsafe(32)
    values = {
        "subscription_id": subscription_id,
        "partner_id": partner_id,
        "url": str(subscription.url),
        "events": LIST_SEPARATOR.join(e.value for e in dict.fromkeys(subscription.events)),
        "secret": secret,
        "created_at": now or datetime.now(UTC),
        "revoked_at": None,
    }
    conn.execute(webhook_subscriptions.insert().values(**values))
    return SubscriptionCreated(**_subscription(values).model_dump(), secret=secret)


def list_subscriptions(*, conn: Connection, partner_id: str | None) -> list[SubscriptionRead]:
    """Subscriptions of one partner (all, for None), newest first."""
    table = webhook_subscriptions
    query = (
        sa.select(table)
        .where(table.c.events != QUERY_RESULTS_EVENT)
        .order_by(table.c.created_at.desc(), table.c.subscription_id)
    )
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    return [_subscription(row) for row in conn.execute(query).mappings()]


def access_subscription(
    *, conn: Connection, principal: Principal, subscription_id: str
) -> SubscriptionRead:
    """A subscription of the caller's partner (any, for the hub admin); EPCIS query
    subscriptions are managed at /epcis only."""
    table = webhook_subscriptions
    row = (
        conn.execute(
            sa.select(table).where(
                table.c.subscription_id == subscription_id,
                table.c.events != QUERY_RESULTS_EVENT,
            )
        )
        .mappings()
        .first()
    )
    if row is None or not (principal.is_hub_admin or row["partner_id"] == principal.partner_id):
        raise ChainhubError(
            "subscription_not_found",
            f"no subscription {subscription_id} of yours",
            f"没有您的订阅 {subscription_id}",
            {"subscription_id": subscription_id},
            404,
        )
    return _subscription(row)


def do_create_query_webhook(
    *,
    conn: Connection,
    partner_id: str,
    url: str,
    secret: str,
    allowed_hosts: Collection[str] = (),
    now: datetime,
) -> str:
    """The webhook of an EPCIS query subscription, keyed with the subscriber's own token (empty:
    deliveries go unsigned); its id. Only QUERY_RESULTS_EVENT deliveries are queued to it."""
    check_webhook_url(url=url, allowed_hosts=allowed_hosts)
    subscription_id = str(uuid.uuid4())
    conn.execute(
        webhook_subscriptions.insert().values(
            subscription_id=subscription_id,
            partner_id=partner_id,
            url=url,
            events=QUERY_RESULTS_EVENT,
            secret=secret,
            created_at=now,
            revoked_at=None,
        )
    )
    return subscription_id


def do_enqueue_payload(
    *, conn: Connection, subscription_id: str, event: str, payload: str, now: datetime
) -> None:
    """Queue one delivery of a payload made by the caller (an EPCIS query result)."""
    conn.execute(
        webhook_deliveries.insert().values(
            delivery_id=str(uuid.uuid4()),
            subscription_id=subscription_id,
            event=event,
            payload=payload,
            status=PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            delivered_at=None,
        )
    )


def do_revoke_subscription(
    *, conn: Connection, subscription_id: str, now: datetime | None = None
) -> None:
    """Stop a subscription; pending deliveries to it are not sent."""
    table = webhook_subscriptions
    conn.execute(
        table.update()
        .where(table.c.subscription_id == subscription_id, table.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )


def list_submission_events(
    *,
    conn: Connection,
    document_type: str,
    submission_id: str,
    now: datetime,
    versions: pl.DataFrame | None = None,
    raised: pl.DataFrame | None = None,
) -> list[HubEvent]:
    """The events a stored submission raises, one per document and kind of event.

    `versions` (the stored rows' `_doc_key`, `_doc_version` and, for an inspection, `result`),
    when the caller has them, spare reading them back; `raised`
    (`list_submission_event_kinds`), when the caller has it, spares computing it again.
    """
    if raised is None:
        raised = list_submission_event_kinds(
            conn=conn, document_type=document_type, submission_id=submission_id, versions=versions
        )
    # The frame's values are typed already: building each event need not validate it again.
    return [
        HubEvent.model_construct(
            event=_EVENTS[event],
            document_type=document_type,
            doc_key=doc_key,
            version=version,
            submission_id=submission_id,
            occurred_at=now,
        )
        for doc_key, version, event in raised.iter_rows()
    ]


def list_submission_event_kinds(
    *,
    conn: Connection,
    document_type: str,
    submission_id: str,
    versions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`_doc_key`, `_doc_version` and `_event` (its kind) of each event a stored submission
    raises (see `list_submission_events`), in one frame."""
    kind = _event_kind(document_type)
    if kind is None:
        return pl.DataFrame(
            schema={"_doc_key": pl.String, "_doc_version": pl.Int64, "_event": pl.String}
        )
    columns = ["_doc_key", "_doc_version"]
    if document_type == "quality_inspection":
        columns.append("result")
    if versions is None:
        table = doc_table(document_type)
        found = conn.execute(
            sa.select(*(table.c[c] for c in columns)).where(table.c._submission_id == submission_id)
        ).all()
        versions = pl.DataFrame(found, schema=columns, orient="row")
    return (
        versions.lazy()
        .select(columns)
        .unique()
        .sort("_doc_key", "_doc_version")
        .select("_doc_key", pl.col("_doc_version").cast(pl.Int64), kind.alias("_event"))
        .drop_nulls("_event")
        .collect()
    )


_EVENTS: Final = {kind.value: kind for kind in WebhookEvent}


# The kinds of event a stored version of each type may raise (see `_event_kind`).
_KINDS: Final = {
    "purchase_order": frozenset({WebhookEvent.PO_CREATED.value, WebhookEvent.PO_CHANGED.value}),
    "shipment": frozenset({WebhookEvent.SHIPMENT_ANNOUNCED.value}),
    "goods_receipt": frozenset({WebhookEvent.RECEIPT_POSTED.value}),
    "quality_inspection": frozenset({WebhookEvent.QUALITY_ALERT.value}),
    "weekly_material_demand": frozenset({WebhookEvent.DEMAND_PUBLISHED.value}),
}


def get_event_kinds(document_type: str) -> frozenset[str]:
    """The kinds of event a stored version of `document_type` may raise."""
    return _KINDS.get(document_type, frozenset())


def _event_kind(document_type: str) -> pl.Expr | None:
    """The event a stored version of `document_type` raises (null for none), if any may."""
    first = pl.col("_doc_version") == 1
    if document_type == "purchase_order":
        return (
            pl.when(first)
            .then(pl.lit(WebhookEvent.PO_CREATED.value))
            .otherwise(pl.lit(WebhookEvent.PO_CHANGED.value))
        )
    once = {
        "shipment": WebhookEvent.SHIPMENT_ANNOUNCED,
        "goods_receipt": WebhookEvent.RECEIPT_POSTED,
    }
    if document_type in once:
        return pl.when(first).then(pl.lit(once[document_type].value))
    if document_type == "quality_inspection":
        return pl.when(pl.col("result") == "fail").then(pl.lit(WebhookEvent.QUALITY_ALERT.value))
    if document_type == "weekly_material_demand":
        return pl.lit(WebhookEvent.DEMAND_PUBLISHED.value)
    return None


@dataclass(frozen=True)
class LiveSubscription:
    """A subscription not revoked, as deliveries are queued for it."""

    subscription_id: str
    partner_id: str
    events: frozenset[str]
    leader: bool


def list_live_subscriptions(*, conn: Connection) -> list[LiveSubscription]:
    """Subscriptions not revoked, with their partner's chain-leader flag."""
    subscriptions, accounts = webhook_subscriptions, partner_accounts
    rows = conn.execute(
        sa.select(
            subscriptions.c.subscription_id,
            subscriptions.c.partner_id,
            subscriptions.c.events,
            sa.func.coalesce(accounts.c.chain_leader, False).label("leader"),
        )
        .select_from(
            subscriptions.outerjoin(accounts, accounts.c.partner_id == subscriptions.c.partner_id)
        )
        .where(subscriptions.c.revoked_at.is_(None))
        .order_by(subscriptions.c.subscription_id)
    ).all()
    return [
        LiveSubscription(
            row.subscription_id,
            row.partner_id,
            frozenset(row.events.split(LIST_SEPARATOR)),
            bool(row.leader),
        )
        for row in rows
    ]


def do_enqueue_deliveries(
    *,
    conn: Connection,
    events: list[HubEvent],
    today: date,
    now: datetime,
    is_visible: Callable[[Principal, HubEvent], bool] | None = None,
    subscriptions: Sequence[LiveSubscription] | None = None,
) -> int:
    """Queue each event for every live subscription to it whose partner may see the document.

    `is_visible` says whether a subscriber sees an event's document; by default, whether it sees
    a row of the standard document the event names (a domain with its own tables passes its own).
    `subscriptions` are the live ones when the caller has read them already.
    """

    def _sees_document(reader: Principal, event: HubEvent) -> bool:
        return check_document_visible(
            conn=conn,
            principal=reader,
            document_type=event.document_type,
            doc_key=event.doc_key,
            today=today,
        )

    if not events:
        return 0
    sees = is_visible or _sees_document
    active = list_live_subscriptions(conn=conn) if subscriptions is None else subscriptions
    queued = 0
    for event in events:
        for sub in active:
            if event.event.value not in sub.events:
                continue
            reader = Principal(
                token_id=SETUP,
                partner_id=sub.partner_id,
                role=Role.PARTNER_MEMBER,
                chain_leader=sub.leader,
            )
            if not sees(reader, event):
                continue
            conn.execute(
                webhook_deliveries.insert().values(
                    delivery_id=str(uuid.uuid4()),
                    subscription_id=sub.subscription_id,
                    event=event.event.value,
                    payload=event.model_dump_json(),
                    status=PENDING,
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                    delivered_at=None,
                )
            )
            queued += 1
    return queued


def list_due_deliveries(
    *, conn: Connection, now: datetime, limit: int = 50
) -> list[tuple[str, str, str, str, str]]:
    """(delivery id, event, payload, url, secret) of pending deliveries whose time has come."""
    deliveries, subscriptions = webhook_deliveries, webhook_subscriptions
    query = (
        sa.select(
            deliveries.c.delivery_id,
            deliveries.c.event,
            deliveries.c.payload,
            subscriptions.c.url,
            subscriptions.c.secret,
        )
        .select_from(
            deliveries.join(
                subscriptions, subscriptions.c.subscription_id == deliveries.c.subscription_id
            )
        )
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt_at <= now,
            subscriptions.c.revoked_at.is_(None),
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.delivery_id)
        .limit(limit)
    )
    return [tuple(row) for row in conn.execute(query)]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted address, with the certificate checked for the URL's host."""

    def __init__(self, target: WebhookTarget, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(sock, server_hostname=self.host)


def send_delivery(
    *,
    url: str,
    secret: str,
    event: str,
    delivery_id: str,
    payload: str,
    timeout: float = 10.0,
    allowed_hosts: Collection[str] = (),
) -> tuple[int | None, str | None]:
    """POST a signed event to the URL's vetted address, following no redirect; the response
    status, or None and the class of failure."""
    body = payload.encode()
    try:
        target = resolve_webhook_target(url=url, allowed_hosts=allowed_hosts)
    except ChainhubError:
        return None, REFUSED_ADDRESS
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout)
        if target.scheme == "https"
        else http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    )
    headers = {
        "Host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
        "Content-Type": "application/json",
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
    }
    if secret:
        headers[SIGNATURE_HEADER] = get_signature(secret=secret, body=body)
        if event == QUERY_RESULTS_EVENT:
            headers[GS1_SIGNATURE_HEADER] = headers[SIGNATURE_HEADER]
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return connection.getresponse().status, None
    except (OSError, http.client.HTTPException):
        return None, UNREACHABLE
    finally:
        connection.close()


def do_record_attempt(
    *,
    conn: Connection,
    delivery_id: str,
    status_code: int | None,
    error: str | None,
    now: datetime,
    backoff: timedelta,
    max_attempts: int,
) -> str:
    """Log one attempt; the delivery is done on a 2xx, retried later, or failed after the last."""
    deliveries = webhook_deliveries
    attempts = (
        conn.execute(
            sa.select(deliveries.c.attempts).where(deliveries.c.delivery_id == delivery_id)
        ).scalar_one()
        + 1
    )
    succeeded = status_code is not None and 200 <= status_code < 300
    if error is None and not succeeded:
        error = f"HTTP {status_code}"
    conn.execute(
        webhook_attempts.insert().values(
            delivery_id=delivery_id,
            attempt=attempts,
            attempted_at=now,
            status_code=status_code,
            error=error,
        )
    )
    if succeeded:
        status, next_at, done_at = DELIVERED, None, now
    elif attempts >= max_attempts:
        status, next_at, done_at = FAILED, None, None
    else:
        status, next_at, done_at = PENDING, now + backoff * 2 ** (attempts - 1), None
    conn.execute(
        deliveries.update()
        .where(deliveries.c.delivery_id == delivery_id)
        .values(status=status, attempts=attempts, next_attempt_at=next_at, delivered_at=done_at)
    )
    return status


def list_deliveries(
    *, conn: Connection, subscription_id: str, limit: int = 100
) -> list[DeliveryRead]:
    """The delivery log of a subscription, newest first, with each delivery's last attempt."""
    deliveries, attempts = webhook_deliveries, webhook_attempts
    last = (
        sa.select(attempts.c.delivery_id, sa.func.max(attempts.c.attempt).label("attempt"))
        .group_by(attempts.c.delivery_id)
        .subquery()
    )
    query = (
        sa.select(
            deliveries,
            attempts.c.status_code.label("last_status_code"),
            attempts.c.error.label("last_error"),
        )
        .select_from(
            deliveries.outerjoin(last, last.c.delivery_id == deliveries.c.delivery_id).outerjoin(
                attempts,
                sa.and_(
                    attempts.c.delivery_id == last.c.delivery_id,
                    attempts.c.attempt == last.c.attempt,
                ),
            )
        )
        .where(deliveries.c.subscription_id == subscription_id)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.delivery_id)
        .limit(limit)
    )
    return [DeliveryRead.model_validate(dict(row)) for row in conn.execute(query).mappings()]
