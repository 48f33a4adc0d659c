"""Document endpoints: submit (JSON batches per type, files), list, read, history, overview."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool

from chainhub.api.deps import (
    AUTOCOMMIT_READ,
    ConnDep,
    ContextDep,
    PrincipalDep,
    TodayDep,
)
from chainhub.api.responses import ERROR_RESPONSES, get_model_response
from chainhub.documents import service
from chainhub.documents.schemas import DocumentHistory, DocumentRead, RecordPage
from chainhub.standard.registry import DOCUMENT_TYPES, get_document_type
from chainhub.storage.schemas import SubmissionRead
from chainhub.storage.service import list_submissions

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=ERROR_RESPONSES)

DocumentTypeName = StrEnum(  # type: ignore[misc]
    "DocumentTypeName", {name: name for name in DOCUMENT_TYPES}
)
MAX_OFFSET = 1_000_000_000


def _parse_filters(filters: list[str]) -> dict[str, str]:
    """field:value pairs; the parameter's pattern has made sure each names a field."""
    return {name: value for name, _, value in (item.partition(":") for item in filters)}


def _list_endpoint(document_type: str) -> Callable[..., RecordPage]:
    def list_documents(
        principal: PrincipalDep,
        conn: ConnDep,
        today: TodayDep,
        filter: list[str] = [],  # noqa: A002, B006 - typed below, per type
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> RecordPage:
        return service.list_visible_records(
            conn=conn,
            principal=principal,
            document_type=document_type,
            today=today,
            filters=_parse_filters(filter),
            limit=limit,
            offset=offset,
        )

    # Set here since the field names vary by type: a filter names one of the record's fields,
    # and its value has no NUL, which PostgreSQL's text refuses.
    fields = "|".join(get_document_type(document_type).record_fields)
    list_documents.__annotations__["filter"] = Annotated[
        list[Annotated[str, StringConstraints(pattern=f"^({fields}):[^\\x00]*$")]],
        Query(description="field:value, repeatable"),
    ]
    list_documents.__doc__ = (
        f"Current {DOCUMENT_TYPES[document_type].title_en.lower()} records that the caller may "
        "see, one page at a time."
    )
    return list_documents


# One list per type, beside its submission at the same path, so the published paths say every
# method each path answers.
for _name in DOCUMENT_TYPES:
    router.add_api_route(
        f"/documents/{_name}",
        _list_endpoint(_name),
        methods=["GET"],
        response_model=RecordPage,
        name=f"list_{_name}",
        summary=f"List {_name} documents",
    )


# The two reads of one document are coroutines that read in one worker thread and answer
# the model's JSON: a plain function would take a second hop to a worker thread, where
# FastAPI validates the model it returns against its own type.
@router.get(
    "/documents/{document_type}/{doc_key:path}",
    response_model=DocumentRead,
    dependencies=[AUTOCOMMIT_READ],
)
async def get_document(
    document_type: DocumentTypeName,
    doc_key: str,
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
    today: TodayDep,
) -> Response:
    """The current version of one document by its key (key fields joined with |)."""
    context.documents.append(f"{document_type.value}/{doc_key}")
    document = await run_in_threadpool(
        service.access_document,
        conn=conn,
        principal=principal,
        document_type=document_type.value,
        doc_key=doc_key,
        today=today,
    )
    return get_model_response(document)


@router.get(
    "/history/{document_type}/{doc_key:path}",
    response_model=DocumentHistory,
    dependencies=[AUTOCOMMIT_READ],
)
async def get_history(
    document_type: DocumentTypeName,
    doc_key: str,
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
    today: TodayDep,
) -> Response:
    """Every stored version of one document, oldest first."""
    context.documents.append(f"{document_type.value}/{doc_key}")
    history = await run_in_threadpool(
        service.access_history,
        conn=conn,
        principal=principal,
        document_type=document_type.value,
        doc_key=doc_key,
        today=today,
    )
    return get_model_response(history)


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
