"""Per-partner data-quality scorecard: submissions, rows accepted and rejected, top failing
rules, timeliness."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, date, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.intake.models import intake_attempt_rules, intake_attempts, quarantine
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
# Each attempt status and the scorecard count of it.
_STATUSES: Final = {
    "stored": "stored",
    "partial": "partial",
    "rejected": "rejected",
    "duplicate": "duplicates",
}


def list_scorecards(
    *, conn: Connection, partner_id: str | None = None, top: int = 3, on_time_days: int = 1
) -> list[Scorecard]:
    """Scorecards of every partner that submitted (or of one), best acceptance first.

    Timeliness is the lag from the end of what a submission reports (the newest business date
    of its documents) to its arrival at the hub, in whole days; a submission is on time when
    it arrives within `on_time_days` days.
    """
    # Plain SQL over the intake log: small, and read on every view of the quality page.
    a = intake_attempts.c
    counted = a.status != "duplicate"
    summary = sa.select(
        a.partner_id,
        sa.func.count().label("attempts"),
        *(sa.func.count().filter(a.status == s).label(n) for s, n in _STATUSES.items()),
        sa.func.coalesce(sa.func.sum(a.stored_rows).filter(counted), 0).label("rows_accepted"),
        sa.func.coalesce(sa.func.sum(a.rows - a.stored_rows).filter(counted), 0).label(
            "rows_rejected"
        ),
    ).group_by(a.partner_id)
    if partner_id is not None:
        summary = summary.where(a.partner_id == partner_id)
    counts: dict[str, dict[str, int]] = {
        str(r["partner_id"]): {k: int(v) for k, v in r.items() if k != "partner_id"}
        for r in conn.execute(summary).mappings()
    }
    rules = _top_rules(conn=conn, partner_id=partner_id, top=top)
    # The lags read only documents, which change only with a submission: kept until the next.
    lags = get_kept_answer(
        conn=conn,
        query=f"kpi.scorecard.lags partner={partner_id!r} on_time_days={on_time_days}",
        compute=lambda: _lags(conn=conn, partner_id=partner_id, on_time_days=on_time_days),
    )
    cards = []
    for pid, row in sorted(counts.items()):
        total = row["rows_accepted"] + row["rows_rejected"]
        lag = lags.get(pid)
        cards.append(
            Scorecard(
                **row,
                partner_id=pid,
                acceptance_rate=round(row["rows_accepted"] / total, 4) if total else 1.0,
                top_rules=rules.get(pid, []),
                median_lag_days=None if lag is None else lag[0],
                on_time_share=None if lag is None else lag[1],
            )
        )
    return sorted(cards, key=lambda c: (-c.acceptance_rate, c.partner_id))


def _top_rules(*, conn: Connection, partner_id: str | None, top: int) -> dict[str, list[RuleCount]]:
    rules, a = intake_attempt_rules.c, intake_attempts.c
    query = (
        sa.select(a.partner_id, rules.rule, rules.field, sa.func.sum(rules.error_count))
        .select_from(intake_attempt_rules.join(intake_attempts, a.attempt_id == rules.attempt_id))
        .group_by(a.partner_id, rules.rule, rules.field)
    )
    if partner_id is not None:
        query = query.where(a.partner_id == partner_id)
    counts = [(pid, rule, field, int(errors)) for pid, rule, field, errors in conn.execute(query)]
    ranked: dict[str, list[RuleCount]] = {}
    for pid, rule, field, errors in sorted(counts, key=lambda c: (c[0], -c[3], c[1], c[2] or "")):
        found = ranked.setdefault(pid, [])
        if len(found) < top:
            found.append(RuleCount(rule=rule, field=field, errors=errors))
    return ranked


def get_lag_days(received: datetime, business: date | datetime) -> int:
    """Whole days from a business date (a moment's UTC day) to an arrival's UTC day."""
    if isinstance(business, datetime):
        business = business.astimezone(UTC).date()
    return (received.astimezone(UTC).date() - business).days


def _lags(
    *, conn: Connection, partner_id: str | None, on_time_days: int
) -> dict[str, tuple[float, float]]:
    """Median lag in days and on-time share per submitting partner, over its submissions of
    dated documents: from the newest business date a submission holds (the end of what it
    reports) to its arrival, in whole days."""
    lags: dict[str, list[int]] = {}
    for doc_type, date_field in BUSINESS_DATES.items():
        t = doc_table(doc_type).c
        query = sa.select(
            t._submitted_by, sa.func.max(t[date_field]), sa.func.min(t._received_at)
        ).group_by(t._submitted_by, t._submission_id)
        if partner_id is not None:
            query = query.where(t._submitted_by == partner_id)
        for by, business, received in conn.execute(query):
            lags.setdefault(by, []).append(get_lag_days(received, business))
    return {
        pid: (
            round(float(statistics.median(found)), 2),
            round(sum(lag <= on_time_days for lag in found) / len(found), 4),
        )
        for pid, found in lags.items()
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
