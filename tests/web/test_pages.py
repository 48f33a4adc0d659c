"""Dashboard pages: token login in a strict cookie, only the caller's slice on show, the KPI
figures of the KPI service, other suppliers never named to a supplier, one language per page."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from chainhub.access.tokens import access_principal
from chainhub.api.deps import current_time
from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.kpi.service import access_kpi_trend, access_kpi_values
from chainhub.trace.tracing import access_trace
from chainhub.web.locale import format_change, format_number
from tests.api.hub import DOCUMENTS, HUADONG, HUAYANG, JINLI, OEM, TAIHE, Hub
from tests.schedule.plant import NOW, PLANT, load_plant
from tests.trace.build import LOT, load_build


def _counts(html: str) -> dict[str, int]:
    rows = re.findall(r'<span class="muted">(\w+)</span></td><td class="num">([\d,]+)</td>', html)
    return {name: int(count.replace(",", "")) for name, count in rows}


def _login(hub: Hub, who: str) -> None:
    response = hub.client.post("/login", data={"token": hub.tokens[who]}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_the_dashboard_asks_for_a_token(hub: Hub) -> None:
    response = hub.client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert 'name="token"' in hub.client.get("/login").text
    refused = hub.client.post("/login", data={"token": "chk_nope_nope"})
    assert refused.status_code == 401
    assert "The token is unknown, expired or revoked." in refused.text
    # A page asked for without a sign-in is where the sign-in leads back to; no other site is.
    asked = hub.client.get("/kpis/otif?from=2026-03", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=/kpis/otif%3Ffrom%3D2026-03"
    assert "next=%2Fkpis%2Fotif%3Ffrom%3D2026-03" in hub.client.get(asked.headers["location"]).text
    for target, landing in (
        ("/kpis/otif?from=2026-03", "/kpis/otif?from=2026-03"),
        ("//elsewhere.example/", "/"),
        ("https://elsewhere.example/", "/"),
    ):
        signed = hub.client.post(
            "/login", params={"next": target}, data={"token": hub.tokens[OEM]},
            follow_redirects=False,
        )  # fmt: skip
        assert (signed.status_code, signed.headers["location"]) == (303, landing)


def test_a_supplier_sees_its_slice_and_the_oem_sees_all(hub: Hub) -> None:
    _login(hub, JINLI)
    supplier = hub.client.get("/data")
    assert supplier.status_code == 200
    counts = _counts(supplier.text)
    assert (counts["purchase_order"], counts["sales_order"], counts["shipment"]) == (1, 0, 1)
    assert (counts["inventory_snapshot"], counts["partner"]) == (2, 5)
    assert "M004" in supplier.text and 'id="overview"' in supplier.text
    hub.client.post("/logout")
    assert hub.client.get("/", follow_redirects=False).status_code == 303
    _login(hub, OEM)
    counts = _counts(hub.client.get("/data").text)
    assert (counts["purchase_order"], counts["sales_order"], counts["shipment"]) == (5, 1, 1)


def test_a_distributor_sees_no_purchase_orders(hub: Hub) -> None:
    _login(hub, HUADONG)
    counts = _counts(hub.client.get("/data?lang=zh").text)
    assert (counts["purchase_order"], counts["sales_order"]) == (0, 1)


def _closed(number: str, **changes: Any) -> dict[str, Any]:
    """A purchase order of the seeded chain, delivered, with its header or line changed."""
    document = copy.deepcopy(DOCUMENTS[number][2])
    line = document["lines"][0]
    line["line_status"] = "delivered"
    for key, value in changes.items():
        (line if key in line or key == "confirmed_date" else document)[key] = value
    return document


def _two_months(hub: Hub) -> None:
    """February: jinli delivers in full and on time. March: jinli (200 of 300) and taihe
    (nothing) close short, like huayang's seeded order: the OEM's OTIF falls, stockouts rise."""
    february = _closed(
        "PO-HC-JL-1",
        po_number="PO-HC-JL-0",
        order_date="2026-02-01",
        requested_date="2026-02-20",
        quantity="100",
    )
    receipt = copy.deepcopy(DOCUMENTS["GR-HC-JL-1"][2])
    receipt.update(receipt_number="GR-HC-JL-0", receipt_date="2026-02-15")
    receipt["lines"][0].update(po_number="PO-HC-JL-0", received_quantity="100",
                               accepted_quantity="100", rejected_quantity="0")  # fmt: skip
    for document_type, document in (
        ("purchase_order", february),
        ("purchase_order", _closed("PO-HC-JL-1")),
        ("purchase_order", _closed("PO-HC-TK-1")),
        ("goods_receipt", receipt),
    ):
        response = hub.submit(OEM, document_type, document)
        assert response.status_code == 201, response.text


def _card(html: str, kpi_id: str) -> dict[str, str]:
    start = html.index(f'id="card-{kpi_id}"')
    card = html[start : html.index("</section>", start)]
    found = {}
    for name in ("value", "month", "delta"):
        match = re.search(rf'<span class="{name}">([^<]*)</span>', card)
        if match:
            found[name] = match.group(1)
    return found


def test_the_overview_cards_show_the_kpi_service_figures(hub: Hub) -> None:
    _two_months(hub)
    with hub.engine.connect() as conn:
        for who in (OEM, JINLI):
            principal = access_principal(conn=conn, token=hub.tokens[who])
            hub.client.cookies.clear()
            _login(hub, who)
            html = hub.client.get("/?lang=en").text
            for kpi_id in ("otif", "supplier_stockout_rate"):
                trend = access_kpi_trend(
                    conn=conn, principal=principal, today=_today(), kpi_id=kpi_id
                )
                assert trend.latest is not None
                assert _card(html, kpi_id) == {
                    "value": format_number(trend.latest.value),
                    "month": "Mar 2026",
                    "delta": format_change(trend.change),
                }
    # The OEM pools its suppliers: February jinli 1 of 1 in full and on time, March 0 of 3.
    hub.client.cookies.clear()
    _login(hub, OEM)
    html = hub.client.get("/").text
    assert _card(html, "otif") == {"value": "0.0", "month": "Mar 2026", "delta": "−100.0"}
    assert 'class="change worse"' in html
    assert "/static/plotly/plotly.min.js" in html
    assert "/static/plotly/plotly.min.js" not in hub.client.get("/kpis").text


def _today() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


def test_the_kpi_page_tables_the_service_values(hub: Hub) -> None:
    _two_months(hub)
    _login(hub, OEM)
    html = hub.client.get("/kpis/otif?lang=en").text
    assert "share of closed order lines received in full by the requested date" in html
    with hub.engine.connect() as conn:
        principal = access_principal(conn=conn, token=hub.tokens[OEM])
        values = access_kpi_values(conn=conn, principal=principal, today=_today(), kpi_id="otif")
    rows = re.findall(
        r'<tr data-partner="([^"]*)">.*?<td>([^<]*)</td>\s*<td class="num">(?:<a [^>]*>)?([^<]*)<',
        html,
        flags=re.S,
    )
    expected = [
        (v.partner_id, f"{'Feb' if v.period and v.period.month == 2 else 'Mar'} 2026",
         format_number(v.value))
        for v in values.values
    ]  # fmt: skip
    assert rows == expected
    assert len(rows) == 4


def test_a_supplier_never_sees_another_suppliers_name(hub: Hub) -> None:
    _two_months(hub)
    _login(hub, JINLI)
    others = (HUAYANG, TAIHE, f"{HUAYANG} Co.", f"{TAIHE} Co.", f"{HUAYANG} 公司", f"{TAIHE} 公司")
    for lang in ("en", "zh"):
        for path in ("/", "/data", "/kpis", "/kpis/otif", "/kpis/supplier_stockout_rate",
                     f"/suppliers/{JINLI}", "/suppliers", "/forecast"):  # fmt: skip
            response = hub.client.get(path, params={"lang": lang})
            assert response.status_code == 200, path
            assert [o for o in others if o in response.text] == [], (path, lang)
    scorecard = hub.client.get(f"/suppliers/{JINLI}?lang=en").text
    ranking = scorecard[scorecard.index('data-kpi="supplier_stockout_rate"') :]
    ranking = ranking[: ranking.index("</table>")]
    # Over Feb and Mar jinli closed 1 of 2 lines short, huayang and taihe 1 of 1.
    assert re.findall(r"<td>([^<]+)</td>\s*<td class=\"num\">([^<]+)</td>", ranking) == [
        (f"{JINLI} Co.", "50.0"),
        ("Supplier A", "100.0"),
        ("Supplier B", "100.0"),
    ]
    for hidden in (HUAYANG, TAIHE):
        assert hub.client.get(f"/suppliers/{hidden}").status_code == 404
    hub.client.cookies.clear()
    _login(hub, OEM)
    named = hub.client.get(f"/suppliers/{JINLI}?lang=en").text
    assert f"{HUAYANG} Co." in named and "Supplier A" not in named


ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")


def test_the_chosen_language_is_kept_and_a_chinese_page_has_no_english_months(hub: Hub) -> None:
    _two_months(hub)
    _login(hub, OEM)
    first = hub.client.get("/?lang=zh")
    assert "chainhub_lang=zh" in first.headers["set-cookie"]
    for path in ("/", "/data", "/kpis", "/kpis/otif", f"/suppliers/{JINLI}"):
        html = hub.client.get(path, headers={"Accept-Language": "en"}).text
        assert '<html lang="zh-CN">' in html, path
        assert "2026年3月" in html or path in ("/kpis",), path
        assert ENGLISH_MONTHS.findall(html) == [], path
    assert '<html lang="en">' in hub.client.get("/?lang=en").text
    assert "Mar 2026" in hub.client.get("/kpis/otif").text


def _options(html: str) -> list[str]:
    select = html[html.index('id="filter-partner"') :]
    return re.findall(r'<option value="([^"]+)"', select[: select.index("</select>")])


def test_the_filters_narrow_a_page_as_the_kpi_service_does_within_what_one_may_see(
    hub: Hub,
) -> None:
    _two_months(hub)
    _login(hub, JINLI)
    # A supplier filters by the partners it may name; another supplier is refused on the page.
    for path in (f"/?partner={TAIHE}", f"/kpis/otif?partner={HUAYANG}", f"/kpis?partner={TAIHE}"):
        refused = hub.client.get(path + "&lang=en")
        assert refused.status_code == 200, path
        assert "is no partner you may filter by" in refused.text, path
        assert _options(refused.text) == [OEM, HUADONG, JINLI]
        # Only what the caller typed comes back (in the message): no name, no option.
        assert [o for o in (f"{HUAYANG} Co.", f"{TAIHE} Co.") if o in refused.text] == []
    hub.client.cookies.clear()
    _login(hub, OEM)
    with hub.engine.connect() as conn:
        principal = access_principal(conn=conn, token=hub.tokens[OEM])
        march = access_kpi_values(
            conn=conn, principal=principal, today=_today(), kpi_id="otif", partner_id=JINLI,
            start=date(2026, 3, 1), end=date(2026, 3, 31),
        )  # fmt: skip
        m001 = access_kpi_values(
            conn=conn, principal=principal, today=_today(), kpi_id="otif", material="M001"
        )
    row = r'<tr data-partner="([^"]*)">.*?<td class="num">(?:<a [^>]*>)?([^<]*)<'
    html = hub.client.get(f"/kpis/otif?partner={JINLI}&from=2026-03&to=2026-03&lang=en").text
    assert re.findall(row, html, flags=re.S) == [
        (v.partner_id, format_number(v.value)) for v in march.values
    ]
    assert [(v.partner_id, v.period) for v in march.values] == [(JINLI, date(2026, 3, 1))]
    # Jinli delivers M004 only: an M001 filter leaves huayang's and taihe's lines.
    html = hub.client.get("/kpis/otif?material=M001").text
    shown = re.findall(row, html, flags=re.S)
    assert shown == [(v.partner_id, format_number(v.value)) for v in m001.values]
    assert {p for p, _ in shown} == {HUAYANG, TAIHE}
    assert "&amp;material=M001" in html  # the drill-down keeps the filter
    # Every seeded order goes to the OEM's plant: a supplier's plant has none.
    everything = re.findall(row, hub.client.get("/kpis/otif").text, flags=re.S)
    assert re.findall(row, hub.client.get("/kpis/otif?site=haichuan-foshan").text, flags=re.S) == (
        everything
    )
    assert re.findall(row, hub.client.get("/kpis/otif?site=jinli-ningbo").text, flags=re.S) == []
    facts = f"/kpis/otif/rows?partner={JINLI}&month=2026-03-01"
    assert 'id="facts"' in hub.client.get(facts).text
    assert 'id="facts"' not in hub.client.get(facts + "&material=M001").text
    bad = hub.client.get("/kpis/otif?from=2026-04&to=2026-01&site=%3Cx%3E&lang=en")
    assert bad.status_code == 200
    assert "starts after it ends" in bad.text and "is not a code" in bad.text


def _alert_rows(html: str, table: str) -> list[list[str]]:
    body = html[html.index(f'id="{table}"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def test_the_overview_alerts_stockout_risks_and_late_confirmations(hub: Hub) -> None:
    """The seeded OEM counted 320 M001 on 11 Mar; its open orders bring 500 + 400 by 20 Mar,
    and its 1 Apr forecast wants 1,200 + 1,300 in April: M001 was never received, so its horizon
    is the default lead time and a week (42 days), over which it is 1,280 short, out on 13 Apr.
    M004 arrived a week after its order: within 14 days of the count nothing is wanted. Every
    seeded order line is open and unconfirmed since 1 Mar, over the 7 days a supplier has."""
    stock = DOCUMENTS["INV-HC-0311"][2]
    assert ("M001", "320") in {(x["material_code"], x["quantity_on_hand"]) for x in stock["lines"]}
    forecast = DOCUMENTS["FC-HC-W14"][2]["lines"]
    assert sum(int(x["quantity"]) for x in forecast if x["material_code"] == "M001") == 2500
    open_m001 = [DOCUMENTS[n][2] for n in ("PO-HC-HY-1", "PO-HC-TK-1")]
    assert sum(int(d["lines"][0]["quantity"]) for d in open_m001) == 900
    _login(hub, OEM)
    html = hub.client.get("/?lang=en").text
    risks = _alert_rows(html, "alerts-stockout")
    assert [r[0] for r in risks] == ["M009 (piece)", "M001 (piece)"]
    assert risks[1][1:] == [
        f"{OEM} Co.", "2026-03-11", "320", "900", "2,500", "-1,280", "35.0 default", "42",
        "2026-04-13",
    ]  # fmt: skip
    assert "a review period of 7 days" in html
    assert 'href="/materials/M001?buyer=haichuan"' in html
    late = _alert_rows(html, "alerts-late")
    unconfirmed = sorted(
        n for n, (_, kind, d) in DOCUMENTS.items()
        if kind == "purchase_order" and d["lines"][0].get("line_status", "open") == "open"
        and "confirmed_date" not in d["lines"][0]
    )  # fmt: skip
    assert [r[0] for r in late] == [f"{n} / 10" for n in unconfirmed]
    assert {r[4] for r in late} == {"2026-03-01"}
    narrowed = hub.client.get("/?material=M001").text
    assert [r[0] for r in _alert_rows(narrowed, "alerts-stockout")] == ["M001 (piece)"]
    assert [r[0] for r in _alert_rows(narrowed, "alerts-late")] == ["PO-HC-HY-1 / 10",
                                                                   "PO-HC-TK-1 / 10"]  # fmt: skip
    assert 'id="alerts-stockout-none"' in hub.client.get("/?material=M004").text
    assert "缺货风险" in hub.client.get("/?lang=zh").text
    # Jinli sees the OEM's M004 under its VMI agreement (covered), and its own order only.
    hub.client.cookies.clear()
    _login(hub, JINLI)
    html = hub.client.get("/?lang=en").text
    assert 'id="alerts-stockout-none"' in html
    assert [r[0] for r in _alert_rows(html, "alerts-late")] == ["PO-HC-JL-1 / 10"]


def _ids(html: str, pattern: str, table: str | None = None) -> list[str]:
    if table is not None:
        html = html[html.index(f'id="{table}"') :]
        html = html[: html.index("</table>")]
    return re.findall(pattern, html)


def test_the_filter_bar_narrows_data_schedule_review_agreements_and_trace(hub: Hub) -> None:
    """One seeded hub with a plan of the OEM's plant, two partners' unknown codes and a build
    traced from jinli's motor lot: each page's filters narrow what its services read, a
    supplier cannot name another supplier in them, a bad value is a message on the page."""
    load_plant(hub)
    hub.client.app.dependency_overrides[current_time] = lambda: NOW  # type: ignore[attr-defined]
    assert hub.post(OEM, f"/api/v1/schedule/{PLANT}/runs", json={"seconds": 1}).is_success
    load_build(hub)
    codes = pl.DataFrame({"partner_material_code": ["JL-77"], "description": ["电机"],
                          "unit": ["件"]})  # fmt: skip
    with hub.engine.begin() as conn:
        for partner, code in ((JINLI, "JL-77"), (HUAYANG, "HY-SECRET-9")):
            do_record_unknown_codes(
                conn=conn, partner_id=partner, submission_ref="test",
                codes=codes.with_columns(partner_material_code=pl.lit(code)),
                seen_at=datetime(2026, 3, 8, 9, tzinfo=UTC),
            )  # fmt: skip

    # /data: M004's documents; jinli's in 5-9 Mar (its shipment and the OEM's receipt).
    counts = _counts(hub.get(OEM, "/data?material=M004").text)
    assert (counts["purchase_order"], counts["inventory_snapshot"], counts["partner"]) == (1, 2, 0)
    dated = hub.get(OEM, f"/data?partner={JINLI}&from=2026-03-05&to=2026-03-09&lang=en").text
    counts = _counts(dated)
    assert (counts["shipment"], counts["goods_receipt"], counts["purchase_order"]) == (1, 1, 0)
    assert counts["partner"] == 0 and 'id="data-filtered"' in dated
    assert 'id="overview"' in hub.get(JINLI, "/data?material=M004").text
    assert 'id="overview"' not in hub.get(JINLI, "/data?material=M001").text
    refused = hub.get(JINLI, f"/data?partner={TAIHE}&lang=en").text
    assert "is no partner you may filter by" in refused and f"{TAIHE} Co." not in refused
    assert _options(refused) == [OEM, HUADONG, JINLI]
    assert "已忽略" in hub.get(JINLI, "/data?from=2026-13&lang=zh").text

    # /schedule: the plan's operations in the period; a supplier's need dates by material.
    plan = hub.get(OEM, "/schedule?lang=en").text
    order = r"<td>(MO-HC-\d)</td>"
    assert 'id="gantt"' in plan and _ids(plan, order, "orders") == ["MO-HC-1", "MO-HC-2"]
    later = hub.get(OEM, "/schedule?from=2026-04&lang=en").text
    assert 'id="no-slots"' in later and _ids(later, order, "orders") == []
    assert '<input type="hidden" name="from" value="2026-04-01">' in later  # the picker keeps it
    need = r"<td>(M\d+)</td><td class=\"num\">"
    assert _ids(hub.get(JINLI, "/schedule?material=M004").text, need) == ["M004"]
    assert _ids(hub.get(JINLI, "/schedule?material=M001").text, need) == []
    assert _ids(hub.get(JINLI, "/schedule?from=2026-03-15").text, need) == []
    assert "is no partner" in hub.get(JINLI, f"/schedule?partner={HUAYANG}&lang=en").text

    # /review: the hub admin's codes of a partner, of a material, seen in a period.
    code = r"<code>(JL-77|HY-SECRET-9)</code>"
    assert sorted(_ids(hub.get("admin", "/review").text, code)) == ["HY-SECRET-9", "JL-77"]
    assert _ids(hub.get("admin", f"/review?partner={JINLI}").text, code) == ["JL-77"]
    assert _ids(hub.get("admin", "/review?material=HY-SECRET-9").text, code) == ["HY-SECRET-9"]
    assert _ids(hub.get("admin", "/review?from=2026-04").text, code) == []
    assert _ids(hub.get(JINLI, f"/review?partner={HUAYANG}").text, code) == ["JL-77"]

    # /agreements: with a partner, valid in a period.
    row = r'<tr id="agreement-([^"]+)"'
    both = {hub.agreements[JINLI], hub.agreements[HUAYANG]}
    assert set(_ids(hub.get(OEM, "/agreements").text, row)) == both
    assert _ids(hub.get(OEM, f"/agreements?partner={JINLI}").text, row) == [hub.agreements[JINLI]]
    assert _ids(hub.get(OEM, "/agreements?to=2020-01").text, row) == []
    refused = hub.get(JINLI, f"/agreements?partner={HUAYANG}&lang=en").text
    assert "is no partner you may filter by" in refused and f"{HUAYANG} Co." not in refused

    # /trace: the table's lots of a partner and a period, the graph whole.
    with hub.engine.connect() as conn:
        served = access_trace(
            conn=conn, principal=access_principal(conn=conn, token=hub.tokens[OEM]), query=LOT
        )
    node = r'<tr data-node="(n\d+)">'
    traced = hub.get(OEM, f"/trace?lot={LOT}&partner={HUADONG}&lang=en").text
    assert _ids(traced, node) == [n.id for n in served.nodes if n.partner_id == HUADONG] != []
    assert 'id="lots-filtered"' in traced and 'id="graph"' in traced
    late = hub.get(OEM, f"/trace?lot={LOT}&from=2026-03-13").text
    assert _ids(late, node) == [n.id for n in served.nodes if n.via is None]
    # Jinli's trace names no customer's customer: the bar offers only whom the trace names.
    own = hub.get(JINLI, f"/trace?lot={LOT}&direction=forward").text
    assert _options(own) == sorted({n.partner_id for n in _served_nodes(hub, JINLI)})
    assert HUADONG not in own
    hub.client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


def _served_nodes(hub: Hub, who: str) -> list[Any]:
    with hub.engine.connect() as conn:
        principal = access_principal(conn=conn, token=hub.tokens[who])
        return access_trace(conn=conn, principal=principal, query=LOT, direction="forward").nodes
