"""What a stored plan says to people: why orders are late, and the plan as an XLSX workbook."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import Final

import polars as pl
import xlsxwriter

from chainhub.schedule.schemas import Explanation, LateOrder, RunRead, SlotRead
from chainhub.standard.cells import neutralise_frame

SLOT_COLUMNS: Final = (
    "machine_id",
    "work_centre_id",
    "order_number",
    "operation_no",
    "start_at",
    "end_at",
    "due_at",
    "late",
    "moved",
)
TIMES: Final = ("start_at", "end_at", "due_at")


def _minutes(later: datetime, earlier: datetime) -> int:
    return round((later - earlier).total_seconds() / 60)


def _waits(run: RunRead, slot: SlotRead, ready: datetime, first: bool) -> str | None:
    """Why the operation starts after it could: the orders ahead on its machine, else what
    holds it (material for a first operation, downtime otherwise)."""
    wait = _minutes(slot.start_at, ready)
    if wait <= 0:
        return None
    ahead = sorted(
        {
            s.order_number
            for s in run.slots
            if s.machine_id == slot.machine_id
            and s.order_number != slot.order_number
            and s.start_at < slot.start_at
            and s.end_at > ready
        }
    )
    step = f"operation {slot.operation_no} waits {wait} min for {slot.machine_id}"
    if ahead:
        return f"{step} behind {', '.join(ahead)}"
    if first:
        return f"{step}: its material is not on hand before, or the machine is down"
    return f"{step}: the machine is down"


def get_late_reasons(run: RunRead) -> list[LateOrder]:
    """Each late order with its reasons: a due date that cannot be met, and every wait."""
    by_order: dict[str, list[SlotRead]] = defaultdict(list)
    for slot in run.slots:
        by_order[slot.order_number].append(slot)
    impossible = {i.order_number: i.message for i in run.issues if i.field == "planned_end"}
    late = []
    for number in run.late_orders:
        slots = sorted(by_order.get(number, []), key=lambda s: s.operation_no)
        if not slots:
            continue
        end, due = max(s.end_at for s in slots), slots[0].due_at
        reasons = []
        if number in impossible:
            reasons.append(f"the due date cannot be met: {impossible[number]}")
        ready = run.planned_from
        for k, slot in enumerate(slots):
            wait = _waits(run, slot, ready, first=k == 0)
            if wait:
                reasons.append(wait)
            ready = slot.end_at
        if not reasons:
            reasons.append("its operations take longer than the time left to its due date")
        late.append(
            LateOrder(
                order_number=number,
                due_at=due,
                end_at=end,
                minutes_late=_minutes(end, due),
                reasons=reasons,
            )
        )
    return late


def get_explanation(run: RunRead) -> Explanation:
    """The plan's named input problems and why its late orders are late."""
    return Explanation(
        run_id=run.run_id, site_id=run.site_id, issues=run.issues, late=get_late_reasons(run)
    )


def _slots_frame(run: RunRead) -> pl.DataFrame:
    late = set(run.late_orders)
    rows = [
        {**s.model_dump(include=set(SLOT_COLUMNS)), "late": s.order_number in late}
        for s in run.slots
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "machine_id": pl.String,
            "work_centre_id": pl.String,
            "order_number": pl.String,
            "operation_no": pl.Int64,
            "start_at": pl.Datetime("us", "UTC"),
            "end_at": pl.Datetime("us", "UTC"),
            "due_at": pl.Datetime("us", "UTC"),
            "late": pl.Boolean,
            "moved": pl.Boolean,
        },
        orient="row",
    ).select(SLOT_COLUMNS)
    # Excel holds no time zone: times are written in UTC and their headers say so.
    return neutralise_frame(
        frame.with_columns(pl.col(c).dt.replace_time_zone(None) for c in TIMES).rename(
            {c: f"{c} (UTC)" for c in TIMES}
        )
    )


def export_run_xlsx(run: RunRead) -> bytes:
    """The plan as a workbook: its slots by machine, by order, and the named problems."""
    slots = _slots_frame(run)
    issues = neutralise_frame(
        pl.DataFrame(
            [i.model_dump() for i in run.issues],
            schema={
                "order_number": pl.String,
                "operation_no": pl.Int64,
                "field": pl.String,
                "message": pl.String,
            },
            orient="row",
        )
    )
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as workbook:
        slots.sort("machine_id", "start_at (UTC)").write_excel(workbook, worksheet="by machine")
        by_order = ["order_number", "operation_no", "machine_id", "work_centre_id"]
        slots.sort("order_number", "operation_no").select(
            *by_order, *(c for c in slots.columns if c not in by_order)
        ).write_excel(workbook, worksheet="by order")
        issues.write_excel(workbook, worksheet="problems")
    return buffer.getvalue()
