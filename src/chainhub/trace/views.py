"""The EPCIS 2.0 REST binding at /epcis: capture (JSON/JSON-LD or XML), capture jobs, the event
query and the top-level resources, answering EPCISQueryDocuments in JSON or, asked, XML.

Every read goes through the trace visibility rule of partners.visibility; captures need a
writer role.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from chainhub.access.schemas import Principal
from chainhub.access.tokens import access_principal
from chainhub.api.deps import ConnDep, ContextDep, LanguageDep, PrincipalDep, get_request_token
from chainhub.api.params import check_query_names
from chainhub.api.responses import ERROR_RESPONSES, ErrorDetail
from chainhub.api.runtime import HubRuntime
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import check_may_write
from chainhub.trace.bulk import Refused, packed_capture, prepared_from
from chainhub.trace.openapi import CAPTURE_DOCUMENT
from chainhub.trace.prepare import Format, Packed, collector_paused, parsed_document
from chainhub.trace.query import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    PAGE_TOKEN_PATTERN,
    access_event,
    decode_token,
    encode_token,
    list_events,
    list_values,
    parse_query,
)
from chainhub.trace.results import (
    EPCIS_CONTEXT,
    event_document,
    query_document,
    query_document_xml,
)
from chainhub.trace.schemas import CaptureJob, InvalidDocumentBody, ProblemRead
from chainhub.trace.service import (
    Capture,
    access_capture,
    do_capture,
    do_store_capture,
    list_captures,
)
from chainhub.trace.validation import DocumentInvalidError
from chainhub.trace.xml_binding import EVENT_TYPES

router = APIRouter(prefix="/epcis", tags=["EPCIS"], responses=ERROR_RESPONSES)

VERSION_HEADERS: Final = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
_JSON_TYPES: Final = ("application/json", "application/ld+json")
_XML_TYPES: Final = ("application/xml", "text/xml")
# Bodies from this many bytes (about 2,000 events) are prepared in the runtime's worker
# processes. The hand-over costs this process a tenth of the preparation's CPU or less (2 ms
# instead of 19 for 100 events, 5 instead of 66 for 2,000, measured), but adds a few ms of
# wall time and, while the workers are busy, a wait behind larger bodies; a smaller body, whose
# preparation holds the interpreter's lock for some tens of ms, is prepared here.
_ASIDE_FROM: Final = 1_000_000
RESULTS_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "An EPCISQueryDocument; more pages are linked in the Link header",
        "content": {"application/json": {}, "application/xml": {}},
    }
}
# Top-level resources: path segment, path parameter, query parameter, indexed column.
_RESOURCES: Final = (
    ("bizSteps", "bizStep", "EQ_bizStep", "biz_step"),
    ("bizLocations", "bizLocation", "EQ_bizLocation", "biz_location"),
    ("readPoints", "readPoint", "EQ_readPoint", "read_point"),
    ("dispositions", "disposition", "EQ_disposition", "disposition"),
)
# The event queries read the binding's parameters themselves (and refuse what they do not
# know); every other operation takes only the parameters it declares.
DECLARED_ONLY: Final = [Depends(check_query_names)]
PerPage = Annotated[int, Query(alias="perPage", ge=1, le=MAX_PER_PAGE)]
NextPageToken = Annotated[str | None, Query(alias="nextPageToken", pattern=PAGE_TOKEN_PATTERN)]


async def _body(request: Request) -> bytes:
    return await request.body()


def _malformed(en: str, zh: str, status: int = 400) -> ChainhubError:
    return ChainhubError("epcis_malformed", en, zh, {"field": "body"}, status)


def _format(content_type: str) -> Format:
    """The format of a capture request's body, by its media type."""
    media = content_type.split(";")[0].strip().lower()
    if media in _XML_TYPES or media.endswith("+xml"):
        return "xml"
    if media in _JSON_TYPES or media.endswith("+json"):
        return "json"
    raise ChainhubError(
        "unsupported_media_type",
        "send an EPCIS document as application/json, application/ld+json or application/xml",
        "请以 application/json、application/ld+json 或 application/xml 发送 EPCIS 文档",
        {"header": "Content-Type"},
        415,
    )


def _captured_here(conn: Connection, body: bytes, form: Format, partner_id: str) -> Capture:
    read = parsed_document(body, form)
    return do_capture(conn=conn, document=read.document, partner_id=partner_id, xml=read.xml,
                      xml_tree=read.xml_tree)  # fmt: skip


def _stored(conn: Connection, result: Packed | Refused, partner_id: str) -> Capture:
    with collector_paused():
        prepared = prepared_from(result)
        return do_store_capture(conn=conn, prepared=prepared, partner_id=partner_id,
                                publish=True)  # fmt: skip


@dataclass(frozen=True)
class _Ahead:
    """A capture body prepared by a worker for a partner: packed, or why it was refused."""

    partner_id: str
    result: Packed | Refused


def _capturer(engine: Engine, token: str) -> str | None:
    """The partner whose token this is, if it may capture; else None (the request's own
    dependencies refuse the caller, and audit it)."""
    with engine.connect() as conn:
        try:
            return check_may_write(principal=access_principal(conn=conn, token=token))
        except ChainhubError:
            return None


