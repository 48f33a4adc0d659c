"""KPI pages: the catalogue, one KPI by month and partner, one supplier's scorecard."""

from __future__ import annotations

from datetime import date
from typing import Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from chainhub.api.deps import ConnDep, TodayDep
from chainhub.kpi.catalogue import Window
from chainhub.kpi.service import (
    access_kpi_rows,
    access_kpi_values,
    access_supplier_ranking,
    check_may_see_supplier,
    get_supplier_aliases,
    get_supplier_ids,
    list_kpis,
)
from chainhub.web.charts import monthly_lines, sparkline
from chainhub.web.filters import FiltersDep
from chainhub.web.i18n import FACT_COLUMNS, TEXT
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep
from chainhub.web.views import CARD_KPIS

router = APIRouter(include_in_schema=False)
ALL_FIELDS: Final = ("period", "partner", "material", "site")
# What a supplier answers for: delivery, response, lead time, incoming quality.
SCORECARD_KPIS: Final = (
    "otif",
    "supplier_on_time_delivery",
    "fill_rate",
    "supplier_stockout_rate",
    "order_confirmation_cycle",
    "supplier_lead_time",
    "incoming_ppm",
)


def list_dashboard_windows() -> list[tuple[str, Window]]:
    """The KPI windows the dashboard's pages open with (no filter chosen), in the order a
    visitor meets them: the overview's cards, each scorecard KPI by month and in total (its
    ranking), then every other KPI's page."""
    monthly, total = Window(), Window(by="total")
    found = [(kpi_id, monthly) for kpi_id in CARD_KPIS]
    for kpi_id in SCORECARD_KPIS:
        found += [(kpi_id, monthly), (kpi_id, total)]
    found += [(k.kpi_id, monthly) for k in list_kpis()]
    return list(dict.fromkeys(found))


@router.get("/kpis", response_model=None)
def kpi_catalogue(
    request: Request, principal: SignedInDep, lang: PageLanguageDep, filters: FiltersDep
) -> Response:
    """Every KPI's name, meaning, unit and direction, for a business reader; the filters chosen
    here follow the links to each KPI."""
    return page(
        request,
        "kpis.html",
        lang,
        principal,
        kpis=list_kpis(),
        filters=filters,
        filter_fields=ALL_FIELDS,
        query=filters.query(),
    )


@router.get("/kpis/{kpi_id}", response_model=None)
def kpi_page(
    kpi_id: str,
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
) -> Response:
    """One KPI: its definition, a line per partner by month, and the table of values, narrowed
    by the filter bar."""
    values = access_kpi_values(
        conn=conn,
        principal=principal,
        today=today,
        kpi_id=kpi_id,
        partner_id=filters.partner,
        **filters.scope(),
    )
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
    series: dict[str, list[tuple[date, float | None]]] = {}
    for v in values.values:
        if v.period is not None:
            series.setdefault(names.get(v.partner_id, v.partner_id), []).append((v.period, v.value))
    rows = [
        {
            "name": names.get(v.partner_id, v.partner_id),
            "link": v.partner_id not in aliases,
            "partner_id": v.partner_id,
            "value": v,
        }
        for v in values.values
    ]
    return page(
        request,
        "kpi.html",
        lang,
        principal,
        charts=True,
        kpi=values.kpi,
        rows=rows,
        suppliers=set(get_supplier_ids(conn=conn)),
        chart_json=monthly_lines(series, values.kpi.unit, lang) if series else None,
        filters=filters,
        filter_fields=ALL_FIELDS,
        # A value's rows are its partner's and month's: only the material and site follow.
        rows_query=filters.query(leave_out=("partner", "from", "to")),
        card_query=filters.query(leave_out=("partner",)),
    )


@router.get("/kpis/{kpi_id}/rows", response_model=None)
def kpi_rows_page(
    kpi_id: str,
    partner: str,
    month: str,
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
) -> Response:
    """The facts behind one partner's value of a KPI in one month, of one material's and one
    site's lines when the filter bar says so."""
    try:
        first = date.fromisoformat(month[:7] + "-01")
    except ValueError:
        message = TEXT[lang]["fl_bad_date"].format(value=month[:20])
        return page(request, "kpi_rows.html", lang, principal, 422, found=None, error=message)
    found = access_kpi_rows(
        conn=conn,
        principal=principal,
        today=today,
        kpi_id=kpi_id,
        partner_id=partner,
        month=first,
        material=filters.material,
        site=filters.site,
    )
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
    named = {"partner_id", "buyer_id"}
    rows = [
        [
            names.get(v, v) if c in named and isinstance(v, str) else v
            for c, v in zip(found.columns, row, strict=True)
        ]
        for row in found.rows
    ]
    return page(
        request,
        "kpi_rows.html",
        lang,
        principal,
        found=found,
        partner_name=names.get(partner, partner),
        headers=[FACT_COLUMNS.get(c, {}).get(lang, c) for c in found.columns],
        rows=rows,
        error=None,
        filters=filters,
        filter_fields=("material", "site"),
        filter_keep={"partner": partner, "month": first.isoformat()},
    )


@router.get("/suppliers", response_model=None)
def suppliers_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
) -> Response:
    """The suppliers whose scorecards the caller may open (a supplier goes to its own); the
    period, material and site chosen here follow the links to the scorecards."""
    query = filters.query(leave_out=("partner",))
    if not principal.sees_all:
        target = f"/suppliers/{principal.partner_id}"
        return RedirectResponse(f"{target}?{query}" if query else target, status_code=303)
    names = partner_names(conn=conn, principal=principal, lang=lang)
    suppliers = [
        (s, names.get(s, s))
        for s in get_supplier_ids(conn=conn)
        if filters.partner is None or s == filters.partner
    ]
    return page(
        request,
        "suppliers.html",
        lang,
        principal,
        suppliers=suppliers,
        filters=filters,
        filter_fields=ALL_FIELDS,
        query=query,
    )


@router.get("/suppliers/{partner_id}", response_model=None)
def scorecard_page(
    partner_id: str,
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
) -> Response:
    """One supplier's KPIs by month (from what the caller sees) and its rank among suppliers,
    over the period, material and site of the filter bar."""
    check_may_see_supplier(conn=conn, principal=principal, supplier_id=partner_id)
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
    cards = []
    months: set[date] = set()
    for kpi_id in SCORECARD_KPIS:
        values = access_kpi_values(
            conn=conn,
            principal=principal,
            today=today,
            kpi_id=kpi_id,
            partner_id=partner_id,
            **filters.scope(),
        )
        points = [(v.period, v.value) for v in values.values if v.period is not None]
        months.update(m for m, _ in points)
        ranking = access_supplier_ranking(
            conn=conn,
            principal=principal,
            today=today,
            kpi_id=kpi_id,
            supplier_id=partner_id,
            **filters.scope(),
        )
        cards.append(
            {
                "kpi": values.kpi,
                "by_month": dict(points),
                "latest": next((p for p in reversed(points) if p[1] is not None), None),
                "spark": sparkline(points, lang) if points else None,
                "ranking": ranking,
                "own": next((r for r in ranking if r.partner_id == partner_id), None),
            }
        )
    return page(
        request,
        "scorecard.html",
        lang,
        principal,
        charts=True,
        supplier_id=partner_id,
        supplier_name=names[partner_id],
        names=names,
        cards=cards,
        months=sorted(months),
        filters=filters,
        filter_fields=("period", "material", "site"),
        # A card's link opens the KPI for this supplier, over the same filters.
        query="&".join(
            part
            for part in (urlencode({"partner": partner_id}), filters.query(leave_out=("partner",)))
            if part
        ),
    )
