"""The published OpenAPI document: FastAPI's, plus the links between operations and the decimal
limits of the standard, in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fastapi import FastAPI

from chainhub.standard.json_schema import StandardSchemaGenerator
from chainhub.standard.registry import DOCUMENT_TYPES

# (method, path, status) of a source operation → (link name, method, path, parameters) of the
# operations its answer leads to; parameter values are OpenAPI runtime expressions.
Target = tuple[str, str, str, dict[str, str]]
_AGREEMENT: Final = {"agreement_id": "$response.body#/agreement_id"}
_RECALL: Final = {"recall_id": "$response.body#/recall_id"}
_QUERY: Final = {"queryName": "$response.body#/name"}
_QUERY_SUBSCRIPTION: Final = {
    "queryName": "$request.path.queryName",
    "subscriptionID": "$response.body#/subscriptionID",
}
_SITE: Final = {"site_id": "$response.body#/0/site_id"}
LINKS: Final[dict[tuple[str, str, str], list[Target]]] = {
    ("post", "/api/v1/tokens", "201"): [
        ("RevokeToken", "delete", "/api/v1/tokens/{token_id}",
         {"token_id": "$response.body#/token_id"}),
    ],
    ("post", "/api/v1/agreements", "201"): [
        ("GetAgreement", "get", "/api/v1/agreements/{agreement_id}", _AGREEMENT),
        ("AcceptAgreement", "post", "/api/v1/agreements/{agreement_id}/accept", _AGREEMENT),
        ("RevokeAgreement", "post", "/api/v1/agreements/{agreement_id}/revoke", _AGREEMENT),
    ],
    ("post", "/api/v1/subscriptions", "201"): [
        ("GetDeliveries", "get", "/api/v1/subscriptions/{subscription_id}/deliveries",
         {"subscription_id": "$response.body#/subscription_id"}),
        ("DeleteSubscription", "delete", "/api/v1/subscriptions/{subscription_id}",
         {"subscription_id": "$response.body#/subscription_id"}),
    ],
    ("post", "/api/v1/recalls", "201"): [
        ("GetRecall", "get", "/api/v1/recalls/{recall_id}", _RECALL),
        ("AcknowledgeRecall", "post", "/api/v1/recalls/{recall_id}/acknowledge", _RECALL),
        ("CloseRecall", "post", "/api/v1/recalls/{recall_id}/close", _RECALL),
    ],
    ("get", "/api/v1/recalls", "200"): [
        ("GetFirstRecall", "get", "/api/v1/recalls/{recall_id}",
         {"recall_id": "$response.body#/0/recall_id"}),
    ],
    ("post", "/epcis/capture", "202"): [
        ("GetCaptureJob", "get", "/epcis/capture/{captureID}",
         {"captureID": "$response.body#/captureID"}),
    ],
    ("post", "/epcis/queries", "201"): [
        ("GetQuery", "get", "/epcis/queries/{queryName}", _QUERY),
        ("GetQueryEvents", "get", "/epcis/queries/{queryName}/events", _QUERY),
        ("Subscribe", "post", "/epcis/queries/{queryName}/subscriptions", _QUERY),
        ("GetSubscriptions", "get", "/epcis/queries/{queryName}/subscriptions", _QUERY),
        ("DeleteQuery", "delete", "/epcis/queries/{queryName}", _QUERY),
    ],
    ("post", "/epcis/queries/{queryName}/subscriptions", "201"): [
        ("GetSubscription", "get", "/epcis/queries/{queryName}/subscriptions/{subscriptionID}",
         _QUERY_SUBSCRIPTION),
        ("Unsubscribe", "delete", "/epcis/queries/{queryName}/subscriptions/{subscriptionID}",
         _QUERY_SUBSCRIPTION),
    ],
    ("get", "/api/v1/kpis", "200"): [
        ("GetKpi", "get", "/api/v1/kpis/{kpi_id}", {"kpi_id": "$response.body#/0/kpi_id"}),
        ("GetKpiRows", "get", "/api/v1/kpis/{kpi_id}/rows", {"kpi_id": "$response.body#/0/kpi_id"}),
    ],
    ("post", "/api/v1/forecast/runs", "201"): [
        ("GetRun", "get", "/api/v1/forecast/runs/{version}",
         {"version": "$response.body#/version"}),
    ],
    ("get", "/api/v1/schedule/needs", "200"): [
        ("GetSchedule", "get", "/api/v1/schedule/{site_id}", _SITE),
        ("GetScheduleRuns", "get", "/api/v1/schedule/{site_id}/runs", _SITE),
    ],
    ("post", "/api/v1/schedule/{site_id}/runs", "201"): [
        ("GetScheduleOfSite", "get", "/api/v1/schedule/{site_id}",
         {"site_id": "$request.path.site_id"}),
    ],
}  # fmt: skip


def _document_links() -> dict[tuple[str, str, str], list[Target]]:
    """A submission leads to the caller's submissions of its type; a page of documents to the
    first one's current version and history."""
    links: dict[tuple[str, str, str], list[Target]] = {}
    for name, spec in DOCUMENT_TYPES.items():
        if len(spec.key) != 1:
            continue  # a composite key is its fields joined with |, which no expression builds
        key = {"doc_key": f"$response.body#/records/0/{spec.key[0]}"}
        by_type = {"document_type": name}
        links[("get", f"/api/v1/documents/{name}", "200")] = [
            ("GetFirstDocument", "get", "/api/v1/documents/{document_type}/{doc_key}",
             {**by_type, **key}),
            ("GetFirstHistory", "get", "/api/v1/history/{document_type}/{doc_key}",
             {**by_type, **key}),
        ]  # fmt: skip
    for name in DOCUMENT_TYPES:
        for status in ("200", "201"):
            links.setdefault(("post", f"/api/v1/documents/{name}", status), []).append(
                ("GetSubmissions", "get", "/api/v1/submissions", {"document_type": name})
            )
    return links


