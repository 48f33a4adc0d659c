"""The forecast page: one series' demand, the hub's forecast with its interval and the
partner's own forecast, and every visible series' forecast value added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep, TodayDep
from chainhub.errors import ChainhubError, Language
from chainhub.forecast.schemas import RunRead, ScoreRead, SeriesRead, ValueAddedRead
from chainhub.forecast.service import access_run, get_run_value_added, get_series_lines
from chainhub.forecast.value_added import count_over_naive
from chainhub.web.charts import forecast_band
from chainhub.web.exports import TableExport, table_file
from chainhub.web.filters import FiltersDep, PageFilters
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep, format_number
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)
# Value-added rows a page shows; the export gives every row the filter bar keeps.
PAGE_SIZE: Final = 50
# The value-added table's column titles (TEXT keys), in order.
_COLUMNS: Final = (
    "material", "fc_customer", "fc_method", "fc_partner_source", "fc_points", "fc_measure",
    "fc_hub_score", "fc_hub_wmape", "fc_partner_score", "fc_partner_wmape", "fc_naive_score",
    "fc_naive_wmape", "fc_verdict",
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One series of the table: its place in the run, names as the caller may see them."""

    index: int
    series: SeriesRead
    added: ValueAddedRead | None
    customer: str
    source: str
    verdict: str
    measure: str

    def cells(self) -> list[str]:
        """The row's cells as the table shows them (errors as percentages, scores by the
        series' measure)."""
        a = self.added

        def pct(wmape: float | None) -> str:
            return format_number(None if wmape is None else wmape * 100, 1)

        def score(found: ScoreRead | None) -> str:
            if found is None or a is None:
                return "—"
            return format_number(found.rmsse if a.measure == "rmsse" else found.mase, 2)

        scores = ["—"] * 8
        if a is not None:
            partner = a.partner
            scores = [
                format_number(a.points),
                self.measure,
                score(a.hub),
                pct(a.hub.wmape),
                score(partner),
                pct(partner.wmape) if partner else "—",
                score(a.naive),
                pct(a.naive.wmape),
            ]
        s = self.series
        return [s.material_code, self.customer, s.method, self.source, *scores, self.verdict]


def _verdict(added: ValueAddedRead | None, lang: Language) -> str:
    """Which forecast is best and whether the hub adds value, or why nothing was compared."""
    t = TEXT[lang]
    if added is None or added.status == "no_backtest":
        return t["fc_no_backtest"]
    best = t[f"fc_best_{added.best}"] if added.best else ""
    if added.best == "naive" and added.hub_equals_naive:
        # The hub chose the naive benchmark itself (or tied it): not worse than naive.
        best = t["fc_same_as_naive"]
    if added.status != "scored":
        return f"{best} · {t[f'fc_{added.status}']}" if best else t[f"fc_{added.status}"]
    adds = t["fc_adds_value"] if added.hub_beats_partner else t["fc_adds_nothing"]
    return f"{best} · {adds}" if best else adds


def _measure(added: ValueAddedRead | None, lang: Language) -> str:
    """The measure the series is judged by, with its demand class when that is why."""
    if added is None:
        return "—"
    if added.measure == "mase":
        return "MASE"
    return TEXT[lang]["fc_measure_rmsse"].format(kind=TEXT[lang][f"fc_{added.demand_class}"])


def _shown(s: SeriesRead, added: ValueAddedRead | None, filters: PageFilters) -> bool:
    """Whether the filter bar keeps a series: its material matches, and its customer or the
    partner whose forecast it is compared with is the filter's partner."""
    if filters.material and filters.material.lower() not in s.material_code.lower():
        return False
    if filters.partner is None:
        return True
    return filters.partner in (s.customer_id, added.issuer_id if added else None)


def _source(added: ValueAddedRead | None, names: dict[str, str], lang: Language) -> str:
    """Whose forecast the series is compared with, and the share it was given by."""
    if added is None or added.issuer_id is None:
        return "—"
    name = names.get(added.issuer_id, added.issuer_id)
    if not added.allocated or added.share is None:
        return name
    return TEXT[lang]["fc_partner_share"].format(name=name, share=format_number(added.share * 100))


def _chart(
    *,
    conn: ConnDep,
    principal: SignedInDep,
    today: TodayDep,
    run: RunRead,
    chosen: SeriesRead,
    added: ValueAddedRead | None,
    source: str,
    lang: Language,
) -> tuple[str, bool]:
    """The chosen series' chart, and whether it shows a partner's forecast."""
    t = TEXT[lang]
    history, partner = get_series_lines(
        conn=conn,
        principal=principal,
        today=today,
        bucket=run.parameters.bucket,
        key=(chosen.material_code, chosen.customer_id),
        added=added,
    )
    names = {
        "history": t["fc_history"],
        "hub": f"{t['fc_hub']} ({chosen.method})",
        "interval": t["fc_interval"].format(level=run.parameters.level),
        "partner": t["fc_partner"].format(name=source),
    }
    forecast = [(p.period_start, p.quantity, p.lo, p.hi) for p in chosen.points]
    chart = forecast_band(history=history, forecast=forecast, partner=partner, names=names, unit="")
    return chart, bool(partner)


