"""The recall report: a lot's affected finished lots and where they are now."""

from __future__ import annotations

import io
import time
from typing import Final, Literal

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.standard.cells import neutralise_frame
from chainhub.storage.models import current_view
from chainhub.trace.schemas import RecallLine, RecallReport
from chainhub.trace.tracing import access_trace

MOVES: Final = frozenset({"shipment", "receipt", "shipping"})
RecallFormat = Literal["csv", "xlsx"]


def _stock(conn: Connection, lots: list[str], partners: set[str]) -> pl.DataFrame:
    """Stock of the lots in each visible site's latest inventory snapshot."""
    inv = current_view("inventory_snapshot")
    if not lots or not partners:
        return pl.DataFrame()
    latest = (
        sa.select(inv.c.partner_id, inv.c.site_id, sa.func.max(inv.c.snapshot_date).label("day"))
        .where(inv.c.partner_id.in_(sorted(partners)))
        .group_by(inv.c.partner_id, inv.c.site_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            inv.c.material_code,
            inv.c.lot_number,
            inv.c.partner_id,
            inv.c.site_id,
            sa.cast(inv.c.snapshot_date, sa.String),
            sa.cast(inv.c.quantity_on_hand, sa.Float),
            inv.c.unit,
        )
        .join(
            latest,
            sa.and_(
                latest.c.partner_id == inv.c.partner_id,
                latest.c.site_id == inv.c.site_id,
                latest.c.day == inv.c.snapshot_date,
            ),
        )
        .where(inv.c.lot_number.in_(lots), inv.c.quantity_on_hand > 0)
        .order_by(inv.c.lot_number, inv.c.partner_id, inv.c.site_id)
    ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema=["material", "lot", "partner", "site", "date", "quantity", "unit"],
        orient="row",
    )


def access_recall_report(
    *, conn: Connection, principal: Principal, query: str, material: str | None = None
) -> RecallReport:
    """Finished lots downstream of a lot: in stock where, shipped to whom, when, how many."""
    started = time.perf_counter()
    trace = access_trace(
        conn=conn, principal=principal, query=query, material=material, direction="forward"
    )
    nodes = {n.id: n for n in trace.nodes}
    finished = {n.id: n for n in trace.nodes if n.finished}
    hidden = {h.label for h in trace.hidden_partners}
    lines: list[RecallLine] = []
    for edge in trace.edges:
        lot = finished.get(edge.source)
        if lot is None or edge.step.kind not in MOVES:
            continue
        target = nodes.get(edge.target)
        partner = edge.target if edge.target in hidden or target is None else target.partner_id
        lines.append(
            RecallLine(
                material_code=lot.material_code,
                lot_number=lot.lot_number,
                status="shipped",
                partner=partner,
                site=None,
                date=edge.step.date,
                quantity=edge.step.quantity,
                unit=edge.step.unit,
                document=edge.step.document,
            )
        )
    keys = {(n.material_code, n.lot_number) for n in finished.values()}
    stock = _stock(conn, sorted({lot for _, lot in keys}), {n.partner_id for n in nodes.values()})
    for row in stock.iter_rows(named=True):
        if (row["material"], row["lot"]) in keys:
            lines.append(
                RecallLine(
                    material_code=row["material"],
                    lot_number=row["lot"],
                    status="in_stock",
                    partner=row["partner"],
                    site=row["site"],
                    date=row["date"],
                    quantity=row["quantity"],
                    unit=row["unit"],
                    document=None,
                )
            )
    lines.sort(key=lambda x: (x.lot_number, x.status, x.date or "", x.partner))
    return RecallReport(
        query=query,
        affected_lots=len(keys),
        customers=trace.summary.customers,
        lines=lines,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
    )


def export_recall_report(report: RecallReport, fmt: RecallFormat) -> bytes:
    """The report's lines as CSV or XLSX, formulas neutralised."""
    frame = pl.DataFrame(
        [line.model_dump() for line in report.lines],
        schema=list(RecallLine.model_fields),
        orient="row",
    )
    frame = neutralise_frame(frame.cast({"quantity": pl.Float64}))
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(buffer)
    else:
        frame.write_excel(buffer, worksheet="recall")
    return buffer.getvalue()
