"""Shapes of the master-data domain: unknown codes, suggestions, decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from chainhub.intake.schemas import CodeStatus


class DecisionKind(StrEnum):
    """What a reviewer decided about a suggested match."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class DecisionMode(StrEnum):
    """Who decided: a person, or the auto-accept rule above the threshold."""

    MANUAL = "manual"
    AUTO = "auto"


class UnknownCodeRead(BaseModel):
    """A partner material code seen in submissions that has no crosswalk yet."""

    partner_id: str
    partner_material_code: str
    description: str | None
    unit: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    occurrences: int
    last_submission_ref: str
    status: CodeStatus
    material_code: str | None


class SuggestionRead(BaseModel):
    """One ranked golden material suggested for an unknown code, with the attributes that agreed,
    disagreed, and were stated on one side only (never counted as disagreement)."""

    partner_id: str
    partner_material_code: str
    rank: int
    material_code: str
    confidence: float
    reasons: list[str]
    agreed: list[str]
    disagreed: list[str]
    missing: list[str]


class DecisionRead(BaseModel):
    """A recorded accept or reject, with who, when, how and whether it needs a second look."""

    decision_id: str
    partner_id: str
    partner_material_code: str
    material_code: str
    decision: DecisionKind
    mode: DecisionMode
    confidence: float | None
    flagged: bool
    decided_by: str
    decided_at: datetime
    submission_id: str | None


class MatchDecision(BaseModel):
    """A reviewer's request to accept or reject one suggested match."""

    partner_id: str
    partner_material_code: str
    material_code: str


class MaterialLabel(BaseModel):
    """A golden material's names and base unit, to label it on a page."""

    material_code: str
    name_zh: str | None
    name_en: str | None
    base_unit: str | None
