"""The plan on the named chain: MRP from an issued forecast, publishing to each supplier,
capacity lights, alerts and who sees what.

The seeded hub (tests/api/hub.py): haichuan has 320 M001 and 120 M004 in stock (11 March);
open orders, all overdue so due in week 1: 500 M001 from huayang (PO-HC-HY-1), 400 M001 from
taihe (PO-HC-TK-1), 300 M004 from jinli less 200 received (PO-HC-JL-1); PO-HC-HY-2 (250 M001
from huayang) is delivered, so it counts only in the quota: huayang 750 of 1150 M001 ordered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from chainhub.partners.models import webhook_deliveries, webhook_subscriptions
from chainhub.plan.mrp import first_monday
from tests.api.hub import HUAYANG, JINLI, OEM, SITES, TAIHE, Hub, running_hub

MONDAY = first_monday(datetime.now(UTC).date())


def _week(n: int) -> str:
    return (MONDAY + timedelta(weeks=n - 1)).isoformat()


def _capacity(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "supplier_id": JINLI,
        "capacity_group_id": "CG-MOTOR",
        "customer_id": OEM,
        "name": "电机装配线",
        "unit": "H87",
        "lines": lines,
    }


# Weeks 1-4: actual 1000 / maximum 1500, except week 4: 900 / 1200; serves M004 at factor 1.
CAPACITY = _capacity(
    [
        *(
            {
                "line_no": n,
                "week_start": _week(n),
                "actual_capacity": "900" if n == 4 else "1000",
                "maximum_capacity": "1200" if n == 4 else "1500",
            }
            for n in (1, 2, 3, 4)
        ),
        {"line_no": 9, "material_code": "M004", "load_factor": "1"},
    ]
)


def _setup(hub: Hub) -> None:
    """P100 takes 1 M001 and 2 M004; haichuan forecasts 1000 P100 in week 3 and 500 in week 4."""
    bom = {
        "owner_id": OEM,
        "parent_code": "P100",
        "valid_from": "2025-01-01",
        "lines": [
            {"line_no": 10, "component_code": "M001", "quantity_per": "1", "component_unit": "H87"},
            {"line_no": 20, "component_code": "M004", "quantity_per": "2", "component_unit": "H87"},
        ],
    }
    assert hub.submit(OEM, "bom", bom).status_code == 201
    forecast = {
        "forecast_id": "FC-PLAN",
        "issuer_id": OEM,
        "site_id": SITES[OEM],
        "forecast_date": MONDAY.isoformat(),
        "bucket": "week",
        "lines": [
            {"material_code": "P100", "period_start": _week(3), "quantity": "1000", "unit": "H87"},
            {"material_code": "P100", "period_start": _week(4), "quantity": "500", "unit": "H87"},
        ],
    }
    assert hub.submit(OEM, "demand_forecast", forecast).status_code == 201


@pytest.fixture
def plan_hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as hub:
        _setup(hub)
        yield hub


def _series(rows: list[dict[str, Any]], supplier: str, material: str) -> list[float]:
    found = [r for r in rows if r["supplier_id"] == supplier and r["material_code"] == material]
    return [r["quantity"] for r in sorted(found, key=lambda r: r["week_start"])][:5]


def test_mrp_gives_each_supplier_its_weekly_demand(plan_hub: Hub) -> None:
    body = plan_hub.get(OEM, "/api/v1/plan/mrp").json()
    assert (body["customer_id"], body["source"], body["first_week"]) == (
        OEM,
        "demand_forecast",
        MONDAY.isoformat(),
    )
    demand = body["demand"]
    # M004: 2 per P100: 2000 in week 3, 1000 in week 4; 120 in stock and 100 still open in
    # week 1 cover 220: planned 1780 and 1000; jinli's week 1 is the 100 still open.
    assert _series(demand, JINLI, "M004") == [100, 0, 1780, 1000, 0]
    # M001: 1000 and 500; 320 + 500 + 400 cover 1220: 280 more in week 4, split 750:400.
    assert _series(demand, HUAYANG, "M001") == [500, 0, 0, 182.609, 0]
    assert _series(demand, TAIHE, "M001") == [400, 0, 0, 97.391, 0]
    assert len(demand) == 3 * 26
    # A supplier plans its own purchases (none here), never its customer's.
    assert plan_hub.get(JINLI, "/api/v1/plan/mrp").json()["demand"] == []
    refused = plan_hub.get(JINLI, f"/api/v1/plan/mrp?customer_id={OEM}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")


def test_publish_stores_once_and_each_supplier_sees_only_its_own(plan_hub: Hub) -> None:
    first = plan_hub.post(OEM, "/api/v1/plan/mrp/publish")
    assert first.status_code == 201, first.text
    assert {k: first.json()[k] for k in ("documents", "changed", "status")} == {
        "documents": 3,
        "changed": 3,
        "status": "stored",
    }
    again = plan_hub.post(OEM, "/api/v1/plan/mrp/publish").json()
    assert (again["changed"], again["unchanged"], again["submission_id"]) == (0, 3, None)
    with plan_hub.engine.connect() as conn:
        versions = conn.execute(
            sa.text("SELECT DISTINCT _doc_key, _doc_version FROM doc_weekly_material_demand")
        ).all()
    assert sorted(v[1] for v in versions) == [1, 1, 1]
    mine = plan_hub.get(JINLI, "/api/v1/plan/demand").json()
    assert {(r["customer_id"], r["supplier_id"], r["material_code"]) for r in mine} == {
        (OEM, JINLI, "M004")
    }
    assert [r["quantity"] for r in mine][:4] == [100, 0, 1780, 1000]
    huayang = plan_hub.get(HUAYANG, "/api/v1/plan/demand").json()
    assert {r["supplier_id"] for r in huayang} == {HUAYANG}
    assert plan_hub.get(HUAYANG, f"/api/v1/plan/demand?supplier_id={JINLI}").json() == []
    everyone = plan_hub.get(OEM, "/api/v1/plan/demand").json()
    assert {r["supplier_id"] for r in everyone} == {JINLI, HUAYANG, TAIHE}
    stored = plan_hub.get(
        JINLI, f"/api/v1/documents/weekly_material_demand/{OEM}%7C{JINLI}%7CM004%7C0001"
    )
    assert stored.status_code == 200
    assert stored.json()["current"]["records"][0]["unit"] == "H87"
    hidden = plan_hub.get(
        HUAYANG, f"/api/v1/documents/weekly_material_demand/{OEM}%7C{JINLI}%7CM004%7C0001"
    )
    assert hidden.status_code == 404


def test_capacity_lights_and_the_red_alert(plan_hub: Hub) -> None:
    events = ["capacity.red", "weekly_material_demand.published"]
    subscription = {"url": "https://hooks.example.com/in", "events": events}
    for who in (JINLI, HUAYANG):
        assert plan_hub.post(who, "/api/v1/subscriptions", json=subscription).status_code == 201
    assert plan_hub.submit(JINLI, "capacity_group", CAPACITY).status_code == 201
    published = plan_hub.post(OEM, "/api/v1/plan/mrp/publish")
    # The red week the new demand brings, raised as the demand is stored, counted once.
    assert (published.status_code, published.json()["alerts"]) == (201, 1)
    weeks = plan_hub.get(JINLI, "/api/v1/plan/capacity").json()
    # Demand on the group: 100, 0, 1780, 1000 (M004 x 1): week 3 is above its maximum 1500,
    # week 4 above its actual 900 but within its maximum 1200.
    assert [(w["demand"], w["light"]) for w in weeks] == [
        (100, "green"),
        (0, "green"),
        (1780, "red"),
        (1000, "orange"),
    ]
    assert plan_hub.get(OEM, "/api/v1/plan/capacity").json() == weeks
    assert plan_hub.get(HUAYANG, "/api/v1/plan/capacity").json() == []
    alerts = plan_hub.get(JINLI, "/api/v1/plan/alerts").json()
    assert [(a["kind"], a["detail"]["week_start"]) for a in alerts] == [("capacity.red", _week(3))]
    assert plan_hub.get(HUAYANG, "/api/v1/plan/alerts").json() == []
    # Raised once: publishing the same numbers again raises nothing.
    assert plan_hub.post(OEM, "/api/v1/plan/mrp/publish").json()["alerts"] == 0
    with plan_hub.engine.connect() as conn:
        queued = dict(
            conn.execute(
                sa.select(webhook_deliveries.c.event, sa.func.count()).group_by(
                    webhook_deliveries.c.event
                )
            ).all()
        )
    # The red week goes to jinli only (huayang is no party to it); each hears of its own demand.
    assert queued == {"capacity.red": 1, "weekly_material_demand.published": 2}


CAPACITY_HEADER = (
    "supplier_id,capacity_group_id,customer_id,name,unit,line_no,week_start,"
    "actual_capacity,maximum_capacity,material_code,load_factor\n"
)


def _red_alerts(hub: Hub, who: str) -> list[tuple[str, str, str]]:
    alerts = hub.get(who, "/api/v1/plan/alerts").json()
    return [
        (a["detail"]["capacity_group_id"], a["supplier_id"], a["detail"]["week_start"])
        for a in alerts
        if a["kind"] == "capacity.red"
    ]


def test_capacity_sent_after_the_demand_raises_its_red_weeks_at_once(plan_hub: Hub) -> None:
    subscription = {"url": "https://hooks.example.com/in", "events": ["capacity.red"]}
    for who in (OEM, JINLI, HUAYANG):
        assert plan_hub.post(who, "/api/v1/subscriptions", json=subscription).status_code == 201
    assert plan_hub.post(OEM, "/api/v1/plan/mrp/publish").json()["alerts"] == 0
    # jinli's M004 demand: 100, 0, 1780, 1000; its week 3 is above the maximum 1500.
    assert plan_hub.submit(JINLI, "capacity_group", CAPACITY).status_code == 201
    red = [("CG-MOTOR", JINLI, _week(3))]
    assert _red_alerts(plan_hub, JINLI) == _red_alerts(plan_hub, OEM) == red
    assert plan_hub.get(HUAYANG, "/api/v1/plan/alerts").json() == []
    # The same capacity again is stored once and raises nothing new.
    assert plan_hub.submit(JINLI, "capacity_group", CAPACITY).status_code == 200
    # A file upload: a second group on M004 with room for 80 in week 1, which needs 100.
    rows = (
        f"{JINLI},CG-MOTOR-2,{OEM},线2,H87,1,{_week(1)},50,80,,\n"
        f"{JINLI},CG-MOTOR-2,{OEM},线2,H87,9,,,,M004,1\n"
    )
    uploaded = plan_hub.post(
        JINLI,
        "/api/v1/documents/capacity_group/upload",
        files={"file": ("capacity.csv", (CAPACITY_HEADER + rows).encode(), "text/csv")},
    )
    assert uploaded.status_code == 201, uploaded.text
    red.append(("CG-MOTOR-2", JINLI, _week(1)))
    assert _red_alerts(plan_hub, JINLI) == _red_alerts(plan_hub, OEM) == red
    with plan_hub.engine.connect() as conn:
        queued = conn.execute(
            sa.select(webhook_subscriptions.c.partner_id, sa.func.count())
            .join(
                webhook_deliveries,
                webhook_deliveries.c.subscription_id == webhook_subscriptions.c.subscription_id,
            )
            .where(webhook_deliveries.c.event == "capacity.red")
            .group_by(webhook_subscriptions.c.partner_id)
        ).all()
    # Each red week to the supplier and the customer (the chain leader); never to huayang.
    assert dict(queued) == {OEM: 2, JINLI: 2}
    # Both partners' overviews list the red weeks; another supplier's lists none.
    for who in (OEM, JINLI):
        html = plan_hub.get(who, "/?lang=en").text
        assert html.count('data-alert="capacity.red"') == 2
        assert f'data-alert="capacity.red" data-week="{_week(3)}" data-supplier="{JINLI}"' in html
    other = plan_hub.get(HUAYANG, "/?lang=en").text
    assert 'id="alerts-plan-none"' in other and "data-alert=" not in other
    # haichuan sends jinli's demand itself, week 3 up by 1000: a swing, raised as it is stored
    # (week 3 was red already).
    weeks = plan_hub.get(JINLI, "/api/v1/plan/demand").json()
    demand = {
        "customer_id": OEM,
        "supplier_id": JINLI,
        "material_code": "M004",
        "demand_category": "0001",
        "unit": "H87",
        "changed_at": f"{MONDAY.isoformat()}T08:00:00+08:00",
        "lines": [
            {
                "week_start": w["week_start"],
                "quantity": str(w["quantity"] + (1000 if w["week_start"] == _week(3) else 0)),
            }
            for w in weeks
        ],
    }
    assert plan_hub.submit(OEM, "weekly_material_demand", demand).status_code == 201
    alerts = plan_hub.get(JINLI, "/api/v1/plan/alerts").json()
    assert [(a["kind"], a["detail"]["week_start"]) for a in alerts][2:] == [
        ("demand.volatility", _week(3))
    ]
    assert 'data-alert="demand.volatility"' in plan_hub.get(OEM, "/?lang=en").text


def test_bad_capacity_files_name_document_line_and_field(plan_hub: Hub) -> None:
    header = CAPACITY_HEADER
    rows = (
        f"{JINLI},CG-1,{OEM},线1,H87,1,{_week(1)},1000,800,,\n"
        f"{JINLI},CG-1,{OEM},线1,H87,2,{_week(2)},-5,100,,\n"
        f"{JINLI},CG-1,{OEM},线1,H87,3,{date.fromisoformat(_week(3)) + timedelta(days=2)},10,20,,\n"
    )
    response = plan_hub.post(
        JINLI,
        "/api/v1/documents/capacity_group/upload",
        files={"file": ("capacity.csv", (header + rows).encode(), "text/csv")},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["location"] == {"row": 1, "field": "maximum_capacity"}
    issues = {(i["row"], i["field"], i["rule"]) for i in body["outcome"]["issues"]}
    assert issues == {
        (1, "maximum_capacity", "cross_field"),
        (2, "actual_capacity", "range"),
        (3, "week_start", "cross_field"),
    }
    messages = [i["message"] for i in body["outcome"]["issues"]]
    assert messages[0] == "maximum_capacity is below actual_capacity"
    assert messages[2].startswith("week_start is not a Monday")
    assert plan_hub.get(OEM, "/api/v1/plan/capacity").json() == []


def test_bad_capacity_documents_name_document_and_line(plan_hub: Hub) -> None:
    bad = _capacity(
        [
            {"line_no": 1, "week_start": _week(1), "actual_capacity": "5", "maximum_capacity": "9"},
            {"line_no": 2, "week_start": _week(2), "actual_capacity": "9", "maximum_capacity": "5"},
        ]
    )
    response = plan_hub.submit(JINLI, "capacity_group", CAPACITY, bad)
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (422, "invalid_request")
    # The second document's second line.
    assert error["location"]["field"].startswith("body.documents.1.lines.1")
    assert "maximum_capacity is below actual_capacity" in error["message"]


def test_a_demand_swing_raises_a_volatility_alert_to_the_supplier(plan_hub: Hub) -> None:
    assert plan_hub.post(OEM, "/api/v1/plan/mrp/publish").json()["alerts"] == 0
    raised = {
        "forecast_id": "FC-PLAN-2",
        "issuer_id": OEM,
        "site_id": SITES[OEM],
        "forecast_date": (MONDAY + timedelta(days=1)).isoformat(),
        "bucket": "week",
        "lines": [
            {"material_code": "P100", "period_start": _week(3), "quantity": "1500", "unit": "H87"}
        ],
    }
    assert plan_hub.submit(OEM, "demand_forecast", raised).status_code == 201
    published = plan_hub.post(OEM, "/api/v1/plan/mrp/publish").json()
    assert published["changed"] == 3
    # jinli's week 3: 2 x 1500 - 220 = 2780, was 1780: +1000 (+56 %), past 50 and 10 %.
    jinli = plan_hub.get(JINLI, "/api/v1/plan/alerts").json()
    assert [(a["kind"], a["detail"]["week_start"], a["detail"]["change"]) for a in jinli] == [
        ("demand.volatility", _week(3), 1000.0)
    ]
    # huayang's M001 in week 3: 0 before, now its 750/1150 of 1500 - 1220 = 280.
    huayang = plan_hub.get(HUAYANG, "/api/v1/plan/alerts").json()
    moved = [(a["supplier_id"], a["detail"]["week_start"], a["detail"]["change"]) for a in huayang]
    assert moved == [(HUAYANG, _week(3), 182.609)]
