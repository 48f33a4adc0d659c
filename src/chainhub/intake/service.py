"""Ingest a partner's file: read it through its profile, check it, store it whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl
from sqlalchemy import Connection

from chainhub.intake.readers import file_hash, read_source
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.validate import ValidationResult, check_frame
from chainhub.standard import STANDARD_VERSION
from chainhub.storage import service as storage

IngestStatus = Literal["stored", "duplicate", "rejected"]


@dataclass(frozen=True)
class IngestResult:
    """What happened to one submitted file."""

    status: IngestStatus
    document_type: str
    rows: int
    stored_rows: int
    documents: int
    submission_id: str | None
    validation: ValidationResult | None


def get_crosswalk(*, conn: Connection, partner_id: str) -> dict[str, str]:
    """The partner's own material codes mapped to golden codes (current versions)."""
    frame = storage.list_current_records(
        conn=conn, document_type="material_crosswalk", filters={"partner_id": partner_id}
    )
    return dict(zip(frame["partner_material_code"], frame["material_code"], strict=True))


def check_file(
    *,
    conn: Connection | None,
    path: Path,
    profile: MappingProfile,
    submitted_by: str | None = None,
) -> ValidationResult:
    """Read and check a file through its profile; the database, when given, holds crosswalks."""
    frame = read_source(path, profile.source)
    needs_crosswalk = any(m.crosswalk for m in profile.fields.values())
    crosswalk = (
        get_crosswalk(conn=conn, partner_id=profile.partner_id)
        if needs_crosswalk and conn is not None
        else None
    )
    return check_frame(
        frame=frame, profile=profile, crosswalk=crosswalk, submitted_by=submitted_by
    )


def do_ingest_file(
    *,
    conn: Connection,
    path: Path,
    profile: MappingProfile,
    submitted_by: str,
    received_at: datetime | None = None,
) -> IngestResult:
    """Store a file's documents if every row passes; the same content twice is stored once."""
    content_hash = file_hash(path)
    existing = storage.find_submission(
        conn=conn,
        partner_id=submitted_by,
        document_type=profile.document_type,
        content_hash=content_hash,
    )
    if existing is not None:
        return IngestResult("duplicate", profile.document_type, existing.row_count, 0,
                            existing.document_count, existing.submission_id, None)
    result = check_file(conn=conn, path=path, profile=profile, submitted_by=submitted_by)
    if result.errors.height:
        return IngestResult("rejected", profile.document_type, result.rows, 0, 0, None, result)
    stored = storage.do_store_submission(
        conn=conn,
        document_type=profile.document_type,
        records=result.records,
        submitted_by=submitted_by,
        source_file=path.name,
        content_hash=content_hash,
        standard_version=STANDARD_VERSION,
        received_at=received_at or datetime.now(UTC),
    )
    if stored.duplicate_of is not None:
        # Another transaction stored the same content after our check.
        return IngestResult("duplicate", profile.document_type, result.rows, 0,
                            stored.documents, stored.duplicate_of, result)
    return IngestResult("stored", profile.document_type, result.rows, stored.rows,
                        stored.documents, stored.submission_id, result)


def errors_as_records(result: ValidationResult, *, lang: str) -> list[dict[str, object]]:
    """The error report in the standard JSON shape, messages in one language."""
    message = pl.col("message_zh" if lang == "zh" else "message_en").alias("message")
    return result.errors.select("row", "column", "field", "value", "rule", message).to_dicts()