async def _prepared_ahead(
    request: Request, body: Annotated[bytes, Depends(_body)]
) -> _Ahead | None:
    """A large body of a caller who may capture, prepared in a worker process of the runtime's
    before the request takes its connection (and, on DuckDB, its turn to write): the event
    loop awaits it, no thread here holds the interpreter's lock for it, and other requests,
    writes too, go on meanwhile. None for a small body (prepared here, sooner than handed
    over), a caller who may not capture, an unknown media type, or no workers."""
    runtime: HubRuntime = request.app.state.runtime
    token = get_request_token(request)
    if len(body) < _ASIDE_FROM or token is None or runtime.preparers.workers < 1:
        return None
    try:
        form = _format(request.headers.get("content-type", ""))
    except ChainhubError:
        return None  # refused by the route, once the caller is known
    partner_id = await run_in_threadpool(_capturer, request.app.state.engine, token)
    if partner_id is None:
        return None
    future = runtime.preparers.submit(packed_capture, body, form, partner_id,
                                      str(uuid.uuid4()), datetime.now(UTC))  # fmt: skip
    if future is None:
        return None
    try:
        return _Ahead(partner_id, await asyncio.wrap_future(future))
    except BrokenProcessPool:
        return None  # a worker died (or could not start): the body is prepared here


@router.post(
    "/capture",
    status_code=202,
    dependencies=DECLARED_ONLY,
    summary="Capture an EPCIS document (JSON/JSON-LD or XML), all its events or none",
    response_model=CaptureJob,
    responses={
        202: {"description": "Captured; Location names the capture job"},
        400: {"model": InvalidDocumentBody, "description": "Invalid: every problem located"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CAPTURE_DOCUMENT},
                "application/ld+json": {"schema": CAPTURE_DOCUMENT},
                "application/xml": {
                    "schema": {
                        "type": "string",
                        "description": "An EPCISDocument as the EPCIS 2.0 XSD states it",
                    }
                },
            },
        }
    },
)
async def capture(
    request: Request,
    body: Annotated[bytes, Depends(_body)],
    # Before the caller's connection: resolved in this order.
    ahead: Annotated[_Ahead | None, Depends(_prepared_ahead)],
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
    lang: LanguageDep,
) -> Response:
    """Check the whole document and store each event once (by its CBV 2.0 hash ID)."""
    partner_id = check_may_write(principal=principal)
    form = _format(request.headers.get("content-type", ""))
    try:
        if ahead is not None and ahead.partner_id == partner_id:
            captured = await run_in_threadpool(_stored, conn, ahead.result, partner_id)
        else:
            captured = await run_in_threadpool(_captured_here, conn, body, form, partner_id)
    except DocumentInvalidError as exc:
        context.status, context.outcome = 400, exc.code
        rejected = InvalidDocumentBody(
            error=ErrorDetail(code=exc.code, message=exc.message(lang), location=exc.location),
            problems=[ProblemRead(**p.as_dict(lang)) for p in exc.problems],
        )
        return JSONResponse(rejected.model_dump(mode="json"), 400, headers=VERSION_HEADERS)
    context.outcome = "stored" if captured.stored_count else "duplicate"
    context.documents.append(f"epcis_capture/{captured.capture_id}")
    context.events.extend(captured.events)
    job = await run_in_threadpool(access_capture, conn=conn, principal=principal,
                                  capture_id=captured.capture_id)  # fmt: skip
    return JSONResponse(
        job.model_dump(mode="json"),
        202,
        headers={**VERSION_HEADERS, "Location": f"/epcis/capture/{captured.capture_id}"},
    )


@router.get(
    "/capture", summary="The caller's capture jobs, newest first",
    response_model=list[CaptureJob], dependencies=DECLARED_ONLY,
)  # fmt: skip
def capture_jobs(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    per_page: PerPage = DEFAULT_PER_PAGE,
    next_page_token: NextPageToken = None,
) -> JSONResponse:
    """Capture jobs of the caller's partner (every job, for the hub admin and chain leader)."""
    before = decode_token(next_page_token) if next_page_token else None
    jobs = list_captures(conn=conn, principal=principal, limit=per_page + 1, before=before)
    headers = dict(VERSION_HEADERS)
    if len(jobs) > per_page:
        last = jobs[per_page - 1]
        headers["Link"] = next_link(request, encode_token(last.created_at, last.capture_id))
    page = [job.model_dump(mode="json") for job in jobs[:per_page]]
    return JSONResponse(page, headers=headers)


@router.get("/capture/{captureID}", summary="A capture job", dependencies=DECLARED_ONLY)
def capture_job(
    capture_id: Annotated[str, Path(alias="captureID")],
    principal: PrincipalDep,
    conn: ConnDep,
    response: Response,
) -> CaptureJob:
    """The state of a capture job of the caller's partner."""
    response.headers.update(VERSION_HEADERS)
    return access_capture(conn=conn, principal=principal, capture_id=capture_id)


