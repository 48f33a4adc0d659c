"""The buffer board, VMI proposals and the what-if on the named chain (tests/plan/test_api.py's
setup: P100 takes 1 M001 and 2 M004; haichuan forecasts 1000 P100 in week 3 and 500 in week 4).

M004, worked by hand: gross 2000 in week 3 and 1000 in week 4 over 26 weeks is an ADU of
3000 / 182 a day; its lead time is the 7 days PO-HC-JL-1 took to arrive (a short one: LTF 0.8);
its weekly demand is all spikes (CV far above 1: VF 0.8). Red = ADU x 7 x 0.8 x 1.8, yellow =
green = ADU x 7, so TOG = ADU x 7 x 3.44 = 3000 / 26 x 3.44 = 396.923. Net flow: 120 in stock +
100 still open from jinli - nothing due now = 220, in the yellow: order 176.923. Jinli manages
M004 (its VMI agreement shares haichuan's stock), huayang manages M001; taihe manages nothing.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from chainhub.plan.models import plan_proposals
from chainhub.web.i18n import TEXT
from tests.api.hub import HUAYANG, JINLI, OEM, SITES, TAIHE, Hub, running_hub
from tests.conftest import BACKENDS
from tests.plan.test_api import _setup, _week

TOG = 3000 / 26 * 3.44


def _today_plus(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module", params=BACKENDS)
def plan_hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hub]:
    """One hub for the module's tests, which run in order: the board before any proposal is
    answered, then the what-if, the answers, the page (each stores the proposals anew)."""
    if request.param == "duckdb":
        with running_hub(f"duckdb:///{tmp_path_factory.mktemp('hub') / 'hub.duckdb'}") as hub:
            _setup(hub)
            yield hub
        return
    admin = make_url(request.getfixturevalue("postgres_admin_url")).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        with running_hub(admin.set(database=name).render_as_string(hide_password=False)) as hub:
            _setup(hub)
            yield hub
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _by_material(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["material_code"]: b for b in body["buffers"]}


def test_buffer_board_and_what_each_supplier_sees(plan_hub: Hub) -> None:
    board = plan_hub.get(OEM, "/api/v1/plan/buffers")
    assert board.status_code == 200, board.text
    buffers = _by_material(board.json())
    assert set(buffers) == {"P100", "M001", "M004"}
    m004 = buffers["M004"]
    assert (m004["supplier_id"], m004["lead_days"], m004["ltf"], m004["vf"]) == (
        JINLI,
        7.0,
        0.8,
        0.8,
    )
    assert m004["adu"] == pytest.approx(3000 / 182)
    assert m004["tog"] == pytest.approx(TOG)
    assert (m004["on_hand"], m004["on_order"], m004["nfp"], m004["zone"]) == (
        120.0,
        100.0,
        220.0,
        "yellow",
    )
    assert m004["recommended"] == pytest.approx(TOG - 220)
    # 220 lasts weeks 1 and 2 and 220 / (2000 / 7) days of week 3.
    assert m004["days_of_supply"] == pytest.approx(14 + 220 * 7 / 2000)
    jinli = plan_hub.get(JINLI, "/api/v1/plan/buffers").json()
    assert list(_by_material(jinli)) == ["M004"]
    assert [(s["material_code"], s["avoided"]) for s in jinli["stockouts"]] == [("M004", True)]
    assert list(_by_material(plan_hub.get(HUAYANG, "/api/v1/plan/buffers").json())) == ["M001"]
    assert plan_hub.get(TAIHE, "/api/v1/plan/buffers").json()["buffers"] == []


def test_what_if_shows_the_changes_and_stores_nothing(plan_hub: Hub) -> None:
    plan_hub.post(OEM, "/api/v1/plan/proposals")
    with plan_hub.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(plan_proposals)).scalar()
    found = plan_hub.post(OEM, "/api/v1/plan/what-if", json={"demand_factor": 1.5})
    assert found.status_code == 200, found.text
    changes = {
        (p["material_code"], p["week_start"]): (p["before"], p["after"])
        for p in found.json()["proposals"]
    }
    # Demand half as much again: week 3's 2000 M004 becomes 3000.
    assert changes[("M004", _week(3))] == (2000.0, 3000.0)
    with plan_hub.engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(plan_proposals)).scalar()
    assert after == before
    refused = plan_hub.post(JINLI, "/api/v1/plan/what-if", json={"customer_id": OEM})
    assert refused.status_code == 403
    negative = plan_hub.post(OEM, "/api/v1/plan/what-if", json={"lead_time_days": {"M004": -3}})
    assert negative.status_code == 422


def _proposals(hub: Hub, who: str) -> list[tuple[str, str, float, str]]:
    return [
        (p["material_code"], p["week_start"], p["quantity"], p["status"])
        for p in hub.get(who, "/api/v1/plan/proposals").json()
    ]


def test_an_accepted_proposal_becomes_the_suppliers_order_and_its_receipt_closes_it(
    plan_hub: Hub,
) -> None:
    assert plan_hub.post(JINLI, f"/api/v1/plan/proposals?customer_id={OEM}").status_code == 403
    stored = plan_hub.post(OEM, "/api/v1/plan/proposals")
    assert stored.status_code == 201, stored.text
    # Week 1 refills the 220 to the top of green; weeks 3 and 4 replace what they use.
    assert _proposals(plan_hub, JINLI) == [
        ("M004", _week(1), round(TOG - 220, 3), "proposed"),
        ("M004", _week(3), 2000.0, "proposed"),
        ("M004", _week(4), 1000.0, "proposed"),
    ]
    assert {p[0] for p in _proposals(plan_hub, HUAYANG)} == {"M001"}
    assert _proposals(plan_hub, TAIHE) == []
    first, third, _ = plan_hub.get(JINLI, "/api/v1/plan/proposals").json()
    # Week 1's delivery should have been ordered 7 days (the lead time observed) before its
    # Monday, which has passed: late, it arrives 7 days from today. Week 3's is ordered in time.
    assert (first["lead_days"], first["lead_source"], first["late"]) == (7, "observed", True)
    assert first["order_date"] == (date.fromisoformat(_week(1)) - timedelta(days=7)).isoformat()
    assert first["expected_date"] == _today_plus(7)
    assert f"arrives {_today_plus(7)}" in first["explanation"]
    assert "已延误" in first["explanation_zh"]
    assert (third["late"], third["expected_date"]) == (False, _week(3))
    assert third["order_date"] == (date.fromisoformat(_week(3)) - timedelta(days=7)).isoformat()
    path = f"/api/v1/plan/proposals/{first['proposal_id']}/decision"
    assert plan_hub.post(HUAYANG, path, json={"accept": True}).status_code == 403
    assert plan_hub.post("jinli-analyst", path, json={"accept": True}).status_code == 403
    accepted = plan_hub.post(JINLI, path, json={"accept": True, "quantity": 200})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    # Accepted as proposed in time but late: confirmed for when it can arrive.
    assert (body["status"], body["committed_quantity"], body["committed_date"]) == (
        "accepted",
        200.0,
        _today_plus(7),
    )
    again = plan_hub.post(JINLI, path, json={"accept": False})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "proposal_decided")
    rejected = plan_hub.post(
        JINLI, f"/api/v1/plan/proposals/{third['proposal_id']}/decision", json={"accept": False}
    )
    assert rejected.json()["status"] == "rejected"
    # The commitment went in through intake as jinli's confirmed purchase order, seen by both.
    key = f"/api/v1/documents/purchase_order/{OEM}%7C{body['po_number']}"
    order = plan_hub.get(OEM, key)
    assert order.status_code == 200, order.text
    current = order.json()["current"]
    line = current["records"][0]
    assert (current["submitted_by"], line["supplier_id"], line["confirmed_quantity"]) == (
        JINLI,
        JINLI,
        "200",
    )
    # Its Monday passed (unless today is that Monday): asked for from the day it was placed.
    assert line["requested_date"] == max(_week(1), _today_plus(0))
    assert plan_hub.get(HUAYANG, key).status_code == 404
    # New proposals replace only the open ones, counting the 200 on order.
    plan_hub.post(OEM, "/api/v1/plan/proposals")
    statuses = sorted(p[3] for p in _proposals(plan_hub, JINLI))
    assert statuses.count("accepted") == 1 and statuses.count("rejected") == 1
    receipt = {
        "receipt_number": "GR-VMI-1",
        "receiver_id": OEM,
        "supplier_id": JINLI,
        "site_id": SITES[OEM],
        "receipt_date": _week(1),
        "lines": [
            {
                "line_no": 10,
                "po_number": body["po_number"],
                "po_line_no": 10,
                "material_code": "M004",
                "lot_number": "JL-VMI-1",
                "received_quantity": "200",
                "accepted_quantity": "200",
                "rejected_quantity": "0",
                "unit": "H87",
            }
        ],
    }
    assert plan_hub.submit(OEM, "goods_receipt", receipt).status_code == 201
    closed = [p for p in plan_hub.get(JINLI, "/api/v1/plan/proposals").json() if p["po_number"]]
    assert [(p["status"], p["received"]) for p in closed] == [("received", 200.0)]


def test_the_planning_page_board_and_a_supplier_accepting_there(plan_hub: Hub) -> None:
    plan_hub.post(OEM, "/api/v1/plan/proposals")
    board = plan_hub.get(OEM, "/plan?lang=zh")
    assert board.status_code == 200, board.text
    assert 'id="zones"' in board.text and "/static/plotly/plotly.min.js" in board.text
    zone = _by_material(plan_hub.get(OEM, "/api/v1/plan/buffers").json())["M004"]["zone"]
    assert f'data-material="M004" data-zone="{zone}"' in board.text
    assert TEXT["zh"][f"pl_zone_{zone}"] in board.text
    assert 'action="/plan/proposals/' not in board.text  # the OEM answers no proposal
    mine = plan_hub.get(JINLI, "/plan").text
    assert re.findall(r'data-material="(\w+)"', mine) == ["M004"]
    first = next(
        p["proposal_id"]
        for p in plan_hub.get(JINLI, "/api/v1/plan/proposals").json()
        if p["status"] == "proposed"
    )
    assert f'action="/plan/proposals/{first}/accept"' in mine
    path = f"/plan/proposals/{first}/accept"
    refused = plan_hub.client.post(path, headers=plan_hub.headers(HUAYANG))
    assert refused.status_code == 403
    accepted = plan_hub.client.post(path, headers=plan_hub.headers(JINLI), follow_redirects=False)
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/plan?done=accepted")
    after = plan_hub.get(JINLI, "/plan?done=accepted").text
    assert 'id="done"' in after and f'action="/plan/proposals/{first}/accept"' not in after


def test_purchasing_terms_set_the_lots_and_the_lead_time(plan_hub: Hub) -> None:
    terms = {
        "buyer_id": OEM,
        "supplier_id": JINLI,
        "material_code": "M004",
        "minimum_order_quantity": "500",
        "order_multiple": "100",
        "lead_time_days": 21,
    }
    refused = plan_hub.submit(TAIHE, "purchasing_terms", terms)
    assert refused.status_code == 403
    assert refused.json()["outcome"]["issues"][0]["rule"] == "not_a_party"
    stored = plan_hub.submit(JINLI, "purchasing_terms", terms)
    assert stored.status_code == 201, stored.text
    m004 = _by_material(plan_hub.get(OEM, "/api/v1/plan/buffers").json())["M004"]
    assert (m004["lead_days"], m004["lead_source"], m004["moq"], m004["order_multiple"]) == (
        21.0,
        "terms",
        500.0,
        100.0,
    )
    # The board's order is lot-sized too: at least the MOQ, in whole hundreds.
    assert m004["recommended"] >= 500 and m004["recommended"] % 100 == 0
    plan_hub.post(OEM, "/api/v1/plan/proposals")
    proposed = [
        p for p in plan_hub.get(JINLI, "/api/v1/plan/proposals").json() if p["status"] == "proposed"
    ]
    assert proposed
    for p in proposed:
        lots = max(500, math.ceil(p["shortfall"] / 100 - 1e-9) * 100)
        assert (p["quantity"], p["minimum_order_quantity"], p["order_multiple"]) == (
            lots,
            500.0,
            100.0,
        )
        assert (p["lead_days"], p["lead_source"]) == (21, "terms")
        assert (
            p["order_date"]
            == (date.fromisoformat(p["week_start"]) - timedelta(days=21)).isoformat()
        )
        assert p["late"] == (p["order_date"] < _today_plus(0))
        if p["quantity"] != p["shortfall"]:
            assert "minimum order 500, multiple of 100" in p["explanation"]
    page = plan_hub.get(JINLI, "/plan?lang=en").text
    late = [p for p in proposed if p["late"]]
    assert late and f'data-late="{late[0]["expected_date"]}"' in page
    assert TEXT["en"]["pl_late"] in page and TEXT["en"]["pl_order_by"] in page
