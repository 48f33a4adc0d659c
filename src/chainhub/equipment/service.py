"""Storing telemetry in batches, and reading OEE as the caller may see it.

Telemetry is a time series, not a standard document: it is written here in batches, once per
machine and message id, never through intake's document path.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.equipment.models import equipment_messages, equipment_rejects
from chainhub.equipment.oee import Every, compute_oee
from chainhub.equipment.parse import SCHEMA, Row
from chainhub.equipment.schemas import OeeReport, Rejected, StoreResult, WarningRead
from chainhub.equipment.warning import detect_warnings
from chainhub.partners.visibility import get_machine_visible_clause
from chainhub.storage.engine import get_driver_connection
from chainhub.storage.service import do_bulk_insert

KEY: Final = ["partner_id", "machine_id", "message_id"]
# Signals read before the day, so the first hours of the day have a baseline to compare with.
WARNING_HISTORY: Final = timedelta(hours=3)
_UTC: Final = pl.Datetime("us", "UTC")
_SCHEMA: Final = SCHEMA
_COLUMNS: Final = ", ".join(f'"{c}"' for c in _SCHEMA)


def _insert_new(conn: Connection, frame: pl.DataFrame) -> int:
    """Insert the frame's messages not stored yet, in one statement; how many were new."""
    stage = f"equipment_stage_{uuid.uuid4().hex}"
    target = equipment_messages.name
    raw = get_driver_connection(conn=conn)
    if conn.dialect.name == "duckdb":
        raw.register(stage, frame.to_arrow())
    else:
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {stage} (LIKE {target}) ON COMMIT DROP")
        staged = sa.Table(stage, sa.MetaData(), *(sa.Column(c) for c in _SCHEMA))
        do_bulk_insert(conn=conn, table=staged, frame=frame)
    try:
        result = conn.exec_driver_sql(
            f"INSERT INTO {target} ({_COLUMNS}) SELECT {_COLUMNS} FROM {stage} "
            "ON CONFLICT DO NOTHING"
        )
        return int(result.rowcount)
    finally:
        if conn.dialect.name == "duckdb":
            raw.unregister(stage)
        else:
            conn.exec_driver_sql(f"DROP TABLE {stage}")


def do_store_telemetry(
    *,
    conn: Connection,
    rows: Sequence[Row] | pl.DataFrame,
    rejected: Sequence[Rejected] = (),
) -> StoreResult:
    """Store a batch of parsed messages, as rows or a frame of them (each machine's message id
    once, whatever arrived before) and keep the malformed ones aside; the caller commits."""
    stored = 0
    if len(rows):
        frame = (
            rows
            if isinstance(rows, pl.DataFrame)
            else pl.DataFrame(list(rows), schema=_SCHEMA, orient="row")
        )
        stored = _insert_new(conn, frame.unique(subset=KEY, keep="first", maintain_order=True))
    if rejected:
        conn.execute(
            equipment_rejects.insert(),
            [{"reject_id": str(uuid.uuid4()), **r.model_dump()} for r in rejected],
        )
    return StoreResult(stored=stored, duplicates=len(rows) - stored, rejected=len(rejected))


def count_messages(*, conn: Connection) -> tuple[int, int]:
    """Messages stored and kept aside."""
    stored = conn.execute(sa.select(sa.func.count()).select_from(equipment_messages)).scalar()
    kept = conn.execute(sa.select(sa.func.count()).select_from(equipment_rejects)).scalar()
    return int(stored or 0), int(kept or 0)


def list_rejects(*, conn: Connection, limit: int = 100) -> list[Rejected]:
    """The latest malformed messages, newest first."""
    query = (
        sa.select(
            equipment_rejects.c.received_at,
            equipment_rejects.c.topic,
            equipment_rejects.c.payload,
            equipment_rejects.c.reason,
        )
        .order_by(equipment_rejects.c.received_at.desc())
        .limit(limit)
    )
    return [Rejected.model_validate(dict(r._mapping)) for r in conn.execute(query)]


def get_latest_day(*, conn: Connection, where: Any = None) -> date | None:
    """The UTC day of the latest machine time stored (among what `where` keeps)."""
    query = sa.select(sa.func.max(equipment_messages.c.machine_time))
    if where is not None:
        query = query.where(where)
    latest = conn.execute(query).scalar()
    return None if latest is None else latest.astimezone(UTC).date()


def _frame(conn: Connection, query: sa.Select[Any], columns: list[str]) -> pl.DataFrame:
    schema = {c: _SCHEMA.get(c, _UTC) for c in columns}
    return pl.DataFrame(conn.execute(query).all(), schema=schema, orient="row")


