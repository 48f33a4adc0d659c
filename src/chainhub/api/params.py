"""Query parameter types held to what the published schema says, and the check that a request
names only the parameters its operation declares."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Final

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BeforeValidator

from chainhub.errors import ChainhubError
from chainhub.standard.annotations import unwrap

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
# A calendar date of years 0001 to 9999, 29 February in leap years only: the pattern says
# which texts are dates, so a schema-valid period is one the server reads.
# (No look-around: the server's regular expressions have none.)
_DAY: Final = (
    r"(?:(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
    r"|(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29)"
)
PERIOD_PATTERN: Final = f"^{_DAY}:{_DAY}$"
# The answer's language may be asked of every operation (`api.language`).
HUB_WIDE_PARAMETERS: Final = frozenset({"lang"})


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD, the schema's `format: date`: pydantic alone would read `0` as 1970-01-01."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _query_names(dependant: Dependant) -> dict[str, bool]:
    """Each declared query parameter's name, and whether it may be repeated (a list)."""
    names = {p.alias: unwrap(p.field_info.annotation).is_list for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def check_query_names(request: Request) -> None:
    """Refuse a query parameter the operation does not declare, or one of a single value given
    twice: a misspelt one (`?frm=`) would otherwise be ignored, and all but the last of a
    repeated one, with the answer looking right. A coroutine: it only reads the request, and
    FastAPI would run a plain function in a worker thread, a hop on every API request. A
    request without a query string names none, and skips the walk through the operation's
    dependencies."""
    route = request.scope.get("route")
    if not request.scope.get("query_string") or not isinstance(route, APIRoute):
        return
    declared = _query_names(route.dependant) | dict.fromkeys(HUB_WIDE_PARAMETERS, False)
    for name in request.query_params:
        if name not in declared:
            takes = ", ".join(sorted(declared))
            raise ChainhubError(
                "invalid_request",
                f"unknown query parameter {name!r}; this operation takes {takes}",
                f"未知的查询参数 {name!r}；此接口接受 {takes}",
                {"parameter": name},
                422,
            )
        if not declared[name] and len(request.query_params.getlist(name)) > 1:
            raise ChainhubError(
                "invalid_request",
                f"query parameter {name!r} is given more than once; it takes one value",
                f"查询参数 {name!r} 出现多次；它只接受一个值",
                {"parameter": name},
                422,
            )
