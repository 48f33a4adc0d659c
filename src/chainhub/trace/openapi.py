"""The EPCIS request bodies as the published OpenAPI declares them: the GS1 JSON Schemas that
captures and named queries are held to, and the rules of the standard those schemas leave out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from urllib.parse import unquote

from chainhub.trace.gs1_schemas import epcis_schema, query_schema
from chainhub.trace.query import PARAMETERS

_PREFIX: Final = "EPCIS-"
_DEFINITIONS: Final = "#/definitions/"


def _component(definition: str) -> str:
    """The component of a definition: `EPCIS-` and its name (`@context` without the @, which
    no component name may hold)."""
    return _PREFIX + unquote(definition).removeprefix("@")


def _refer(schema: Any, to: Callable[[str], Any]) -> Any:
    """The schema with each reference to a definition replaced by `to(name)`."""
    if isinstance(schema, list):
        return [_refer(item, to) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref", "")
    if ref.startswith(_DEFINITIONS):  # the GS1 schemas give a reference no sibling keyword
        return to(ref.removeprefix(_DEFINITIONS))
    return {key: _refer(value, to) for key, value in schema.items()}


def epcis_components() -> dict[str, Any]:
    """The EPCIS JSON Schema's definitions as OpenAPI components, each `EPCIS-<name>`, with the
    rule across fields that the capture checks too (trace.validation)."""
    components: dict[str, Any] = {
        _component(name): _refer(
            definition, lambda to: {"$ref": f"#/components/schemas/{_component(to)}"}
        )
        for name, definition in epcis_schema()["definitions"].items()
    }
    # A sensor's time window starts no later than it ends (`x-ordered`, as the standard's
    # documents declare it).
    components["EPCIS-sensorMetadata"]["x-ordered"] = [
        {"earlier": "startTime", "later": "endTime", "equal": True}
    ]
    return components


CAPTURE_DOCUMENT: Final = {
    "description": (
        "An EPCISDocument as the GS1 EPCIS 2.0 JSON Schema states it, or an EPCISQueryDocument "
        "(as this hub answers them), whose events are captured as an EPCISDocument's: it needs "
        "the schemaVersion and creationDate an EPCISDocument needs"
    ),
    "anyOf": [
        {"$ref": "#/components/schemas/EPCIS-epcisDocument"},
        {
            "allOf": [
                {"$ref": "#/components/schemas/EPCIS-epcisQueryDocument"},
                {"required": ["schemaVersion", "creationDate"]},
            ]
        },
    ],
}


def named_query_schema() -> dict[str, Any]:
    """query-schema.json's query as far as the hub's engine answers it: the parameters it reads
    (trace.query), each with the schema's own definition, and no other."""
    schema = query_schema()
    definitions = schema["definitions"]
    query = definitions["EPCIS-Query"]

    def inline(name: str) -> Any:
        return _refer(definitions[unquote(name)], inline)

    answered = {"@context", *PARAMETERS}
    return {
        "type": "object",
        "description": (
            "A query of the EPCIS query language (query-schema.json) in the parameters this "
            "hub answers: " + ", ".join(sorted(answered & query["properties"].keys()))
        ),
        "properties": {
            name: _refer(value, inline)
            for name, value in query["properties"].items()
            if name in answered
        },
        "additionalProperties": False,
    }
