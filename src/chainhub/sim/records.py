"""Flat records as the simulator buffers them: decimals in thousandths, dates as day numbers."""

# Timestamps are minutes since 1970-01-01 00:00 local time (+08:00), dates days since 1970-01-01.

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Final, Literal

import polars as pl
from pydantic import AwareDatetime

from chainhub.standard.annotations import unwrap
from chainhub.standard.registry import DOCUMENT_TYPES

Kind = Literal["str", "int", "dec", "date", "ts", "list"]

EPOCH: Final = date(1970, 1, 1)
LOCAL_TZ: Final = "+08:00"
TRUTH_TZ: Final = "Asia/Shanghai"

POLARS_TYPES: Final[dict[Kind, pl.DataType]] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "dec": pl.Int64(),
    "date": pl.Int32(),
    "ts": pl.Int64(),
    "list": pl.List(pl.String()),
}


def kind_of(annotation: Any) -> Kind:
    """How values of a field annotated `annotation` are buffered."""
    field = unwrap(annotation)
    if field.is_list:
        return "list"
    kinds: dict[Any, Kind] = {AwareDatetime: "ts", datetime: "ts", date: "date", Decimal: "dec"}
    return kinds.get(field.base, "int" if field.base is int else "str")


def enum_of(annotation: Any) -> type[Enum] | None:
    """The enumeration a field's values come from, or None."""
    return unwrap(annotation).enum


@cache
def record_kinds(doc_type: str) -> dict[str, Kind]:
    """Field name → buffered kind, in record order."""
    return {
        name: kind_of(info.annotation)
        for name, info in DOCUMENT_TYPES[doc_type].record_fields.items()
    }


@cache
def record_schema(doc_type: str) -> dict[str, pl.DataType]:
    """The polars schema of a buffered record batch."""
    return {name: POLARS_TYPES[kind] for name, kind in record_kinds(doc_type).items()}


@cache
def optional_fields(doc_type: str) -> frozenset[str]:
    """Fields whose default is None: a dialect may leave them out."""
    fields = DOCUMENT_TYPES[doc_type].record_fields
    return frozenset(n for n, i in fields.items() if not i.is_required() and i.default is None)


def dec_text(expr: pl.Expr, *, decimal_comma: bool = False) -> pl.Expr:
    """Thousandths as plain decimal text: 12500 → "12.5", 3000 → "3"."""
    text = (
        pl.format("{}.{}", expr // 1000, (expr % 1000).cast(pl.String).str.zfill(3))
        .str.strip_chars_end("0")
        .str.strip_chars_end(".")
    )
    return text.str.replace(".", ",", literal=True) if decimal_comma else text


def to_truth(frame: pl.DataFrame, *, doc_type: str) -> pl.DataFrame:
    """A buffered batch as typed standard records: decimals, dates and aware timestamps."""
    exprs: list[pl.Expr] = []
    for name, kind in record_kinds(doc_type).items():
        col = pl.col(name)
        if kind == "dec":
            col = dec_text(col).cast(pl.Decimal(18, 6))
        elif kind == "date":
            col = col.cast(pl.Date)
        elif kind == "ts":
            col = (
                ((col - 480) * 60_000_000)
                .cast(pl.Datetime("us", "UTC"))
                .dt.convert_time_zone(TRUTH_TZ)
            )
        exprs.append(col.alias(name))
    return frame.select(exprs)


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def day_date(number: int) -> date:
    """The date of a day number."""
    return date.fromordinal(EPOCH.toordinal() + number)


def milli_text(value: int) -> str:
    """Thousandths as plain decimal text, like `dec_text` for one value."""
    whole, frac = divmod(value, 1000)
    return str(whole) if frac == 0 else f"{whole}.{frac:03d}".rstrip("0")
