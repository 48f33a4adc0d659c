"""Plan endpoints: the MRP and its publication, published weekly demand, capacity lights, alerts,
the buffer board, VMI proposals and the suppliers' answers, the what-if."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chainhub.api.deps import ConnDep, NowDep, PrincipalDep, SettingsDep, TodayDep
from chainhub.plan import replenishment, service
from chainhub.plan.mrp import WEEKS
from chainhub.plan.replenishment import Policy
from chainhub.plan.schemas import (
    AlertRead,
    BuffersRead,
    GroupWeek,
    MrpRead,
    ProposalDecision,
    ProposalRead,
    PublishedWeek,
    PublishRead,
    WhatIfCreate,
    WhatIfRead,
)
from chainhub.settings import Settings

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


ServiceLevelQuery = Annotated[
    float | None,
    Query(ge=0.5, le=0.9999, description="Service level (default: the hub's setting)"),
]


def _policy(settings: Settings, service_level: float | None = None) -> Policy:
    return Policy(
        service_level=service_level or settings.plan_service_level,
        review_days=settings.plan_review_days,
    )


@router.get("/buffers", response_model=BuffersRead)
def read_buffers(
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    settings: SettingsDep,
    customer_id: CustomerQuery = None,
    service_level: ServiceLevelQuery = None,
) -> BuffersRead:
    """The buffer board: each material and site's safety stock, reorder and order-up-to
    levels, DDMRP zones, net flow and days of supply, and what runs out when (a supplier: the
    materials it manages)."""
    return replenishment.access_buffers(
        conn=conn,
        principal=principal,
        today=today,
        policy=_policy(settings, service_level),
        customer_id=customer_id,
    )


@router.get("/proposals", response_model=list[ProposalRead])
def read_proposals(
    principal: PrincipalDep,
    conn: ConnDep,
    customer_id: CustomerQuery = None,
    supplier_id: SupplierQuery = None,
) -> list[ProposalRead]:
    """Stored VMI proposals the caller may see (a supplier: its own)."""
    return replenishment.list_proposals(
        conn=conn, principal=principal, customer_id=customer_id, supplier_id=supplier_id
    )


@router.post("/proposals", response_model=list[ProposalRead], status_code=201)
def create_proposals(
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    now: NowDep,
    settings: SettingsDep,
    customer_id: CustomerQuery = None,
) -> list[ProposalRead]:
    """Compute the customer's VMI proposals and store them in place of the open ones."""
    return replenishment.do_store_proposals(
        conn=conn,
        principal=principal,
        today=today,
        now=now,
        policy=_policy(settings),
        customer_id=customer_id,
    )


@router.post("/proposals/{proposal_id}/decision", response_model=ProposalRead)
def decide_proposal(
    proposal_id: str,
    decision: ProposalDecision,
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    now: NowDep,
) -> ProposalRead:
    """The supplier accepts (as proposed or changed) or rejects a proposal; accepted, it
    becomes the supplier's confirmed purchase order."""
    return replenishment.do_decide_proposal(
        conn=conn,
        principal=principal,
        proposal_id=proposal_id,
        decision=decision,
        today=today,
        now=now,
    )


@router.post("/what-if", response_model=WhatIfRead)
def what_if(
    body: WhatIfCreate,
    principal: PrincipalDep,
    conn: ConnDep,
    today: TodayDep,
    settings: SettingsDep,
) -> WhatIfRead:
    """The buffers, proposals, stockouts and capacity lights a changed demand, lead time or
    capacity would change; nothing is stored."""
    return replenishment.access_what_if(
        conn=conn, principal=principal, today=today, policy=_policy(settings), what_if=body
    )
