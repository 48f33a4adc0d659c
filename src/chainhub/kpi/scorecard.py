"""Per-partner data-quality scorecard: submissions, rows accepted and rejected, top failing
rules, timeliness. Aggregates are Ibis expressions, so they run on every backend."""

from __future__ import annotations

import json
from typing import Final

import ibis
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.intake.models import intake_attempt_rules, intake_attempts, quarantine
from chainhub.kpi.backend import ibis_for
from chainhub.kpi.schemas import (
    DataQuality,
    RejectedFile,
    RejectedRow,
    RowError,
    RuleCount,
    Scorecard,
)
from chainhub.partners.visibility import get_partner_scope
from chainhub.standard.registry import BUSINESS_DATES
from chainhub.storage.answers import get_kept_answer
from chainhub.storage.models import doc_table

RECENT_REJECTIONS: Final = 50


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
    # The lags read only documents, which change only with a submission: kept until the next.
    lags = get_kept_answer(
        conn=conn,
        query=f"kpi.scorecard.lags partner={partner_id!r} on_time_days={on_time_days}",
        compute=lambda: _lags(backend=backend, partner_id=partner_id, on_time_days=on_time_days),
    )
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


def _rejected_rows(*, conn: Connection, partner_id: str | None, limit: int) -> list[RejectedRow]:
    """The newest quarantined rows with their errors and files."""
    query = (
        sa.select(
            quarantine.c.partner_id,
            quarantine.c.document_type,
            quarantine.c.source_row,
            quarantine.c.errors,
            intake_attempts.c.source_file,
            intake_attempts.c.received_at,
        )
        .select_from(
            quarantine.join(
                intake_attempts, intake_attempts.c.attempt_id == quarantine.c.attempt_id
            )
        )
        .order_by(intake_attempts.c.received_at.desc(), quarantine.c.source_row)
        .limit(limit)
    )
    if partner_id is not None:
        query = query.where(quarantine.c.partner_id == partner_id)
    return [
        RejectedRow(
            partner_id=r.partner_id,
            document_type=r.document_type,
            source_file=r.source_file,
            received_at=r.received_at,
            row=r.source_row,
            errors=[RowError.model_validate(e) for e in json.loads(r.errors)["errors"]],
        )
        for r in conn.execute(query)
    ]


def _rejected_files(*, conn: Connection, partner_id: str | None, limit: int) -> list[RejectedFile]:
    """The newest files rejected whole (their rows are not kept) with their failing rules."""
    newest = (
        sa.select(intake_attempts)
        .where(intake_attempts.c.status == "rejected")
        .order_by(intake_attempts.c.received_at.desc(), intake_attempts.c.attempt_id)
        .limit(limit)
    )
    if partner_id is not None:
        newest = newest.where(intake_attempts.c.partner_id == partner_id)
    files = newest.subquery()
    rows = conn.execute(
        sa.select(
            files,
            intake_attempt_rules.c.rule,
            intake_attempt_rules.c.field,
            intake_attempt_rules.c.error_count,
        )  # fmt: skip
        .select_from(
            files.outerjoin(
                intake_attempt_rules, intake_attempt_rules.c.attempt_id == files.c.attempt_id
            )
        )
        .order_by(
            files.c.received_at.desc(),
            files.c.attempt_id,
            intake_attempt_rules.c.error_count.desc(),
            intake_attempt_rules.c.rule,
        )
    ).mappings()
    found: dict[str, RejectedFile] = {}
    for r in rows:
        rejected = found.setdefault(
            r["attempt_id"],
            RejectedFile(
                partner_id=r["partner_id"],
                document_type=r["document_type"],
                source_file=r["source_file"],
                received_at=r["received_at"],
                rows=r["rows"],
                rules=[],
            ),
        )
        if r["rule"] is not None:
            rejected.rules.append(
                RuleCount(rule=r["rule"], field=r["field"], errors=r["error_count"])
            )
    return list(found.values())


def access_data_quality(
    *,
    conn: Connection,
    principal: Principal,
    limit: int = RECENT_REJECTIONS,
    partner_id: str | None = None,
) -> DataQuality:
    """Scorecards and the newest rejections: every partner's (or `partner_id`'s) for the hub
    admin and the chain leader, else the caller's own."""
    scope = get_partner_scope(principal=principal, partner_id=partner_id)
    if scope is None and not principal.sees_all:
        return DataQuality(partner_id=None, scorecards=[], rejected_rows=[], rejected_files=[])
    return DataQuality(
        partner_id=scope,
        scorecards=list_scorecards(conn=conn, partner_id=scope),
        rejected_rows=_rejected_rows(conn=conn, partner_id=scope, limit=limit),
        rejected_files=_rejected_files(conn=conn, partner_id=scope, limit=limit),
    )
