"""A select read as a Polars frame: the same rows and types on each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import sqlalchemy as sa

from chainhub.storage.frames import list_frame
from chainhub.trace.models import trace_captures


def test_a_select_comes_back_as_a_typed_frame(engine: sa.Engine) -> None:
    received = datetime(2026, 3, 1, 8, 30, 0, 250, tzinfo=UTC)
    rows = [
        {"capture_id": f"c{n}", "partner_id": p, "received_at": received, "format": "json",
         "event_count": n, "stored_count": n, "success": True}
        for n, p in enumerate(["haichuan", "jinli-motor", "huayang-compressor"])
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(trace_captures.insert(), rows)
        query = (
            sa.select(trace_captures.c.capture_id, trace_captures.c.received_at,
                      trace_captures.c.event_count)
            .where(trace_captures.c.partner_id.in_(("haichuan", "huayang-compressor")))
            .order_by(trace_captures.c.capture_id)
        )  # fmt: skip
        frame = list_frame(conn=conn, query=query)
    assert frame.schema == pl.Schema(
        {"capture_id": pl.String, "received_at": pl.Datetime("us", "UTC"), "event_count": pl.Int32}
    )
    assert frame.rows() == [("c0", received, 0), ("c2", received, 2)]
