"""The data-quality page: onboarding scorecards and recent rejections, a partner its own."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chainhub.api.deps import ConnDep
from chainhub.kpi.scorecard import access_data_quality
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.web.filters import FiltersDep
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)


@router.get("/quality", response_model=None)
def quality_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
) -> Response:
    """Each partner's onboarding scorecard, its rejected rows and files, newest first; one
    partner's, when who sees every partner picks one."""
    quality = access_data_quality(conn=conn, principal=principal, partner_id=filters.partner)
    names = partner_names(conn=conn, principal=principal, lang=lang)
    titles = {name: getattr(doc, f"title_{lang}") for name, doc in DOCUMENT_TYPES.items()}
    return page(
        request,
        "quality.html",
        lang,
        principal,
        quality=quality,
        names=names,
        titles=titles,
        filters=filters,
        # Anyone else sees its own partner's only: nothing to choose.
        filter_fields=("partner",) if principal.sees_all else (),
    )
