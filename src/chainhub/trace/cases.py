"""Recall cases: opened for a lot, every partner holding or having received an affected lot
notified (`recall.opened`), each acknowledging what it blocked or returned; closed when all have.

"Time to trace" (opening to the computed trace) and "recall closure" (share acknowledged, days to
close) are recorded per case.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import fmean, median
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_log_audit
from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.partners.visibility import (
    WRITER_ROLES,
    check_may_write,
    get_recall_visible_clause,
    get_recall_visible_partners,
)
from chainhub.partners.webhooks import do_enqueue_deliveries
from chainhub.trace.models import recall_cases, recall_partners
from chainhub.trace.schemas import (
    RecallAcknowledge,
    RecallCaseRead,
    RecallKpis,
    RecallLot,
    RecallOpen,
    RecallPartnerLine,
    RecallStatus,
)
from chainhub.trace.tracing import access_trace

OPEN: Final = "open"
CLOSED: Final = "closed"
KPI_CASES: Final = 100_000  # the most recent cases the KPIs summarise
# The case's trace is the whole chain's: every affected partner is notified, whoever opens it.
_WHOLE_CHAIN: Final = Principal(token_id="recall", partner_id=None, role=Role.HUB_ADMIN)  # noqa: S106
_HUB_ADMIN: Final = "hub admin"


@dataclass(frozen=True)
class OpenedRecall:
    """A case just opened, as its opener sees it, and the event it raised."""

    case: RecallCaseRead
    events: tuple[HubEvent, ...]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _not_found(recall_id: str) -> ChainhubError:
    return ChainhubError(
        "recall_not_found",
        f"no recall case {recall_id} that concerns you",
        f"没有与您相关的召回案例 {recall_id}",
        {"field": "recall_id"},
        404,
    )


def _lot_not_held(query: str) -> ChainhubError:
    # The same answer as a lot that does not exist: a lot the caller does not hold stays unknown.
    return ChainhubError(
        "lot_not_found",
        f"No lot {query!r} that you hold is in the hub's documents or events",
        f"枢纽的单据和事件中没有您持有的批次 {query!r}",
        {"field": "lot"},
        404,
    )


def check_may_open_recall(*, principal: Principal) -> None:
    """The hub admin, or a partner admin or member (the holder or the chain leader)."""
    if not principal.is_hub_admin:
        check_may_write(principal=principal)


def do_open_recall(*, conn: Connection, principal: Principal, recall: RecallOpen) -> OpenedRecall:
    """Open a case for a lot held by the caller (any lot, for the leader and the hub admin):
    trace it forward, record each affected partner's lots, audit, queue `recall.opened`."""
    opened_at = datetime.now(UTC)
    trace = access_trace(
        conn=conn,
        principal=_WHOLE_CHAIN,
        query=recall.lot,
        material=recall.material_code,
        direction="forward",
    )
    traced_at = datetime.now(UTC)
    starts = [n for n in trace.nodes if n.direction == "start"]
    if not principal.sees_all and principal.partner_id not in {n.partner_id for n in starts}:
        raise _lot_not_held(recall.lot)
    held: dict[str, set[tuple[str, str]]] = {}
    for node in trace.nodes:
        held.setdefault(node.partner_id, set()).add((node.material_code, node.lot_number))
    recall_id = str(uuid.uuid4())
    conn.execute(
        recall_cases.insert().values(
            recall_id=recall_id,
            lot_number=starts[0].lot_number,
            material_code=recall.material_code or starts[0].material_code,
            reason=recall.reason,
            opened_by=principal.partner_id,
            opened_at=opened_at,
            traced_at=traced_at,
            affected_lots=len({(n.material_code, n.lot_number) for n in trace.nodes}),
            status=OPEN,
            closed_at=None,
            closed_by=None,
        )
    )
    conn.execute(
        recall_partners.insert(),
        [
            {
                "recall_id": recall_id,
                "partner_id": partner,
                "lots": json.dumps(sorted(lots), ensure_ascii=False),
                "notified_at": opened_at,
                "acknowledged_at": None,
                "acknowledged_by": None,
                "quantity": None,
                "unit": None,
                "note": None,
            }
            for partner, lots in sorted(held.items())
        ],
    )
    do_log_audit(
        conn=conn,
        record=AuditRecord(
            action="recall.open",
            status=201,
            outcome="opened",
            partner_id=principal.partner_id,
            user_id=principal.user_id,
            token_id=principal.token_id,
            target={"recall_id": recall_id, "lot": recall.lot, "partners": len(held)},
        ),
    )
    event = HubEvent(
        event=WebhookEvent.RECALL_OPENED,
        document_type="recall",
        doc_key=recall_id,
        version=1,
        submission_id=recall_id,
        occurred_at=opened_at,
    )
    do_enqueue_deliveries(
        conn=conn,
        events=[event],
        today=opened_at.date(),
        now=opened_at,
        is_visible=lambda reader, _: reader.partner_id in held,
    )
    case = access_recall(conn=conn, principal=principal, recall_id=recall_id)
    return OpenedRecall(case=case, events=(event,))


