"""Per-partner data-quality scorecard: submissions, rows accepted and rejected, top failing
rules, timeliness. Aggregates are Ibis expressions, so they run on every backend."""

from __future__ import annotations

from typing import Final

import ibis
import polars as pl
from sqlalchemy import Connection

from chainhub.intake.models import intake_attempt_rules, intake_attempts
from chainhub.kpi.backend import ibis_for
from chainhub.kpi.schemas import RuleCount, Scorecard
from chainhub.storage.models import doc_table

# The business date of each document type: how late a partner reports is measured from it.
BUSINESS_DATES: Final[dict[str, str]] = {
    "purchase_order": "order_date",
    "sales_order": "order_date",
    "demand_forecast": "forecast_date",
    "inventory_snapshot": "snapshot_date",
    "shipment": "ship_date",
    "goods_receipt": "receipt_date",
    "production_order": "planned_start",
    "quality_inspection": "inspected_at",
}


def list_scorecards(
    *, conn: Connection, partner_id: str | None = None, top: int = 3, on_time_days: int = 1
) -> list[Scorecard]:
    """Scorecards of every partner that submitted (or of one), best acceptance first.

    Timeliness is the lag from a document's business date to its arrival at the hub; a
    document is on time when it arrives within `on_time_days` days.
    """
    backend = ibis_for(conn)
    attempts = backend.table(intake_attempts.name)
    if partner_id is not None:
        attempts = attempts.filter(attempts.partner_id == partner_id)
    counted = attempts.status != "duplicate"
    summary = attempts.group_by("partner_id").aggregate(
        attempts=attempts.count(),
        stored=(attempts.status == "stored").sum(),
        partial=(attempts.status == "partial").sum(),
        rejected=(attempts.status == "rejected").sum(),
        duplicates=(attempts.status == "duplicate").sum(),
        rows_accepted=attempts.stored_rows.sum(where=counted),
        rows_rejected=(attempts.rows - attempts.stored_rows).sum(where=counted),
    )
    frame = pl.from_arrow(summary.to_pyarrow())
    assert isinstance(frame, pl.DataFrame)
    rules = _top_rules(backend=backend, attempts=attempts, top=top)
    lags = _lags(backend=backend, partner_id=partner_id, on_time_days=on_time_days)
    cards = []
    for row in frame.sort("partner_id").to_dicts():
        pid = row["partner_id"]
        total = row["rows_accepted"] + row["rows_rejected"]
        lag = lags.get(pid, (None, None))
        cards.append(
            Scorecard(
                **{k: int(v) for k, v in row.items() if k != "partner_id"},
                partner_id=pid,
                acceptance_rate=round(row["rows_accepted"] / total, 4) if total else 1.0,
                top_rules=rules.get(pid, []),
                median_lag_days=lag[0],
                on_time_share=lag[1],
            )
        )
    return sorted(cards, key=lambda c: (-c.acceptance_rate, c.partner_id))


def _top_rules(
    *, backend: ibis.BaseBackend, attempts: ibis.Table, top: int
) -> dict[str, list[RuleCount]]:
    rules = backend.table(intake_attempt_rules.name)
    joined = rules.join(attempts.select("attempt_id", "partner_id"), "attempt_id")
    counts = joined.group_by(["partner_id", "rule", "field"]).aggregate(
        errors=joined.error_count.sum()
    )
    frame = pl.from_arrow(counts.to_pyarrow())
    assert isinstance(frame, pl.DataFrame)
    ranked: dict[str, list[RuleCount]] = {}
    for row in frame.sort(
        ["partner_id", "errors", "rule", "field"], descending=[False, True, False, False]
    ).to_dicts():
        found = ranked.setdefault(row["partner_id"], [])
        if len(found) < top:
            found.append(RuleCount(rule=row["rule"], field=row["field"], errors=int(row["errors"])))
    return ranked


def _lags(
    *, backend: ibis.BaseBackend, partner_id: str | None, on_time_days: int
) -> dict[str, tuple[float, float]]:
    """Median lag in days and on-time share per submitting partner, over every document."""
    parts = []
    for doc_type, date_field in BUSINESS_DATES.items():
        table = backend.table(doc_table(doc_type).name)
        if partner_id is not None:
            table = table.filter(table._submitted_by == partner_id)
        # One lag per document version: the lines of a document share its business date.
        docs = table.group_by(["_submitted_by", "_doc_key", "_doc_version"]).aggregate(
            business=table[date_field].cast("timestamp").min(),
            received=table._received_at.cast("timestamp").min(),
        )
        parts.append(
            docs.select(
                partner_id=docs._submitted_by, business=docs.business, received=docs.received
            )
        )
    frame = pl.from_arrow(ibis.union(*parts).to_pyarrow())
    assert isinstance(frame, pl.DataFrame)
    # Lag arithmetic in Polars: backends disagree on the numeric type of interval division.
    lags = frame.with_columns(
        ((pl.col("received") - pl.col("business")).dt.total_seconds() / 86400.0).alias("lag")
    )
    frame = lags.group_by("partner_id").agg(
        pl.col("lag").median().alias("median_lag_days"),
        (pl.col("lag") <= on_time_days).mean().alias("on_time_share"),
    )
    return {
        r["partner_id"]: (round(r["median_lag_days"], 2), round(r["on_time_share"], 4))
        for r in frame.to_dicts()
    }
