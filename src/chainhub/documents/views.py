"""Document endpoints: submit (JSON batches per type, files), list, read, history, overview."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model

from chainhub.api.deps import (
    ConnDep,
    ContextDep,
    LanguageDep,
    PrincipalDep,
    RequestContext,
    TodayDep,
)
from chainhub.api.responses import ERROR_RESPONSES, ErrorBody, ErrorDetail
from chainhub.documents import overview as overview_service
from chainhub.documents import service
from chainhub.documents.schemas import (
    DocumentHistory,
    DocumentRead,
    Overview,
    RecordPage,
    SubmissionOutcome,
)
from chainhub.errors import ChainhubError, Language
from chainhub.intake.schemas import load_profile
from chainhub.partners.visibility import check_may_submit
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.storage.schemas import SubmissionRead
from chainhub.storage.service import list_submissions

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=ERROR_RESPONSES)

DocumentTypeName = StrEnum(  # type: ignore[misc]
    "DocumentTypeName", {name: name for name in DOCUMENT_TYPES}
)
_STATUS = {"stored": 201, "partial": 201, "duplicate": 200, "rejected": 422}
MAX_OFFSET = 1_000_000_000
ALREADY_STORED: dict[int | str, dict[str, Any]] = {
    200: {"model": SubmissionOutcome, "description": "Already stored: nothing new"}
}
AcceptValid = Annotated[
    bool,
    Query(
        description="Store the documents that pass and quarantine "
        "the others, instead of rejecting the batch"
    ),
]


def _parse_filters(filters: list[str]) -> dict[str, str]:
    parsed = {}
    for item in filters:
        name, sep, value = item.partition(":")
        if not sep or not name:
            raise ChainhubError(
                "bad_filter",
                f"filter {item!r} is not field:value",
                f"筛选条件 {item!r} 不是 字段:值 的形式",
                {"filter": item},
            )
        parsed[name] = value
    return parsed


def _answer(
    outcome: SubmissionOutcome,
    events: list[Any],
    context: RequestContext,
    response: Response,
    lang: Language,
) -> SubmissionOutcome | JSONResponse:
    """The outcome with its status; a rejection is an error body carrying the outcome."""
    status = _STATUS[outcome.status]
    context.status, context.outcome = status, f"submission_{outcome.status}"
    context.events.extend(events)
    if outcome.submission_id:
        context.documents.append(f"submission/{outcome.submission_id}")
    if outcome.status != "rejected":
        response.status_code = status
        return outcome
    first = outcome.issues[0] if outcome.issues else None
    location: dict[str, str | int] = (
        {
            k: v
            for k, v in (
                ("document", first.document),
                ("line", first.line),
                ("row", first.row),
                ("field", first.field),
            )
            if v is not None
        }
        if first
        else {}
    )
    message = (
        f"{outcome.rows} rows checked, {len(outcome.issues)} problems; nothing was stored"
        if lang == "en"
        else f"已检查 {outcome.rows} 行，发现 {len(outcome.issues)} 个问题；未入库"
    )
    body = ErrorBody(
        error=ErrorDetail(code="submission_rejected", message=message, location=location),
        outcome=outcome,
    )
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


def _submit_endpoint(document_type: str) -> Callable[..., Any]:
    doc_type = DOCUMENT_TYPES[document_type]
    batch: type[BaseModel] = create_model(
        f"{doc_type.model.__name__}Batch",
        documents=(
            list[doc_type.model],  # type: ignore[name-defined]
            Field(min_length=1, max_length=10_000, description=f"{doc_type.title_en} documents"),
        ),
    )

    def submit(
        body: Any,
        response: Response,
        principal: Any,
        conn: Any,
        context: Any,
        lang: Any,
        accept_valid: Any = False,
    ) -> SubmissionOutcome | JSONResponse:
        outcome, events = service.do_submit_documents(
            conn=conn,
            principal=principal,
            document_type=document_type,
            documents=body.documents,
            lang=lang,
            now=datetime.now(UTC),
            accept_valid=accept_valid,
        )
        return _answer(outcome, events, context, response, lang)

    # The body's model is made per type at run time, so the signature is given as objects.
    submit.__annotations__ = {
        "body": batch,
        "response": Response,
        "principal": PrincipalDep,
        "conn": ConnDep,
        "context": ContextDep,
        "lang": LanguageDep,
        "accept_valid": AcceptValid,
        "return": SubmissionOutcome | JSONResponse,
    }
    submit.__doc__ = (
        f"Submit {doc_type.title_en.lower()} documents as JSON "
        f"(提交{doc_type.title_zh}); the same batch twice is stored once."
    )
    return submit


for _name in DOCUMENT_TYPES:
    router.add_api_route(
        f"/documents/{_name}",
        _submit_endpoint(_name),
        methods=["POST"],
        response_model=SubmissionOutcome,
        status_code=201,
        responses=ALREADY_STORED,
        name=f"submit_{_name}",
        summary=f"Submit {_name} documents",
    )


@router.post(
    "/documents/{document_type}/upload",
    response_model=SubmissionOutcome,
    status_code=201,
    responses=ALREADY_STORED,
)
def upload_file(
    document_type: DocumentTypeName,
    response: Response,
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
    lang: LanguageDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX or JSON export")],
    profile: Annotated[UploadFile | None, File(description="Mapping profile (YAML)")] = None,
    accept_valid: AcceptValid = False,
) -> SubmissionOutcome | JSONResponse:
    """Submit a file through its mapping profile, or with the standard's field names as columns."""
    check_may_submit(principal=principal, document_type=document_type.value)
    with tempfile.TemporaryDirectory(prefix="chainhub-upload-") as folder:
        path = Path(folder) / (Path(file.filename or "upload").name or "upload")
        path.write_bytes(file.file.read())
        mapping = None
        if profile is not None:
            profile_path = Path(folder) / "profile.yaml"
            profile_path.write_bytes(profile.file.read())
            mapping = load_profile(profile_path)
        outcome, events = service.do_submit_file(
            conn=conn,
            principal=principal,
            document_type=document_type.value,
            path=path,
            profile=mapping,
            lang=lang,
            now=datetime.now(UTC),
            accept_valid=accept_valid,
        )
    return _answer(outcome, events, context, response, lang)


