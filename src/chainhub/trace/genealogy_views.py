"""Lot trace, recall report and recall case endpoints under /api/v1, as the caller may see them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from chainhub.api.deps import ConnDep, ContextDep, PrincipalDep
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.trace.cases import (
    access_recall,
    access_recall_kpis,
    check_may_open_recall,
    do_acknowledge_recall,
    do_close_recall,
    do_open_recall,
    list_recalls,
)
from chainhub.trace.identifiers import check_identifier
from chainhub.trace.recall import access_recall_report, export_recall_report
from chainhub.trace.scans import access_duplicate_scans
from chainhub.trace.schemas import (
    DuplicateScanRead,
    IdentifierRead,
    RecallAcknowledge,
    RecallCaseRead,
    RecallKpis,
    RecallOpen,
    RecallReport,
    RecallStatus,
    TraceDirection,
    TraceResult,
)
from chainhub.trace.tracing import access_trace

router = APIRouter(prefix="/api/v1", tags=["trace"], responses=ERROR_RESPONSES)
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# The format names what the hub reads; a generator that knows it makes valid check digits.
IdentifierText = Annotated[
    str,
    Path(
        description="A GS1 key, EPC URI, Digital Link, element string, Industrial Internet "
        "Handle, Ecode or NMPA drug code, with valid check digits",
        json_schema_extra={"format": "identifier"},
    ),
]


@router.get("/identifiers/{code:path}", response_model=IdentifierRead)
def get_identifier(code: IdentifierText, principal: PrincipalDep) -> IdentifierRead:
    """Read and check any identifier the hub knows (GS1 key, EPC URI, Digital Link, element
    string, Industrial Internet Handle, Ecode, NMPA drug code): a 400 says what is wrong."""
    del principal  # the caller must be known, as on every trace resource
    found = check_identifier(code)
    return IdentifierRead(
        scheme=found.scheme,
        text=found.text,
        uri=found.uri,
        parts=dict(found.parts),
        class_level=found.class_level,
    )


@router.get("/duplicate-scans", response_model=list[DuplicateScanRead])
def get_duplicate_scans(
    principal: PrincipalDep, conn: ConnDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 1000
) -> list[DuplicateScanRead]:
    """Codes sold or dispensed in more than one place (a copied code), as the caller may see."""
    return access_duplicate_scans(conn=conn, principal=principal, limit=limit)


@router.get("/trace/{lot:path}", response_model=TraceResult)
def get_trace(
    lot: str,
    principal: PrincipalDep,
    conn: ConnDep,
    material: str | None = None,
    direction: TraceDirection = "both",
) -> TraceResult:
    """A lot's genealogy (lot number, LGTIN EPC URI or Digital Link), hidden partners counted."""
    return access_trace(
        conn=conn, principal=principal, query=lot, material=material, direction=direction
    )


@router.get(
    "/recalls/report",
    response_model=RecallReport,
    responses={200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}}},
)
def get_recall_report(
    principal: PrincipalDep,
    conn: ConnDep,
    lot: Annotated[str, Query(min_length=1)],
    material: str | None = None,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> RecallReport | Response:
    """The recall report of a lot: affected finished lots, in stock where, shipped to whom."""
    report = access_recall_report(conn=conn, principal=principal, query=lot, material=material)
    if fmt == "json":
        return report
    return Response(
        export_recall_report(report, fmt),
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="recall.{fmt}"'},
    )


@router.post("/recalls", status_code=201, response_model=RecallCaseRead)
def open_recall(
    recall: RecallOpen, principal: PrincipalDep, conn: ConnDep, context: ContextDep
) -> RecallCaseRead:
    """Open a recall case for a lot the caller holds (any lot, for the leader and the hub admin):
    every partner holding or having received an affected lot is notified (`recall.opened`)."""
    check_may_open_recall(principal=principal)
    opened = do_open_recall(conn=conn, principal=principal, recall=recall)
    context.documents.append(f"recall/{opened.case.recall_id}")
    context.events.extend(opened.events)
    return opened.case


@router.get("/recalls", response_model=list[RecallCaseRead])
def get_recalls(
    principal: PrincipalDep,
    conn: ConnDep,
    status: RecallStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RecallCaseRead]:
    """Recall cases that affect the caller or that it opened, newest first."""
    return list_recalls(conn=conn, principal=principal, status=status, limit=limit)


@router.get("/recalls/kpis", response_model=RecallKpis)
def recall_kpis(principal: PrincipalDep, conn: ConnDep) -> RecallKpis:
    """Time to trace and recall closure over the cases the caller may see."""
    return access_recall_kpis(conn=conn, principal=principal)


@router.get("/recalls/{recall_id}", response_model=RecallCaseRead)
def get_recall(recall_id: str, principal: PrincipalDep, conn: ConnDep) -> RecallCaseRead:
    """A recall case: the caller's line (every line, for its opener), counts and KPIs."""
    return access_recall(conn=conn, principal=principal, recall_id=recall_id)


@router.post("/recalls/{recall_id}/acknowledge", response_model=RecallCaseRead)
def acknowledge_recall(
    recall_id: str,
    ack: RecallAcknowledge,
    principal: PrincipalDep,
    conn: ConnDep,
    context: ContextDep,
) -> RecallCaseRead:
    """The caller's partner acknowledges the recall with the quantity blocked or returned."""
    context.documents.append(f"recall/{recall_id}")
    return do_acknowledge_recall(conn=conn, principal=principal, recall_id=recall_id, ack=ack)


@router.post("/recalls/{recall_id}/close", response_model=RecallCaseRead)
def close_recall(
    recall_id: str, principal: PrincipalDep, conn: ConnDep, context: ContextDep
) -> RecallCaseRead:
    """Close a case before every affected partner acknowledged: its opener or the hub admin."""
    context.documents.append(f"recall/{recall_id}")
    return do_close_recall(conn=conn, principal=principal, recall_id=recall_id)
