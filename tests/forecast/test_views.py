"""The forecast API: a run's read shows its hierarchy's levels, under the visibility rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.hub import HUADONG, JINLI, OEM, Hub, running_hub


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        yield seeded


def _nodes(body: dict[str, object]) -> list[tuple[object, ...]]:
    nodes = body["nodes"]
    assert isinstance(nodes, list)
    return [(n["level"], n["family"], n["material_code"], n["customer_id"]) for n in nodes]


def test_a_run_read_shows_the_levels_each_caller_may_see(hub: Hub) -> None:
    created = hub.post(OEM, "/api/v1/forecast/runs", json={"horizon": 2, "windows": 1})
    assert created.status_code == 201, created.text
    body = created.json()
    # The seeded hub sells one material (P100, a finished product) to one customer.
    assert [(s["level"], s["nodes"]) for s in body["levels"]] == [
        ("family", 1),
        ("material", 1),
        ("customer", 1),
    ]
    everything = [
        ("family", "finished", None, None),
        ("material", "finished", "P100", None),
        ("customer", "finished", "P100", HUADONG),
    ]
    assert _nodes(body) == everything
    point = body["nodes"][0]["points"][0]
    assert set(point) == {"period_start", "base", "quantity", "lo", "hi"}
    customer = hub.get(HUADONG, "/api/v1/forecast/runs/latest").json()
    # huadong is the run's only customer: every row is its own, so it sees every level.
    assert _nodes(customer) == everything and len(customer["levels"]) == 3
    supplier = hub.get(JINLI, "/api/v1/forecast/runs/1").json()
    assert supplier["nodes"] == [] and supplier["levels"] == [] and supplier["series"] == []
