"""The EPCIS REST binding's named queries and their webhook subscriptions, under /epcis/queries.

Named queries belong to the caller's partner (see trace.named_queries); the hub admin lists
every partner's but addresses none by name. Webhook subscriptions stream or run on a schedule;
a WebSocket subscription is answered 501.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from chainhub.api.deps import ConnDep, PrincipalDep, SettingsDep
from chainhub.api.responses import ERROR_RESPONSES, ErrorBody
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import check_may_administer, check_may_write
from chainhub.trace.named_queries import (
    WEBSOCKET_PARAMETERS,
    access_query,
    access_query_subscription,
    as_parameters,
    do_create_query,
    do_delete_query,
    do_subscribe,
    do_unsubscribe,
    list_queries,
    list_query_subscriptions,
)
from chainhub.trace.query import (
    DEFAULT_PER_PAGE,
    decode_token,
    encode_token,
    list_events,
    parse_query,
)
from chainhub.trace.results import query_document, query_document_xml
from chainhub.trace.schemas import (
    QUERY_NAME_PATTERN,
    NamedQueryCreate,
    NamedQueryRead,
    QuerySubscriptionCreate,
    QuerySubscriptionRead,
)
from chainhub.trace.views import (
    DECLARED_ONLY,
    RESULTS_RESPONSES,
    VERSION_HEADERS,
    NextPageToken,
    PerPage,
    next_link,
    wants_xml,
)

router = APIRouter(prefix="/epcis/queries", tags=["EPCIS"], responses=ERROR_RESPONSES)

QueryName = Annotated[str, Path(alias="queryName", pattern=QUERY_NAME_PATTERN)]
SubscriptionID = Annotated[str, Path(alias="subscriptionID", max_length=64)]
_NOT_IMPLEMENTED: Final[dict[int | str, dict[str, Any]]] = {
    501: {"model": ErrorBody, "description": "A WebSocket subscription: not supported"}
}
_PAGING: Final = ("perPage", "nextPageToken")


def _page_headers(request: Request, token: str | None) -> dict[str, str]:
    headers = dict(VERSION_HEADERS)
    if token is not None:
        headers["Link"] = next_link(request, token)
    return headers


@router.post(
    "", status_code=201, summary="Create a named query of the caller's partner",
    dependencies=DECLARED_ONLY,
    responses={201: {"description": "Created; Location names the query"}},
)  # fmt: skip
def create_query(created: NamedQueryCreate, principal: PrincipalDep, conn: ConnDep) -> JSONResponse:
    """Store the query under its name (409 if the partner has one of that name)."""
    partner_id = check_may_write(principal=principal)
    stored = do_create_query(conn=conn, partner_id=partner_id, created=created)
    headers = {**VERSION_HEADERS, "Location": f"/epcis/queries/{stored.name}"}
    return JSONResponse(stored.model_dump(mode="json", exclude_none=True), 201, headers)


@router.get(
    "", summary="Named queries of the caller's partner", response_model=list[NamedQueryRead],
    dependencies=DECLARED_ONLY,
)  # fmt: skip
def queries(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    per_page: PerPage = DEFAULT_PER_PAGE,
    next_page_token: NextPageToken = None,
) -> JSONResponse:
    """The caller's partner's named queries, oldest first (every partner's, for the hub admin)."""
    after = decode_token(next_page_token) if next_page_token else None
    found = list_queries(conn=conn, principal=principal, limit=per_page + 1, after=after)
    token = None
    if len(found) > per_page:
        when, last = found[per_page - 1]
        token = encode_token(when, f"{last.partner_id or principal.partner_id}/{last.name}")
    page = [q.model_dump(mode="json", exclude_none=True) for _when, q in found[:per_page]]
    return JSONResponse(page, headers=_page_headers(request, token))


@router.get("/{queryName}", summary="A named query's definition", dependencies=DECLARED_ONLY)
def query(name: QueryName, principal: PrincipalDep, conn: ConnDep) -> JSONResponse:
    """The named query of the caller's partner."""
    found = access_query(conn=conn, principal=principal, name=name)
    return JSONResponse(found.model_dump(mode="json", exclude_none=True), headers=VERSION_HEADERS)


@router.delete(
    "/{queryName}", status_code=204, summary="Remove a named query and its subscriptions",
    dependencies=DECLARED_ONLY,
)  # fmt: skip
def delete_query(name: QueryName, principal: PrincipalDep, conn: ConnDep) -> Response:
    """Remove the query; every subscription to it ends."""
    partner_id = check_may_write(principal=principal)
    access_query(conn=conn, principal=principal, name=name)
    do_delete_query(conn=conn, partner_id=partner_id, name=name)
    return Response(status_code=204, headers=VERSION_HEADERS)


def _refuse_websocket(request: Request) -> None:
    asked = sorted(WEBSOCKET_PARAMETERS & set(request.query_params))
    if request.headers.get("upgrade", "").lower() == "websocket" or asked:
        raise ChainhubError(
            "epcis_websocket_unsupported",
            "WebSocket query subscriptions are not supported; POST a webhook subscription with "
            '"stream": true to /epcis/queries/{queryName}/subscriptions',
            "不支持 WebSocket 查询订阅；请向 /epcis/queries/{queryName}/subscriptions "
            '提交 "stream": true 的 webhook 订阅',
            {"parameter": asked[0] if asked else "Upgrade"},
            501,
        )


@router.get(
    "/{queryName}/events", summary="Run a named query with the caller's visibility",
    responses={**RESULTS_RESPONSES, **_NOT_IMPLEMENTED},
)  # fmt: skip
def query_events(
    request: Request, name: QueryName, principal: PrincipalDep, conn: ConnDep
) -> Response:
    """The events the named query selects that the caller may see now, one page at a time."""
    _refuse_websocket(request)
    found = access_query(conn=conn, principal=principal, name=name)
    params = as_parameters(found.query)
    for key, value in request.query_params.multi_items():
        # A named query is the whole query: only the page is asked in the URL.
        if key not in _PAGING:
            raise ChainhubError(
                "epcis_query_invalid",
                f"{key} cannot be added to a named query; ask perPage and nextPageToken only",
                f"命名查询不能追加 {key}；只能指定 perPage 和 nextPageToken",
                {"parameter": key},
                400,
            )
        params[key] = [value]
    page = list_events(conn=conn, principal=principal, query=parse_query(params))
    headers = _page_headers(request, page.next_token)
    if wants_xml(request):
        xml = query_document_xml(page.events, query_name=name)
        return Response(xml, 200, headers, "application/xml")
    return JSONResponse(query_document(page.events, query_name=name), 200, headers)


@router.post(
    "/{queryName}/subscriptions", status_code=201, summary="Subscribe a webhook to a named query",
    dependencies=DECLARED_ONLY,
    responses={201: {"description": "Subscribed; Location names the subscription"}},
)  # fmt: skip
def subscribe(
    name: QueryName,
    created: QuerySubscriptionCreate,
    principal: PrincipalDep,
    conn: ConnDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Send to `dest` each capture's events that the query selects (stream), or at each time of
    the schedule the events recorded since the last report; only those the partner may see."""
    partner_id = check_may_write(principal=principal)
    check_may_administer(principal=principal, partner_id=partner_id)
    access_query(conn=conn, principal=principal, name=name)
    subscription = do_subscribe(
        conn=conn,
        partner_id=partner_id,
        name=name,
        created=created,
        allowed_hosts=settings.webhook_allowed_hosts,
    )
    location = f"/epcis/queries/{name}/subscriptions/{subscription.subscription_id}"
    body = subscription.model_dump(mode="json", exclude_none=True)
    return JSONResponse(body, 201, {**VERSION_HEADERS, "Location": location})


@router.get(
    "/{queryName}/subscriptions", summary="Active subscriptions to a named query",
    response_model=list[QuerySubscriptionRead], dependencies=DECLARED_ONLY,
)  # fmt: skip
def subscriptions(
    request: Request,
    name: QueryName,
    principal: PrincipalDep,
    conn: ConnDep,
    per_page: PerPage = DEFAULT_PER_PAGE,
    next_page_token: NextPageToken = None,
) -> JSONResponse:
    """The query's active subscriptions, oldest first."""
    access_query(conn=conn, principal=principal, name=name)
    after = decode_token(next_page_token) if next_page_token else None
    found = list_query_subscriptions(
        conn=conn, partner_id=str(principal.partner_id), name=name, limit=per_page + 1, after=after
    )
    token = None
    if len(found) > per_page:
        last = found[per_page - 1]
        token = encode_token(last.created_at, last.subscription_id)
    page = [s.model_dump(mode="json", exclude_none=True) for s in found[:per_page]]
    return JSONResponse(page, headers=_page_headers(request, token))


@router.get(
    "/{queryName}/subscriptions/{subscriptionID}", summary="One subscription",
    dependencies=DECLARED_ONLY,
)  # fmt: skip
def subscription(
    name: QueryName, subscription_id: SubscriptionID, principal: PrincipalDep, conn: ConnDep
) -> JSONResponse:
    """A subscription to the caller's partner's named query, while it is active."""
    found = access_query_subscription(
        conn=conn, principal=principal, name=name, subscription_id=subscription_id
    )
    return JSONResponse(found.model_dump(mode="json", exclude_none=True), headers=VERSION_HEADERS)


@router.delete(
    "/{queryName}/subscriptions/{subscriptionID}", status_code=204, summary="Unsubscribe",
    dependencies=DECLARED_ONLY,
)  # fmt: skip
def unsubscribe(
    name: QueryName, subscription_id: SubscriptionID, principal: PrincipalDep, conn: ConnDep
) -> Response:
    """End the subscription; deliveries not yet sent are dropped."""
    partner_id = check_may_write(principal=principal)
    check_may_administer(principal=principal, partner_id=partner_id)
    access_query_subscription(
        conn=conn, principal=principal, name=name, subscription_id=subscription_id
    )
    do_unsubscribe(conn=conn, subscription_id=subscription_id)
    return Response(status_code=204, headers=VERSION_HEADERS)
