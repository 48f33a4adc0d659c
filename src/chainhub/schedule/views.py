"""Schedule endpoints: re-plan a site, its latest plan (JSON or XLSX), a supplier's need dates."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chainhub.api.deps import ConnDep, NowDep, PrincipalDep
from chainhub.schedule import service
from chainhub.schedule.downtime import access_downtime, access_open_downtime
from chainhub.schedule.reports import export_run_xlsx
from chainhub.schedule.schemas import (
    DowntimeCreate,
    DowntimeWindow,
    RunParameters,
    RunRead,
    RunSummary,
    SiteNeedRead,
)

router = APIRouter(prefix="/api/v1/schedule", tags=["schedule"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/needs", response_model=list[SiteNeedRead])
def read_needs(principal: PrincipalDep, conn: ConnDep) -> list[SiteNeedRead]:
    """Need dates in the latest plans of what the caller supplies (of its own plants, too)."""
    return service.access_needs(conn=conn, principal=principal)


@router.post("/{site_id}/runs", response_model=RunRead, status_code=201)
def run_schedule(
    site_id: str,
    parameters: RunParameters,
    principal: PrincipalDep,
    conn: ConnDep,
    now: NowDep,
) -> RunRead:
    """Re-plan the site's open orders from now (its manufacturer, the chain leader or the hub
    admin); what moved, the late orders and the problems in the input are in the answer."""
    return service.access_run_schedule(
        conn=conn, principal=principal, site_id=site_id, now=now, parameters=parameters
    )


@router.get("/{site_id}/runs", response_model=list[RunSummary])
def list_runs(site_id: str, principal: PrincipalDep, conn: ConnDep) -> list[RunSummary]:
    """The site's stored plans, newest first (its manufacturer, the chain leader, the hub admin)."""
    return service.access_runs(conn=conn, principal=principal, site_id=site_id)


@router.get("/{site_id}", response_model=RunRead)
def read_schedule(
    site_id: str, principal: PrincipalDep, conn: ConnDep, run: str | None = None
) -> RunRead:
    """The site's latest plan, or the stored plan `run` (its manufacturer, the chain leader or
    the hub admin)."""
    return service.access_run(conn=conn, principal=principal, site_id=site_id, run_id=run)


@router.get("/{site_id}/export.xlsx", responses={200: {"content": {XLSX: {}}}})
def export_schedule(
    site_id: str, principal: PrincipalDep, conn: ConnDep, run: str | None = None
) -> Response:
    """The site's latest plan (or the stored plan `run`) as a workbook: a sheet by machine, one
    by order, the problems."""
    run_read = service.access_run(conn=conn, principal=principal, site_id=site_id, run_id=run)
    return Response(
        export_run_xlsx(run_read),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="schedule-{run_read.run_id}.xlsx"'},
    )


@router.post("/{site_id}/downtime", response_model=DowntimeWindow, status_code=201)
def open_downtime(
    site_id: str, window: DowntimeCreate, principal: PrincipalDep, conn: ConnDep, now: NowDep
) -> DowntimeWindow:
    """Keep a machine (`WC-01#1`) or work centre free for maintenance, e.g. after an early
    warning (who may plan the site); every later plan respects it, and with `replan` the site
    is planned again from now."""
    opened = access_open_downtime(
        conn=conn, principal=principal, site_id=site_id, window=window, now=now
    )
    if window.replan:
        service.access_run_schedule(
            conn=conn, principal=principal, site_id=site_id, now=now, parameters=RunParameters()
        )
    return opened


@router.get("/{site_id}/downtime", response_model=list[DowntimeWindow])
def list_downtime(
    site_id: str, principal: PrincipalDep, conn: ConnDep, now: NowDep
) -> list[DowntimeWindow]:
    """The site's downtime windows not over yet: breakdowns, maintenance, planners' (its
    manufacturer, the chain leader or the hub admin)."""
    return access_downtime(conn=conn, principal=principal, site_id=site_id, after=now)
