"""Typed dependencies shared by every router: settings, language, the caller, and a transaction
per request that records the request in the audit log.

A write is audited inside its own transaction, so the change and its record commit together;
a read, and any request that failed, is audited by the audit writer's thread, in batches.
Either way the request is answered once its entry is committed. Events of committed changes
go to the event stream and the webhook worker only after the commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Final

import anyio
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, HTTPException, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from chainhub.access.audit import AuditRecord, defer_audit, end_request_state, set_audit_key
from chainhub.access.schemas import Principal
from chainhub.access.tokens import access_kept_principal, access_principal, get_token_id
from chainhub.api.language import get_request_language
from chainhub.api.limits import HubBusyError, hub_busy
from chainhub.api.runtime import HubRuntime
from chainhub.errors import ChainhubError, Language
from chainhub.events.reactions import set_reactions
from chainhub.events.schemas import HubEvent
from chainhub.settings import Settings
from chainhub.storage.engine import get_autocommit, start_autocommit, start_read_cache

TOKEN_COOKIE: Final = "chainhub_token"  # noqa: S105 - the cookie's name, not a secret
_READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
# Declares the API's one scheme in the OpenAPI (so /docs has an Authorize button, and every
# operation that needs a caller lists it); the token itself is read by get_request_token.
BEARER: Final = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="chk_<id>_<secret>",
    description="An API token (`chainhub token create`, or the token API): "
    "`Authorization: Bearer <token>`",
)


@dataclass
class RequestContext:
    """What a request learns on its way, for its audit entry and its after-commit effects."""

    principal: Principal | None = None
    claimed_token_id: str | None = None
    documents: list[str] = field(default_factory=list)
    events: list[HubEvent] = field(default_factory=list)
    status: int | None = None
    outcome: str | None = None
    # Set by AUTOCOMMIT_READ: the read's statements need not see one snapshot.
    autocommit: bool = False


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _context(request: Request) -> RequestContext:
    context = getattr(request.state, "chainhub", None)
    if context is None:
        context = request.state.chainhub = RequestContext()
    return context


def _record(request: Request, context: RequestContext, status: int, outcome: str) -> AuditRecord:
    route = request.scope.get("route")
    principal = context.principal
    query: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        query.setdefault(key, []).append(value)
    target: dict[str, object] = {"path": request.url.path, "query": query}
    if context.documents:
        target["documents"] = context.documents
    return AuditRecord(
        action=f"{request.method} {getattr(route, 'path', request.url.path)}",
        status=context.status or status,
        outcome=context.outcome or outcome,
        partner_id=principal.partner_id if principal else None,
        user_id=principal.user_id if principal else None,
        token_id=principal.token_id if principal else context.claimed_token_id,
        target=target,
    )


def _failure(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, ChainhubError):
        return exc.status, exc.code
    if isinstance(exc, RequestValidationError):
        return 422, "invalid_request"
    if isinstance(exc, HTTPException):
        return exc.status_code, "http_error"
    return 500, "internal_error"


@contextmanager
def _transaction(request: Request, context: RequestContext, write: bool) -> Iterator[Connection]:
    """The request's connection in a transaction, committed with a write's audit entry (in a
    worker thread: it may wait for the write lock and the database)."""
    engine: Engine = request.app.state.engine
    runtime: HubRuntime = request.app.state.runtime
    route_status = getattr(request.scope.get("route"), "status_code", None) or 200
    settings = _settings(request)
    locked = write and engine.dialect.name == "duckdb"
    if locked and not runtime.write_lock.acquire(timeout=settings.queue_timeout):
        raise hub_busy(settings.queue_timeout)
    try:
        with engine.connect() as conn:
            set_audit_key(conn=conn, key=settings.audit_key.get_secret_value())
            deferred = defer_audit(conn=conn)
            set_reactions(conn=conn, reactions=runtime.reactions)
            if not write:
                start_read_cache(conn=conn)
                if context.autocommit:
                    start_autocommit(conn=conn)
            try:
                conn.begin()
                yield conn
                if write:
                    record = _record(request, context, route_status, "ok")
                    runtime.audit.commit(conn=conn, records=[*deferred, record])
                else:
                    conn.commit()
            finally:
                # `info` belongs to the pooled connection: nothing of this request outlives it.
                end_request_state(conn=conn)
    finally:
        if locked:
            runtime.write_lock.release()


@asynccontextmanager
async def _in_threads(cm: AbstractContextManager[Connection]) -> AsyncIterator[Connection]:
    """FastAPI's `contextmanager_in_threadpool` for a request's transaction, except that a
    transaction under autocommit ends on the loop, a worker-thread hop fewer: its end does
    no I/O (no COMMIT; its connection goes back to the pool, no rollback to run)."""
    # A limiter of its own: the end never waits for a worker thread (the pool's connections
    # would wait with it).
    exit_limiter = CapacityLimiter(1)
    conn = await run_in_threadpool(cm.__enter__)
    on_loop = get_autocommit(conn=conn)
    try:
        yield conn
    except BaseException as exc:
        if on_loop:
            ended = cm.__exit__(type(exc), exc, exc.__traceback__)
        else:
            with CancelScope(shield=True):
                ended = await anyio.to_thread.run_sync(
                    cm.__exit__, type(exc), exc, exc.__traceback__, limiter=exit_limiter
                )
        if not ended:
            raise
    else:
        if on_loop:
            cm.__exit__(None, None, None)
        else:
            with CancelScope(shield=True):
                await anyio.to_thread.run_sync(cm.__exit__, None, None, None, limiter=exit_limiter)


async def _conn(request: Request) -> AsyncIterator[Connection]:
    # A coroutine around the transaction's worker-thread steps, so that the wait for a
    # read's (or a failure's) audit entry holds no worker thread: its batch's commit wakes
    # the loop once for all the requests waiting on it.
    runtime: HubRuntime = request.app.state.runtime
    context = _context(request)
    write = request.method not in _READ_METHODS
    try:
        with nullcontext() if write else runtime.audit.reading():
            transaction = _transaction(request, context, write)
            async with _in_threads(transaction) as conn:
                yield conn
    except HubBusyError:
        raise  # no turn, nothing done: refused like the admission's 503, unaudited
    except Exception as exc:
        await runtime.audit.record(_record(request, context, *_failure(exc)))
        raise
    if not write:
        route_status = getattr(request.scope.get("route"), "status_code", None) or 200
        await runtime.audit.record(_record(request, context, route_status, "ok"))
    if context.events:
        runtime.broker.publish(context.events)
        runtime.worker.wake()


def get_request_token(request: Request) -> str | None:
    """The bearer token of the Authorization header, else the login cookie's."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(TOKEN_COOKIE) or None


