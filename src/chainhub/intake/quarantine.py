"""Whole documents or nothing: the rows of failed documents kept aside with their errors."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection

from chainhub.intake.attempts import Attempt
from chainhub.intake.models import quarantine
from chainhub.intake.readers import SOURCE_ROW
from chainhub.intake.validate import ValidationResult
from chainhub.standard.registry import get_document_type
from chainhub.storage import service as storage


def split_by_document(result: ValidationResult) -> tuple[pl.DataFrame, pl.DataFrame]:
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


def do_quarantine(
    *, conn: Connection, attempt: Attempt, result: ValidationResult, rows: pl.DataFrame
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
