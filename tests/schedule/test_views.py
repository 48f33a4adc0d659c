"""The schedule API on the seeded hub: haichuan plans its Foshan plant, re-plans around a
breakdown, exports the plan; suppliers see only the need dates of what they supply."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import polars as pl

from chainhub.api.deps import current_time
from chainhub.schedule.reports import get_late_reasons
from chainhub.schedule.schemas import RunRead
from tests.api.hub import HUADONG, HUAYANG, JINLI, OEM, SITES, TAIHE, Hub
from tests.schedule.plant import NOW, PLANT, load_plant


def _needs(hub: Hub, who: str) -> list[tuple[str, str, str, float, datetime]]:
    response = hub.get(who, "/api/v1/schedule/needs")
    assert response.status_code == 200, response.text
    return [
        (n["site_id"], n["order_number"], n["material_code"], n["quantity"],
         datetime.fromisoformat(n["need_at"]))
        for n in response.json()
    ]  # fmt: skip


def test_plan_replan_export_and_who_sees_what(hub: Hub) -> None:
    load_plant(hub)
    hub.client.app.dependency_overrides[current_time] = lambda: NOW  # type: ignore[attr-defined]
    runs = f"/api/v1/schedule/{PLANT}/runs"
    assert hub.get(OEM, f"/api/v1/schedule/{PLANT}").status_code == 404
    for outsider in (JINLI, HUAYANG, "jinli-analyst"):
        assert hub.post(outsider, runs, json={}).status_code == 403, outsider
    assert hub.post(OEM, runs, json={"seconds": 0}).status_code == 422
    assert hub.post(OEM, "/api/v1/schedule/nowhere/runs", json={}).status_code == 404

    first = hub.post(OEM, runs, json={"seconds": 3})
    assert first.status_code == 201, first.text
    plan = first.json()
    issues = [(i["order_number"], i["operation_no"], i["field"]) for i in plan["issues"]]
    assert issues == [("MO-HC-3", 10, "material_code")]
    assert "M009: 99999 needed, never on hand" in plan["issues"][0]["message"]
    assert (plan["late_orders"], plan["moved"]) == ([], [])
    # Assembly 10 + 40 minutes, then packing 20: MO-HC-1 starts at once to end first.
    slots = {(s["order_number"], s["operation_no"]): s for s in plan["slots"]}
    assert sorted(slots) == [("MO-HC-1", 10), ("MO-HC-1", 20), ("MO-HC-2", 10), ("MO-HC-2", 20)]
    assert datetime.fromisoformat(slots["MO-HC-1", 10]["start_at"]) == NOW
    assert datetime.fromisoformat(plan["makespan_end"]) == NOW + timedelta(minutes=70)

    # The supplier of each material sees its need dates, and nothing else.
    assert _needs(hub, JINLI) == [(PLANT, "MO-HC-1", "M004", 40.0, NOW)]
    m001 = {(o, m, q) for _s, o, m, q, _t in _needs(hub, HUAYANG)}
    assert m001 == {("MO-HC-1", "M001", 40.0), ("MO-HC-2", "M001", 20.0)}
    assert {(o, m, q) for _s, o, m, q, _t in _needs(hub, TAIHE)} == m001
    assert _needs(hub, HUADONG) == []
    assert len(_needs(hub, OEM)) == len(_needs(hub, "admin")) == 3
    for outsider in (JINLI, HUAYANG, HUADONG):
        for path in (f"/api/v1/schedule/{PLANT}", f"/api/v1/schedule/{PLANT}/export.xlsx"):
            refused = hub.get(outsider, path)
            assert refused.status_code == 403, (outsider, path)
            assert "MO-HC" not in refused.text

    # Assembly is down for 60 hours: everything moves, MO-HC-1 (due in 48 hours) is late,
    # and jinli sees its motors needed 60 hours later.
    down = {"machine": "WC-ASM", "start": NOW.isoformat(),
            "end": (NOW + timedelta(hours=60)).isoformat()}  # fmt: skip
    again = hub.post(OEM, runs, json={"seconds": 3, "downtime": [down]})
    assert again.status_code == 201, again.text
    replan = again.json()
    assert replan["late_orders"] == ["MO-HC-1"]
    assert {s["order_number"] for s in replan["moved"]} == {"MO-HC-1", "MO-HC-2"}
    assert _needs(hub, JINLI) == [(PLANT, "MO-HC-1", "M004", 40.0, NOW + timedelta(hours=60))]

    (late,) = get_late_reasons(RunRead.model_validate(replan))
    assert (late.order_number, late.minutes_late) == ("MO-HC-1", 12 * 60 + 70)
    assert late.reasons[0].startswith("operation 10 waits 3600 min for WC-ASM#")
    assert late.reasons[0].endswith("its material is not on hand before, or the machine is down")

    stored = hub.get(OEM, f"/api/v1/schedule/{PLANT}")
    assert stored.status_code == 200
    assert (stored.json()["run_id"], stored.json()["late_orders"]) == (
        replan["run_id"],
        ["MO-HC-1"],
    )
    exported = hub.get("admin", f"/api/v1/schedule/{PLANT}/export.xlsx")
    assert exported.status_code == 200
    sheets = pl.read_excel(io.BytesIO(exported.content), sheet_id=0)
    assert sorted(sheets) == ["by machine", "by order", "problems"]
    by_order = sheets["by order"]
    assert by_order["order_number"].to_list() == ["MO-HC-1", "MO-HC-1", "MO-HC-2", "MO-HC-2"]
    assert by_order["late"].to_list() == [True, True, False, False]
    assert sheets["by machine"]["machine_id"].to_list()[-1] == "WC-PACK#1"
    assert sheets["problems"]["order_number"].to_list() == ["MO-HC-3"]

    # A plant's owner may plan its own site; there is nothing open there.
    own = hub.post(HUAYANG, f"/api/v1/schedule/{SITES[HUAYANG]}/runs", json={"seconds": 1})
    assert own.status_code == 201, own.text
    assert own.json()["slots"] == []


def test_a_maintenance_window_is_kept_free_in_every_later_plan(hub: Hub) -> None:
    load_plant(hub)
    hub.client.app.dependency_overrides[current_time] = lambda: NOW  # type: ignore[attr-defined]
    assert hub.post(OEM, f"/api/v1/schedule/{PLANT}/runs", json={"seconds": 3}).status_code == 201
    path = f"/api/v1/schedule/{PLANT}/downtime"
    window = {"machine": "WC-ASM", "start": NOW.isoformat(), "reason": "spindle bearing",
              "end": (NOW + timedelta(hours=60)).isoformat()}  # fmt: skip
    assert hub.post(JINLI, path, json=window).status_code == 403
    assert hub.post(OEM, path, json={**window, "source": "breakdown"}).status_code == 422
    opened = hub.post(OEM, path, json=window)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["source"], opened.json()["reason"]) == ("maintenance", "spindle bearing")
    # Re-planned at once, and again later without naming the window: it stays free.
    latest = hub.get(OEM, f"/api/v1/schedule/{PLANT}").json()
    later = hub.post(OEM, f"/api/v1/schedule/{PLANT}/runs", json={"seconds": 3}).json()
    for plan in (latest, later):
        assembly = [s for s in plan["slots"] if s["work_centre_id"] == "WC-ASM"]
        assert min(datetime.fromisoformat(s["start_at"]) for s in assembly) == NOW + timedelta(
            hours=60
        )
    listed = hub.get(OEM, path).json()
    assert [(w["machine"], w["source"]) for w in listed] == [("WC-ASM", "maintenance")]
    assert hub.get(JINLI, path).status_code == 403
