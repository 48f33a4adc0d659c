"""Partner endpoints: the caller, the directory, tokens, sharing agreements, webhooks, audit and
the event stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from chainhub.access import audit, tokens
from chainhub.access.schemas import (
    AuditPage,
    AuditVerification,
    Role,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from chainhub.api.deps import ConnDep, PrincipalDep, SettingsDep, get_request_token
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.api.runtime import HubRuntime
from chainhub.errors import ChainhubError
from chainhub.events.schemas import HubEvent
from chainhub.partners import agreements, service, webhooks
from chainhub.partners.schemas import (
    AgreementCreate,
    AgreementRead,
    DeliveryRead,
    Me,
    PartnerRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)
from chainhub.partners.visibility import (
    check_document_visible,
    check_hub_admin,
    check_may_administer,
    check_may_write,
)

router = APIRouter(prefix="/api/v1", tags=["partners"], responses=ERROR_RESPONSES)
KEEPALIVE_SECONDS: Final = 15.0


@router.get("/me", response_model=Me)
def get_me(principal: PrincipalDep) -> Me:
    """The caller: partner, user, role, and whether it leads the chain."""
    return Me(
        token_id=principal.token_id,
        partner_id=principal.partner_id,
        user_id=principal.user_id,
        role=principal.role,
        chain_leader=principal.chain_leader,
    )


@router.get("/partners", response_model=list[PartnerRead])
def get_partners(_caller: PrincipalDep, conn: ConnDep) -> list[PartnerRead]:
    """The directory of partners, which every partner sees."""
    return service.list_partners(conn=conn)


@router.get("/tokens", response_model=list[TokenRead])
def get_tokens(
    principal: PrincipalDep, conn: ConnDep, partner_id: str | None = None
) -> list[TokenRead]:
    """Tokens of the caller's partner (of any partner, for the hub admin), without secrets."""
    partner = partner_id if principal.is_hub_admin else principal.partner_id
    check_may_administer(principal=principal, partner_id=partner or "")
    return tokens.list_tokens(conn=conn, partner_id=partner)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(request: TokenCreate, principal: PrincipalDep, conn: ConnDep) -> TokenCreated:
    """Create a token; its secret is in this answer only."""
    partner = (
        request.partner_id
        if principal.is_hub_admin
        else (request.partner_id or principal.partner_id)
    )
    if request.role is Role.HUB_ADMIN or partner is None:
        check_hub_admin(principal=principal)
    else:
        check_may_administer(principal=principal, partner_id=partner)
    token = tokens.do_create_token(
        conn=conn,
        partner_id=partner,
        role=request.role,
        label=request.label,
        user=request.user,
        expires_in=timedelta(days=request.expires_in_days) if request.expires_in_days else None,
    )
    stored = tokens.get_token(conn=conn, token_id=tokens.get_token_id(token) or "")
    if stored is None:
        raise RuntimeError("a created token is missing")
    return TokenCreated(**stored.model_dump(), token=token)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: str, principal: PrincipalDep, conn: ConnDep) -> Response:
    """Revoke a token at once: the caller's own, or one of its partner as a partner admin."""
    token = tokens.get_token(conn=conn, token_id=token_id)
    if token_id != principal.token_id:
        if token is None or not (
            principal.is_hub_admin or token.partner_id == principal.partner_id
        ):
            raise ChainhubError(
                "token_not_found",
                f"no active token {token_id}",
                f"没有有效的令牌 {token_id}",
                status=404,
            )
        check_may_administer(principal=principal, partner_id=token.partner_id or "")
    tokens.do_revoke_token(conn=conn, token_id=token_id)
    return Response(status_code=204)


@router.get("/agreements", response_model=list[AgreementRead])
def get_agreements(principal: PrincipalDep, conn: ConnDep) -> list[AgreementRead]:
    """Sharing agreements the caller's partner is a side of."""
    return agreements.list_agreements(conn=conn, principal=principal)


@router.post("/agreements", response_model=AgreementRead, status_code=201)
def propose_agreement(
    proposal: AgreementCreate, principal: PrincipalDep, conn: ConnDep
) -> AgreementRead:
    """Propose sharing the grantor's documents with the grantee; the other side accepts."""
    return agreements.do_propose_agreement(conn=conn, principal=principal, proposal=proposal)


