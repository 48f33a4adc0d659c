"""schemathesis against the published OpenAPI, in process: no 5xx, answers match the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.hub import OEM, Hub, running_hub

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    with running_hub(f"duckdb:///{folder / 'hub.duckdb'}") as hub:
        yield hub


@pytest.fixture(scope="module")
def api_schema(seeded: Hub) -> schemathesis.BaseSchema:
    app: FastAPI = seeded.client.app  # type: ignore[assignment]
    # The event stream stays open until its timeout; test_events.py covers it.
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/api/v1/events")
    # The coverage phase sends hundreds of boundary cases per operation: minutes, not seconds.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_the_api_conforms_to_its_schema(case: schemathesis.Case, seeded: Hub) -> None:
    case.call_and_validate(headers=seeded.headers(OEM), checks=CHECKS)
