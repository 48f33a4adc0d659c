"""Material 360 pages on the seeded hub: the OEM sees a material with all its suppliers, a
supplier only what it supplies and nothing of another supplier, names and units in the page's
language, no English month on a Chinese page, a clear not-found page."""

from __future__ import annotations

import re

from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, Hub

ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")


def _page(hub: Hub, who: str, path: str, lang: str = "en") -> str:
    """The page as `who` in `lang` (chosen by `?lang=`, as the language switch does)."""
    path = f"{path}{'&' if '?' in path else '?'}lang={lang}"
    response = hub.client.get(path, headers=hub.headers(who, lang))
    assert response.status_code == 200, response.text
    return response.text


def _table(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of one table."""
    body = html.split(f'id="{table_id}"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _card(html: str, card_id: str) -> str:
    card = html.split(f'id="{card_id}"')[1].split("</section>")[0]
    return re.search(r'<span class="value">([^<]+)</span>', card).group(1)  # type: ignore[union-attr]


def test_the_oem_lists_and_searches_its_materials_with_names_and_units(hub: Hub) -> None:
    listed = _table(_page(hub, OEM, "/materials"), "materials")
    assert [row[0] for row in listed] == ["M001", "M004", "M009", "P100"]
    assert listed[0] == ["M001", "M001", "component", "piece"]
    assert _table(_page(hub, OEM, "/materials", "zh"), "materials")[0] == [
        "M001", "M001", "零部件", "件"
    ]  # fmt: skip
    searched = _table(_page(hub, OEM, "/materials?q=M00"), "materials")
    assert [row[0] for row in searched] == ["M001", "M004", "M009"]
    assert "No material matches." in _page(hub, OEM, "/materials?q=nothing-like-this")


def test_the_oem_sees_a_material_with_every_supplier(hub: Hub) -> None:
    html = _page(hub, OEM, "/materials/M001")
    assert (_card(html, "card-on-hand"), _card(html, "card-open")) == ("320", "900")
    assert _card(html, "card-forecast") == "2,500"
    suppliers = _table(html, "suppliers")
    assert [row[:2] for row in suppliers] == [
        [f"{HUAYANG} Co.", "500 (1)"],
        [f"{TAIHE} Co.", "400 (1)"],
    ]
    months = _table(html, "months")
    assert [row[:4] for row in months] == [
        ["Mar 2026", "320", "900", "—"],
        ["Apr 2026", "—", "900", "2,500"],
    ]
    assert '<script src="/static/plotly/plotly.min.js"></script>' in html
    assert 'chainhubPlot("supplier-chart"' in html
    # P100 is sold, not bought: nobody's orders, stock or forecast of it yet.
    sold = _page(hub, OEM, "/materials/P100")
    assert 'id="buyers"' not in sold and sold.count("no data yet") == 5


def test_a_supplier_sees_only_what_it_supplies_in_both_languages(hub: Hub) -> None:
    listed = _page(hub, HUAYANG, "/materials")
    assert [row[0] for row in _table(listed, "materials")] == ["M001", "M009"]
    for lang, company in (("en", "Co."), ("zh", "公司")):
        html = _page(hub, HUAYANG, "/materials/M001", lang)
        assert TAIHE not in html and JINLI not in html
        # taihe's open 400 is neither shown nor added to huayang's 500.
        assert _card(html, "card-open") == "500"
        assert [row[0] for row in _table(html, "suppliers")] == [f"{HUAYANG} {company}"]
        assert "400" not in html.split('id="cards"')[1]
    zh = _page(hub, HUAYANG, "/materials/M001", "zh")
    assert ENGLISH_MONTH.search(zh) is None
    assert [row[0] for row in _table(zh, "months")] == ["2026年3月", "2026年4月"]
    assert "现有库存" in zh and "未结订单" in zh
    # huayang buys M009 from taihe: its supplier is a letter, never taihe's name.
    bought = _page(hub, HUAYANG, "/materials/M009")
    assert TAIHE not in bought
    assert [row[:2] for row in _table(bought, "suppliers")] == [["Supplier B", "70 (1)"]]


def test_a_material_the_caller_may_not_open_is_not_found_in_its_language(hub: Hub) -> None:
    for who, code in ((OEM, "NOPE"), (JINLI, "M001")):
        english = hub.client.get(f"/materials/{code}?lang=en", headers=hub.headers(who, "en"))
        chinese = hub.client.get(f"/materials/{code}?lang=zh", headers=hub.headers(who, "zh"))
        assert (english.status_code, chinese.status_code) == (404, 404)
        assert english.json()["error"]["code"] == "material_not_found"
        assert f"no material '{code}' that you may see" in english.json()["error"]["message"]
        assert f"没有您可查看的物料 '{code}'" in chinese.json()["error"]["message"]
    assert hub.client.get("/materials/M001", follow_redirects=False).status_code == 303


def test_the_data_page_links_a_suppliers_materials_to_their_360_view(hub: Hub) -> None:
    html = _page(hub, JINLI, "/data")
    assert f'href="/materials/M004?buyer={OEM}"' in html
    assert '<a href="/materials"' in html and '<a href="/quality"' in html
