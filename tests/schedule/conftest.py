"""The seeded hub of the API tests, on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.hub import Hub, running_hub


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        yield seeded
