"""JSON documents are held to the standard's JSON Schema as sent: the JSON types as declared, text
as given. A file's cells are read leniently instead (a trimmed cell, 8.0 for 8, 1e5), by the
same models; only a JSON body can say exactly what it means."""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import jsonschema_rs

from chainhub.errors import ChainhubError
from chainhub.standard.service import get_document_schema

_MESSAGE_LIMIT: Final = 300


@cache
def _validator(document_type: str) -> Any:
    """The compiled check of a list of documents of the type (formats are the models')."""
    schema = get_document_schema(document_type=document_type)
    documents = {"$schema": schema["$schema"], "type": "array", "items": {"$ref": schema["$id"]}}
    registry = jsonschema_rs.Registry([(schema["$id"], schema)])
    return jsonschema_rs.validator_for(documents, registry=registry)


def check_documents_json(*, document_type: str, body: Any) -> None:
    """Raise 422 `invalid_request` naming the first place where a document of the JSON body
    does not conform to the type's published JSON Schema; leave any other shape of body to
    the request's own validation."""
    documents = body.get("documents") if isinstance(body, dict) else None
    validator = _validator(document_type)
    if not isinstance(documents, list) or validator.is_valid(documents):
        return
    error = next(iter(validator.iter_errors(documents)))
    path = [*error.instance_path]
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
        path.append(error.kind.property)  # the field that is missing, as the models name it
    where = ".".join(map(str, ["body", "documents", *path]))
    message = error.message
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    raise ChainhubError(
        "invalid_request",
        f"the request does not conform to the API: {where}: {message}",
        f"请求不符合接口定义：{where}：{message}",
        {"field": where},
        422,
    )
