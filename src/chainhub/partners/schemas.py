"""Shapes of the partners domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class Role(StrEnum):
    """What a token may do."""

    HUB_ADMIN = "hub_admin"
    PARTNER_ADMIN = "partner_admin"
    PARTNER_MEMBER = "partner_member"
    ANALYST = "analyst"


class Principal(BaseModel):
    """Who is calling: the token's partner (none for the hub admin) and role."""

    token_id: str
    partner_id: str | None
    role: Role

    @property
    def is_hub_admin(self) -> bool:
        """True for the hub's own administrators."""
        return self.role is Role.HUB_ADMIN


class TokenRead(BaseModel):
    """A token as listed: never its secret."""

    token_id: str
    partner_id: str | None
    role: Role
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
