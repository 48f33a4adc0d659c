"""The schedule page: a site's stored plan as a Gantt by machine or by order, its orders' due
dates and tardiness, what moved in a re-plan and why orders are late; a supplier sees the need
dates of what it supplies."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.api.deps import ConnDep, NowDep
from chainhub.errors import ChainhubError, Language
from chainhub.kpi.service import get_supplier_aliases
from chainhub.schedule.reports import get_explanation
from chainhub.schedule.schemas import RunRead, RunSummary, SlotRead
from chainhub.schedule.service import (
    NeedFilter,
    access_needs,
    access_planned_sites,
    access_run,
    access_runs,
    get_run,
)
from chainhub.web.filters import FiltersDep, PageFilters
from chainhub.web.gantt import gantt_json
from chainhub.web.i18n import TEXT
from chainhub.web.locale import PageLanguageDep, format_datetime, format_quantity
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)


def _orders(run: RunRead) -> list[dict[str, Any]]:
    """Each planned order: its due date, planned end and tardiness in hours."""
    slots: dict[str, list[SlotRead]] = defaultdict(list)
    for slot in run.slots:
        slots[slot.order_number].append(slot)
    rows = []
    for number, own in sorted(slots.items()):
        due, end = own[0].due_at, max(s.end_at for s in own)
        rows.append(
            {
                "order": number,
                "due": due,
                "end": end,
                "hours": max((end - due).total_seconds(), 0) / 3600,
                "late": number in run.late_orders,
            }
        )
    return rows


def _moves(conn: Connection, run: RunRead, runs: list[RunSummary]) -> list[dict[str, Any]]:
    """Each operation moved from the plan this one replaced: where and when, before and after."""
    head = next((r for r in runs if r.run_id == run.run_id), None)
    if head is None or head.previous_run_id is None or not run.moved:
        return []
    previous = get_run(conn=conn, site_id=run.site_id, run_id=head.previous_run_id)
    before = {(s.order_number, s.operation_no): s for s in previous.slots}
    return [{"after": s, "before": before.get((s.order_number, s.operation_no))} for s in run.moved]


def _without_plan(
    request: Request,
    conn: Connection,
    principal: Principal,
    lang: Language,
    status_code: int,
    filters: PageFilters,
    **context: Any,
) -> Response:
    """The page without a Gantt: what the caller may see is the need dates of what it supplies,
    narrowed by the filter bar (the partner is the plant's manufacturer)."""
    aliases = get_supplier_aliases(conn=conn, principal=principal)
    since, until = filters.moments()
    only = NeedFilter(
        manufacturer_id=filters.partner,
        material=filters.material,
        # With a site picker, the site is the picker's.
        site=None if context["sites"] else filters.site,
        since=since,
        until=until,
    )
    return page(
        request,
        "schedule.html",
        lang,
        principal,
        status_code=status_code,
        run=None,
        needs=access_needs(conn=conn, principal=principal, only=only),
        filters=filters,
        filter_fields=("period", "partner", "material", *(() if context["sites"] else ("site",))),
        filter_keep={"site": context["site_id"] or ""},
        names=partner_names(conn=conn, principal=principal, lang=lang, aliases=aliases),
        # A supplier's plant names it: its sites are not shown to another supplier.
        aliases=aliases,
        when=lambda moment: format_datetime(moment, lang),
        qty=format_quantity,
        **context,
    )


@router.get("/schedule", response_model=None)
def schedule_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    now: NowDep,
    filters: FiltersDep,
    run: str | None = None,
) -> Response:
    """A site's plan (the newest unless `run` names a stored one; its operations within the
    filter bar's period) for who may see it whole."""
    sites = access_planned_sites(conn=conn, principal=principal)
    site_id = filters.site or (sites[0] if sites else None)
    if site_id is None:
        return _without_plan(
            request, conn, principal, lang, 200, filters, sites=sites, site_id=None, error=None
        )
    since, until = filters.moments()
    try:
        plan = access_run(
            conn=conn,
            principal=principal,
            site_id=site_id,
            run_id=run or None,
            since=since,
            until=until,
        )
        runs = access_runs(conn=conn, principal=principal, site_id=site_id)
    except ChainhubError as error:
        # A refusal names no one: the service's message names the plant's owner.
        message = TEXT[lang]["sch_forbidden"] if error.status == 403 else error.message(lang)
        return _without_plan(
            request,
            conn,
            principal,
            lang,
            error.status,
            filters,
            sites=sites,
            site_id=site_id,
            error=message,
        )
    return page(
        request,
        "schedule.html",
        lang,
        principal,
        charts=True,
        sites=sites,
        site_id=site_id,
        runs=runs,
        run=plan,
        error=None,
        gantt_json=gantt_json(plan, now, lang) if plan.slots else None,
        orders=_orders(plan),
        moves=_moves(conn, plan, runs),
        explanation=get_explanation(plan),
        when=lambda moment: format_datetime(moment, lang),
        now=now,
        filters=filters,
        filter_fields=("period",),
        filter_keep={"site": site_id, "run": run or ""},
    )
