"""A reference reader of mapping profiles, to prove the simulator's files map back exactly."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from chainhub.intake.schemas import load_profile
from chainhub.sim.records import kind_of
from chainhub.standard.registry import DOCUMENT_TYPES


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _raw(root: Path, file: str, profile_path: str) -> tuple[list[dict[str, Any]], Any]:
    profile = load_profile(root / profile_path)
    src = profile.source
    path = root / file
    if src.format == "csv":
        text = path.read_bytes().decode(src.encoding)
        frame = pl.read_csv(
            io.StringIO(text),
            separator=src.delimiter,
            infer_schema=False,
            skip_rows=src.header_row - 1,
        )
    else:
        sheet = src.sheet if src.sheet is not None else 0
        frame = (
            fastexcel.read_excel(path)
            .load_sheet(sheet, header_row=src.header_row - 1, dtypes="string")
            .to_polars()
        )
    return frame.to_dicts(), profile


def read_standard(
    root: Path, file: str, profile_path: str, crosswalk: dict[tuple[str, str], str]
) -> list[dict[str, Any]]:
    """Apply a profile to a partner file: the standard records it describes."""
    rows, profile = _raw(root, file, profile_path)
    src = profile.source
    fields = DOCUMENT_TYPES[profile.document_type].record_fields
    out = []
    for row in rows:
        record: dict[str, Any] = {}
        for name, info in fields.items():
            kind = kind_of(info.annotation)
            mapping = profile.fields.get(name)
            if mapping is None:
                record[name] = None
                continue
            if mapping.column is None:
                value: Any = mapping.value
            else:
                value = row[mapping.column]
                if value in (None, ""):
                    value = mapping.default
            if value is not None and mapping.column is not None:
                value = str(value)
                if mapping.map is not None:
                    value = mapping.map[value]
                if mapping.crosswalk:
                    value = crosswalk[(profile.partner_id, value)]
                if kind == "dec" or (kind == "int" and src.format == "xlsx"):
                    if src.decimal_comma:
                        value = value.replace(",", ".")
                    value = Decimal(value) if kind == "dec" else int(Decimal(value))
                elif kind == "int":
                    value = int(value)
                elif kind == "date":
                    value = datetime.strptime(value, mapping.date_format).date()  # noqa: DTZ007
                elif kind == "ts":
                    stamp = datetime.strptime(value, mapping.date_format)  # noqa: DTZ007
                    value = (
                        stamp if stamp.tzinfo else stamp.replace(tzinfo=_offset(mapping.timezone))
                    )
                elif kind == "list":
                    value = [value]
            record[name] = value
        out.append(record)
    return out


def normal(value: Any) -> Any:
    """A value in a form that compares equal across readers (decimals, instants, dates)."""
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, date | str | int | list) or value is None:
        return value
    raise TypeError(type(value))
