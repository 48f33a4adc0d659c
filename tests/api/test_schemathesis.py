"""schemathesis against the published OpenAPI, in process, on each backend: every check, the
operations one by one and walks through the links between them."""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CheckFunction, positive_data_acceptance

from chainhub.standard.fields import USCC_CHARSET, gs1_check_digit, uscc_check_char
from tests.api.hub import OEM, Hub

# Fixed and small: CI runs both backends. SCHEMATHESIS_EXAMPLES=10 looks further: ten cases per
# operation and thirty walks; SCHEMATHESIS_COVERAGE=1 adds the coverage phase (each declared
# boundary and each kind of invalid value, hundreds of cases per operation: many minutes).
EXAMPLES: Final = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))
COVERAGE: Final = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"
SETTINGS: Final = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
STATEFUL: Final = settings(SETTINGS, max_examples=3 * EXAMPLES, stateful_step_count=4)


def _gs1_key(length: int) -> st.SearchStrategy[str]:
    body = st.text("0123456789", min_size=length - 1, max_size=length - 1)
    return body.map(lambda digits: digits + gs1_check_digit(digits))


# The published formats, with values their check digits make valid.
_GTIN: Final = st.one_of([_gs1_key(length) for length in (8, 12, 13, 14)])
_PERIOD: Final = st.lists(st.dates(), min_size=2, max_size=2).map(
    lambda days: ":".join(day.isoformat() for day in sorted(days))
)
schemathesis.openapi.format("gtin", _GTIN)
schemathesis.openapi.format("gln", _gs1_key(13))
schemathesis.openapi.format(
    "uscc",
    st.text(USCC_CHARSET, min_size=17, max_size=17).map(lambda body: body + uscc_check_char(body)),
)
schemathesis.openapi.format("identifier", st.one_of(_GTIN, _gs1_key(18)))
schemathesis.openapi.format("period", _PERIOD)

# Operation label → the rules JSON Schema cannot state, as the schema's extensions give them:
# `x-ordered` of its query parameters, and `x-ordered`, `x-sums` and `x-iso-weekday` of its
# body's objects (each with the schemas of the fields it names); and the `x-unique-by`
# extensions of its batch of documents.
_ORDERED: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
_UNIQUE: dict[str, dict[str, Any]] = {}
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _comparable(value: Any) -> date | Decimal | None:
    """A date, an aware date-time or a decimal, or None for what is none of them (a negative
    case's value, say)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value)
    if not isinstance(value, str):
        return None
    try:
        read = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        return None if isinstance(read, datetime) and read.tzinfo is None else read
    except ValueError:
        pass
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _valid(schema: dict[str, Any], value: Any) -> bool:
    """Whether a field's value is valid by the field's own schema (ECMA-262 patterns): a hook
    rewrites valid values only, so a negative case keeps what makes it invalid."""
    return bool(_validator(json.dumps(schema, sort_keys=True)).is_valid(value))


@functools.cache
def _validator(schema: str) -> Any:
    return jsonschema_rs.validator_for(json.loads(schema), validate_formats=True)


def _swap_into_order(values: dict[str, Any], rule: dict[str, Any]) -> None:
    earlier, later = rule["earlier"], rule["later"]
    first, then = _comparable(values.get(earlier)), _comparable(values.get(later))
    if first is None or then is None or type(first) is not type(then):
        return
    if then < first:  # type: ignore[operator]
        values[earlier], values[later] = values[later], values[earlier]
    elif then == first and not rule["equal"] and isinstance(then, date):
        step = timedelta(seconds=1) if isinstance(then, datetime) else timedelta(days=1)
        try:
            values[later] = (then + step).isoformat()
        except OverflowError:  # the last day of year 9999
            values[earlier] = (first - step).isoformat()  # type: ignore[operator]


def _bring_forward(values: dict[str, Any], rule: dict[str, Any]) -> None:
    """`earlier` no later than the field `later` names in each line (`lines/*/field`)."""
    earlier, schemas = rule["earlier"], rule["schemas"]
    lines, _, name = rule["later"].split("/")
    first = values.get(earlier)
    if (
        not isinstance(first, str)
        or not _DATE.fullmatch(first)
        or not _valid(schemas[earlier], first)
    ):
        return
    thens = [
        line[name]
        for line in values.get(lines) or ()
        if isinstance(line, dict)
        and isinstance(line.get(name), str)
        and _DATE.fullmatch(line[name])
        and _valid(schemas[name], line[name])
    ]
    if thens and min(thens) < first:
        values[earlier] = min(thens)  # every date in the same plain form: text order is date order


def _balance(values: dict[str, Any], rule: dict[str, Any]) -> None:
    """The `total` field equal to the sum of its `parts` (a part left out counts as 0)."""
    names = [rule["total"], *rule["parts"]]
    first, *others = rule["parts"]
    given = [name for name in names if name in values]
    if {rule["total"], first} - {*given} or not all(
        _valid(rule["schemas"][name], values[name]) for name in given
    ):
        return
    total = Decimal(str(values[rule["total"]]))
    rest = sum((Decimal(str(values[name])) for name in others if name in values), Decimal(0))
    if rest <= total:
        values[first] = format(total - rest, "f")
    else:
        values[first], values[rule["total"]] = "0", format(rest, "f")


def _on_weekday(values: dict[str, Any], rule: dict[str, Any]) -> None:
    """The date field on the ISO weekday the rule names, the same week's or the week before."""
    name, weekday = rule["field"], rule["weekday"]
    value = values.get(name)
    if (
        not isinstance(value, str)
        or not _DATE.fullmatch(value)
        or not _valid(rule["schema"], value)
    ):
        return
    day = date.fromisoformat(value)
    values[name] = (day - timedelta(days=(day.isoweekday() - weekday) % 7)).isoformat()


