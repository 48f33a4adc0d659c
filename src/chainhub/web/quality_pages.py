"""The data-quality page: onboarding scorecards and recent rejections, a partner its own."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from chainhub.api.deps import ConnDep, PagePrincipalDep
from chainhub.kpi.scorecard import access_data_quality
from chainhub.kpi.service import get_supplier_aliases
from chainhub.partners.service import list_partners
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import display_names, page

router = APIRouter(include_in_schema=False)


@router.get("/quality", response_model=None)
def quality_page(
    request: Request, conn: ConnDep, principal: PagePrincipalDep, lang: PageLanguageDep
) -> Response:
    """Each partner's onboarding scorecard, its rejected rows and files, newest first."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    quality = access_data_quality(conn=conn, principal=principal)
    names = display_names(
        list_partners(conn=conn), get_supplier_aliases(conn=conn, principal=principal), lang
    )
    titles = {name: getattr(doc, f"title_{lang}") for name, doc in DOCUMENT_TYPES.items()}
    return page(
        request, "quality.html", lang, principal, quality=quality, names=names, titles=titles
    )
