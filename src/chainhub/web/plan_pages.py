"""The planning page: the buffer board (a heat map of each buffer's projected zone by week, the
buffers with their policy levels, zones, net flow and days of supply, stockouts by how soon)
and the VMI proposals, which a supplier accepts or rejects here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep, ContextDep, NowDep, SettingsDep, TodayDep
from chainhub.errors import ChainhubError, Language
from chainhub.plan.replenishment import (
    Policy,
    access_buffers,
    do_decide_proposal,
    list_proposals,
)
from chainhub.plan.schemas import BuffersRead, ProposalDecision
from chainhub.settings import Settings
from chainhub.web.charts import ZONES, zone_heatmap
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
DONE = ("accepted", "rejected")


def _heatmap(board: BuffersRead, lang: Language) -> str | None:
    if not board.projection:
        return None
    rows = sorted({f"{w.material_code} · {w.site_id}" for w in board.projection})
    weeks = sorted({w.week_start for w in board.projection})
    cells = {(f"{w.material_code} · {w.site_id}", w.week_start): w.zone for w in board.projection}
    names = {zone: TEXT[lang][f"pl_zone_{zone}"] for zone in ZONES}
    return zone_heatmap(rows, weeks, cells, names)


def _render(
    request: Request,
    conn: ConnDep,
    principal: Principal,
    lang: Language,
    settings: Settings,
    today: TodayDep,
    *,
    done: str | None = None,
    error: ChainhubError | None = None,
) -> Response:
    policy = Policy(
        service_level=settings.plan_service_level, review_days=settings.plan_review_days
    )
    board = access_buffers(conn=conn, principal=principal, today=today, policy=policy)
    names = partner_names(conn=conn, principal=principal, lang=lang)
    return page(
        request,
        "plan.html",
        lang,
        principal,
        status_code=200 if error is None else error.status,
        charts=True,
        board=board,
        heatmap_json=_heatmap(board, lang),
        proposals=list_proposals(conn=conn, principal=principal, customer_id=board.customer_id),
        names=names,
        done=done if done in DONE else None,
        error=None if error is None else error.message(lang),
    )


@router.get("/plan", response_model=None)
def plan_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    settings: SettingsDep,
    today: TodayDep,
    done: str | None = None,
) -> Response:
    """The chain leader's buffer board and proposals (a supplier: the materials it manages)."""
    try:
        return _render(request, conn, principal, lang, settings, today, done=done)
    except ChainhubError as error:
        return page(
            request,
            "plan.html",
            lang,
            principal,
            status_code=error.status,
            board=None,
            heatmap_json=None,
            proposals=[],
            names={},
            done=None,
            error=error.message(lang),
        )


@router.post("/plan/proposals/{proposal_id}/{action}", response_model=None)
def decide(
    proposal_id: str,
    action: str,
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    settings: SettingsDep,
    today: TodayDep,
    now: NowDep,
) -> Response:
    """The supplier accepts a proposal as proposed (its purchase order) or rejects it."""
    try:
        if action not in ("accept", "reject"):
            raise ChainhubError(
                "not_found", f"no action {action!r}", f"没有操作 {action!r}", status=404
            )
        do_decide_proposal(
            conn=conn,
            principal=principal,
            proposal_id=proposal_id,
            decision=ProposalDecision(accept=action == "accept"),
            today=today,
            now=now,
        )
    except ChainhubError as error:
        context.status, context.outcome = error.status, error.code
        return _render(request, conn, principal, lang, settings, today, error=error)
    done = "accepted" if action == "accept" else "rejected"
    return RedirectResponse(f"/plan?done={done}", status_code=303)
