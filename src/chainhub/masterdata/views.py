"""Master-data review over HTTP: unknown codes with suggestions, accept and reject."""

from __future__ import annotations

from fastapi import APIRouter

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep, PrincipalDep, SettingsDep
from chainhub.masterdata import service
from chainhub.masterdata.chain_model import prepared_store
from chainhub.masterdata.schemas import (
    DecisionRead,
    MatchDecision,
    SuggestionRead,
    UnknownCodeRead,
)
from chainhub.partners.visibility import check_hub_admin, get_partner_scope

router = APIRouter(prefix="/api/v1/masterdata", tags=["masterdata"])


def _decider(principal: Principal) -> str:
    """Who decides a match, as recorded: the hub admin's user, else its token."""
    check_hub_admin(principal=principal)
    return principal.user_id or principal.token_id


@router.get("/unknown-codes", response_model=list[UnknownCodeRead])
def get_unknown_codes(
    principal: PrincipalDep, conn: ConnDep, partner_id: str | None = None
) -> list[UnknownCodeRead]:
    """Open unknown partner codes, most frequent first."""
    return service.list_unknown_codes(
        conn=conn, partner_id=get_partner_scope(principal=principal, partner_id=partner_id)
    )


@router.get("/suggestions", response_model=list[SuggestionRead])
def get_suggestions(
    principal: PrincipalDep,
    conn: ConnDep,
    partner_id: str | None = None,
    partner_material_code: str | None = None,
) -> list[SuggestionRead]:
    """Ranked suggestions for unknown codes."""
    return service.list_suggestions(
        conn=conn,
        partner_id=get_partner_scope(principal=principal, partner_id=partner_id),
        partner_material_code=partner_material_code,
    )


@router.post("/suggestions/refresh")
def refresh_suggestions(
    principal: PrincipalDep, conn: ConnDep, settings: SettingsDep
) -> dict[str, int]:
    """Rank golden materials again for every open code."""
    check_hub_admin(principal=principal)
    store = prepared_store(settings.data_dir)
    return {"codes": service.do_suggest_matches(conn=conn, store=store)}


@router.post("/accept", response_model=DecisionRead, status_code=201)
def accept_match(match: MatchDecision, principal: PrincipalDep, conn: ConnDep) -> DecisionRead:
    """Map a partner code to a golden material, writing a new crosswalk version."""
    return service.do_accept_match(
        conn=conn, partner_id=match.partner_id, partner_material_code=match.partner_material_code,
        material_code=match.material_code, decided_by=_decider(principal),
    )  # fmt: skip


@router.post("/reject", response_model=DecisionRead, status_code=201)
def reject_match(match: MatchDecision, principal: PrincipalDep, conn: ConnDep) -> DecisionRead:
    """Refuse one suggested match."""
    return service.do_reject_match(
        conn=conn, partner_id=match.partner_id, partner_material_code=match.partner_material_code,
        material_code=match.material_code, decided_by=_decider(principal),
    )  # fmt: skip