def _states(conn: Connection, where: Any, start: datetime, end: datetime) -> pl.DataFrame:
    """State messages in the period, and each machine's last one before it."""
    m = equipment_messages
    is_state = m.c.kind == "state"
    before = (
        sa.select(m.c.partner_id, m.c.machine_id, sa.func.max(m.c.machine_time).label("at"))
        .where(where, is_state, m.c.machine_time < start)
        .group_by(m.c.partner_id, m.c.machine_id)
        .subquery()
    )
    columns = [m.c.partner_id, m.c.site_id, m.c.machine_id, m.c.machine_time, m.c.state, m.c.reason]
    inside = sa.select(*columns).where(
        where, is_state, m.c.machine_time >= start, m.c.machine_time < end
    )
    last = sa.select(*columns).join(
        before,
        sa.and_(
            m.c.partner_id == before.c.partner_id,
            m.c.machine_id == before.c.machine_id,
            m.c.machine_time == before.c.at,
        ),
    )
    union = sa.union_all(inside, last.where(is_state))
    return _frame(conn, sa.select(union.subquery()), [c.name for c in columns])


def get_oee(
    *,
    conn: Connection,
    where: Any,
    day: date,
    machine: str | None = None,
    every: Every = "1d",
) -> OeeReport:
    """OEE of one UTC day of the machines `where` keeps (one, with `machine`)."""
    m = equipment_messages
    if machine is not None:
        where = sa.and_(where, m.c.machine_id == machine)
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    counts = _frame(
        conn,
        sa.select(
            m.c.partner_id, m.c.machine_id, m.c.machine_time, m.c.good, m.c.scrap, m.c.ideal_cycle_s
        ).where(where, m.c.kind == "count", m.c.machine_time >= start, m.c.machine_time < end),
        ["partner_id", "machine_id", "machine_time", "good", "scrap", "ideal_cycle_s"],
    )
    observed = _frame(
        conn,
        sa.select(m.c.partner_id, m.c.machine_id, sa.func.max(m.c.machine_time))
        .where(where, m.c.machine_time >= start)
        .group_by(m.c.partner_id, m.c.machine_id),
        ["partner_id", "machine_id", "observed_until"],
    )
    return compute_oee(
        states=_states(conn, where, start, end),
        counts=counts,
        observed=observed,
        start=start,
        end=end,
        every=every,
    )


def access_oee(
    *,
    conn: Connection,
    principal: Principal,
    day: date | None = None,
    machine: str | None = None,
    every: Every = "1d",
) -> OeeReport:
    """OEE of the machines the caller sees (its own; all, for the hub admin and the chain
    leader), of `day` or else the latest day with telemetry."""
    where = get_machine_visible_clause(principal=principal, partner=equipment_messages.c.partner_id)
    day = day or get_latest_day(conn=conn, where=where)
    if day is None:
        return OeeReport(rows=[], downtime=[])
    return get_oee(conn=conn, where=where, day=day, machine=machine, every=every)


def access_warnings(
    *, conn: Connection, principal: Principal, day: date | None = None, machine: str | None = None
) -> list[WarningRead]:
    """Early warnings of one UTC day (default the latest with telemetry) on the machines the
    caller sees, from their vibration while cutting."""
    m = equipment_messages
    where = get_machine_visible_clause(principal=principal, partner=m.c.partner_id)
    if machine is not None:
        where = sa.and_(where, m.c.machine_id == machine)
    day = day or get_latest_day(conn=conn, where=where)
    if day is None:
        return []
    start = datetime.combine(day, time(), tzinfo=UTC)
    columns = ["partner_id", "machine_id", "machine_time", "vibration_mm_s", "spindle_load_pct"]
    signals = _frame(
        conn,
        sa.select(*(m.c[c] for c in columns)).where(
            where,
            m.c.kind == "signal",
            m.c.machine_time >= start - WARNING_HISTORY,
            m.c.machine_time < start + timedelta(days=1),
        ),
        columns,
    )
    found = detect_warnings(signals).filter(pl.col("warned_at") >= start)
    return [WarningRead.model_validate(row) for row in found.iter_rows(named=True)]


def list_new_warnings(
    *, conn: Connection, rows: Sequence[Row], machines: Collection[tuple[str, str]]
) -> list[WarningRead]:
    """Warnings raised by a stored batch's own signal samples, on the `machines` (partner,
    machine) named, judged against what was stored before them; earliest first."""
    spans: dict[tuple[str, str], tuple[datetime, datetime]] = {}
    for row in rows:
        key = (row["partner_id"], row["machine_id"])
        if row["kind"] != "signal" or key not in machines:
            continue
        at: datetime = row["machine_time"]
        first, last = spans.get(key, (at, at))
        spans[key] = (min(first, at), max(last, at))
    if not spans:
        return []
    m = equipment_messages
    columns = ["partner_id", "machine_id", "machine_time", "vibration_mm_s", "spindle_load_pct"]
    signals = _frame(
        conn,
        sa.select(*(m.c[c] for c in columns)).where(
            m.c.kind == "signal",
            sa.or_(
                *(
                    sa.and_(
                        m.c.partner_id == partner,
                        m.c.machine_id == machine,
                        m.c.machine_time >= first - WARNING_HISTORY,
                        m.c.machine_time <= last,
                    )
                    for (partner, machine), (first, last) in spans.items()
                )
            ),
        ),
        columns,
    )
    found = [
        WarningRead.model_validate(row)
        for row in detect_warnings(signals).iter_rows(named=True)
        if spans[(row["partner_id"], row["machine_id"])][0] <= row["warned_at"]
    ]
    return sorted(found, key=lambda w: w.warned_at)
