"""KPI endpoints: the caller's supplier overview and data-quality scorecards."""

from __future__ import annotations

from fastapi import APIRouter

from chainhub.api.deps import ConnDep, PrincipalDep, TodayDep
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.kpi import overview as overview_service
from chainhub.kpi.schemas import Overview, Scorecard
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
