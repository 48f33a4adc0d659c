"""Shapes of documents as the API returns them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

JsonRecord = dict[str, Any]


class RecordPage(BaseModel):
    """One page of current records of a type that the caller may see."""

    document_type: str
    total: int
    limit: int
    offset: int
    records: list[JsonRecord]


class DocumentVersion(BaseModel):
    """One stored version of a document: its visible records and provenance."""

    version: int
    submission_id: str
    submitted_by: str
    received_at: datetime
    source_file: str
    standard_version: str
    records: list[JsonRecord]


class DocumentRead(BaseModel):
    """The current version of one document."""

    document_type: str
    doc_key: str
    current: DocumentVersion


class DocumentHistory(BaseModel):
    """Every version of one document the caller may see, oldest first."""

    document_type: str
    doc_key: str
    versions: list[DocumentVersion]


class DocumentCount(BaseModel):
    """Visible current documents and lines of one type."""

    document_type: str
    documents: int
    rows: int


class FlowPoint(BaseModel):
    """Visible document lines of one flow in one month."""

    flow: str
    month: date
    lines: int
