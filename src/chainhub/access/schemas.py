"""Shapes of access: who calls (principals, roles, tokens) and what was done (audit)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from chainhub.standard.fields import PartnerId


class Role(StrEnum):
    """What a token may do."""

    HUB_ADMIN = "hub_admin"
    PARTNER_ADMIN = "partner_admin"
    PARTNER_MEMBER = "partner_member"
    ANALYST = "analyst"


class Principal(BaseModel):
    """Who is calling: the token's partner (none for the hub admin), user and role."""

    model_config = ConfigDict(frozen=True)

    token_id: str
    partner_id: str | None
    role: Role
    user_id: str | None = None
    chain_leader: bool = False

    @property
    def is_hub_admin(self) -> bool:
        """True for the hub's own administrators."""
        return self.role is Role.HUB_ADMIN

    @property
    def sees_all(self) -> bool:
        """True for the hub admin and the chain leader, who see every document."""
        return self.is_hub_admin or self.chain_leader


class TokenRead(BaseModel):
    """A token as listed: never its secret."""

    token_id: str
    partner_id: str | None
    role: Role
    label: str
    user_id: str | None = None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreate(BaseModel):
    """A request for a new token of the caller's partner (or any partner, for the hub admin)."""

    model_config = ConfigDict(extra="forbid")

    partner_id: PartnerId | None = Field(
        default=None, description="Partner of the token; default the caller's own"
    )
    role: Role = Field(default=Role.PARTNER_MEMBER, description="Role the token carries")
    label: str = Field(default="api", min_length=1, max_length=100, description="What it is for")
    user: str | None = Field(
        default=None, min_length=1, max_length=100, description="Name of the user it belongs to"
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="Lifetime")


class TokenCreated(TokenRead):
    """A new token: the secret is shown this once."""

    token: str


class UserRead(BaseModel):
    """A user as listed: never the password or its hash."""

    user_id: str
    partner_id: str | None
    name: str
    role: Role | None = Field(description="Role of a password user; none for a token-only user")
    has_password: bool
    created_at: datetime
    disabled_at: datetime | None = None
    locked_until: datetime | None = None
    last_sign_in_at: datetime | None = None


class AuditEntry(BaseModel):
    """One line of the audit log."""

    seq: int
    occurred_at: datetime
    partner_id: str | None
    user_id: str | None
    token_id: str | None
    action: str
    target: str
    status: int
    outcome: str
    prev_hash: str
    row_hash: str


class AuditPage(BaseModel):
    """A page of the audit log, newest first."""

    entries: list[AuditEntry]
    limit: int
    offset: int


class AuditVerification(BaseModel):
    """Result of recomputing the audit chain."""

    ok: bool
    checked: int
    first_broken_seq: int | None
    short_of_checkpoint: int | None = Field(
        default=None, description="Seq of the first checkpoint the log no longer reaches or matches"
    )
    bad_checkpoint: int | None = Field(
        default=None, description="Seq of a checkpoint whose signature does not verify"
    )
    legacy_entries: int = Field(
        default=0,
        description="Entries at the start of the log chained with plain SHA-256, before the "
        "hub had an audit key; protected once a checkpoint or a keyed entry follows them",
    )
    after_last_checkpoint: int = Field(
        default=0,
        description="Verified entries after the newest checkpoint: their deletion would show "
        "only at the next checkpoint",
    )
    newly_checked: int = Field(
        default=0,
        description="Entries recomputed by this pass; fewer than `checked` when it went on from "
        "where an earlier pass from the first entry ended",
    )
    full_pass_at: datetime | None = Field(
        default=None,
        description="When the chain was last recomputed from its first entry",
    )
