"""Shapes the storage layer returns."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from pydantic import BaseModel, ConfigDict, Field


class StoreResult(BaseModel):
    """Outcome of storing a submission; a duplicate stores nothing and names the original."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    submission_id: str | None
    rows: int
    documents: int
    # None when a batch numbers the versions as it writes them.
    new_versions: int | None
    duplicate_of: str | None = None
    # The stored rows' document keys and versions (and an inspection's result), one row per
    # stored row, so the caller need not read them back.
    versions: pl.DataFrame | None = Field(default=None, exclude=True, repr=False)


class SubmissionRead(BaseModel):
    """One stored submission."""

    model_config = ConfigDict(frozen=True)

    submission_id: str
    partner_id: str
    document_type: str
    content_hash: str
    source_file: str
    received_at: datetime
    standard_version: str
    row_count: int
    document_count: int
    status: str
