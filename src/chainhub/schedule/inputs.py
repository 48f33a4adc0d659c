"""The planning problem of one site from the standard's documents: open production orders,
routings, work centres, stock and confirmed shipments; every problem found is named."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.schedule.problem import Machine, Operation, Order
from chainhub.schedule.schemas import Downtime, Issue
from chainhub.storage.models import current_view

OPEN_STATUSES: Final = ("planned", "released", "in_progress")
RELEASED_STATUSES: Final = ("released", "in_progress")
CONFIRMED_SHIPMENTS: Final = ("announced", "in_transit")


@dataclass
class SiteInputs:
    """What the solver needs for one site, and what the service reports beside it."""

    manufacturer_id: str
    machines: list[Machine]
    orders: list[Order]
    issues: list[Issue]
    work_centre_of: dict[str, str] = field(default_factory=dict)
    due_at: dict[str, datetime] = field(default_factory=dict)
    released: set[str] = field(default_factory=set)
    components: dict[str, dict[str, float]] = field(default_factory=dict)


def minutes(at: datetime, origin: datetime) -> int:
    """Whole minutes from the plan's start (rounded up, so nothing starts early)."""
    return math.ceil((at - origin).total_seconds() / 60)


def _rows(conn: Connection, doc_type: str, **equal: str) -> list[dict[str, Any]]:
    view = current_view(doc_type)
    where = [view.c[k] == v for k, v in equal.items()]
    return [dict(r) for r in conn.execute(sa.select(view).where(*where)).mappings()]


def _machines(
    conn: Connection, site_id: str, origin: datetime, downtime: list[Downtime]
) -> tuple[list[Machine], dict[str, float]]:
    stretch: dict[str, float] = {}
    machines = []
    for row in sorted(
        _rows(conn, "work_centre", site_id=site_id), key=lambda r: r["work_centre_id"]
    ):
        centre = row["work_centre_id"]
        # The shift calendar as capacity: an hour of work takes 24 / hours_per_day clock hours.
        stretch[centre] = 24 / float(row["hours_per_day"])
        for k in range(1, int(row["machines"]) + 1):
            machine_id = f"{centre}#{k}"
            down = tuple(
                (max(0, minutes(d.start, origin)), minutes(d.end, origin))
                for d in downtime
                if d.machine in (machine_id, centre) and d.end > origin
            )
            machines.append(Machine(machine_id, centre, down))
    return machines, stretch


def _arrivals(conn: Connection, site_id: str, today: date) -> dict[str, list[tuple[date, float]]]:
    """Stock on hand (available today) and confirmed inbound shipments, per material."""
    supply: dict[str, list[tuple[date, float]]] = defaultdict(list)
    stock = _rows(conn, "inventory_snapshot", site_id=site_id)
    latest: dict[str, date] = {}
    for row in stock:
        code = row["material_code"]
        latest[code] = max(latest.get(code, row["snapshot_date"]), row["snapshot_date"])
    for row in stock:
        if row["snapshot_date"] == latest[row["material_code"]]:
            free = float(row["quantity_on_hand"]) - float(row["quantity_blocked"] or 0)
            supply[row["material_code"]].append((today, free))
    for row in _rows(conn, "shipment", ship_to_site=site_id):
        if row["status"] in CONFIRMED_SHIPMENTS:
            arrives = max(today, row["expected_delivery_date"])
            supply[row["material_code"]].append((arrives, float(row["quantity"])))
    return {code: sorted(s) for code, s in supply.items()}


def _release(
    needs: dict[str, float],
    supply: dict[str, list[tuple[date, float]]],
    used: dict[str, float],
    number: str,
    first_op: int,
) -> tuple[date | None, list[Issue]]:
    """The day every component is on hand for this order (earlier orders served first)."""
    ready: date | None = None
    issues = []
    for code, quantity in sorted(needs.items()):
        total, day = 0.0, None
        for arrives, amount in supply.get(code, []):
            total += amount
            if total >= used[code] + quantity:
                day = arrives
                break
        if day is None:
            issues.append(
                Issue(
                    order_number=number,
                    operation_no=first_op,
                    field="material_code",
                    message=f"{code}: {quantity:g} needed, never on hand nor confirmed to arrive",
                )
            )
            continue
        used[code] += quantity
        ready = day if ready is None else max(ready, day)
    return ready, issues


def load_site(
    *, conn: Connection, site_id: str, origin: datetime, downtime: list[Downtime]
) -> SiteInputs:
    """The site's open orders as solver orders; problems named, their orders left out."""
    machines, stretch = _machines(conn, site_id, origin, downtime)
    by_centre: dict[str, list[str]] = defaultdict(list)
    for m in machines:
        by_centre[m.work_centre_id].append(m.machine_id)
    routings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(conn, "routing", site_id=site_id):
        routings[row["material_code"]].append(row)
    headers: dict[str, dict[str, Any]] = {}
    inputs: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in _rows(conn, "production_order", site_id=site_id):
        if row["status"] not in OPEN_STATUSES:
            continue
        headers[row["order_number"]] = row
        if row["direction"] == "input":
            inputs[row["order_number"]][row["material_code"]] += float(row["quantity"])
    supply = _arrivals(conn, site_id, origin.date())
    used: dict[str, float] = defaultdict(float)
    result = SiteInputs(manufacturer_id="", machines=machines, orders=[], issues=[])
    for number, head in sorted(headers.items(), key=lambda kv: (kv[1]["planned_end"], kv[0])):
        result.manufacturer_id = head["manufacturer_id"]
        steps = sorted(routings.get(head["product_code"], []), key=lambda r: r["operation_no"])
        if not steps:
            result.issues.append(
                Issue(
                    order_number=number,
                    operation_no=None,
                    field="product_code",
                    message=f"no routing for {head['product_code']} at {site_id}",
                )
            )
            continue
        operations, bad = [], []
        for step in steps:
            centre = step["work_centre_id"]
            if centre not in by_centre:
                bad.append(
                    Issue(
                        order_number=number,
                        operation_no=step["operation_no"],
                        field="work_centre_id",
                        message=f"work centre {centre} is not known at {site_id}",
                    )
                )
                continue
            work = float(step["setup_minutes"]) + float(step["run_minutes_per_unit"]) * float(
                head["planned_quantity"]
            )
            duration = max(1, math.ceil(work * stretch[centre]))
            operations.append(
                Operation(step["operation_no"], dict.fromkeys(by_centre[centre], duration))
            )
            result.work_centre_of[f"{number}/{step['operation_no']}"] = centre
        needs = dict(inputs.get(number, {}))
        ready, missing = _release(needs, supply, used, number, steps[0]["operation_no"])
        if bad or missing:
            result.issues.extend(bad + missing)
            continue
        release = 0 if ready is None else max(0, minutes(_day_start(ready, origin), origin))
        due = minutes(head["planned_end"], origin)
        order = Order(number, tuple(operations), due=due, release=release)
        shortest = release + sum(min(op.durations.values()) for op in operations)
        if shortest > due:
            result.issues.append(
                Issue(
                    order_number=number,
                    operation_no=None,
                    field="planned_end",
                    message=f"cannot end before {shortest - due} minutes past its due date",
                )
            )
        result.orders.append(order)
        result.due_at[number] = head["planned_end"]
        result.components[number] = needs
        if head["status"] in RELEASED_STATUSES:
            result.released.add(number)
    return result


def _day_start(day: date, origin: datetime) -> datetime:
    return datetime.combine(day, time(0), tzinfo=origin.tzinfo) + timedelta(0)
