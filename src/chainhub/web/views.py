"""Dashboard pages: thin handlers that sign the caller in, ask the visibility service, render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final

import plotly.graph_objects as go
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from chainhub import __version__
from chainhub.access.tokens import access_principal
from chainhub.api.deps import (
    TOKEN_COOKIE,
    ConnDep,
    ContextDep,
    LanguageDep,
    PagePrincipalDep,
    TodayDep,
)
from chainhub.documents.schemas import FlowPoint
from chainhub.documents.service import count_visible_documents, list_visible_monthly_flows
from chainhub.errors import ChainhubError
from chainhub.kpi.overview import get_overview
from chainhub.partners.service import list_partners
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.version import STANDARD_VERSION
from chainhub.web.i18n import FLOW_LABELS, TEXT

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
COOKIE_MAX_AGE: Final = 12 * 3600


def _flows_figure(flows: list[FlowPoint], lang: str) -> str:
    figure = go.Figure()
    for flow, labels in FLOW_LABELS.items():
        points = [p for p in flows if p.flow == flow]
        figure.add_trace(
            go.Scatter(
                x=[p.month for p in points],
                y=[p.lines for p in points],
                mode="lines+markers",
                name=labels[lang],
            )
        )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=340,
        legend={"orientation": "h"},
        template="plotly_white",
    )
    return json.dumps(figure.to_plotly_json(), default=str)


def _page(
    request: Request, name: str, lang: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {
            "t": TEXT[lang],
            "lang": lang,
            "version": __version__,
            "standard_version": STANDARD_VERSION,
            **context,
        },
        status_code=status_code,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: LanguageDep) -> HTMLResponse:
    """The sign-in form: paste an API token."""
    return _page(request, "login.html", lang, error=None, principal=None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    lang: LanguageDep,
    token: Annotated[str, Form()],
) -> Response:
    """Check the token and keep it in an HttpOnly, SameSite=Strict cookie."""
    try:
        context.principal = access_principal(conn=conn, token=token.strip())
    except ChainhubError:
        context.status, context.outcome = 401, "invalid_token"
        return _page(
            request,
            "login.html",
            lang,
            error=TEXT[lang]["bad_token"],
            principal=None,
            status_code=401,
        )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        token.strip(),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    """Forget the token cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/", response_model=None)
def dashboard(
    request: Request,
    conn: ConnDep,
    principal: PagePrincipalDep,
    lang: LanguageDep,
    today: TodayDep,
) -> Response:
    """The chain as the caller may see it: documents per type, monthly flows, own view."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    counts = count_visible_documents(conn=conn, principal=principal, today=today)
    rows = [
        {
            "type": c.document_type,
            "rows": c.rows,
            "documents": c.documents,
            "title": getattr(DOCUMENT_TYPES[c.document_type], f"title_{lang}"),
        }
        for c in counts
    ]
    flows = list_visible_monthly_flows(conn=conn, principal=principal, today=today)
    return _page(
        request,
        "dashboard.html",
        lang,
        principal=principal,
        counts=rows,
        partners=list_partners(conn=conn),
        flows_json=_flows_figure(flows, lang),
        overview=get_overview(conn=conn, principal=principal, today=today),
    )
