"""The equipment page on the seeded hub: a day's OEE per machine as the OEE service computes
it, and no machine of another partner shown to a supplier."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from chainhub.access.tokens import access_principal
from chainhub.equipment.parse import parse_message
from chainhub.equipment.schemas import Rejected
from chainhub.equipment.service import access_oee, do_store_telemetry
from chainhub.equipment.simulate import simulate_line
from chainhub.web.locale import format_number
from tests.api.hub import JINLI, OEM, Hub

START = datetime(2026, 3, 2, 6, tzinfo=UTC)


def _telemetry(hub: Hub) -> None:
    """Two hours of the OEM's two assembly machines and one of jinli-motor's."""
    rows = []
    for partner, site, machines in ((OEM, "haichuan-foshan", ("WC-ASSY-1.1", "WC-ASSY-1.2")),
                                    (JINLI, "jinli-ningbo", ("WC-01.1",))):  # fmt: skip
        line = simulate_line(partner_id=partner, site_id=site, machines=len(machines),
                             minutes=120, start=START, machine_ids=machines)  # fmt: skip
        for m in line.messages:
            parsed = parse_message(topic=m.topic, payload=m.payload, received_at=m.machine_time)
            assert not isinstance(parsed, Rejected)
            rows.append(parsed)
    with hub.engine.begin() as conn:
        do_store_telemetry(conn=conn, rows=rows)


def _machines(html: str) -> list[str]:
    return re.findall(r'<tr data-machine="([^"]+)">', html)


def test_oee_per_machine_and_each_partner_its_own(hub: Hub) -> None:
    _telemetry(hub)
    hub.client.post("/login", data={"token": hub.tokens[OEM]})
    page = hub.client.get("/equipment?day=2026-03-02")
    assert page.status_code == 200
    # The chain leader sees every machine, with the OEE the service computes.
    assert sorted(_machines(page.text)) == ["WC-01.1", "WC-ASSY-1.1", "WC-ASSY-1.2"]
    with hub.engine.connect() as conn:
        principal = access_principal(conn=conn, token=hub.tokens[OEM])
        report = access_oee(conn=conn, principal=principal, day=START.date())
    first = next(r for r in report.rows if r.machine_id == "WC-ASSY-1.1")
    assert first.oee is not None
    row = page.text.split('<tr data-machine="WC-ASSY-1.1">', 1)[1].split("</tr>", 1)[0]
    assert f"<strong>{format_number(first.oee * 100)} %</strong>" in row
    assert "plotly" in page.text.lower()

    hub.client.post("/logout")
    hub.client.post("/login", data={"token": hub.tokens[JINLI]})
    mine = hub.client.get("/equipment?day=2026-03-02&lang=zh")
    assert _machines(mine.text) == ["WC-01.1"]
    assert "WC-ASSY" not in mine.text and "设备" in mine.text
    empty = hub.client.get("/equipment?day=2026-01-05")
    assert _machines(empty.text) == [] and "当日无设备数据。" in empty.text
    assert hub.client.get("/equipment?day=yesterday").status_code == 422
