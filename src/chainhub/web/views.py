"""Dashboard pages: thin handlers that sign the caller in, ask the services, render."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from chainhub.access.passwords import SESSION_LABEL, access_sign_in
from chainhub.access.tokens import access_principal, do_revoke_token, get_token, get_token_id
from chainhub.api.deps import TOKEN_COOKIE, ConnDep, ContextDep, SettingsDep, TodayDep
from chainhub.documents.service import (
    DocumentFilter,
    count_visible_documents,
    list_visible_monthly_flows,
)
from chainhub.errors import ChainhubError, Language
from chainhub.kpi.alerts import ALERT_ROWS, AlertFilter, access_alerts
from chainhub.kpi.overview import OverviewFilter, get_overview
from chainhub.kpi.service import access_kpi_trend, get_supplier_aliases, get_supplier_ids
from chainhub.masterdata.service import get_material_labels
from chainhub.partners.service import list_partners
from chainhub.plan.service import list_alerts
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.web.charts import monthly_lines, sparkline
from chainhub.web.filters import FiltersDep
from chainhub.web.i18n import FLOW_LABELS, TEXT
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import display_names, page, partner_names
from chainhub.web.session import SignedInDep, safe_next
from chainhub.web.trace_graph import unit_name

router = APIRouter(include_in_schema=False)
# The page to open after signing in (`SignInRequired` sends it along).
NextDep = Annotated[str, Query(alias="next", max_length=2000)]
COOKIE_MAX_AGE: Final = 12 * 3600
# The seed's four KPIs (库存周转天数, 订单响应周期, 生产计划准时率, 供应商缺货率), then OTIF.
CARD_KPIS: Final = (
    "inventory_turnover_days",
    "order_confirmation_cycle",
    "production_plan_on_time_rate",
    "supplier_stockout_rate",
    "otif",
)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: PageLanguageDep, target: NextDep = "/") -> HTMLResponse:
    """The sign-in form: a user name and password, or an API token."""
    return page(request, "login.html", lang, None, error=None, next=_next_query(target))


def _next_query(target: str) -> str:
    """The `next=` part of the form's address, for a page other than the overview."""
    target = safe_next(target)
    return "" if target == "/" else "&" + urlencode({"next": target})


def _signed_in(request: Request, token: str, target: str) -> RedirectResponse:
    """To the page asked for (the overview by default), holding the token in an HttpOnly,
    SameSite=Strict cookie."""
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/login", response_model=None)
def login(
    request: Request,
    conn: ConnDep,
    context: ContextDep,
    lang: PageLanguageDep,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    target: NextDep = "/",
) -> Response:
    """Sign in with a name and password (a session token), or with an API token."""
    if token.strip():
        try:
            context.principal = access_principal(conn=conn, token=token.strip())
        except ChainhubError:
            context.status, context.outcome = 401, "invalid_token"
            return page(
                request, "login.html", lang, None, error=TEXT[lang]["bad_token"],
                with_token=True, status_code=401, next=_next_query(target),
            )  # fmt: skip
        return _signed_in(request, token.strip(), target)
    signed = access_sign_in(
        conn=conn,
        name=name,
        password=password,
        session_lifetime=timedelta(seconds=COOKIE_MAX_AGE),
    )
    if isinstance(signed, ChainhubError):
        # The refusal is an answer, not a failure: the failed attempt's count must commit.
        context.status, context.outcome = signed.status, signed.code
        return page(
            request, "login.html", lang, None, error=signed.message(lang), user_name=name,
            status_code=signed.status, next=_next_query(target),
        )  # fmt: skip
    context.principal = signed.principal
    return _signed_in(request, signed.token, target)


