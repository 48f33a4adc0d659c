"""Date and timestamp fields, in the profile's format and time zone; stored in UTC."""

from __future__ import annotations

import re

import polars as pl

from chainhub.intake.schemas import FieldMapping
from chainhub.intake.validate.fields.draft import FieldDraft


def date_field(draft: FieldDraft) -> pl.Expr:
    """A date in the profile's format, ISO 8601 by default."""
    fmt = draft.date_format or "%Y-%m-%d"
    draft.check("date", draft.present & draft.value.is_null(), fmt)
    return draft.text.str.to_date(fmt, strict=False)


def datetime_field(draft: FieldDraft) -> pl.Expr:
    """A timestamp in the profile's format and time zone, or ISO 8601 with or without offset."""
    fmt = draft.date_format or "ISO 8601"
    draft.check("datetime", draft.present & draft.value.is_null(), fmt)
    return _parse_datetime(draft.text, draft.mapping)


def _parse_datetime(text: pl.Expr, mapping: FieldMapping | None) -> pl.Expr:
    tz = mapping.timezone if mapping else "+08:00"
    fmt = mapping.date_format if mapping else None
    if fmt is not None and re.search(r"%[:#]?z", fmt):
        # The text carries its own offset (%z, %:z): the profile's time zone does not apply.
        return text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
    if fmt is not None:
        naive = text.str.to_datetime(fmt, strict=False, time_unit="us")
        return naive.dt.replace_time_zone(tz).dt.convert_time_zone("UTC")
    aware = text.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC"
    )
    naive = pl.coalesce(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us"),
    )
    return pl.coalesce(aware, naive.dt.replace_time_zone(tz).dt.convert_time_zone("UTC"))
