"""The caller's language: `?lang=` first, then the Accept-Language header."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from chainhub.errors import Language, parse_language


def get_request_language(request: HTTPConnection) -> Language:
    """The language a request asks its answers in (zh or en)."""
    return parse_language(
        request.query_params.get("lang") or request.headers.get("accept-language")
    )