def _add_links(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    for (method, path, status), targets in {**LINKS, **_document_links()}.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            name: {"operationId": paths[target][target_method]["operationId"], "parameters": params}
            for name, target_method, target, params in targets
        }


def _branches(field_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a field's schema, nested anyOf flattened."""
    if "anyOf" not in field_schema:
        return [field_schema]
    return [leaf for branch in field_schema["anyOf"] for leaf in _branches(branch)]


def _standard_decimals() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(model, field) → the standard's number and string branches of each decimal field."""
    decimals: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for spec in DOCUMENT_TYPES.values():
        body = spec.model.model_json_schema(schema_generator=StandardSchemaGenerator)
        for name, model in [(spec.model.__name__, body), *body.get("$defs", {}).items()]:
            for field, field_schema in model.get("properties", {}).items():
                branches = {b.get("type"): b for b in _branches(field_schema)}
                if "number" in branches and "pattern" in branches.get("string", {}):
                    decimals[(name, field)] = {k: branches[k] for k in ("number", "string")}
    return decimals


def _add_decimal_limits(schema: dict[str, Any]) -> None:
    """FastAPI's generator writes a decimal without its digit limits; the standard's has them:
    the number's bounds and step, the string's pattern."""
    decimals = _standard_decimals()
    for name, component in schema["components"]["schemas"].items():
        model = name.removesuffix("-Input")
        for field, field_schema in component.get("properties", {}).items():
            standard = decimals.get((model, field), {})
            for branch in field_schema.get("anyOf", []):
                branch.update(standard.get(branch.get("type"), {}))


def install_openapi(app: FastAPI, *, components: Callable[[], dict[str, Any]] = dict) -> None:
    """Publish FastAPI's OpenAPI document with the links and decimal limits added, and the
    schemas `components()` gives that the routes' declarations refer to but no model states."""

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()  # FastAPI's; it keeps it in app.openapi_schema
            schema["components"]["schemas"].update(components())
            _add_links(schema)
            _add_decimal_limits(schema)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