def _put_in_order(values: dict[str, Any], rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        if "weekday" in rule:
            _on_weekday(values, rule)
        elif "total" in rule:
            _balance(values, rule)
        elif "/" in rule["later"]:
            _bring_forward(values, rule)
        else:
            _swap_into_order(values, rule)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


@schemathesis.hook
def map_query(context: Any, query: Any) -> Any:
    """Put the query parameters in the order the operation's `x-ordered` declares."""
    rules = _ORDERED.get(context.operation.label, ([], []))[0]
    if isinstance(query, dict) and rules:
        query = dict(query)  # a drawn value is never changed in place: hypothesis replays it
        _put_in_order(query, rules)
    return query


def _first_of_each(items: list[Any], key: list[str]) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for item in items:
        # The server reads 8.0 as 8 (as the file intake does), so the key does too.
        values = [item.get(name) for name in key] if isinstance(item, dict) else [item]
        mark = repr([int(v) if isinstance(v, float) and v.is_integer() else v for v in values])
        if mark not in seen:
            seen.add(mark)
            kept.append(item)
    return kept


def _unique(body: Any, unique: dict[str, Any]) -> None:
    """Keep the first document of each key, and the first line of each key in a document."""
    documents = body.get("documents") if isinstance(body, dict) else None
    if not isinstance(documents, list) or not unique:
        return
    body["documents"] = _first_of_each(documents, unique["x-unique-by"])
    for lines, key in unique.get("x-unique-lines-by", {}).items():
        for document in body["documents"]:
            if isinstance(document, dict) and isinstance(document.get(lines), list):
                document[lines] = _first_of_each(document[lines], key)


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    """Make each body object keep the rules its schema's extensions declare (`x-iso-weekday`,
    `x-ordered`, `x-sums`), and give each key of a batch once, as its `x-unique-by` and
    `x-unique-lines-by` declare."""
    rules = _ORDERED.get(context.operation.label, ([], []))[1]
    body = copy.deepcopy(body)  # a drawn value is never changed in place: hypothesis replays it
    for found in _objects(body) if rules else ():
        _put_in_order(found, rules)
    _unique(body, _UNIQUE.get(context.operation.label, {}))
    return body


def _in_order(value: Any) -> Any:
    """A period (`format: period`, which the coverage phase does not know) from its earlier
    date to its later one."""
    days = value.split(":") if isinstance(value, str) else []
    if len(days) != 2 or not all(_DATE.fullmatch(day) for day in days):
        return value
    return ":".join(sorted(days))  # every date in the same plain form: text order is date order


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """The coverage phase builds its cases without the hooks above: the same rules, before its
    cases are sent."""
    if case.meta is None or case.meta.phase.name.value != "coverage":
        return
    if isinstance(case.query, dict):
        case.query = {k: _in_order(v) for k, v in map_query(context, case.query).items()}
    if case.body is not None:
        case.body = map_body(context, case.body)


def _resolve(schema: Any, components: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _field_schema(schema: dict[str, Any], path: str, components: dict[str, Any]) -> Any:
    """The schema of the field a rule names in an object's schema: `name` or `lines/*/name`."""
    *steps, name = path.split("/")
    for step in steps:
        schema = _resolve(
            schema["properties"][step] if step != "*" else schema["items"], components
        )
    return schema["properties"][name]


def _object_rules(schema: dict[str, Any], components: dict[str, Any]) -> Iterator[Any]:
    """The rules an object's schema states in its extensions, each with its fields' schemas."""
    for rule in schema.get("x-ordered", []):
        names = (rule["earlier"], rule["later"])
        schemas = {n.rsplit("/", 1)[-1]: _field_schema(schema, n, components) for n in names}
        yield {**rule, "schemas": schemas}
    for rule in schema.get("x-sums", []):
        names = (rule["total"], *rule["parts"])
        yield {**rule, "schemas": {n: _field_schema(schema, n, components) for n in names}}
    for name, field in schema.get("properties", {}).items():
        if "x-iso-weekday" in field:
            yield {"field": name, "weekday": field["x-iso-weekday"], "schema": field}


def _schema_rules(schema: Any, components: dict[str, Any], seen: set[str]) -> Iterator[Any]:
    """The rules of a schema and of every schema it refers to."""
    if isinstance(schema, list):
        for item in schema:
            yield from _schema_rules(item, components, seen)
    if not isinstance(schema, dict):
        return
    if "properties" in schema:
        yield from _object_rules(schema, components)
    ref = schema.get("$ref", "")
    if ref and ref not in seen:
        seen.add(ref)
        yield from _schema_rules(components[ref.rsplit("/", 1)[-1]], components, seen)
    for value in schema.values():
        yield from _schema_rules(value, components, seen)


def _read_ordered(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {})
            label = f"{method.upper()} {path}"
            _ORDERED[label] = (
                operation.get("x-ordered", []),
                list(_schema_rules(body, components, set())),
            )
            ref = body.get("content", {}).get("application/json", {}).get("schema", {})
            batch = components.get(ref.get("$ref", "").rsplit("/", 1)[-1], {})
            documents = batch.get("properties", {}).get("documents", {})
            _UNIQUE[label] = {k: v for k, v in documents.items() if k.startswith("x-unique")}


@pytest.fixture(scope="module")
def api_schema(shared_hub: Hub) -> schemathesis.BaseSchema:
    app: FastAPI = shared_hub.client.app  # type: ignore[assignment]
    _read_ordered(shared_hub.client.get("/openapi.json").json())
    # The event stream stays open until its timeout; test_events.py covers it.
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/api/v1/events")
    # The coverage phase sends hundreds of boundary cases per operation: minutes, not seconds;
    # test_an_undeclared_method_answers_405_with_the_resources_methods covers its methods.
    loaded.config.phases.coverage.enabled = COVERAGE
    return loaded


# The lazy schema applies its own filters, not the fixture's.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/v1/events")


# What the published schema cannot say, so schema-valid data may still be refused (422) there,
# named per operation; every other check runs on them, and every check on all other operations.
# What depends on stored data is no such rule: a submission refused only for references the hub
# does not hold answers 409, or 403 for documents the sender is no party to (both declared).
# Check digits (formats gtin, gln, uscc, identifier, period), decimal digit limits (a number's
# bounds and step, a string's pattern) and the kinds of line and terms (oneOf, anyOf) are
# declared; so are the rules across fields (x-ordered, x-sums, x-iso-weekday), which the hooks
# above read. The JSON documents are held to their schema as sent (8.0 is 8, "8" is no number).
ACCEPTANCE_BEYOND_SCHEMA: Final = {
    # A file's content is read and checked by the standard, not by the multipart schema.
    (r"POST /api/v1/documents/\{document_type\}/upload", None): "the standard's rules on a file",
    # An XML document is held to the EPCIS 2.0 XSD, which no JSON Schema states (its JSON
    # twin is declared by EPCIS 2.0's JSON Schema, and every check runs on it).
    (r"POST /epcis/capture", "application/xml"): "EPCIS 2.0 XSD",
}


def _excluded(case: schemathesis.Case) -> list[CheckFunction]:
    label = case.operation.label
    for pattern, media_type in ACCEPTANCE_BEYOND_SCHEMA:
        if re.fullmatch(pattern, label) and media_type in (None, case.media_type):
            return [positive_data_acceptance]
    return []


@schema.parametrize()
@SETTINGS
def test_each_operation_passes_every_check(case: schemathesis.Case, shared_hub: Hub) -> None:
    case.call_and_validate(headers=shared_hub.headers(OEM), excluded_checks=_excluded(case))


def test_walks_through_the_links_pass_every_check(
    api_schema: schemathesis.BaseSchema, shared_hub: Hub
) -> None:
    headers = shared_hub.headers(OEM)

    # A walk's next step is drawn from earlier answers, and hypothesis replays steps: a stored
    # document would change the pages later steps read, so the walk submits none (each document
    # operation passes every check above).
    steady = api_schema.exclude(method="POST", path_regex=r"^/api/v1/documents/")

    class Walk(steady.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(
            self,
            response: Any,
            case: schemathesis.Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response, excluded_checks=_excluded(case), transport_kwargs=kwargs
            )

    Walk.run(settings=STATEFUL)


def test_an_undeclared_method_answers_405_with_the_resources_methods(shared_hub: Hub) -> None:
    paths = shared_hub.client.get("/openapi.json").json()["paths"]
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", "x", template)
        response = shared_hub.client.options(path, headers=shared_hub.headers(OEM))
        declared = {method.upper() for method in operations}
        assert response.status_code == 405, path
        assert response.json()["error"]["code"] == "method_not_allowed", path
        assert set(response.headers["allow"].split(", ")) == declared, path


def test_every_link_names_an_operation_and_its_parameters(shared_hub: Hub) -> None:
    spec = shared_hub.client.get("/openapi.json").json()
    operations = {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for operation in item.values()
    }
    links = [
        link
        for item in spec["paths"].values()
        for operation in item.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) > 60
    for link in links:
        target = operations[link["operationId"]]
        names = {parameter["name"] for parameter in target.get("parameters", [])}
        assert set(link["parameters"]) <= names, link


def test_a_filter_names_a_field_of_the_type_and_holds_no_nul(shared_hub: Hub) -> None:
    path = "/api/v1/documents/purchase_order"
    for bad in ("colour:red", "po_number:PO\x00"):
        answer = shared_hub.get(OEM, path, params={"filter": bad})
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_request")
    found = shared_hub.get(OEM, path, params={"filter": "po_number:PO-HC-JL-1"}).json()
    assert [record["po_number"] for record in found["records"]] == ["PO-HC-JL-1"]


def test_a_query_parameter_is_declared_and_given_once_unless_a_list(shared_hub: Hub) -> None:
    for query in ("frm=2025-01-01", "by=month&by=total"):
        answer = shared_hub.get(OEM, f"/api/v1/kpis/otif?{query}")
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_request")
        assert answer.json()["error"]["location"]["parameter"] == query.split("=")[0]
    path = "/api/v1/documents/purchase_order?lang=zh"
    repeated = f"{path}&filter=po_number:PO-HC-JL-1&filter=supplier_id:jinli-motor"
    found = shared_hub.get(OEM, repeated).json()
    assert [record["po_number"] for record in found["records"]] == ["PO-HC-JL-1"]