@router.get("/agreements/{agreement_id}", response_model=AgreementRead)
def get_agreement(agreement_id: str, principal: PrincipalDep, conn: ConnDep) -> AgreementRead:
    """One agreement the caller's partner is a side of."""
    return agreements.access_agreement(conn=conn, principal=principal, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/accept", response_model=AgreementRead)
def accept_agreement(agreement_id: str, principal: PrincipalDep, conn: ConnDep) -> AgreementRead:
    """Accept a proposal made by the other side; it applies at once."""
    return agreements.do_accept_agreement(conn=conn, principal=principal, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/revoke", response_model=AgreementRead)
def revoke_agreement(agreement_id: str, principal: PrincipalDep, conn: ConnDep) -> AgreementRead:
    """Revoke an agreement, or withdraw a proposal; it stops applying at once."""
    return agreements.do_revoke_agreement(conn=conn, principal=principal, agreement_id=agreement_id)


@router.get("/subscriptions", response_model=list[SubscriptionRead])
def get_subscriptions(principal: PrincipalDep, conn: ConnDep) -> list[SubscriptionRead]:
    """Webhook subscriptions of the caller's partner (all, for the hub admin)."""
    return webhooks.list_subscriptions(
        conn=conn, partner_id=None if principal.is_hub_admin else principal.partner_id
    )


@router.post("/subscriptions", response_model=SubscriptionCreated, status_code=201)
def create_subscription(
    subscription: SubscriptionCreate,
    principal: PrincipalDep,
    conn: ConnDep,
    settings: SettingsDep,
) -> SubscriptionCreated:
    """Subscribe to events; the answer holds the signing secret, once."""
    partner = check_may_write(principal=principal)
    check_may_administer(principal=principal, partner_id=partner)
    return webhooks.do_create_subscription(
        conn=conn,
        partner_id=partner,
        subscription=subscription,
        allowed_hosts=settings.webhook_allowed_hosts,
    )


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: str, principal: PrincipalDep, conn: ConnDep) -> Response:
    """Stop a subscription."""
    found = webhooks.access_subscription(
        conn=conn, principal=principal, subscription_id=subscription_id
    )
    check_may_administer(principal=principal, partner_id=found.partner_id)
    webhooks.do_revoke_subscription(conn=conn, subscription_id=subscription_id)
    return Response(status_code=204)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryRead])
def get_deliveries(
    subscription_id: str, principal: PrincipalDep, conn: ConnDep
) -> list[DeliveryRead]:
    """The delivery log of a subscription, newest first."""
    webhooks.access_subscription(conn=conn, principal=principal, subscription_id=subscription_id)
    return webhooks.list_deliveries(conn=conn, subscription_id=subscription_id)


@router.get("/audit", response_model=AuditPage)
def get_audit(
    principal: PrincipalDep,
    conn: ConnDep,
    partner_id: str | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> AuditPage:
    """The audit log, newest first (hub admin)."""
    check_hub_admin(principal=principal)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    entries = audit.list_audit(
        conn=conn, partner_id=partner_id, since=since, limit=limit, offset=offset
    )
    return AuditPage(entries=entries, limit=limit, offset=offset)


@router.get("/audit/verify", response_model=AuditVerification)
def verify_audit(
    principal: PrincipalDep, conn: ConnDep, settings: SettingsDep
) -> AuditVerification:
    """Recompute the audit chain and report the first entry that does not fit, and the first
    checkpoint of the hub's data dir it falls short of (hub admin)."""
    check_hub_admin(principal=principal)
    checkpoints = audit.list_hub_checkpoints(data_dir=settings.data_dir)
    return audit.check_audit_chain(conn=conn, checkpoints=checkpoints)


def _may_see(engine: Engine, token: str, event: HubEvent) -> bool | None:
    """Whether the stream's caller may see the event's document; None once its token is void."""
    with engine.connect() as conn:
        try:
            principal = tokens.access_principal(conn=conn, token=token)
        except ChainhubError:
            return None
        return check_document_visible(
            conn=conn,
            principal=principal,
            document_type=event.document_type,
            doc_key=event.doc_key,
            today=datetime.now(UTC).date(),
        )


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}},
)
async def stream_events(
    request: Request,
    _caller: PrincipalDep,
    max_events: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    timeout: Annotated[float, Query(gt=0, le=86_400)] = 3600.0,
) -> StreamingResponse:
    """Server-sent events of document changes the caller may see, for the dashboard."""
    runtime: HubRuntime = request.app.state.runtime
    engine: Engine = request.app.state.engine
    token = get_request_token(request) or ""
    queue = runtime.broker.subscribe()

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        deadline, sent = loop.time() + timeout, 0
        try:
            yield ": connected\n\n"
            while (remaining := deadline - loop.time()) > 0:
                try:
                    event = await asyncio.wait_for(queue.get(), min(KEEPALIVE_SECONDS, remaining))
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                visible = await run_in_threadpool(_may_see, engine, token, event)
                if visible is None:
                    return
                if visible:
                    yield f"event: {event.event.value}\ndata: {event.model_dump_json()}\n\n"
                    sent += 1
                    if max_events is not None and sent >= max_events:
                        return
        finally:
            runtime.broker.unsubscribe(queue)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
