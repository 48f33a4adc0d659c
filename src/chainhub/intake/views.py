"""Submission endpoints (JSON batches per type, file uploads) and data-quality scorecards.

Both submit through intake's one write path; the caller's partner is the submitter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model

from chainhub.api.deps import ConnDep, ContextDep, LanguageDep, PrincipalDep, RequestContext
from chainhub.api.responses import ERROR_RESPONSES, ErrorBody, ErrorDetail
from chainhub.errors import ChainhubError, Language
from chainhub.intake.attempts import IngestResult
from chainhub.intake.outcome import do_submit_documents, get_outcome
from chainhub.intake.schemas import SubmissionOutcome
from chainhub.intake.service import (
    NOT_A_PARTY_STATUS,
    STATE_CONFLICT_STATUS,
    get_outcome_status,
)
from chainhub.intake.strict import check_documents_json
from chainhub.intake.upload import check_submitter, do_submit_upload, safe_file_name
from chainhub.partners.visibility import check_may_send
from chainhub.standard.registry import DOCUMENT_TYPES, DocumentType

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

DocumentTypeName = StrEnum(  # type: ignore[misc]
    "DocumentTypeName", {name: name for name in DOCUMENT_TYPES}
)


class RejectedBody(ErrorBody):
    """An invalid request, or a rejected submission with its outcome and every issue."""

    outcome: SubmissionOutcome | None = None


SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": SubmissionOutcome, "description": "Already stored: nothing new"},
    NOT_A_PARTY_STATUS: {
        "model": RejectedBody,
        "description": "Rejected only because the sender is no party to the documents; "
        "with its issues",
    },
    STATE_CONFLICT_STATUS: {
        "model": RejectedBody,
        "description": "Rejected only by what the hub holds: references to master data or "
        "crosswalks it does not hold (and documents the sender is no party to); with its "
        "issues",
    },
    422: {"model": RejectedBody, "description": "Invalid request, or rejected with its issues"},
}
AcceptValid = Annotated[
    bool,
    Query(
        description="Store the documents that pass and quarantine "
        "the others, instead of rejecting the batch"
    ),
]


def _answer(
    outcome: SubmissionOutcome,
    result: IngestResult,
    context: RequestContext,
    response: Response,
    lang: Language,
) -> SubmissionOutcome | JSONResponse:
    """The outcome with its status; a rejection is an error body carrying the outcome."""
    status = get_outcome_status(result)
    context.status, context.outcome = status, f"submission_{outcome.status}"
    context.events.extend(result.events)
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
    body = RejectedBody(
        error=ErrorDetail(code="submission_rejected", message=message, location=location),
        outcome=outcome,
    )
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


def _unique_by(doc_type: DocumentType) -> dict[str, Any]:
    """OpenAPI extensions of a batch: a document's key is given once in it, and so is a line's
    key in its document (as in a file, where a repeated line is refused)."""
    unique: dict[str, Any] = {"x-unique-by": list(doc_type.version_key)}
    if doc_type.lines_field is not None:
        unique["x-unique-lines-by"] = {doc_type.lines_field: list(doc_type.line_key)}
    return unique


def _submit_endpoint(document_type: str) -> Callable[..., Any]:
    doc_type = DOCUMENT_TYPES[document_type]
    batch: type[BaseModel] = create_model(
        f"{doc_type.model.__name__}Batch",
        documents=(
            list[doc_type.model],  # type: ignore[name-defined]
            Field(
                min_length=1,
                max_length=10_000,
                description=f"{doc_type.title_en} documents",
                json_schema_extra=_unique_by(doc_type),
            ),
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
        outcome, result = do_submit_documents(
            conn=conn,
            submitter=check_submitter(principal=principal, channel="api"),
            document_type=document_type,
            documents=body.documents,
            lang=lang,
            now=datetime.now(UTC),
            accept_valid=accept_valid,
        )
        return _answer(outcome, result, context, response, lang)

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


def _json_check(document_type: str) -> Callable[..., Any]:
    async def check_json(request: Request, _caller: PrincipalDep) -> None:
        # After the caller is known (a stranger learns nothing of the body) and before the body
        # is read into the models, which read it as leniently as a file's cells.
        try:
            body = await request.json()
        except ValueError:  # no JSON at all: the body's own reading refuses it, saying where
            return
        check_documents_json(document_type=document_type, body=body)

    return check_json


for _name in DOCUMENT_TYPES:
    router.add_api_route(
        f"/documents/{_name}",
        _submit_endpoint(_name),
        methods=["POST"],
        response_model=SubmissionOutcome,
        status_code=201,
        responses=SUBMIT_RESPONSES,
        name=f"submit_{_name}",
        tags=["documents"],
        summary=f"Submit {_name} documents",
        dependencies=[Depends(_json_check(_name))],
    )


def _client_gone() -> ChainhubError:
    return ChainhubError(
        "client_disconnected",
        "the client went away before the upload was answered; nothing was stored",
        "客户端在上传得到答复前已断开；未入库",
        status=499,
    )


@router.post(
    "/documents/{document_type}/upload",
    response_model=SubmissionOutcome,
    status_code=201,
    responses=SUBMIT_RESPONSES,
    tags=["documents"],
)
async def upload_file(
    request: Request,
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
    submitter = check_submitter(principal=principal, channel="upload")
    check_may_send(document_type=document_type.value, chain_leader=submitter.chain_leader)
    name = safe_file_name(file.filename)

    def submit() -> IngestResult:
        return do_submit_upload(
            conn=conn,
            submitter=submitter,
            document_type=document_type.value,
            file=file.file,
            name=name,
            profile=profile.file if profile is not None else None,
            accept_valid=accept_valid,
            received_at=datetime.now(UTC),
            sandbox=request.app.state.runtime.sandbox,
        )

    if await request.is_disconnected():
        raise _client_gone()
    # In a worker thread, so the event loop keeps answering other partners meanwhile.
    result = await run_in_threadpool(submit)
    # The transaction commits after this returns: a client that left gets nothing stored.
    if await request.is_disconnected():
        raise _client_gone()
    return _answer(get_outcome(result, lang=lang), result, context, response, lang)
