"""The equipment page: a day's OEE per machine, early warnings, the downtime Pareto, and the
downtime windows the plans keep free."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainhub.api.deps import ConnDep
from chainhub.equipment.service import access_oee, access_warnings
from chainhub.schedule.downtime import access_downtime
from chainhub.schedule.service import access_planned_sites
from chainhub.web.charts import oee_bars
from chainhub.web.locale import PageLanguageDep
from chainhub.web.render import page, partner_names
from chainhub.web.session import SignedInDep

router = APIRouter(include_in_schema=False)


@router.get("/equipment", response_model=None)
def equipment_page(
    request: Request,
    conn: ConnDep,
    principal: SignedInDep,
    lang: PageLanguageDep,
    day: date | None = Query(default=None, description="UTC day; the latest with telemetry"),
) -> Response:
    """OEE of the caller's machines (all, for the hub admin and the chain leader) on one day."""
    report = access_oee(conn=conn, principal=principal, day=day)
    shown = report.rows[0].day if report.rows else day
    warnings = access_warnings(conn=conn, principal=principal, day=shown) if shown else []
    now = datetime.now(UTC)
    windows = [
        (site_id, w)
        for site_id in access_planned_sites(conn=conn, principal=principal)
        for w in access_downtime(
            conn=conn, principal=principal, site_id=site_id, after=now - timedelta(days=7)
        )  # fmt: skip
    ]
    names = partner_names(conn=conn, principal=principal, lang=lang)
    bars = [(r.machine_id, (r.availability, r.performance, r.quality)) for r in report.rows]
    chart = oee_bars(bars) if bars else None
    return page(
        request, "equipment.html", lang, principal, charts=bool(bars), report=report, day=shown,
        warnings=warnings, windows=windows, names=names, chart_json=chart,
    )  # fmt: skip
