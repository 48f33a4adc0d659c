"""The error body every API route may answer with, and the error statuses they declare."""

from __future__ import annotations

from typing import Any, Final

from fastapi.responses import Response
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


def get_model_response(model: BaseModel) -> Response:
    """A model's JSON as FastAPI would answer it for a route declaring the model's type as its
    response model, without the route's validation of the model against its own type (in a
    worker thread, for a plain function)."""
    return Response(model.model_dump_json(), media_type="application/json")


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
