"""Mapping profiles: how one partner's export of one document type maps to the standard."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chainhub.errors import ChainhubError
from chainhub.standard.registry import get_document_type

PROFILE_FORMAT: Final[Literal[1]] = 1
# Bounds on what a profile may ask of the readers: real exports keep their header in the
# first few dozen rows and map a few hundred codes; beyond these a profile is an attack.
MAX_HEADER_ROW: Final = 1000
MAX_COLUMNS: Final = 1000
MAX_MAP_ENTRIES: Final = 100_000
MAX_NAME_LENGTH: Final = 500
MAX_PROFILE_BYTES: Final = 1 << 20
# A profile may share a block with a few aliases; more is how a YAML bomb multiplies itself.
MAX_YAML_ALIASES: Final = 20


class SourceFormat(BaseModel):
    """How the file is written."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "xlsx", "json"] = Field(description="File format")
    encoding: (
        Literal["utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be"]
        | None
    ) = Field(default=None, description="Text encoding (csv); detected and reported when not given")
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="Separator (csv)")
    sheet: str | int | None = Field(default=None, description="Sheet name or 0-based index (xlsx)")
    header_row: int | None = Field(
        default=None,
        ge=1,
        le=MAX_HEADER_ROW,
        description=f"1-based row that holds column names (at most {MAX_HEADER_ROW}); found "
        "below any title and note lines, and reported, when not given",
    )
    skip_totals: bool = Field(
        default=True,
        description="Skip totals and subtotal rows (合计, 小计, Total, Summe), each reported",
    )
    decimal_comma: bool = Field(default=False, description="Numbers use a decimal comma: 12,5")
    thousands_separator: str | None = Field(
        default=None, max_length=1, description="Thousands separator to strip from numbers"
    )


class FieldMapping(BaseModel):
    """Where one standard field comes from and how its value is transformed."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = Field(
        default=None, max_length=MAX_NAME_LENGTH, description="Source column name"
    )
    value: Any = Field(default=None, description="Constant value, when there is no column")
    date_format: str | None = Field(
        default=None, description="strftime format of dates or timestamps in the column"
    )
    timezone: str = Field(
        default="+08:00", description="UTC offset for timestamps written without one"
    )
    map: dict[str, str] | None = Field(
        default=None,
        max_length=MAX_MAP_ENTRIES,
        description="Source value → standard value (codes, status words, units)",
    )
    default: Any = Field(default=None, description="Value used where the column is empty")
    crosswalk: bool = Field(
        default=False,
        description="The column holds the partner's own material code: translate it through "
        "the partner's material crosswalk",
    )
    number_lines: bool = Field(
        default=False,
        description="No column: the hub numbers the lines of each document 1, 2, 3 … in file "
        "order (for a document's line number, when the file has none)",
    )

    difference: tuple[str, str] | None = Field(
        default=None,
        description="No column: the first standard field less the second (a rejected quantity "
        "as received less accepted, when the file writes only those two)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> FieldMapping:
        given = [
            self.column is not None,
            self.value is not None,
            self.number_lines,
            self.difference is not None,
        ]
        if sum(given) != 1:
            raise ValueError(
                "give exactly one of 'column', 'value', 'number_lines: true' or 'difference'"
            )
        return self


class MappingProfile(BaseModel):
    """A partner's mapping of one document type: source format plus one mapping per field."""

    model_config = ConfigDict(extra="forbid")

    chainhub_profile: Literal[1] = Field(default=PROFILE_FORMAT, description="Profile format")
    partner_id: str = Field(description="Partner whose exports this profile reads")
    document_type: str = Field(description="Standard document type produced")
    source: SourceFormat
    fields: dict[str, FieldMapping] = Field(
        max_length=MAX_COLUMNS, description="Standard field → its mapping"
    )
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


def _profile_error(code: str, path: Path, en: str, zh: str) -> ChainhubError:
    return ChainhubError(
        code, f"profile {path.name}: {en}", f"映射配置 {path.name}：{zh}", {"file": path.name}, 422
    )


def _bound_zh(error: Any) -> str:
    """A bound the profile oversteps, in Chinese; pydantic's own words otherwise."""
    ctx = error.get("ctx", {})
    zh = {
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "too_long": f"最多 {ctx.get('max_length')} 项",
        "string_too_long": f"最长 {ctx.get('max_length')} 个字符",
    }
    return str(zh.get(error["type"], error["msg"]))


def _safe_yaml(text: str, path: Path) -> Any:
    """The YAML document, loaded by the safe loader after counting its aliases (a few
    aliases repeated level by level expand a small file into gigabytes)."""
    # libyaml's loader when present: profiles with long value maps load ten times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    aliases = 0
    # An alias is written *name: a text without an asterisk has none to count (most profiles).
    events = yaml.parse(text, Loader=loader) if "*" in text else ()  # noqa: S506 - events only
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise _profile_error(
                    "profile_aliases",
                    path,
                    f"more than {MAX_YAML_ALIASES} YAML aliases (*name); write the values out",
                    f"YAML 别名（*name）超过 {MAX_YAML_ALIASES} 个；请直接写出取值",
                )
    return yaml.load(text, Loader=loader)  # noqa: S506 - the safe loader, C or Python


def load_profile(path: Path) -> MappingProfile:
    """Read a profile YAML file, or a ChainhubError naming the file and the problem."""
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise _profile_error(
                "profile_too_large",
                path,
                f"a profile is at most {MAX_PROFILE_BYTES // 1024} KiB",
                f"映射配置最大 {MAX_PROFILE_BYTES // 1024} KiB",
            )
        data = _safe_yaml(path.read_text(encoding="utf-8"), path)
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
    except ValidationError as exc:
        first_error = exc.errors()[0]
        where = ".".join(str(part) for part in first_error["loc"])
        raise ChainhubError(
            "profile_invalid",
            f"profile {path.name} is invalid: {where}: {first_error['msg']}",
            f"映射配置 {path.name} 无效：{where}：{_bound_zh(first_error)}",
            {"file": path.name, "field": where},
        ) from None
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
