"""The GS1 EPCIS 2.0 JSON Schemas (files in schema/) as the hub holds requests to them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

SCHEMA_DIR: Final = Path(__file__).parent / "schema"


@cache
def _text(name: str) -> str:
    return (SCHEMA_DIR / name).read_text(encoding="utf-8")


def epcis_schema() -> dict[str, Any]:
    """The EPCIS JSON Schema of documents, as captures are held to it (a fresh copy).

    Where the GS1 JSON Schema is stricter than the XSD, the XSD's reading is taken, as the
    OpenEPCIS conformance documents take it: a sensor report's type is optional and any URI
    (`xsd:anyURI`, not only the measurement types' words), and every event type may carry a
    persistentDisposition (the JSON Schema allows it on object and transformation events only).
    """
    schema: dict[str, Any] = json.loads(_text("EPCIS-JSON-Schema.json"))
    definitions = schema["definitions"]
    report = definitions["sensorReport"]
    report["required"].remove("type")
    if not report["required"]:
        del report["required"]
    report["properties"]["type"] = {"type": "string"}
    persistent = {"$ref": "#/definitions/persistentDisposition"}
    for event_type in ("AggregationEvent", "TransactionEvent", "AssociationEvent"):
        own = definitions[event_type]["allOf"][1]
        own["properties"]["persistentDisposition"] = persistent
        words = next(b for b in own["propertyNames"]["anyOf"] if "enum" in b)
        words["enum"].append("persistentDisposition")
    return schema


def query_schema() -> dict[str, Any]:
    """The REST binding's query-schema.json, of a named query's `query` (a fresh copy)."""
    schema: dict[str, Any] = json.loads(_text("query-schema.json"))
    return schema
