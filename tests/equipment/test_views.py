"""GET /api/v1/equipment/oee on the seeded hub: a partner sees its own machines; the hub admin
and the chain leader (haichuan) see every machine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chainhub.equipment.parse import Row, parse_message
from chainhub.equipment.service import do_store_telemetry
from chainhub.equipment.simulate import simulate_line
from tests.api.hub import HUAYANG, JINLI, OEM, SITES, TAIHE, Hub, running_hub
from tests.equipment import worked


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        rows: list[Row] = []
        for partner in (JINLI, HUAYANG):
            for topic, payload in worked.messages(partner, SITES[partner]):
                parsed = parse_message(topic=topic, payload=payload, received_at=datetime.now(UTC))
                assert isinstance(parsed, dict)
                rows.append(parsed)
        with seeded.engine.begin() as conn:
            do_store_telemetry(conn=conn, rows=rows)
        yield seeded


def _machines(hub: Hub, who: str, query: str = "") -> list[tuple[str, str]]:
    response = hub.get(who, f"/api/v1/equipment/oee{query}")
    assert response.status_code == 200, response.text
    return [(r["partner_id"], r["machine_id"]) for r in response.json()["rows"]]


def test_each_partner_sees_its_own_machines(hub: Hub) -> None:
    both = [(HUAYANG, "M1"), (JINLI, "M1")]
    assert _machines(hub, "admin", "?day=2026-03-02") == both
    assert _machines(hub, OEM) == both
    assert _machines(hub, JINLI) == [(JINLI, "M1")]
    assert _machines(hub, TAIHE) == []
    assert hub.get(None, "/api/v1/equipment/oee").status_code == 401


def test_the_worked_example_by_shift(hub: Hub) -> None:
    response = hub.get(HUAYANG, "/api/v1/equipment/oee?day=2026-03-02&by=shift&machine=M1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(r["shift"], r["actual_production_s"]) for r in body["rows"]] == [
        (1, 7_200),
        (2, 23_400),
        (3, 18_000),
    ]
    assert [d["reason"] for d in body["downtime"]] == ["spindle", "no material", "jam"]
    assert hub.get(HUAYANG, "/api/v1/equipment/oee?by=week").status_code == 422


def test_warnings_come_before_the_planted_failures(hub: Hub) -> None:
    line = simulate_line(
        partner_id=JINLI,
        site_id=SITES[JINLI],
        machines=2,
        minutes=1440,
        start=datetime(2026, 3, 5, tzinfo=UTC),
        seed=11,
    )
    now = datetime.now(UTC)
    rows = [parse_message(topic=m.topic, payload=m.payload, received_at=now) for m in line.messages]
    with hub.engine.begin() as conn:
        do_store_telemetry(conn=conn, rows=[r for r in rows if isinstance(r, dict)])
    response = hub.get(JINLI, "/api/v1/equipment/warnings?day=2026-03-05")
    assert response.status_code == 200, response.text
    warned = [(w["machine_id"], datetime.fromisoformat(w["warned_at"])) for w in response.json()]
    assert len(warned) == len(line.failures) >= 3
    # Each warning falls in a planted failure's degradation, before the failure.
    for machine, at in warned:
        assert any(
            f.machine_id == machine and f.degradation_start <= at < f.failure_at
            for f in line.failures
        ), (machine, at)
    assert hub.get(HUAYANG, "/api/v1/equipment/warnings?day=2026-03-05").json() == []
    assert len(hub.get(OEM, "/api/v1/equipment/warnings?day=2026-03-05").json()) == len(warned)
