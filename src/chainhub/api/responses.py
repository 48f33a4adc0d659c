"""The error body every API route may answer with, and the error statuses they declare."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel

from chainhub.errors import ChainhubError, Language


class ErrorDetail(BaseModel):
    """A stable code, a message in the caller's language, and where the problem is."""

    code: str
    message: str
    location: dict[str, str | int]


class ErrorBody(BaseModel):
    """Every error."""

    error: ErrorDetail


def get_error_body(error: ChainhubError, lang: Language) -> dict[str, Any]:
    """The JSON body of a domain error."""
    detail = ErrorDetail(code=error.code, message=error.message(lang), location=error.location)
    return {"error": detail.model_dump()}


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Bad request"),
        (401, "No valid token"),
        (403, "Not allowed for this token"),
        (404, "Not found, or not visible to the caller"),
        (409, "Conflicts with the current state"),
        (415, "Unsupported file"),
        (422, "Invalid request, or a submission rejected with its issues"),
        (503, "The hub is busy; retry after the seconds in the Retry-After header"),
    )
}
