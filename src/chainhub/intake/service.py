"""Ingest a partner's file: read it through its profile, check it, store it whole or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.intake.models import intake_attempt_rules, intake_attempts, quarantine
from chainhub.intake.readers import SOURCE_ROW, file_hash, read_rows
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.intake.validate import ValidationResult, check_csv, check_frame
from chainhub.standard import STANDARD_VERSION
from chainhub.standard.registry import REFERENCES, get_document_type
from chainhub.storage import service as storage
from chainhub.storage.models import current_view, doc_table

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


def get_crosswalk(*, conn: Connection, partner_id: str) -> dict[str, str]:
    """The partner's own material codes mapped to golden codes (current versions)."""
    view = current_view("material_crosswalk")
    rows = conn.execute(
        sa.select(view.c.partner_material_code, view.c.material_code).where(
            view.c.partner_id == partner_id
        )
    ).all()
    return dict(rows)


def list_reference_codes(*, conn: Connection) -> dict[str, Collection[str]]:
    """Codes of every registered partner, site and material (current versions)."""
    codes: dict[str, Collection[str]] = {}
    for kind, (defining_type, key, _fields) in REFERENCES.items():
        # Keys never change between versions, so the table answers without the view's window.
        column = doc_table(defining_type).c[key]
        codes[kind] = frozenset(conn.execute(sa.select(column).distinct()).scalars())
    return codes


def check_file(
    *,
    conn: Connection | None,
    path: Path,
    profile: MappingProfile,
    submitted_by: str | None = None,
    records: bool = True,
) -> ValidationResult:
    """Read and check a file through its profile.

    With a database, partner codes are translated through the crosswalk and references to
    partners, sites and materials must be registered. Rows of a CSV file that cannot be split
    into fields are reported among the errors; every other row is still checked. A CSV file
    is checked block by block, so its size is not bounded by memory; without `records` only
    the report is kept.
    """
    needs_crosswalk = any(m.crosswalk for m in profile.fields.values())
    crosswalk = (
        get_crosswalk(conn=conn, partner_id=profile.partner_id)
        if needs_crosswalk and conn is not None
        else None
    )
    references = list_reference_codes(conn=conn) if conn is not None else None
    if profile.source.format == "csv":
        return check_csv(
            path=path,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            records=records,
        )
    source = read_rows(path=path, source=profile.source)
    return check_frame(
        frame=source.frame,
        profile=profile,
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
        malformed=source.malformed,
    )


def do_ingest_file(
    *,
    conn: Connection,
    path: Path,
    profile: MappingProfile,
    submitted_by: str,
    accept_valid: bool = False,
    received_at: datetime | None = None,
) -> IngestResult:
    """Store a file's documents; the same content twice is stored once.

    By default a file with any error is rejected whole. With `accept_valid`, documents whose
    rows all pass are stored and the rows of the others are quarantined with their errors; a
    file with a row that cannot be split into fields is still rejected whole, since that
    row's document is unknown.
    Every attempt is logged for the partner's scorecard.
    """
    received_at = received_at or datetime.now(UTC)
    content_hash = file_hash(path)
    attempt = _Attempt(
        str(uuid.uuid4()), submitted_by, profile.document_type, path.name, content_hash, received_at
    )
    existing = storage.find_submission(
        conn=conn,
        partner_id=submitted_by,
        document_type=profile.document_type,
        content_hash=content_hash,
    )
    if existing is not None:
        return attempt.log(
            conn,
            "duplicate",
            rows=existing.row_count,
            stored=0,
            documents=existing.document_count,
            submission_id=existing.submission_id,
            result=None,
        )
    result = check_file(conn=conn, path=path, profile=profile, submitted_by=submitted_by)
    _record_unknown_codes(conn=conn, profile=profile, result=result, attempt=attempt)
    if result.errors.height and (not accept_valid or result.malformed_rows):
        return attempt.log(
            conn,
            "rejected",
            rows=result.rows,
            stored=0,
            documents=0,
            submission_id=None,
            result=result,
        )
    good, bad_rows = _split_by_document(result)
    if bad_rows.height:
        _quarantine(conn=conn, attempt=attempt, result=result, rows=bad_rows)
    if good.height == 0:
        return attempt.log(
            conn,
            "rejected",
            rows=result.rows,
            stored=0,
            documents=0,
            submission_id=None,
            result=result,
            quarantined=bad_rows.height,
        )
    stored = storage.do_store_submission(
        conn=conn,
        document_type=profile.document_type,
        records=good,
        submitted_by=submitted_by,
        source_file=path.name,
        content_hash=content_hash,
        standard_version=STANDARD_VERSION,
        received_at=received_at,
    )
    if stored.duplicate_of is not None:
        # Another transaction stored the same content after our check.
        return attempt.log(
            conn,
            "duplicate",
            rows=result.rows,
            stored=0,
            documents=stored.documents,
            submission_id=stored.duplicate_of,
            result=result,
        )
    status: IngestStatus = "partial" if bad_rows.height else "stored"
    return attempt.log(
        conn,
        status,
        rows=result.rows,
        stored=stored.rows,
        documents=stored.documents,
        submission_id=stored.submission_id,
        result=result,
        quarantined=bad_rows.height,
    )


