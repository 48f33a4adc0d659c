"""What every page shares: the template environment, the page frame, partners' display names."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection

from chainhub import __version__
from chainhub.access.schemas import Principal
from chainhub.errors import Language
from chainhub.kpi.service import get_supplier_aliases
from chainhub.partners.schemas import PartnerRead
from chainhub.partners.service import list_partners
from chainhub.standard.version import STANDARD_VERSION
from chainhub.web.i18n import ROLES, TEXT, UNITS
from chainhub.web.locale import format_change, format_month, format_number, keep_language

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["num"] = format_number
templates.env.filters["change"] = format_change


def page(
    request: Request,
    name: str,
    lang: Language,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page in `lang` for `principal`, and remember a language picked by `?lang=`."""
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": TEXT[lang],
            "lang": lang,
            "principal": principal,
            "version": __version__,
            "standard_version": STANDARD_VERSION,
            "roles": {code: names[lang] for code, names in ROLES.items()},
            "units": {code: names[lang] for code, names in UNITS.items()},
            "month": lambda m: format_month(m, lang),
            "path": request.url.path,
            # The other language's link keeps the page's filters.
            "lang_query": urlencode({**request.query_params, "lang": TEXT[lang]["other_code"]}),
            **context,
        },
        status_code=status_code,
    )
    keep_language(request, response, lang)
    return response


def display_names(
    partners: list[PartnerRead], aliases: dict[str, str], lang: Language
) -> dict[str, str]:
    """Each partner's name in `lang`, or "supplier A" for a supplier the caller may not name."""
    alias = TEXT[lang]["supplier_alias"]
    names = {}
    for p in partners:
        if p.partner_id in aliases:
            names[p.partner_id] = alias.format(letter=aliases[p.partner_id])
        else:
            names[p.partner_id] = (p.name_zh if lang == "zh" else p.name_en) or p.partner_id
    return names


def partner_names(
    *,
    conn: Connection,
    principal: Principal,
    lang: Language,
    aliases: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every partner's display name for the caller: the suppliers it may not name as letters
    (`aliases`, when the page has them already)."""
    if aliases is None:
        aliases = get_supplier_aliases(conn=conn, principal=principal)
    return display_names(list_partners(conn=conn), aliases, lang)
