"""The shape of an adapter's profile.yaml: an ERP family's words, checked against the standard."""

from __future__ import annotations

import codecs
import re
from enum import Enum
from functools import cache
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chainhub.standard import fields as standard_fields
from chainhub.standard.registry import DOCUMENT_TYPES

# A UN/ECE Rec 20 common code: two or three capitals or digits (H87, KGM, 2N, XBX).
_REC20: Final = r"[A-Z0-9]{2,3}"

Terms = tuple[str, ...]


@cache
def standard_enums() -> dict[str, tuple[str, ...]]:
    """Enumerations of the standard by class name, with their values."""
    return {
        name: tuple(e.value for e in cls)
        for name, cls in vars(standard_fields).items()
        if isinstance(cls, type)
        and issubclass(cls, Enum)
        and cls.__module__ == standard_fields.__name__
    }


@cache
def _standard_fields() -> frozenset[str]:
    return frozenset(name for doc in DOCUMENT_TYPES.values() for name in doc.record_fields)


def _no_blank(terms: Terms) -> Terms:
    if any(not t.strip() for t in terms):
        raise ValueError("a term is blank")
    return terms


class NumberHabits(BaseModel):
    """How the family writes numbers (the sniffer measures each file; this documents the habit)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    decimal_comma: bool = False
    thousands_separators: tuple[str, ...] = ()


class AdapterProfile(BaseModel):
    """One ERP family's header vocabulary, unit words, code words and writing habits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    fields: dict[str, Terms] = {}
    documents: dict[str, dict[str, Terms]] = {}
    descriptions: Terms = ()
    units: dict[str, str | None] = {}
    codes: dict[str, dict[str, Terms]] = {}
    date_formats: tuple[str, ...] = ()
    numbers: NumberHabits = NumberHabits()
    encodings: tuple[str, ...] = ()

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, Terms]) -> dict[str, Terms]:
        for name, terms in value.items():
            if name not in _standard_fields():
                raise ValueError(f"'{name}' is not a field of the standard")
            _no_blank(terms)
        return value

    @field_validator("documents")
    @classmethod
    def _known_document_fields(
        cls, value: dict[str, dict[str, Terms]]
    ) -> dict[str, dict[str, Terms]]:
        for doc_type, per_field in value.items():
            doc = DOCUMENT_TYPES.get(doc_type)
            if doc is None:
                raise ValueError(f"'{doc_type}' is not a document type")
            for name, terms in per_field.items():
                if name not in doc.record_fields:
                    raise ValueError(f"'{name}' is not a field of {doc_type}")
                _no_blank(terms)
        return value

    @field_validator("descriptions")
    @classmethod
    def _descriptions(cls, value: Terms) -> Terms:
        return _no_blank(value)

    @field_validator("units")
    @classmethod
    def _rec20_codes(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for word, code in value.items():
            if code is not None and not re.fullmatch(_REC20, code):
                raise ValueError(f"'{word}': '{code}' is not a UN/ECE Rec 20 code")
        return value

    @field_validator("codes")
    @classmethod
    def _known_codes(cls, value: dict[str, dict[str, Terms]]) -> dict[str, dict[str, Terms]]:
        enums = standard_enums()
        for enum_name, words in value.items():
            if enum_name not in enums:
                raise ValueError(f"'{enum_name}' is not an enumeration of the standard")
            for standard_value, terms in words.items():
                if standard_value not in enums[enum_name]:
                    raise ValueError(f"'{standard_value}' is not a value of {enum_name}")
                _no_blank(terms)
        return value

    @field_validator("encodings")
    @classmethod
    def _codecs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            try:
                codecs.lookup(name)
            except LookupError:
                raise ValueError(f"'{name}' is not a text encoding") from None
        return value
