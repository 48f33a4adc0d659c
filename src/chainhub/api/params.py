"""Query parameter types held to what the published schema says."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Final

from pydantic import BeforeValidator

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
PERIOD_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}:\d{4}-\d{2}-\d{2}$"


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD, the schema's `format: date`: pydantic alone would read `0` as 1970-01-01."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