def _rows(
    *,
    conn: ConnDep,
    principal: Principal,
    run: RunRead,
    filters: PageFilters,
    lang: Language,
) -> list[Row]:
    """Every series of the run the caller sees and the filter bar keeps, in the run's order."""
    added = {(a.material_code, a.customer_id): a for a in get_run_value_added(conn=conn, run=run)}
    names = partner_names(conn=conn, principal=principal, lang=lang)
    rows = []
    for index, s in enumerate(run.series):
        found = added.get((s.material_code, s.customer_id))
        if _shown(s, found, filters):
            rows.append(
                Row(
                    index=index,
                    series=s,
                    added=found,
                    customer=names.get(s.customer_id, s.customer_id),
                    source=_source(found, names, lang),
                    verdict=_verdict(found, lang),
                    measure=_measure(found, lang),
                )
            )
    return rows


def _latest(*, conn: ConnDep, principal: Principal, today: date) -> RunRead | None:
    """The latest run the caller sees, if any was made."""
    try:
        return access_run(conn=conn, principal=principal, today=today)
    except ChainhubError as error:
        if error.code != "forecast_not_found":
            raise
        return None


@router.get("/forecast", response_model=None)
def forecast_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
    series: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    page_number: Annotated[int | None, Query(alias="page", ge=1, le=1_000_000)] = None,
) -> Response:
    """The latest run: a series' chart (picked by its place in the run, so no link names a
    partner) and the value added of every series the caller sees, narrowed by the filter bar,
    a page at a time (the chosen series' page unless one is asked for)."""
    context: dict[str, Any] = {
        "filters": filters,
        "filter_fields": ("partner", "material"),
        "filter_keep": {},
    }
    run = _latest(conn=conn, principal=principal, today=today)
    if run is None:
        return page(request, "forecast.html", lang, principal, run=None, rows=[], **context)
    rows = _rows(conn=conn, principal=principal, run=run, filters=filters, lang=lang)
    at = next((i for i, r in enumerate(rows) if r.index == series), 0)
    chosen = rows[at] if rows else None
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    shown_page = min(page_number or at // PAGE_SIZE + 1, pages)
    chart_json, partner_shown = None, False
    if chosen is not None:
        chart_json, partner_shown = _chart(
            conn=conn,
            principal=principal,
            today=today,
            run=run,
            chosen=chosen.series,
            added=chosen.added,
            source=chosen.source,
            lang=lang,
        )
    found_all = [r.added for r in rows if r.added is not None]
    compared = [a for a in found_all if a.status == "scored"]
    naive = count_over_naive(found_all)
    context["filter_keep"] = {"series": "" if series is None else str(series)}
    start = (shown_page - 1) * PAGE_SIZE
    return page(
        request,
        "forecast.html",
        lang,
        principal,
        charts=chosen is not None,
        run=run,
        rows=rows[start : start + PAGE_SIZE],
        total=len(rows),
        page_number=shown_page,
        pages=pages,
        columns=_COLUMNS,
        chosen=chosen,
        chart_json=chart_json,
        partner_shown=partner_shown,
        query=filters.query(),
        # Paging keeps the chosen series' chart.
        pager_query="&".join(
            q for q in (filters.query(), "" if series is None else f"series={series}") if q
        ),
        bucket=TEXT[lang][f"fc_{run.parameters.bucket}"],
        summary={
            "partner": sum(1 for a in compared if a.hub_beats_partner),
            "compared": len(compared),
            "naive": naive.beats,
            "same": naive.equals,
            "scored": naive.scored,
        },
        **context,
    )


@router.get("/forecast/value-added.{suffix}", response_model=None)
def export_value_added(
    suffix: Literal["xlsx", "csv"],
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    today: TodayDep,
    filters: FiltersDep,
) -> Response:
    """The whole value-added table the page shows a page at a time, as XLSX or CSV."""
    run = _latest(conn=conn, principal=principal, today=today)
    rows = (
        []
        if run is None
        else _rows(conn=conn, principal=principal, run=run, filters=filters, lang=lang)
    )
    t = TEXT[lang]
    table = TableExport(
        name=t["fc_value_added"],
        header=[t[c] for c in _COLUMNS],
        rows=[r.cells() for r in rows],
    )
    return table_file(table, suffix)
