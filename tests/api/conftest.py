"""A seeded hub per test, and one per module for read-only tests, on each backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.api.hub import Hub, running_hub
from tests.conftest import BACKENDS


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        yield seeded


@pytest.fixture(scope="module", params=BACKENDS)
def shared_hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hub]:
    """A seeded hub shared by the tests of one module; they must not change what it holds."""
    if request.param == "duckdb":
        folder: Path = tmp_path_factory.mktemp("hub")
        with running_hub(f"duckdb:///{folder / 'hub.duckdb'}") as seeded:
            yield seeded
        return
    admin = make_url(request.getfixturevalue("postgres_admin_url")).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        with running_hub(admin.set(database=name).render_as_string(hide_password=False)) as seeded:
            yield seeded
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
