"""Data-quality scorecards over HTTP: the hub sees every partner's, a partner only its own."""

from __future__ import annotations

from fastapi import APIRouter

from chainhub.api.deps import ConnDep, PrincipalDep
from chainhub.api.responses import ERROR_RESPONSES
from chainhub.intake.scorecard import Scorecard, list_scorecards

router = APIRouter(prefix="/api/v1/intake", tags=["intake"], responses=ERROR_RESPONSES)


@router.get("/scorecards", response_model=list[Scorecard])
def get_scorecards(
    principal: PrincipalDep, conn: ConnDep, partner_id: str | None = None
) -> list[Scorecard]:
    """Submissions, rows accepted and rejected, top failing rules and timeliness per partner."""
    scope = partner_id if principal.sees_all else principal.partner_id
    return list_scorecards(conn=conn, partner_id=scope)
