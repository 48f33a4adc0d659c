"""The schedule page on the seeded hub: haichuan's plant planned, then re-planned around an
assembly breakdown; the OEM sees the Gantt by machine and by order with the late order red and a
line at now, what moved and why, picks the earlier plan, exports either; a supplier sees only
the need dates of what it supplies, and a refusal or an unknown plan is a page, not a traceback."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import polars as pl
import pytest

from chainhub.api.deps import current_time
from chainhub.web.gantt import LATE, ON_TIME
from tests.api.hub import HUADONG, HUAYANG, JINLI, OEM, SITES, TAIHE, Hub
from tests.schedule.plant import NOW, PLANT, load_plant


def _login(hub: Hub, who: str) -> None:
    hub.client.cookies.clear()
    response = hub.client.post("/login", data={"token": hub.tokens[who]}, follow_redirects=False)
    assert response.status_code == 303


def _gantt(html: str) -> dict[str, Any]:
    found = re.search(r'chainhubSwitch\("gantt", (.*), document\.querySelectorAll', html)
    assert found is not None
    figures: dict[str, Any] = json.loads(found.group(1))
    return figures


def _bars(figure: dict[str, Any], name: str) -> dict[str, Any]:
    (trace,) = [t for t in figure["data"] if t["type"] == "bar" and t["name"] == name]
    return trace


@pytest.fixture
def planned(hub: Hub) -> Iterator[tuple[Hub, str, str]]:
    """The plant planned at NOW, then re-planned with assembly down for 60 hours: MO-HC-1 (due
    in 48 hours) is late and both orders moved. Yields the hub and the two run ids."""
    load_plant(hub)
    hub.client.app.dependency_overrides[current_time] = lambda: NOW  # type: ignore[attr-defined]
    runs = f"/api/v1/schedule/{PLANT}/runs"
    first = hub.post(OEM, runs, json={"seconds": 3})
    assert first.status_code == 201, first.text
    down = {"machine": "WC-ASM", "start": NOW.isoformat(),
            "end": (NOW + timedelta(hours=60)).isoformat()}  # fmt: skip
    second = hub.post(OEM, runs, json={"seconds": 3, "downtime": [down]})
    assert second.status_code == 201, second.text
    assert second.json()["late_orders"] == ["MO-HC-1"]
    yield hub, first.json()["run_id"], second.json()["run_id"]
    hub.client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


def test_the_oem_sees_its_plan_late_orders_red_and_now(planned: tuple[Hub, str, str]) -> None:
    hub, first, second = planned
    _login(hub, OEM)
    response = hub.client.get("/schedule?lang=en")
    assert response.status_code == 200
    html = response.text
    assert f'<option value="{second}" selected>' in html and f'<option value="{first}" >' in html
    figures = _gantt(html)
    by_machine, by_order = figures["machine"], figures["order"]
    late, on_time = _bars(by_machine, "late"), _bars(by_machine, "on time")
    assert late["marker"]["color"] == LATE and on_time["marker"]["color"] == ON_TIME
    assert {c[0] for c in late["customdata"]} == {"MO-HC-1"}
    assert {c[0] for c in on_time["customdata"]} == {"MO-HC-2"}
    assert sorted(y.split("#")[0] for y in late["y"]) == ["WC-ASM", "WC-PACK"]
    # Assembly starts when the breakdown ends, 60 hours from now; the hover says so in English.
    assembly = next(c for c in late["customdata"] if c[1] == 10)
    assert assembly[3] == "14 Mar 2026 12:00" and assembly[5] == "14 Mar 2026 00:00"
    assert "Order: %{customdata[0]}" in late["hovertemplate"]
    assert _bars(by_order, "late")["y"] == ["MO-HC-1", "MO-HC-1"]
    for figure in (by_machine, by_order):
        (line,) = figure["layout"]["shapes"]
        assert (line["x0"], line["x1"], line["yref"]) == (NOW.isoformat(), NOW.isoformat(), "paper")
        assert figure["layout"]["annotations"][0]["text"] == "now"
    # MO-HC-1 ends 12 h 70 min after its due date; MO-HC-2 is on time.
    orders = re.findall(
        r'<tr (class="late")?\s*><td>(MO-HC-\d)</td>.*?<td class="num">([\d.,]+)', html
    )
    assert orders == [('class="late"', "MO-HC-1", "13.2"), ("", "MO-HC-2", "0.0")]
    moved = html[html.index('id="moved"') : html.index('id="issues"')]
    assert moved.count("<tr><td>MO-HC-") == 4 and "12 Mar 2026 00:00" in moved
    assert "operation 10 waits 3600 min for WC-ASM#" in html
    assert "M009: 99999 needed, never on hand" in html

    export = re.search(r'id="export" href="([^"]+)"', html)
    assert export is not None
    workbook = hub.client.get(export.group(1).replace("&amp;", "&"))
    assert workbook.status_code == 200
    sheet = pl.read_excel(io.BytesIO(workbook.content), sheet_name="by order")
    assert sheet["late"].to_list() == [True, True, False, False]

    listed = hub.get(OEM, f"/api/v1/schedule/{PLANT}/runs").json()
    assert [(r["run_id"], r["previous_run_id"], r["late_orders"]) for r in listed] == [
        (second, first, 1),
        (first, None, 0),
    ]
    earlier = hub.client.get(f"/schedule?site={PLANT}&run={first}")
    assert earlier.status_code == 200
    assert 'class="late"' not in earlier.text and "No order is late." in earlier.text
    assert {t["name"] for t in _gantt(earlier.text)["machine"]["data"]} == {"on time"}
    old = hub.client.get(f"/api/v1/schedule/{PLANT}/export.xlsx?run={first}")
    assert pl.read_excel(io.BytesIO(old.content), sheet_name="by order")["late"].sum() == 0

    missing = hub.client.get(f"/schedule?site={PLANT}&run=no-such-run")
    assert missing.status_code == 404
    assert f"no schedule run no-such-run of site {PLANT}" in missing.text
    assert "Traceback" not in missing.text
    nowhere = hub.client.get("/schedule?site=nowhere")
    assert nowhere.status_code == 404 and "no site nowhere" in nowhere.text


def test_the_page_speaks_chinese(planned: tuple[Hub, str, str]) -> None:
    hub, _, _ = planned
    _login(hub, OEM)
    html = hub.client.get("/schedule?lang=zh").text
    assert "<h1>生产排产计划</h1>" in html and "按设备" in html and "导出 Excel（XLSX）" in html
    by_machine = _gantt(html)["machine"]
    late = _bars(by_machine, "延误")
    assert "订单: %{customdata[0]}" in late["hovertemplate"]
    assert any(c[3] == "2026年3月14日 12:00" for c in late["customdata"])
    assert by_machine["layout"]["xaxis"]["tickformat"] == "%-m月%-d日<br>%H:%M"
    assert by_machine["layout"]["annotations"][0]["text"] == "当前"
    assert not re.search(r"\b(Mar|Sep|Jan)\b", html)


def test_a_supplier_sees_only_its_need_dates(planned: tuple[Hub, str, str]) -> None:
    hub, _, _ = planned
    _login(hub, JINLI)
    own = hub.client.get("/schedule")
    assert own.status_code == 200
    assert 'id="gantt"' not in own.text and "No stored plan that you may see yet." in own.text
    needs = re.findall(r"<tr><td>([^<]+)</td><td>(M\d+)</td><td class=\"num\">([\d,]+)</td>"
                       r"<td>(MO-HC-\d)</td><td>([^<]+)</td>", own.text)  # fmt: skip
    assert needs == [("14 Mar 2026 12:00", "M004", "40", "MO-HC-1", f"{OEM} Co.")]
    refused = hub.client.get(f"/schedule?site={PLANT}")
    assert refused.status_code == 403
    assert "see a site&#39;s whole schedule" in refused.text
    assert "MO-HC-2" not in refused.text and 'id="gantt"' not in refused.text
    for html in (own.text, refused.text):
        assert HUAYANG not in html and TAIHE not in html
    assert hub.client.get(f"/api/v1/schedule/{PLANT}/runs").status_code == 403

    _login(hub, HUAYANG)
    html = hub.client.get("/schedule?lang=zh").text
    assert sorted(re.findall(r"<td>(MO-HC-\d)</td>", html)) == ["MO-HC-1", "MO-HC-2"]
    assert JINLI not in html and TAIHE not in html and "M004" not in html
    # Its own plant, with nothing open there, is a plan of no operation; the OEM's is not listed.
    own_site = SITES[HUAYANG]
    assert hub.post(HUAYANG, f"/api/v1/schedule/{own_site}/runs", json={"seconds": 1}).is_success
    html = hub.client.get("/schedule?lang=en").text
    assert f'<option value="{own_site}" selected>' in html and PLANT not in html
    assert 'id="no-slots"' in html and 'id="gantt"' not in html
    _login(hub, HUADONG)
    assert "No plan needs anything you supply." in hub.client.get("/schedule?lang=en").text