def next_link(request: Request, token: str) -> str:
    url = request.url.remove_query_params("nextPageToken").include_query_params(nextPageToken=token)
    return f'<{url.path}?{url.query}>; rel="next"'


def wants_xml(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return any(t in accept for t in _XML_TYPES) and "json" not in accept.split(",")[0]


def _params(request: Request, fixed: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    for key, value in (fixed or {}).items():
        params[key] = [value]
    return params


def _events_answer(
    request: Request,
    conn: ConnDep,
    principal: Principal,
    fixed: Mapping[str, str] | None = None,
    identifiers: Sequence[str] = (),
) -> Response:
    query = parse_query(_params(request, fixed))
    page = list_events(conn=conn, principal=principal, query=query, identifiers=identifiers)
    headers = dict(VERSION_HEADERS)
    if page.next_token is not None:
        headers["Link"] = next_link(request, page.next_token)
    if wants_xml(request):
        return Response(query_document_xml(page.events), 200, headers, "application/xml")
    return JSONResponse(query_document(page.events), 200, headers)


_QUERY_DESCRIPTION: Final = (
    "Parameters of the binding's simple event query: eventType, GE_/LT_eventTime, "
    "GE_/LT_recordTime, EQ_action, EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation, "
    "MATCH_epc, MATCH_anyEPC, MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, MATCH_epcClass, "
    "MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass, EQ_/GT_/GE_/LT_/LE_quantity, "
    "perPage, nextPageToken; values of one parameter are separated by `|`."
)


@router.get(
    "/events", summary="Events the caller may see", description=_QUERY_DESCRIPTION,
    responses=RESULTS_RESPONSES,
)  # fmt: skip
def events(request: Request, principal: PrincipalDep, conn: ConnDep) -> Response:
    """The simple event query over every visible event."""
    return _events_answer(request, conn, principal)


@router.get(
    "/events/{eventID:path}", summary="One event by its eventID or hash ID",
    dependencies=DECLARED_ONLY,
)  # fmt: skip
def event(
    request: Request,
    event_id: Annotated[str, Path(alias="eventID")],
    principal: PrincipalDep,
    conn: ConnDep,
) -> Response:
    """The event, if the caller may see it."""
    found = access_event(conn=conn, principal=principal, event_id=event_id)
    if wants_xml(request):
        return Response(query_document_xml([found]), 200, VERSION_HEADERS, "application/xml")
    return JSONResponse(event_document(found), 200, VERSION_HEADERS)


@router.get(
    "/epcs/{epc:path}/events", summary="Events naming an identifier in any role",
    description=_QUERY_DESCRIPTION, responses=RESULTS_RESPONSES,
)  # fmt: skip
def epc_events(request: Request, epc: str, principal: PrincipalDep, conn: ConnDep) -> Response:
    """Events naming the EPC or EPC class (URN or Digital Link alike)."""
    return _events_answer(request, conn, principal, identifiers=[epc])


def _collection(members: Sequence[str]) -> dict[str, Any]:
    return {"@context": [EPCIS_CONTEXT], "type": "Collection", "member": list(members)}


@router.get("/eventTypes", summary="The event types", dependencies=DECLARED_ONLY)
def event_types(principal: PrincipalDep) -> JSONResponse:
    """The five EPCIS 2.0 event types."""
    del principal  # the caller must be known, as on every EPCIS resource
    return JSONResponse(_collection(EVENT_TYPES), headers=VERSION_HEADERS)


@router.get(
    "/eventTypes/{eventType}/events", summary="Events of one type",
    description=_QUERY_DESCRIPTION, responses=RESULTS_RESPONSES,
)  # fmt: skip
def event_type_events(
    request: Request,
    event_type: Annotated[str, Path(alias="eventType")],
    principal: PrincipalDep,
    conn: ConnDep,
) -> Response:
    """Visible events of the type."""
    return _events_answer(request, conn, principal, {"eventType": event_type})


def _add_resource(segment: str, name: str, parameter: str, column: str) -> None:
    def members(principal: PrincipalDep, conn: ConnDep) -> JSONResponse:
        values = list_values(conn=conn, principal=principal, column=column)
        return JSONResponse(_collection(values), headers=VERSION_HEADERS)

    def events_of(request: Request, value: str, principal: PrincipalDep, conn: ConnDep) -> Response:
        return _events_answer(request, conn, principal, {parameter: value})

    # Declared, so the published path names its parameter; set here since the name varies.
    events_of.__annotations__["value"] = Annotated[str, Path(alias=name)]

    router.add_api_route(
        f"/{segment}", members, methods=["GET"], summary=f"The {segment} of visible events",
        name=f"{segment}", operation_id=f"list_{segment}", dependencies=DECLARED_ONLY,
    )  # fmt: skip
    router.add_api_route(
        f"/{segment}/{{{name}:path}}/events", events_of, methods=["GET"],
        summary=f"Events at one of the {segment}", description=_QUERY_DESCRIPTION,
        responses=RESULTS_RESPONSES, name=f"{name}_events", operation_id=f"{name}_events",
    )  # fmt: skip


for _resource in _RESOURCES:
    _add_resource(*_resource)