ConnDep = Annotated[Connection, Depends(_conn, scope="function")]


async def _optional_principal(
    request: Request,
    conn: ConnDep,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> Principal | None:
    # A coroutine: a token kept in memory (DuckDB) is checked without a worker thread, a hop
    # fewer per request; any other is looked up in one.
    token = get_request_token(request)
    if token is None:
        return None
    context = _context(request)
    context.claimed_token_id = get_token_id(token)
    principal = access_kept_principal(conn=conn, token=token)
    if principal is None:
        principal = await run_in_threadpool(access_principal, conn=conn, token=token)
    context.principal = principal
    return principal


async def _page_principal(request: Request, conn: ConnDep) -> Principal | None:
    """A page's caller; an unknown, expired or revoked token is no caller: the page asks again."""
    try:
        return await _optional_principal(request, conn, None)
    except ChainhubError:
        return None


# The dependencies below that only read the request are coroutines: FastAPI runs a plain
# function dependency in a worker thread, a hop per dependency per request.
async def _principal(
    principal: Annotated[Principal | None, Depends(_optional_principal)],
) -> Principal:
    if principal is None:
        raise ChainhubError(
            "not_authenticated",
            "send an API token: Authorization: Bearer <token>",
            "请提供 API 令牌：Authorization: Bearer <令牌>",
            status=401,
        )
    return principal


async def _autocommit_read(request: Request) -> None:
    _context(request).autocommit = True


# Declared by a read route whose one statement that matters is its last (a document's rows,
# after the caller's token and grants, each true at a moment of the request): on DuckDB its
# statements then run without a transaction around them, which costs a BEGIN and a COMMIT.
# Resolved before the route's other dependencies, so before its connection's transaction.
AUTOCOMMIT_READ: Final = Depends(_autocommit_read)


async def _today() -> date:
    return datetime.now(UTC).date()


async def _request_settings(request: Request) -> Settings:
    return _settings(request)


async def _request_context(request: Request) -> RequestContext:
    return _context(request)


async def _request_language(request: Request) -> Language:
    return get_request_language(request)


async def current_time() -> datetime:
    """Now, in UTC (a dependency, so tests can fix the clock)."""
    return datetime.now(UTC)


SettingsDep = Annotated[Settings, Depends(_request_settings)]
LanguageDep = Annotated[Language, Depends(_request_language)]
ContextDep = Annotated[RequestContext, Depends(_request_context)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(_optional_principal)]
PagePrincipalDep = Annotated[Principal | None, Depends(_page_principal)]
TodayDep = Annotated[date, Depends(_today)]
NowDep = Annotated[datetime, Depends(current_time)]
