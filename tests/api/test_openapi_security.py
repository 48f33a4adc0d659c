"""The published OpenAPI declares the bearer scheme, so /docs offers Authorize and every
operation that needs a caller says so; the public ones do not."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from chainhub.app import create_app
from chainhub.settings import Settings


def test_operations_that_need_a_caller_declare_the_bearer_scheme(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"duckdb:///{tmp_path / 'hub.duckdb'}"))
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
        docs = client.get("/docs")
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    secured = {
        (method, path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") == [{"bearer": []}]
    }
    assert {("get", "/api/v1/me"), ("post", "/api/v1/tokens"), ("get", "/api/v1/audit")} <= secured
    assert ("get", "/api/v1/standard") not in secured
    assert all(not path.startswith(("/login", "/account")) for path in spec["paths"])
    # Swagger UI shows its Authorize button for any declared security scheme.
    assert docs.status_code == 200 and "/openapi.json" in docs.text
