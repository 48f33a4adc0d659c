"""Shapes of documents as the API returns them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
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


class ReceiptLine(BaseModel):
    """One received line, newest first in an overview."""

    receipt_number: str
    receipt_date: date
    lot_number: str
    received_quantity: Decimal
    unit: str


class OverviewLine(BaseModel):
    """Stock, orders, forecast and receipts of one material between a buyer and a supplier."""

    material_code: str
    buyer_id: str
    supplier_id: str
    on_hand: Decimal | None
    stock_date: date | None
    open_order_quantity: Decimal
    open_order_lines: int
    forecast_quantity: Decimal | None
    forecast_date: date | None
    recent_receipts: list[ReceiptLine]


class Overview(BaseModel):
    """The caller's own view: what it supplies (库存-订单-预测) and what it buys."""

    partner_id: str | None
    supplied: list[OverviewLine]
    purchased: list[OverviewLine]
