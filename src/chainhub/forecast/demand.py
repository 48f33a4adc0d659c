"""The demand history per material x customer, in day or week buckets, as the caller sees it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.forecast.accuracy import Array
from chainhub.forecast.schemas import Bucket
from chainhub.partners.visibility import CANCELLED, get_visible_clause
from chainhub.storage.answers import get_kept_answer, get_statement_text
from chainhub.storage.models import current_view

SeriesKey = tuple[str, str]


def list_demand_lines(*, conn: Connection, principal: Principal, today: date) -> pl.DataFrame:
    """Sales-order lines the caller may see, cancelled ones left out (callers must not change
    the frame: it is kept)."""
    view = current_view("sales_order")
    where = get_visible_clause(
        conn=conn, principal=principal, document_type="sales_order", relation=view, today=today
    )
    query = sa.select(
        view.c.material_code, view.c.customer_id, view.c.requested_date, view.c.quantity
    ).where(where, view.c.status != CANCELLED, view.c.line_status != CANCELLED)
    # Sales orders change only with a submission: the frame is kept until the next one.
    return get_kept_answer(
        conn=conn,
        query=get_statement_text(conn=conn, statement=query),
        compute=lambda: _frame(conn.execute(query).all()),
    )


def _frame(rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(r[0], r[1], r[2], float(r[3])) for r in rows],
        schema={
            "material_code": pl.String,
            "customer_id": pl.String,
            "requested_date": pl.Date,
            "quantity": pl.Float64,
        },
        orient="row",
    )


def bucket_start(column: pl.Expr, bucket: Bucket) -> pl.Expr:
    """First day of the bucket a date falls in (weeks start on Monday)."""
    return column.dt.truncate("1w") if bucket == "week" else column


def get_demand_series(
    lines: pl.DataFrame, *, bucket: Bucket
) -> dict[SeriesKey, tuple[list[date], Array]]:
    """Each material x customer's demand per bucket, every bucket from its first to the last
    one of all demand filled (zero where nothing was asked for)."""
    if lines.is_empty():
        return {}
    step = "1w" if bucket == "week" else "1d"
    summed = (
        lines.with_columns(period=bucket_start(pl.col("requested_date"), bucket))
        .group_by("material_code", "customer_id", "period")
        .agg(pl.col("quantity").sum())
    )
    last = summed.get_column("period").max()
    series: dict[SeriesKey, tuple[list[date], Array]] = {}
    for (material, customer), group in summed.sort("period").group_by(
        "material_code", "customer_id", maintain_order=True
    ):
        first = group.get_column("period").min()
        periods = pl.date_range(first, last, step, eager=True)  # type: ignore[arg-type]
        dense = (
            pl.DataFrame({"period": periods}).join(group, on="period", how="left").fill_null(0.0)
        )
        values = dense.get_column("quantity").to_numpy().astype(np.float64)
        series[(str(material), str(customer))] = (dense.get_column("period").to_list(), values)
    return dict(sorted(series.items()))
