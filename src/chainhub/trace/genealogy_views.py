"""Lot trace and recall report endpoints under /api/v1, as the caller may see them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from chainhub.api.deps import ConnDep, PrincipalDep
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.trace.recall import access_recall_report, export_recall_report
from chainhub.trace.schemas import RecallReport, TraceDirection, TraceResult
from chainhub.trace.tracing import access_trace

router = APIRouter(prefix="/api/v1", tags=["trace"], responses=ERROR_RESPONSES)
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