def _read(principal: Principal, case: Any, lines: list[Any]) -> RecallCaseRead | None:
    """The case as the caller may see it, or None when it may not."""
    affected = [line.partner_id for line in lines]
    shown = get_recall_visible_partners(
        principal=principal, opened_by=case.opened_by, affected=affected
    )
    if shown is None:
        return None
    opened_at, traced_at = _utc(case.opened_at), _utc(case.traced_at)
    closed_at = None if case.closed_at is None else _utc(case.closed_at)
    acknowledged = sum(1 for line in lines if line.acknowledged_at is not None)
    return RecallCaseRead(
        recall_id=case.recall_id,
        lot_number=case.lot_number,
        material_code=case.material_code,
        reason=case.reason,
        opened_by=case.opened_by if case.opened_by in shown else None,
        opened_at=opened_at,
        status=case.status,
        closed_at=closed_at,
        affected_lots=case.affected_lots,
        partners=len(lines),
        acknowledged=acknowledged,
        closure_share=round(acknowledged / len(lines), 4) if lines else 1.0,
        time_to_trace_ms=round((traced_at - opened_at).total_seconds() * 1000, 3),
        time_to_close_days=(
            None if closed_at is None else round((closed_at - opened_at).total_seconds() / 86400, 6)
        ),
        lines=[
            RecallPartnerLine(
                partner_id=line.partner_id,
                lots=[
                    RecallLot(material_code=m, lot_number=lot) for m, lot in json.loads(line.lots)
                ],
                notified_at=_utc(line.notified_at),
                acknowledged_at=None
                if line.acknowledged_at is None
                else _utc(line.acknowledged_at),
                quantity=line.quantity,
                unit=line.unit,
                note=line.note,
            )
            for line in lines
            if line.partner_id in shown
        ],
    )


def _lines(conn: Connection, recall_ids: list[str]) -> dict[str, list[Any]]:
    lines: dict[str, list[Any]] = {r: [] for r in recall_ids}
    if recall_ids:
        rows = conn.execute(
            sa.select(recall_partners)
            .where(recall_partners.c.recall_id.in_(recall_ids))
            .order_by(recall_partners.c.recall_id, recall_partners.c.partner_id)
        ).all()
        for row in rows:
            lines[row.recall_id].append(row)
    return lines


def access_recall(*, conn: Connection, principal: Principal, recall_id: str) -> RecallCaseRead:
    """A recall case that affects the caller or that it opened (any, for who sees all)."""
    case = conn.execute(
        sa.select(recall_cases).where(recall_cases.c.recall_id == recall_id)
    ).first()
    read = None if case is None else _read(principal, case, _lines(conn, [recall_id])[recall_id])
    if read is None:
        raise _not_found(recall_id)
    return read


