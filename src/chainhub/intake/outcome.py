"""A submission's outcome as the API answers it: counts and every issue, located in the batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection

from chainhub.errors import Language
from chainhub.intake.attempts import IngestResult
from chainhub.intake.schemas import SubmissionIssue, SubmissionOutcome
from chainhub.intake.service import Submitter, do_submit_records, errors_as_records
from chainhub.standard.service import document_to_records
from chainhub.storage.models import LIST_SEPARATOR


def get_outcome(
    result: IngestResult, *, lang: Language, positions: Sequence[tuple[int, int]] | None = None
) -> SubmissionOutcome:
    """The outcome with its issues; `positions` maps each record to its (document, line)."""
    issues = []
    for error in errors_as_records(result.validation, lang=lang) if result.validation else []:
        row = int(str(error["row"]))
        document, line = positions[row - 1] if positions else (None, None)
        issues.append(
            SubmissionIssue.model_validate(
                {**error, "row": row, "document": document, "line": line}
            )
        )
    return SubmissionOutcome(
        status=result.status,
        document_type=result.document_type,
        attempt_id=result.attempt_id,
        submission_id=result.submission_id,
        rows=result.rows,
        stored_rows=result.stored_rows,
        quarantined_rows=result.quarantined_rows,
        documents=result.documents,
        issues=issues,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v.value if isinstance(v, Enum) else v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def do_submit_documents(
    *,
    conn: Connection,
    submitter: Submitter,
    document_type: str,
    documents: Sequence[BaseModel],
    lang: Language,
    now: datetime,
    accept_valid: bool = False,
) -> tuple[SubmissionOutcome, IngestResult]:
    """Submit nested documents as their flat records; the outcome locates issues by document."""
    records, positions = [], []
    for number, document in enumerate(documents, start=1):
        for line, record in enumerate(
            document_to_records(document_type=document_type, document=document), start=1
        ):
            records.append({name: _text(value) for name, value in record.items()})
            positions.append((number, line))
    result = do_submit_records(
        conn=conn,
        document_type=document_type,
        records=records,
        submitter=submitter,
        accept_valid=accept_valid,
        received_at=now,
    )
    return get_outcome(result, lang=lang, positions=positions), result
