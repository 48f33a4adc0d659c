"""Material 360 pages: the materials a caller may open, and one material's 库存-订单-预测."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainhub.api.deps import ConnDep, TodayDep
from chainhub.errors import Language
from chainhub.forecast.service import list_visible_run_months
from chainhub.kpi.material360 import access_material_360, list_materials
from chainhub.kpi.schemas import Material360, MaterialRow
from chainhub.standard import fields
from chainhub.standard.codelists import CODE_LISTS_BY_ENUM
from chainhub.standard.units import UNITS
from chainhub.web.charts import Series, monthly_lines
from chainhub.web.filters import FiltersDep
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
_CATEGORIES = CODE_LISTS_BY_ENUM[fields.MaterialCategory].labels_zh


def _labels(m: MaterialRow, lang: Language) -> dict[str, str]:
    """The material's name, category and unit in the page language."""
    unit = UNITS.get(m.base_unit or "")
    category = m.category or ""
    return {
        "name": (m.name_zh if lang == "zh" else m.name_en) or m.material_code,
        "category": _CATEGORIES.get(category, category)
        if lang == "zh"
        else category.replace("_", " "),
        "unit": (unit.name_zh if lang == "zh" else unit.name_en) if unit else (m.base_unit or ""),
    }


@router.get("/materials", response_model=None)
def materials_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The materials the caller may open, with names and units; searchable by code or name,
    narrowed to a partner's and a site's orders and stock by the filter bar."""
    found = list_materials(
        conn=conn,
        principal=principal,
        today=today,
        search=q or filters.material,
        partner_id=filters.partner,
        site=filters.site,
    )
    rows = [{"material": m, **_labels(m, lang)} for m in found]
    return page(
        request,
        "materials.html",
        lang,
        principal,
        rows=rows,
        q=q or "",
        filters=filters,
        filter_fields=("partner", "material", "site"),
        filter_keep={"q": q or ""},
    )


def _series(view: Material360, hub: dict[date, float], version: int | None, lang: Language) -> str:
    """The month chart: stock, open orders, forecasts, receipts, consumption."""
    t = TEXT[lang]

    def line(pick: str) -> Series:
        return [
            (m.month, None if getattr(m, pick) is None else float(getattr(m, pick)))
            for m in view.months
        ]

    series: dict[str, Series] = {
        t["m360_on_hand"]: line("on_hand"),
        t["m360_open"]: line("open_orders"),
        t["m360_forecast"]: line("forecast"),
        t["m360_receipts"]: line("receipts"),
    }
    if any(m.consumption is not None for m in view.months):
        series[t["m360_consumption"]] = line("consumption")
    if hub:
        series[t["m360_hub_forecast"].format(version=version)] = sorted(hub.items())
    return monthly_lines(series, _labels(view.material, lang)["unit"], lang)


@router.get("/materials/{material_code}", response_model=None)
def material_page(
    material_code: str,
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
    buyer: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """One material at one buyer: the latest figures, the months (of the filter bar's period),
    and each supplier's part."""
    view = access_material_360(
        conn=conn,
        principal=principal,
        today=today,
        material_code=material_code,
        buyer_id=buyer,
        start=filters.start,
        end=filters.end,
    )
    version, hub = list_visible_run_months(
        conn=conn, principal=principal, today=today, material_code=material_code
    )
    names = partner_names(conn=conn, principal=principal, lang=lang)
    by_supplier: dict[str, Series] = {
        names.get(s.supplier_id, s.supplier_id): [(m.month, float(m.received)) for m in s.months]
        for s in view.suppliers
    }
    labels = _labels(view.material, lang)
    return page(
        request,
        "material.html",
        lang,
        principal,
        charts=True,
        view=view,
        labels=labels,
        names=names,
        hub=hub,
        hub_version=version,
        chart_json=_series(view, hub, version, lang) if view.months or hub else None,
        # With one supplier its receipts are the month chart's receipts line already.
        suppliers_json=monthly_lines(by_supplier, labels["unit"], lang)
        if len(by_supplier) > 1
        else None,
        filters=filters,
        filter_fields=("period",),
        filter_keep={"buyer": buyer or ""},
        period_query=filters.query(leave_out=("partner", "material", "site")),
    )