@router.post("/logout")
def logout(request: Request, conn: ConnDep) -> RedirectResponse:
    """End a password sign-in's session token and forget the cookie (the language stays
    chosen); a pasted API token stays valid for the scripts that use it."""
    token = request.cookies.get(TOKEN_COOKIE)
    token_id = get_token_id(token) if token else None
    if token and token_id:
        with suppress(ChainhubError):
            access_principal(conn=conn, token=token)
            stored = get_token(conn=conn, token_id=token_id)
            if stored is not None and stored.label == SESSION_LABEL:
                do_revoke_token(conn=conn, token_id=token_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _material_names(conn: Connection, codes: set[str], lang: Language) -> dict[str, str]:
    """Each material's code with its name and base unit, e.g. 'M001 Compressor (piece)'."""
    found = {}
    for code, label in get_material_labels(conn=conn, codes=codes).items():
        name = (label.name_zh if lang == "zh" else label.name_en) or ""
        unit = unit_name(label.base_unit, lang)
        text = f"{code} {name}" if name and name != code else code
        found[code] = f"{text} ({unit})" if unit else text
    return found


@router.get("/", response_model=None)
def overview(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
    settings: SettingsDep,
) -> Response:
    """KPI cards (the latest month, its trend, its change against the month before) and the
    alerts, all narrowed by the filter bar."""
    cards = []
    for kpi_id in CARD_KPIS:
        trend = access_kpi_trend(
            conn=conn,
            principal=principal,
            today=today,
            kpi_id=kpi_id,
            partner_id=filters.partner,
            **filters.scope(),
        )
        points = [(p.period, p.value) for p in trend.points]
        cards.append({"trend": trend, "spark": sparkline(points, lang) if points else None})
    suppliers = get_supplier_ids(conn=conn)
    if not principal.sees_all:
        suppliers = [s for s in suppliers if s == principal.partner_id]
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
    alerts = access_alerts(
        conn=conn,
        principal=principal,
        today=today,
        only=AlertFilter(partner_id=filters.partner, **filters.scope()),
        review_days=settings.plan_review_days,
    )
    # Red group-weeks and demand swings the caller is the customer or supplier of, newest first.
    plan_alerts = [
        a
        for a in reversed(list_alerts(conn=conn, principal=principal))
        if filters.partner in (None, a.customer_id, a.supplier_id)
    ]
    # Only the lines shown are labelled.
    codes = {r.material_code for r in alerts.stockout[:ALERT_ROWS]} | {
        r.material_code for r in alerts.late[:ALERT_ROWS]
    }
    return page(
        request,
        "overview.html",
        lang,
        principal,
        charts=True,
        cards=cards,
        suppliers=[(s, names.get(s, s)) for s in suppliers],
        names=names,
        # Links name no partner the caller may not name.
        hidden=set(aliases),
        alerts=alerts,
        plan_alerts=plan_alerts,
        shown=ALERT_ROWS,
        materials=_material_names(conn, codes, lang),
        filters=filters,
        filter_fields=("period", "partner", "material", "site"),
        query=filters.query(),
    )


@router.get("/data", response_model=None)
def data(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
) -> Response:
    """The chain's data as the caller may see it: documents per type, monthly flows, own view,
    narrowed by the filter bar (a type without a date, material or site field filtered on has
    no rows in it)."""
    only = DocumentFilter(partner_id=filters.partner, **filters.scope())
    counts = count_visible_documents(conn=conn, principal=principal, today=today, only=only)
    rows = [
        {
            "type": c.document_type,
            "rows": c.rows,
            "documents": c.documents,
            "title": getattr(DOCUMENT_TYPES[c.document_type], f"title_{lang}"),
        }
        for c in counts
    ]
    flows = list_visible_monthly_flows(conn=conn, principal=principal, today=today, only=only)
    series = {
        labels[lang]: [(p.month, float(p.lines)) for p in flows if p.flow == flow]
        for flow, labels in FLOW_LABELS.items()
    }
    partners = list_partners(conn=conn)
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    view = OverviewFilter(partner_id=filters.partner, material=filters.material, site=filters.site)
    return page(
        request,
        "data.html",
        lang,
        principal,
        charts=True,
        counts=rows,
        partners=[
            p
            for p in partners
            if p.partner_id not in aliases and filters.partner in (None, p.partner_id)
        ],
        hidden_suppliers=0 if filters.partner else len(aliases),
        names=display_names(partners, aliases, lang),
        flows_json=monthly_lines(series, "", lang),
        overview=get_overview(conn=conn, principal=principal, today=today, only=view),
        filters=filters,
        filter_fields=("period", "partner", "material", "site"),
    )
