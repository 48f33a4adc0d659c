"""Plan endpoints: the MRP and its publication, published weekly demand, capacity lights, alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chainhub.api.deps import ConnDep, NowDep, PrincipalDep, SettingsDep, TodayDep
from chainhub.plan import service
from chainhub.plan.mrp import WEEKS
from chainhub.plan.schemas import AlertRead, GroupWeek, MrpRead, PublishedWeek, PublishRead

router = APIRouter(prefix="/api/v1/plan", tags=["plan"])

CustomerQuery = Annotated[
    str | None,
    Query(description="Customer to plan for (the caller's own; the chain leader's by default)"),
]
SupplierQuery = Annotated[str | None, Query(description="Only this supplier's")]


@router.get("/mrp", response_model=MrpRead)
def read_mrp(
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    customer_id: CustomerQuery = None,
    weeks: Annotated[int, Query(ge=1, le=104)] = WEEKS,
) -> MrpRead:
    """The customer's time-phased MRP and each supplier's weekly demand (the customer, the chain
    leader or the hub admin)."""
    return service.access_mrp(
        conn=conn, principal=principal, today=today, customer_id=customer_id, weeks=weeks
    )


@router.post("/mrp/publish", response_model=PublishRead, status_code=201)
def publish_mrp(
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    now: NowDep,
    settings: SettingsDep,
    customer_id: CustomerQuery = None,
) -> PublishRead:
    """Publish each supplier's weekly demand that changed as weekly_material_demand documents,
    and raise the red and volatility alerts it brings."""
    return service.do_publish_demand(
        conn=conn,
        principal=principal,
        today=today,
        now=now,
        absolute=settings.plan_volatility_absolute,
        relative=settings.plan_volatility_relative,
        customer_id=customer_id,
    )


@router.get("/demand", response_model=list[PublishedWeek])
def read_demand(
    principal: PrincipalDep, conn: ConnDep, today: TodayDep, supplier_id: SupplierQuery = None
) -> list[PublishedWeek]:
    """Published weekly demand the caller may see (a supplier: its own)."""
    return service.list_weekly_demand(
        conn=conn, principal=principal, today=today, supplier_id=supplier_id
    )


@router.get("/capacity", response_model=list[GroupWeek])
def read_capacity(
    principal: PrincipalDep, conn: ConnDep, today: TodayDep, supplier_id: SupplierQuery = None
) -> list[GroupWeek]:
    """Capacity group-weeks the caller may see, with the demand on them and their light."""
    return service.list_group_weeks(
        conn=conn, principal=principal, today=today, supplier_id=supplier_id
    )


@router.get("/alerts", response_model=list[AlertRead])
def read_alerts(principal: PrincipalDep, conn: ConnDep) -> list[AlertRead]:
    """Red group-weeks and demand swings raised between the caller and its partners."""
    return service.list_alerts(conn=conn, principal=principal)
