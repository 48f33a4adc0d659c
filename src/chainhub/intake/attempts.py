"""The attempt log: every submitted file's outcome and failing rules, for partners' scorecards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import polars as pl
from sqlalchemy import Connection

from chainhub.events.schemas import HubEvent
from chainhub.intake.models import intake_attempt_rules, intake_attempts
from chainhub.intake.validate import ValidationResult
from chainhub.storage.service import StoreBatch

IngestStatus = Literal["stored", "partial", "duplicate", "rejected"]


@dataclass(frozen=True)
class IngestResult:
    """What happened to one submitted file."""

    attempt_id: str
    status: IngestStatus
    document_type: str
    rows: int
    stored_rows: int
    quarantined_rows: int
    documents: int
    submission_id: str | None
    validation: ValidationResult | None
    events: tuple[HubEvent, ...] = ()
    # What the reactions to the stored documents raised (the plan's alerts), queued already.
    raised: tuple[HubEvent, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """One try at submitting one file, logged whatever its outcome."""

    attempt_id: str
    partner_id: str
    document_type: str
    source_file: str
    content_hash: str
    received_at: datetime

    def log(
        self,
        conn: Connection,
        status: IngestStatus,
        *,
        rows: int,
        stored: int,
        documents: int,
        submission_id: str | None,
        result: ValidationResult | None,
        quarantined: int = 0,
        batch: StoreBatch | None = None,
    ) -> IngestResult:
        """Record the attempt and its failing rules (with a load's `batch`, when it flushes);
        return the outcome."""
        errors = result.errors if result is not None else None
        logged = {
            "attempt_id": self.attempt_id,
            "partner_id": self.partner_id,
            "document_type": self.document_type,
            "source_file": self.source_file,
            "content_hash": self.content_hash,
            "received_at": self.received_at,
            "status": status,
            "rows": rows,
            "valid_rows": result.valid_rows if result else rows,
            "stored_rows": stored,
            "error_count": errors.height if errors is not None else 0,
            "submission_id": submission_id,
        }
        rules = []
        if errors is not None and errors.height:
            counts = errors.group_by("rule", "field").agg(pl.len().alias("error_count"))
            rules = [{"attempt_id": self.attempt_id, **r} for r in counts.to_dicts()]
        if batch is not None:
            batch.add_rows(intake_attempts, [logged])
            batch.add_rows(intake_attempt_rules, rules)
        else:
            conn.execute(intake_attempts.insert().values(**logged))
            if rules:
                conn.execute(intake_attempt_rules.insert(), rules)
        return IngestResult(
            self.attempt_id,
            status,
            self.document_type,
            rows,
            stored,
            quarantined,
            documents,
            submission_id,
            result,
        )
