"""What intake needs to know of each standard field: kind, constraints, default."""

from __future__ import annotations

import types
import typing
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


def _unwrap(annotation: Any, into: dict[str, Any]) -> tuple[Any, bool]:
    """The core type of an annotation, collecting constraints; and whether None is allowed."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if annotation in _CHECKS:
        into["check"] = _CHECKS[annotation]
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        for m in meta:
            _collect(m.metadata if isinstance(m, FieldInfo) else [m], into)
        annotation = base
    return annotation, optional


def _kind(annotation: Any, into: dict[str, Any]) -> Kind:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        into["choices"] = tuple(e.value for e in item)
        return "enum_list"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        into["choices"] = tuple(e.value for e in annotation)
        return "enum"
    if annotation is bool:
        raise TypeError("boolean fields are not part of the standard")
    kinds: dict[Any, Kind] = {int: "int", Decimal: "decimal", date: "date", str: "str"}
    if annotation in (datetime, AwareDatetime):
        return "datetime"
    if typing.get_origin(annotation) is typing.Annotated:
        return _kind(typing.get_args(annotation)[0], into)
    return kinds[annotation]


def field_spec(name: str, info: FieldInfo) -> FieldSpec:
    """Derive the intake spec of one Pydantic field."""
    constraints: dict[str, Any] = {}
    annotation, optional = _unwrap(info.annotation, constraints)
    _collect(info.metadata, constraints)
    kind = _kind(annotation, constraints)
    default = None if info.default is PydanticUndefined else info.default
    if isinstance(default, Enum):
        default = default.value
    required = info.is_required() and not optional
    return FieldSpec(name=name, kind=kind, required=required, default=default, **constraints)


@cache
def record_specs(document_type: str) -> dict[str, FieldSpec]:
    """Specs of every field of a document type's flat record, in record order."""
    doc_type = get_document_type(document_type)
    return {name: field_spec(name, info) for name, info in doc_type.record_fields.items()}
