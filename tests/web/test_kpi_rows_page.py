"""From a KPI value to the rows behind it: the page lists the facts the value was computed
from, in the page's language, and a supplier follows links only to its own figures."""

from __future__ import annotations

import html
import re

from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, Hub

_ROWS_LINK = re.compile(r'href="(/kpis/otif/rows\?partner=([^&"]+)&amp;month=[\d-]+)"')


def test_the_oem_drills_from_a_value_to_its_order_lines(hub: Hub) -> None:
    links = _ROWS_LINK.findall(hub.get(OEM, "/kpis/otif").text)
    assert links, "every named partner's monthly value links to its rows"
    path, partner = links[0]
    page = hub.get(OEM, html.unescape(path) + "&lang=zh")
    assert page.status_code == 200, page.text
    assert 'id="facts"' in page.text and "采购订单号" in page.text and "准时" in page.text
    api = hub.get(OEM, html.unescape(path).replace("/kpis/", "/api/v1/kpis/").replace(
        "partner=", "partner_id="))  # fmt: skip
    assert api.status_code == 200 and api.json()["rows"]
    assert all(row[0] == partner for row in api.json()["rows"])


def test_a_supplier_follows_links_only_to_its_own_figures(hub: Hub) -> None:
    links = _ROWS_LINK.findall(hub.get(JINLI, "/kpis/otif").text)
    assert {partner for _, partner in links} <= {JINLI}
    for path, _ in links:
        page = hub.get(JINLI, html.unescape(path)).text
        assert HUAYANG not in page and TAIHE not in page


def test_a_stock_kpi_says_it_has_no_rows(hub: Hub) -> None:
    page = hub.get(OEM, f"/kpis/inventory_turnover_days/rows?partner={JINLI}&month=2026-03-01")
    assert page.status_code == 404
