"""The master-data review page: open unknown partner codes (the caller's partner's; every
partner's for the hub admin and the chain leader) with their ranked golden suggestions, named
in the page's language; the hub admin accepts or rejects a suggestion, as over the API."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep, ContextDep, SettingsDep
from chainhub.errors import ChainhubError, Language
from chainhub.masterdata.chain_model import prepared_store
from chainhub.masterdata.schemas import SuggestionRead
from chainhub.masterdata.service import (
    do_accept_match,
    do_reject_match,
    do_suggest_matches,
    get_material_labels,
    list_suggestions,
    list_unknown_codes,
)
from chainhub.partners.visibility import check_hub_admin, get_partner_scope
from chainhub.web.filters import FiltersDep, PageFilters
from chainhub.web.locale import PageLanguageDep, format_datetime
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
DONE: Final = frozenset({"accepted", "rejected", "ranked"})
FormText = Annotated[str, Form()]


def _render(
    request: Request,
    conn: Connection,
    principal: Principal,
    lang: Language,
    filters: PageFilters,
    error: ChainhubError | None = None,
) -> Response:
    # A partner reviews its own codes: the partner filter is for who sees every partner's.
    scope = get_partner_scope(principal=principal, partner_id=filters.partner)
    since, until = filters.moments()
    codes = list_unknown_codes(
        conn=conn, partner_id=scope, material=filters.material, since=since, until=until
    )
    ranked: defaultdict[tuple[str, str], list[SuggestionRead]] = defaultdict(list)
    for suggestion in list_suggestions(conn=conn, partner_id=scope):
        ranked[suggestion.partner_id, suggestion.partner_material_code].append(suggestion)
    labels = get_material_labels(
        conn=conn, codes={s.material_code for found in ranked.values() for s in found}
    )
    done = request.query_params.get("done")
    return page(
        request,
        "review.html",
        lang,
        principal,
        status_code=error.status if error else 200,
        error=error.message(lang) if error else None,
        done=done if done in DONE else None,
        codes=codes,
        ranked=ranked,
        labels={
            code: (label.name_zh if lang == "zh" else label.name_en) or code
            for code, label in labels.items()
        },
        units={code: label.base_unit for code, label in labels.items()},
        decides=principal.is_hub_admin,
        # Only those who see every partner's codes see whose they are.
        names=partner_names(conn=conn, principal=principal, lang=lang)
        if principal.sees_all
        else {},
        when=lambda moment: format_datetime(moment, lang),
        filters=filters,
        filter_fields=("period", "partner", "material")
        if principal.sees_all
        else ("period", "material"),
    )


@router.get("/review", response_model=None)
def review(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
) -> Response:
    """Open unknown codes and their suggestions, of a partner, a material (the partner's code
    or a suggested one) and seen in a period when the filter bar says so."""
    return _render(request, conn, principal, lang, filters)


def _decider(principal: Principal) -> str:
    """Who decides a match, as recorded: the hub admin's user, else its token (the API's rule)."""
    check_hub_admin(principal=principal)
    return principal.user_id or principal.token_id


@router.post("/review/{decision}", response_model=None)
def decide(
    decision: str,
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
    settings: SettingsDep,
    partner_id: FormText = "",
    partner_material_code: FormText = "",
    material_code: FormText = "",
) -> Response:
    """Accept or reject one suggested match, or rank every open code again (hub admin)."""
    steps = {"accept": (do_accept_match, "accepted"), "reject": (do_reject_match, "rejected")}
    try:
        decided_by = _decider(principal)
        if decision == "rank":
            do_suggest_matches(conn=conn, store=prepared_store(settings.data_dir))
            return RedirectResponse("/review?done=ranked", status_code=303)
        if decision not in steps:
            raise ChainhubError(
                "not_found", f"no decision {decision!r}", f"没有操作 {decision!r}", status=404
            )
        step, done = steps[decision]
        step(
            conn=conn,
            partner_id=partner_id,
            partner_material_code=partner_material_code,
            material_code=material_code,
            decided_by=decided_by,
        )
    except ChainhubError as error:
        context.status, context.outcome = error.status, error.code
        return _render(request, conn, principal, lang, filters, error)
    return RedirectResponse(f"/review?done={done}", status_code=303)
