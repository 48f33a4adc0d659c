"""Equipment endpoints: OEE and early warnings of the machines the caller sees."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from chainhub.api.deps import ConnDep, PrincipalDep
from chainhub.api.params import IsoDate
from chainhub.equipment import service
from chainhub.equipment.schemas import OeeReport, WarningRead

router = APIRouter(prefix="/api/v1/equipment", tags=["equipment"])


@router.get("/oee", response_model=OeeReport)
def read_oee(
    principal: PrincipalDep,
    conn: ConnDep,
    day: Annotated[IsoDate | None, Query(description="UTC day; default the latest")] = None,
    machine: Annotated[str | None, Query(description="One machine id")] = None,
    by: Annotated[Literal["day", "shift"], Query(description="per day or shift")] = "day",
) -> OeeReport:
    """OEE (ISO 22400-2), MTBF, MTTR and the downtime Pareto of the caller's machines (every
    machine, for the hub admin and the chain leader)."""
    return service.access_oee(
        conn=conn,
        principal=principal,
        day=day,
        machine=machine,
        every="1d" if by == "day" else "8h",
    )


@router.get("/warnings", response_model=list[WarningRead])
def read_warnings(
    principal: PrincipalDep,
    conn: ConnDep,
    day: Annotated[IsoDate | None, Query(description="UTC day; default the latest")] = None,
    machine: Annotated[str | None, Query(description="One machine id")] = None,
) -> list[WarningRead]:
    """Early warnings (vibration above the machine's own baseline) of the caller's machines
    (every machine, for the hub admin and the chain leader)."""
    return service.access_warnings(conn=conn, principal=principal, day=day, machine=machine)