def _record_unknown_codes(
    *, conn: Connection, profile: MappingProfile, result: ValidationResult, attempt: _Attempt
) -> None:
    """Partner codes without a crosswalk are never dropped: they wait for review with
    ranked golden suggestions, whatever becomes of the file."""
    failed = result.errors.filter(pl.col("rule") == "crosswalk").select(
        pl.col("row").alias(SOURCE_ROW),
        pl.col("value").alias("partner_material_code"),
        # The description and unit columns describe the line's material, no other code.
        (pl.col("field") == "material_code").alias("_described"),
    )
    if failed.height == 0:
        return
    extra = {"description": profile.material_description, "unit": _column_of(profile, "unit")}
    source = result.source_of(failed.get_column(SOURCE_ROW).unique())
    context = source.select(
        SOURCE_ROW,
        *(
            (pl.col(column) if column in source.columns else pl.lit(None)).cast(pl.Utf8).alias(name)
            for name, column in extra.items()
        ),
    )
    codes = (
        failed.join(context, on=SOURCE_ROW, how="left")
        .with_columns(
            pl.when(pl.col("_described")).then(pl.col(c)).otherwise(None).alias(c) for c in extra
        )
        .drop(SOURCE_ROW, "_described")
    )
    do_record_unknown_codes(
        conn=conn,
        partner_id=profile.partner_id,
        codes=codes,
        submission_ref=attempt.attempt_id,
        seen_at=attempt.received_at,
    )


def _column_of(profile: MappingProfile, field: str) -> str | None:
    mapping = profile.fields.get(field)
    return mapping.column if mapping else None


def _split_by_document(result: ValidationResult) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records of documents without errors, and the source rows of every other document.

    A document is stored whole or not at all, so one bad line quarantines all its lines.
    """
    if result.errors.height == 0:
        return result.records, pl.DataFrame(schema={SOURCE_ROW: pl.Int64})
    key = list(get_document_type(result.document_type).key)
    bad = result.errors.select(pl.col("row").alias(SOURCE_ROW)).unique()
    flagged = result.records.with_columns(
        pl.col(SOURCE_ROW).is_in(bad[SOURCE_ROW].implode()).alias("_bad")
    ).with_columns(
        # A row whose key is incomplete cannot belong to another document.
        pl.when(pl.any_horizontal(pl.col(k).is_null() for k in key))
        .then(pl.col("_bad"))
        .otherwise(pl.col("_bad").any().over(key))
        .alias("_bad")
    )
    good = flagged.filter(~pl.col("_bad")).drop("_bad")
    return good, flagged.filter(pl.col("_bad")).select(SOURCE_ROW)


def _quarantine(
    *, conn: Connection, attempt: _Attempt, result: ValidationResult, rows: pl.DataFrame
) -> None:
    """Keep the partner's rows as written, with their errors, for correction and resubmission."""
    messages = (
        result.errors.group_by("row")
        .agg(
            pl.struct("column", "field", "value", "rule", "message_en", "message_zh").alias(
                "errors"
            )
        )
        .select(
            pl.col("row").alias(SOURCE_ROW),
            pl.struct("errors").struct.json_encode().alias("errors"),
        )
    )
    source = result.source_of(rows.get_column(SOURCE_ROW))
    source_columns = [c for c in source.columns if c != SOURCE_ROW]
    frame = (
        source.join(rows, on=SOURCE_ROW)
        .join(messages, on=SOURCE_ROW, how="left")
        .select(
            pl.lit(attempt.attempt_id).alias("attempt_id"),
            pl.col(SOURCE_ROW).alias("source_row"),
            pl.lit(attempt.partner_id).alias("partner_id"),
            pl.lit(attempt.document_type).alias("document_type"),
            pl.struct(source_columns).struct.json_encode().alias("source_values"),
            # Lines of a failed document may have no error of their own.
            pl.col("errors").fill_null('{"errors":[]}'),
        )
    )
    storage.do_bulk_insert(conn=conn, table=quarantine, frame=frame)


@dataclass(frozen=True)
class _Attempt:
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
    ) -> IngestResult:
        """Record the attempt and its failing rules; return the outcome."""
        errors = result.errors if result is not None else None
        conn.execute(
            intake_attempts.insert().values(
                attempt_id=self.attempt_id,
                partner_id=self.partner_id,
                document_type=self.document_type,
                source_file=self.source_file,
                content_hash=self.content_hash,
                received_at=self.received_at,
                status=status,
                rows=rows,
                valid_rows=result.valid_rows if result else rows,
                stored_rows=stored,
                error_count=errors.height if errors is not None else 0,
                submission_id=submission_id,
            )
        )
        if errors is not None and errors.height:
            counts = errors.group_by("rule", "field").agg(pl.len().alias("error_count"))
            conn.execute(
                intake_attempt_rules.insert(),
                [{"attempt_id": self.attempt_id, **r} for r in counts.to_dicts()],
            )
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


def errors_as_records(result: ValidationResult, *, lang: str) -> list[dict[str, object]]:
    """The error report in the standard JSON shape, messages in one language."""
    message = pl.col("message_zh" if lang == "zh" else "message_en").alias("message")
    return result.errors.select("row", "column", "field", "value", "rule", message).to_dicts()
