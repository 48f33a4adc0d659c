"""Document endpoints: submit (JSON batches per type, files), list, read, history, overview."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query

from chainhub.api.deps import (
    ConnDep,
    ContextDep,
    PrincipalDep,
    TodayDep,
)
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.documents import service
from chainhub.documents.schemas import DocumentHistory, DocumentRead, RecordPage
from chainhub.errors import ChainhubError
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.storage.schemas import SubmissionRead
from chainhub.storage.service import list_submissions

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=ERROR_RESPONSES)

DocumentTypeName = StrEnum(  # type: ignore[misc]
    "DocumentTypeName", {name: name for name in DOCUMENT_TYPES}
)
MAX_OFFSET = 1_000_000_000


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