@router.get("/documents/{document_type}", response_model=RecordPage)
def list_documents(
    document_type: DocumentTypeName,
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    filter: Annotated[list[str], Query(description="field:value, repeatable")] = [],  # noqa: A002, B006
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RecordPage:
    """Current records of a type that the caller may see, one page at a time."""
    return service.list_visible_records(
        conn=conn,
        principal=principal,
        document_type=document_type.value,
        today=today,
        filters=_parse_filters(filter),
        limit=limit,
        offset=offset,
    )


@router.get("/documents/{document_type}/{doc_key:path}", response_model=DocumentRead)
def get_document(
    document_type: DocumentTypeName,
    doc_key: str,
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
    today: TodayDep,
) -> DocumentRead:
    """The current version of one document by its key (key fields joined with |)."""
    context.documents.append(f"{document_type.value}/{doc_key}")
    return service.access_document(
        conn=conn,
        principal=principal,
        document_type=document_type.value,
        doc_key=doc_key,
        today=today,
    )


@router.get("/history/{document_type}/{doc_key:path}", response_model=DocumentHistory)
def get_history(
    document_type: DocumentTypeName,
    doc_key: str,
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
    today: TodayDep,
) -> DocumentHistory:
    """Every stored version of one document, oldest first."""
    context.documents.append(f"{document_type.value}/{doc_key}")
    return service.access_history(
        conn=conn,
        principal=principal,
        document_type=document_type.value,
        doc_key=doc_key,
        today=today,
    )


@router.get("/submissions", response_model=list[SubmissionRead])
def get_submissions(
    principal: PrincipalDep,
    conn: ConnDep,
    document_type: DocumentTypeName | None = None,
) -> list[SubmissionRead]:
    """Submissions of the caller's partner (all, for the hub admin and the chain leader)."""
    return list_submissions(
        conn=conn,
        partner_id=None if principal.sees_all else principal.partner_id or "",
        document_type=document_type.value if document_type else None,
    )


@router.get("/me/overview", response_model=Overview)
def get_overview(principal: PrincipalDep, conn: ConnDep, today: TodayDep) -> Overview:
    """Per material the caller supplies or buys: stock, open orders, forecast, recent receipts."""
    return overview_service.get_overview(conn=conn, principal=principal, today=today)
