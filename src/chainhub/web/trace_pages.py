"""The trace page: a lot number, LGTIN EPC or GS1 Digital Link traced backward and forward by the
trace service, drawn as a lot graph with the table of lots as the caller may see them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chainhub.api.deps import ConnDep
from chainhub.errors import ChainhubError, Language
from chainhub.kpi.service import get_supplier_aliases
from chainhub.masterdata.schemas import MaterialLabel
from chainhub.masterdata.service import get_material_labels
from chainhub.trace.cases import list_recalls
from chainhub.trace.schemas import TraceDirection, TraceNode, TraceResult
from chainhub.trace.tracing import access_trace
from chainhub.web.filters import FiltersDep, PageFilters
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep, format_day, format_quantity
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep
from chainhub.web.trace_graph import hidden_name, lot_graph_json, unit_name

router = APIRouter(include_in_schema=False)
DIRECTIONS: Final[dict[str, TraceDirection]] = {
    "backward": "backward",
    "forward": "forward",
    "both": "both",
}
MAX_QUERY: Final = 500


def _material(label: MaterialLabel | None, code: str, lang: Language) -> str:
    name = label and (label.name_zh if lang == "zh" else label.name_en)
    return f"{code} {name}" if name and name != code else code


def _rows(
    result: TraceResult,
    names: dict[str, str],
    materials: dict[str, MaterialLabel],
    lang: Language,
) -> list[dict[str, Any]]:
    """The table's lots: who holds them, what they are, how they were reached."""
    t = TEXT[lang]
    reached = {"start": t["tr_start"], "backward": t["tr_upstream"], "forward": t["tr_downstream"]}
    rows = []
    for node in result.nodes:
        label = materials.get(node.material_code)
        via = node.via
        rows.append(
            {
                "node": node,
                "reached": reached[node.direction],
                "partner": names.get(node.partner_id, node.partner_id),
                "material": _material(label, node.material_code, lang),
                "unit": unit_name(label.base_unit if label else None, lang),
                "quantity": format_quantity(via.quantity) if via else "—",
                "quantity_unit": unit_name(via.unit, lang) if via else "",
                "date": format_day(via.date if via else None, lang),
                "document": via.document if via else None,
                "kind": t.get(f"tr_kind_{via.kind}", via.kind) if via else "",
            }
        )
    return rows


def _kept(node: TraceNode, filters: PageFilters) -> bool:
    """Whether a lot is within the filter bar: held by its partner, reached on a day of its
    period (the lot the trace starts from, reached by no step, always is)."""
    if filters.partner is not None and node.partner_id != filters.partner:
        return False
    day = node.via.date[:10] if node.via and node.via.date else None
    if day is None:
        return True
    return (filters.start is None or day >= filters.start.isoformat()) and (
        filters.end is None or day <= filters.end.isoformat()
    )


def _form_error(lot: str, direction: str, lang: Language) -> str | None:
    if direction not in DIRECTIONS:
        return TEXT[lang]["tr_bad_direction"]
    if len(lot) > MAX_QUERY:
        return TEXT[lang]["tr_too_long"]
    return None


@router.get("/trace", response_model=None)
def trace_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    filters: FiltersDep,
    lot: str = "",
    material: str = "",
    direction: str = "both",
) -> Response:
    """The trace form and, for a lot, its genealogy as the caller may see it; the table holds
    the lots of the filter bar's partner and period, the graph the whole genealogy (a filtered
    graph would break its paths)."""
    form = {"lot": lot.strip(), "material": material.strip(), "direction": direction}
    bar: dict[str, Any] = {
        # A trace hides partners the directory names (a supplier's customers' customers): the
        # bar offers only the partners a trace names.
        "filters": replace(filters, partners=[]),
        # The form's material names the lot's material: it is the form's field, not the bar's.
        "filter_fields": ("period", "partner"),
        "filter_keep": form,
    }
    if not form["lot"]:
        return page(
            request, "trace.html", lang, principal, form=form, result=None, error=None, **bar
        )
    error = _form_error(form["lot"], direction, lang)
    if error is not None:
        return page(
            request, "trace.html", lang, principal, 400, form=form, result=None, error=error,
            **bar,
        )  # fmt: skip
    try:
        result = access_trace(
            conn=conn,
            principal=principal,
            query=form["lot"],
            material=form["material"] or None,
            direction=DIRECTIONS[direction],
        )
    except ChainhubError as failed:
        return page(
            request,
            "trace.html",
            lang,
            principal,
            failed.status,
            form=form,
            result=None,
            error=failed.message(lang),
            **bar,
        )
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    names = partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases)
    held = {n.partner_id for n in result.nodes}
    bar["filters"] = replace(filters, partners=[p for p in filters.partners if p[0] in held])
    materials = get_material_labels(conn=conn, codes={n.material_code for n in result.nodes})
    labels = {code: _material(m, code, lang) for code, m in materials.items()}
    report = {"lot": form["lot"], **({"material": form["material"]} if form["material"] else {})}
    return page(
        request,
        "trace.html",
        lang,
        principal,
        charts=True,
        form=form,
        error=None,
        result=result,
        rows=[r for r in _rows(result, names, materials, lang) if _kept(r["node"], filters)],
        # Lots of partners one may not name are of no partner one may filter by.
        hidden=[]
        if filters.partner
        else [
            {"name": hidden_name(h.label, lang), "lots": h.lots, "customer": h.customer}
            for h in result.hidden_partners
        ],
        graph_json=lot_graph_json(result, names, labels, lang),
        report_query=urlencode(report),
        recalls=[
            c for c in list_recalls(conn=conn, principal=principal) if c.lot_number == form["lot"]
        ],
        **bar,
    )
