"""Mapping profiles: how one partner's export of one document type maps to the standard."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chainhub.errors import ChainhubError
from chainhub.standard.registry import get_document_type

PROFILE_FORMAT: Final[Literal[1]] = 1


class SourceFormat(BaseModel):
    """How the file is written."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "xlsx", "json"] = Field(description="File format")
    encoding: Literal["utf-8", "utf-8-sig", "gbk", "gb18030"] = Field(
        default="utf-8", description="Text encoding (csv)"
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="Separator (csv)")
    sheet: str | int | None = Field(default=None, description="Sheet name or 0-based index (xlsx)")
    header_row: int = Field(default=1, ge=1, description="1-based row that holds column names")
    decimal_comma: bool = Field(default=False, description="Numbers use a decimal comma: 12,5")
    thousands_separator: str | None = Field(
        default=None, max_length=1, description="Thousands separator to strip from numbers"
    )


class FieldMapping(BaseModel):
    """Where one standard field comes from and how its value is transformed."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = Field(default=None, description="Source column name")
    value: Any = Field(default=None, description="Constant value, when there is no column")
    date_format: str | None = Field(
        default=None, description="strftime format of dates or timestamps in the column"
    )
    timezone: str = Field(
        default="+08:00", description="UTC offset for timestamps written without one"
    )
    map: dict[str, str] | None = Field(
        default=None, description="Source value → standard value (codes, status words, units)"
    )
    default: Any = Field(default=None, description="Value used where the column is empty")
    crosswalk: bool = Field(
        default=False,
        description="The column holds the partner's own material code: translate it through "
        "the partner's material crosswalk",
    )

    @model_validator(mode="after")
    def _one_source(self) -> FieldMapping:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' or 'value'")
        return self


class MappingProfile(BaseModel):
    """A partner's mapping of one document type: source format plus one mapping per field."""

    model_config = ConfigDict(extra="forbid")

    chainhub_profile: Literal[1] = Field(default=PROFILE_FORMAT, description="Profile format")
    partner_id: str = Field(description="Partner whose exports this profile reads")
    document_type: str = Field(description="Standard document type produced")
    source: SourceFormat
    fields: dict[str, FieldMapping] = Field(description="Standard field → its mapping")
    material_description: str | None = Field(
        default=None,
        description="Source column with the partner's own description of the material; kept "
        "with unknown partner codes so the hub can suggest golden matches",
    )

    def to_yaml(self) -> str:
        """The profile as YAML, the form partners keep next to their files."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data = {"chainhub_profile": PROFILE_FORMAT, **data}
        text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return text


def standard_profile(
    *, partner_id: str, document_type: str, columns: Iterable[str], source: SourceFormat
) -> MappingProfile:
    """A profile for a file already in the standard's flat form: each field from its own column."""
    fields = get_document_type(document_type).record_fields
    return MappingProfile(
        partner_id=partner_id,
        document_type=document_type,
        source=source,
        fields={c: FieldMapping(column=c) for c in columns if c in fields},
    )


def load_profile(path: Path) -> MappingProfile:
    """Read a profile YAML file, or a ChainhubError naming the file and the problem."""
    try:
        # libyaml's loader when present: profiles with long value maps load ten times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    except FileNotFoundError:
        raise ChainhubError(
            "profile_not_found",
            f"profile file not found: {path}",
            f"找不到映射配置文件：{path}",
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ChainhubError(
            "profile_unreadable",
            f"profile {path} is not valid YAML: {exc}",
            f"映射配置 {path} 不是有效的 YAML：{exc}",
        ) from None
    try:
        return MappingProfile.model_validate(data)
    except ValueError as exc:
        first = str(exc).splitlines()
        raise ChainhubError(
            "profile_invalid",
            f"profile {path} is invalid: {'; '.join(first[:3])}",
            f"映射配置 {path} 无效：{'; '.join(first[:3])}",
        ) from None


class CodeStatus(StrEnum):
    """Where an unknown partner code stands."""

    OPEN = "open"
    MAPPED = "mapped"
    REJECTED = "rejected"


class SubmissionIssue(BaseModel):
    """One problem with one submitted value."""

    row: int
    document: int | None = None
    line: int | None = None
    column: str | None
    field: str
    value: str | None
    rule: str
    message: str


class SubmissionOutcome(BaseModel):
    """What happened to a batch or a file: stored, partly stored, already stored, or rejected."""

    status: Literal["stored", "partial", "duplicate", "rejected"]
    document_type: str
    attempt_id: str
    submission_id: str | None
    rows: int
    stored_rows: int
    quarantined_rows: int
    documents: int
    issues: list[SubmissionIssue]
