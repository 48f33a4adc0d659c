"""What intake needs to know of each standard field: kind, constraints, default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Literal

import annotated_types as at
from pydantic import AwareDatetime
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from chainhub.standard.annotations import Unwrapped, unwrap
from chainhub.standard.fields import Gln, Gtin, Uscc
from chainhub.standard.registry import get_document_type

Kind = Literal["str", "int", "decimal", "date", "datetime", "enum", "enum_list"]
Check = Literal["gtin", "gln", "uscc"]
_CHECKS: dict[Any, Check] = {Gtin: "gtin", Gln: "gln", Uscc: "uscc"}


@dataclass(frozen=True)
class FieldSpec:
    """One record field as intake validates it."""

    name: str
    kind: Kind
    required: bool
    default: Any = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    choices: tuple[str, ...] = ()
    check: Check | None = None


def _collect(metadata: list[Any], into: dict[str, Any]) -> None:
    for item in metadata:
        for attr in ("pattern", "min_length", "max_length", "max_digits", "decimal_places"):
            value = getattr(item, attr, None)
            if value is not None:
                into[attr] = value
        for cls, attr in ((at.Gt, "gt"), (at.Ge, "ge"), (at.Lt, "lt"), (at.Le, "le")):
            if isinstance(item, cls):
                into[attr] = Decimal(str(getattr(item, attr)))


def _kind(field: Unwrapped, into: dict[str, Any]) -> Kind:
    if field.enum is not None:
        into["choices"] = tuple(e.value for e in field.enum)
        return "enum_list" if field.is_list else "enum"
    if field.base is bool:
        raise TypeError("boolean fields are not part of the standard")
    if field.base in (datetime, AwareDatetime):
        return "datetime"
    kinds: dict[Any, Kind] = {int: "int", Decimal: "decimal", date: "date", str: "str"}
    return kinds[field.base]


def field_spec(name: str, info: FieldInfo) -> FieldSpec:
    """Derive the intake spec of one Pydantic field."""
    constraints: dict[str, Any] = {}
    field = unwrap(info.annotation)
    if field.named in _CHECKS:
        constraints["check"] = _CHECKS[field.named]
    for meta in field.metadata:
        _collect(meta.metadata if isinstance(meta, FieldInfo) else [meta], constraints)
    _collect(info.metadata, constraints)
    kind = _kind(field, constraints)
    default = None if info.default is PydanticUndefined else info.default
    if isinstance(default, Enum):
        default = default.value
    required = info.is_required() and not field.optional
    return FieldSpec(name=name, kind=kind, required=required, default=default, **constraints)


@cache
def record_specs(document_type: str) -> dict[str, FieldSpec]:
    """Specs of every field of a document type's flat record, in record order."""
    doc_type = get_document_type(document_type)
    return {name: field_spec(name, info) for name, info in doc_type.record_fields.items()}
