"""The trace page on the seeded hub with a build (tests/trace/build.py: jinli's motors and
huayang's compressors made into haichuan's P100 lot, shipped to huadong). The page answers what
the trace service answers, by lot number or GS1 Digital Link; a supplier sees its lot and its
customer's receipt, the rest as counted hidden partners, never named; a bad query is the form
again with a message in the page's language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from chainhub.access.tokens import access_principal
from chainhub.trace.schemas import TraceResult
from chainhub.trace.tracing import access_trace
from tests.api.hub import HUADONG, HUAYANG, JINLI, OEM, TAIHE, Hub
from tests.trace.build import LINK, LOT, load_build


@pytest.fixture
def built(hub: Hub) -> Iterator[Hub]:
    load_build(hub)
    yield hub


def _login(hub: Hub, who: str) -> None:
    hub.client.cookies.clear()
    response = hub.client.post("/login", data={"token": hub.tokens[who]}, follow_redirects=False)
    assert response.status_code == 303


def _served(hub: Hub, who: str, query: str) -> TraceResult:
    with hub.engine.connect() as conn:
        principal = access_principal(conn=conn, token=hub.tokens[who])
        return access_trace(conn=conn, principal=principal, query=query)


def _rows(html: str) -> list[tuple[str, ...]]:
    """(node, reached, partner, material, lot, quantity, date, document) of the lots table."""
    body = html[html.index('<table id="lots">') :]
    cell = r"\s*<td>([^<]*)</td>"
    rows = re.findall(
        r'<tr data-node="(n\d+)"><td>([^<]*)</td>' + cell
        + r"\s*<td>([^<]*?)(?: <span[^>]*>[^<]*</span>)?</td>"
        + r"\s*<td>([^<]*)(?:<br>[^\n]*)?</td>"
        + r'\s*<td class="num">([^<]*)</td>' + cell + cell,
        body,
    )  # fmt: skip
    return [tuple(x.strip() for x in row) for row in rows]


def test_the_oem_traces_a_motor_lot_to_its_supplier_and_customer(built: Hub) -> None:
    _login(built, OEM)
    response = built.client.get("/trace", params={"lot": LOT, "lang": "en"})
    assert response.status_code == 200
    html = response.text
    served = _served(built, OEM, LOT)
    rows = _rows(html)
    assert [r[0] for r in rows] == [n.id for n in served.nodes]
    held = {(r[2], r[4]) for r in rows}
    assert {(f"{n.partner_id} Co.", n.lot_number) for n in served.nodes} == held
    # Upstream: the lot at jinli, which shipped it; downstream: P100 made and shipped to huadong.
    assert (f"{JINLI} Co.", LOT) in held and (f"{HUADONG} Co.", "P100-2603-A") in held
    to_huadong = next(r for r in rows if r[2] == f"{HUADONG} Co.")
    assert to_huadong[1] == "downstream (2) · customer · finished"
    assert to_huadong[5:] == ("1,200 piece", "12 Mar 2026", "shipment ASN-HC-HD-1")
    motor = next(r for r in rows if r[4] == LOT)
    assert motor[3] == "M004 Motor"
    assert f"{HUAYANG} Co." not in {r[2] for r in rows}
    assert "MO-HC-9" in html and LINK in html
    assert '<a href="/api/v1/recalls/report?lot=JL260305A&amp;format=xlsx">' in html
    graph = re.search(r'chainhubPlot\("graph", (\{.*\})\);', html)
    assert graph is not None
    lines, quantities, lots, _hidden = json.loads(graph.group(1))["data"]
    assert sorted(quantities["text"]) == ["1,200", "150", "200"]
    # Columns run with the goods: jinli's lot, the same lot at haichuan, P100, P100 at huadong.
    column = {(n.partner_id, n.lot_number): x for n, x in zip(served.nodes, lots["x"], strict=True)}
    flow = [(JINLI, LOT), (OEM, LOT), (OEM, "P100-2603-A"), (HUADONG, "P100-2603-A")]
    assert [column[k] for k in flow] == [0, 1, 2, 3]
    assert len(lines["x"]) == 3 * len(served.edges)
    report = built.client.get(f"/api/v1/recalls/report?lot={LOT}&format=csv")
    assert report.status_code == 200 and HUADONG in report.text

    # The Digital Link names the same lot; backward from the product reaches both suppliers.
    linked = built.client.get("/trace", params={"lot": LINK})
    assert [r[0] for r in _rows(linked.text)] == [n.id for n in served.nodes]
    back = built.client.get("/trace", params={"lot": "P100-2603-A", "direction": "backward"})
    upstream = {(r[2], r[4]) for r in _rows(back.text) if r[1].startswith("upstream")}
    assert upstream >= {(f"{JINLI} Co.", LOT), (f"{HUAYANG} Co.", "HY260301")}

    chinese = built.client.get("/trace", params={"lot": LOT, "lang": "zh"}).text
    assert "<h1>批次追溯</h1>" in chinese and "下游 (2) · 客户 · 成品" in chinese
    assert "1,200 件" in chinese and "2026年3月12日" in chinese and "发货 ASN-HC-HD-1" in chinese


def test_a_supplier_sees_its_lot_and_counts_of_the_rest(built: Hub) -> None:
    _login(built, JINLI)
    html = built.client.get("/trace", params={"lot": LOT, "direction": "forward"}).text
    rows = _rows(html)
    assert {(r[2], r[4]) for r in rows} == {(f"{JINLI} Co.", LOT), (f"{OEM} Co.", LOT)}
    served = _served(built, JINLI, LOT)
    assert served.summary.customers == 1 and len(served.hidden_partners) == 2
    hidden = re.findall(
        r'<tr class="hidden-partner"><td class="muted">—</td><td>([^<]+)</td>', html
    )
    assert hidden == ["Hidden partner 1", "Hidden partner 2 · customer"]
    for name in (HUADONG, HUAYANG, TAIHE, "ASN-HC-HD-1", "MO-HC-9", "P100-2603-A"):
        assert name not in html, name
    # The huayang lot is not jinli's to trace: the same answer as a lot that does not exist.
    refused = built.client.get("/trace", params={"lot": "HY260301"})
    assert refused.status_code == 404 and HUAYANG not in refused.text


BAD: list[tuple[dict[str, str], int, str]] = [
    ({"lot": "NO-SUCH-LOT", "lang": "en"}, 404, "No lot &#39;NO-SUCH-LOT&#39; that you may see"),
    ({"lot": "NO-SUCH-LOT", "lang": "zh"}, 404, "没有您可查看的批次 &#39;NO-SUCH-LOT&#39;"),
    ({"lot": LOT, "direction": "sideways", "lang": "en"}, 400, "Choose backward, forward or both"),
    ({"lot": LOT, "direction": "up", "lang": "zh"}, 400, "方向请选择向上追溯、向下追踪或双向。"),
    ({"lot": "x" * 501, "lang": "en"}, 400, "has at most 500 characters"),
]


def test_bad_input_is_the_form_with_a_message(hub: Hub) -> None:
    _login(hub, OEM)
    for params, status, message in BAD:
        response = hub.client.get("/trace", params=params)
        assert response.status_code == status, params
        assert message in response.text and 'id="trace-form"' in response.text, params
        assert 'id="lots"' not in response.text
    empty = hub.client.get("/trace")
    assert empty.status_code == 200 and 'id="error"' not in empty.text
