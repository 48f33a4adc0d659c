"""Shapes of the partners domain."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from chainhub.access.schemas import Role
from chainhub.events.schemas import WebhookEvent
from chainhub.standard.fields import PartnerId


class DemoToken(BaseModel):
    """A token the demo prints for one of its named participants."""

    partner_id: str | None
    role: Role
    label: str
    token: str


class DemoUser(BaseModel):
    """A password user the demo prints for one of its named participants."""

    name: str
    partner_id: str | None
    role: Role
    password: str


class PartnerRead(BaseModel):
    """A partner in the hub's directory."""

    partner_id: str
    name_zh: str | None
    name_en: str | None
    roles: list[str]
    tier: int | None
    city: str | None
    chain_leader: bool


class Me(BaseModel):
    """The caller as the hub sees it."""

    token_id: str
    partner_id: str | None
    user_id: str | None
    role: Role
    chain_leader: bool


class ScopeKind(StrEnum):
    """Which of the grantor's materials an agreement covers."""

    ALL = "all"
    MATERIALS = "materials"
    CATEGORIES = "categories"
    SUPPLIED_BY_GRANTEE = "supplied_by_grantee"


class AgreementStatus(StrEnum):
    """Where an agreement stands."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


class AgreementCreate(BaseModel):
    """A proposal to share the grantor's documents with the grantee."""

    model_config = ConfigDict(extra="forbid")

    grantor_id: PartnerId = Field(description="Partner whose documents are shared")
    grantee_id: PartnerId = Field(description="Partner who may read them")
    document_types: list[str] = Field(min_length=1, description="Document types shared")
    scope_kind: ScopeKind = Field(description="Which materials the agreement covers")
    scope_values: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, description="Material codes or categories, for those kinds"
    )
    purpose: str = Field(min_length=1, max_length=200, description="Why the data is shared")
    valid_from: date = Field(description="First day the agreement applies")
    valid_to: date | None = Field(default=None, description="Last day it applies, if any")


class AgreementRead(BaseModel):
    """A sharing agreement and its state."""

    agreement_id: str
    grantor_id: str
    grantee_id: str
    document_types: list[str]
    scope_kind: ScopeKind
    scope_values: list[str]
    purpose: str
    valid_from: date
    valid_to: date | None
    status: AgreementStatus
    proposed_by: str
    proposed_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class SubscriptionCreate(BaseModel):
    """A webhook subscription of the caller's partner."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(description="Where events are POSTed")
    events: list[WebhookEvent] = Field(min_length=1, description="Events to receive")


class SubscriptionRead(BaseModel):
    """A webhook subscription, without its secret."""

    subscription_id: str
    partner_id: str
    url: str
    events: list[WebhookEvent]
    created_at: datetime
    revoked_at: datetime | None


class SubscriptionCreated(SubscriptionRead):
    """A new subscription: the signing secret is shown this once."""

    secret: str


class DeliveryRead(BaseModel):
    """One event sent to one subscription, with its attempts."""

    delivery_id: str
    subscription_id: str
    event: str
    payload: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
