"""KPI endpoints: the caller's supplier overview, data-quality scorecards, the KPI catalogue."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from chainhub.api.deps import ConnDep, PrincipalDep, TodayDep
from chainhub.api.params import PERIOD_PATTERN, IsoDate
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.kpi import overview as overview_service
from chainhub.kpi import service as kpi_service
from chainhub.kpi.schemas import (
    KpiComparison,
    KpiRead,
    KpiRows,
    KpiValues,
    Overview,
    Scorecard,
)
from chainhub.kpi.scorecard import list_scorecards
from chainhub.partners.visibility import get_partner_scope

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/me/overview", response_model=Overview)
def get_overview(principal: PrincipalDep, conn: ConnDep, today: TodayDep) -> Overview:
    """Per material the caller supplies or buys: stock, open orders, forecast, recent receipts."""
    return overview_service.get_overview(conn=conn, principal=principal, today=today)


@router.get("/intake/scorecards", response_model=list[Scorecard], tags=["intake"])
def get_scorecards(
    principal: PrincipalDep, conn: ConnDep, partner_id: str | None = None
) -> list[Scorecard]:
    """Submissions, rows accepted and rejected, top failing rules and timeliness per partner."""
    scope = get_partner_scope(principal=principal, partner_id=partner_id)
    return list_scorecards(conn=conn, partner_id=scope)


@router.get("/kpis", response_model=list[KpiRead], tags=["kpi"])
def list_kpis() -> list[KpiRead]:
    """The KPI catalogue: each KPI's meaning, formula, unit, direction and standard."""
    return kpi_service.list_kpis()


@router.get(
    "/kpis/{kpi_id}",
    response_model=KpiValues,
    tags=["kpi"],
    # A reversed window is refused (422), not answered empty: swapped dates are a mistake.
    openapi_extra={"x-ordered": [{"earlier": "from", "later": "to", "equal": True}]},
)
def get_kpi_values(
    kpi_id: str,
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    partner_id: str | None = None,
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
    by: Literal["month", "total"] = "month",
) -> KpiValues:
    """A KPI per partner and period, from the documents the caller may see."""
    return kpi_service.access_kpi_values(
        conn=conn,
        principal=principal,
        today=today,
        kpi_id=kpi_id,
        partner_id=partner_id,
        start=start,
        end=end,
        by=by,
    )


@router.get("/kpis/{kpi_id}/rows", response_model=KpiRows, tags=["kpi"])
def get_kpi_rows(
    kpi_id: str,
    partner_id: str,
    month: Annotated[IsoDate, Query(description="Any day of the month")],
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
) -> KpiRows:
    """The facts behind a partner's KPI value in a month (at most 500, oldest first)."""
    return kpi_service.access_kpi_rows(
        conn=conn,
        principal=principal,
        today=today,
        kpi_id=kpi_id,
        partner_id=partner_id,
        month=month,
    )


# The format says what the pattern cannot: real dates, FROM not after TO.
Period = Annotated[
    str,
    Query(
        pattern=PERIOD_PATTERN,
        description="FROM:TO, ISO dates, FROM not after TO",
        json_schema_extra={"format": "period"},
    ),
]


@router.get("/kpis/{kpi_id}/compare", response_model=KpiComparison, tags=["kpi"])
def compare_kpi(
    kpi_id: str,
    before: Period,
    after: Period,
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    partner_id: str | None = None,
) -> KpiComparison:
    """Each partner's KPI before and after (协同前/协同后); periods are FROM:TO."""
    return kpi_service.access_kpi_comparison(
        conn=conn,
        principal=principal,
        today=today,
        kpi_id=kpi_id,
        before=kpi_service.check_period(before),
        after=kpi_service.check_period(after),
        partner_id=partner_id,
    )
