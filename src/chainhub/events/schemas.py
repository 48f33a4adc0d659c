"""Shapes of events: what changed, as webhooks and the event stream announce it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class WebhookEvent(StrEnum):
    """Events a partner can subscribe to."""

    PO_CREATED = "purchase_order.created"
    PO_CHANGED = "purchase_order.changed"
    SHIPMENT_ANNOUNCED = "shipment.announced"
    RECEIPT_POSTED = "goods_receipt.posted"
    QUALITY_ALERT = "quality.alert"
    EPCIS_CAPTURED = "epcis.captured"
    RECALL_OPENED = "recall.opened"
    DEMAND_PUBLISHED = "weekly_material_demand.published"
    CAPACITY_RED = "capacity.red"
    DEMAND_VOLATILITY = "demand.volatility"
    SCHEDULE_REPLANNED = "schedule.replanned"
    MAINTENANCE_PLANNED = "maintenance.planned"


class HubEvent(BaseModel):
    """A change to a document, as webhooks and the event stream announce it."""

    event: WebhookEvent
    document_type: str
    doc_key: str
    version: int
    submission_id: str
    occurred_at: datetime