def list_recalls(
    *, conn: Connection, principal: Principal, status: RecallStatus | None = None, limit: int = 100
) -> list[RecallCaseRead]:
    """Recall cases that affect the caller or that it opened, newest first."""
    query = (
        sa.select(recall_cases)
        .where(
            get_recall_visible_clause(
                principal=principal, cases=recall_cases, lines=recall_partners
            )
        )
        .order_by(recall_cases.c.opened_at.desc(), recall_cases.c.recall_id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(recall_cases.c.status == status)
    cases = conn.execute(query).all()
    lines = _lines(conn, [c.recall_id for c in cases])
    reads = (_read(principal, case, lines[case.recall_id]) for case in cases)
    return [read for read in reads if read is not None]


def do_acknowledge_recall(
    *, conn: Connection, principal: Principal, recall_id: str, ack: RecallAcknowledge
) -> RecallCaseRead:
    """Record the caller's partner's acknowledgement; the case closes when every affected
    partner has acknowledged."""
    partner_id = check_may_write(principal=principal)
    where = sa.and_(
        recall_partners.c.recall_id == recall_id, recall_partners.c.partner_id == partner_id
    )
    line = conn.execute(sa.select(recall_partners.c.acknowledged_at).where(where)).first()
    if line is None:
        raise _not_found(recall_id)
    if line.acknowledged_at is not None:
        raise ChainhubError(
            "recall_already_acknowledged",
            f"{partner_id} has already acknowledged recall {recall_id}",
            f"{partner_id} 已确认召回 {recall_id}",
            {"field": "recall_id"},
            409,
        )
    now = datetime.now(UTC)
    conn.execute(
        recall_partners.update()
        .where(where)
        .values(
            acknowledged_at=now,
            acknowledged_by=principal.user_id or principal.token_id,
            quantity=ack.quantity,
            unit=ack.unit,
            note=ack.note,
        )
    )
    waiting = conn.execute(
        sa.select(sa.func.count())
        .select_from(recall_partners)
        .where(
            recall_partners.c.recall_id == recall_id, recall_partners.c.acknowledged_at.is_(None)
        )
    ).scalar_one()
    if waiting == 0:
        conn.execute(
            recall_cases.update()
            .where(recall_cases.c.recall_id == recall_id, recall_cases.c.status == OPEN)
            .values(status=CLOSED, closed_at=now)
        )
    do_log_audit(
        conn=conn,
        record=AuditRecord(
            action="recall.acknowledge",
            status=200,
            outcome="closed" if waiting == 0 else "acknowledged",
            partner_id=partner_id,
            user_id=principal.user_id,
            token_id=principal.token_id,
            target={"recall_id": recall_id, "quantity": ack.quantity},
        ),
    )
    return access_recall(conn=conn, principal=principal, recall_id=recall_id)


def do_close_recall(*, conn: Connection, principal: Principal, recall_id: str) -> RecallCaseRead:
    """Close a case before every affected partner has acknowledged: its opener or the hub admin."""
    case = access_recall(conn=conn, principal=principal, recall_id=recall_id)
    opener = principal.partner_id is not None and principal.partner_id == case.opened_by
    if not (principal.is_hub_admin or (opener and principal.role in WRITER_ROLES)):
        raise ChainhubError(
            "forbidden",
            f"only the opener of recall {recall_id} or the hub admin may close it",
            f"只有召回 {recall_id} 的发起方或枢纽管理员可以关闭它",
            status=403,
        )
    if case.status == CLOSED:
        raise ChainhubError(
            "recall_closed",
            f"recall {recall_id} is already closed",
            f"召回 {recall_id} 已关闭",
            {"field": "recall_id"},
            409,
        )
    conn.execute(
        recall_cases.update()
        .where(recall_cases.c.recall_id == recall_id)
        .values(
            status=CLOSED, closed_at=datetime.now(UTC), closed_by=principal.partner_id or _HUB_ADMIN
        )
    )
    do_log_audit(
        conn=conn,
        record=AuditRecord(
            action="recall.close",
            status=200,
            outcome="closed",
            partner_id=principal.partner_id,
            user_id=principal.user_id,
            token_id=principal.token_id,
            target={"recall_id": recall_id},
        ),
    )
    return access_recall(conn=conn, principal=principal, recall_id=recall_id)


def get_recall_kpis(cases: Sequence[RecallCaseRead]) -> RecallKpis:
    """Time to trace and closure, summarised over recall cases."""
    traced = [c.time_to_trace_ms for c in cases]
    closed = [c.time_to_close_days for c in cases if c.time_to_close_days is not None]
    return RecallKpis(
        cases=len(cases),
        open=sum(1 for c in cases if c.status == OPEN),
        closed=sum(1 for c in cases if c.status != OPEN),
        time_to_trace_ms_p50=round(median(traced), 3) if traced else None,
        time_to_trace_ms_max=max(traced) if traced else None,
        closure_share_mean=round(fmean(c.closure_share for c in cases), 4) if cases else None,
        days_to_close_p50=round(median(closed), 6) if closed else None,
    )


def access_recall_kpis(*, conn: Connection, principal: Principal) -> RecallKpis:
    """The recall KPIs over the cases the caller may see (its own and those affecting it)."""
    return get_recall_kpis(list_recalls(conn=conn, principal=principal, limit=KPI_CASES))
