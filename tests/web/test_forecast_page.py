"""The forecast page: a series' chart beside the partner's own forecast, and every visible
series' value added, each caller its own series and no other supplier's name; as XLSX too."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from chainhub.web import forecast_pages
from tests.api.hub import HUADONG, HUAYANG, JINLI, OEM, SITES, TAIHE, Hub

MONDAY = date(2026, 1, 5)


def _sales(seller: str, customer: str, material: str, week: int) -> dict[str, Any]:
    day = MONDAY + timedelta(weeks=week)
    return {
        "so_number": f"SO-{material}-{week}",
        "seller_id": seller,
        "customer_id": customer,
        "order_date": str(day - timedelta(days=3)),
        "lines": [
            {
                "line_no": 10,
                "material_code": material,
                "quantity": str(30 + 5 * (week % 4)),
                "unit": "H87",
                "requested_date": str(day),
            }
        ],
    }


def _issued(material: str) -> dict[str, Any]:
    """The OEM's forecast of a material made before both backtest windows (weeks 8 to 11)."""
    return {
        "forecast_id": f"FC-{material}-0225",
        "issuer_id": OEM,
        "site_id": SITES[OEM],
        "forecast_date": "2026-02-25",
        "bucket": "week",
        "lines": [
            {
                "material_code": material,
                "period_start": str(MONDAY + timedelta(weeks=week)),
                "quantity": "40",
                "unit": "H87",
            }
            for week in range(8, 12)
        ],
    }


def _table(text: str) -> tuple[list[str], list[list[str]]]:
    """The value-added table's header and rows as the page shows them."""
    body = text.split('id="value-added"', 1)[1].split("</table>", 1)[0]

    def cells(row: str) -> list[str]:
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        return [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]

    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return cells(rows[0]), [cells(r) for r in rows[1:]]


def test_each_caller_sees_its_series_value_added_and_exports_it(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hub.get(OEM, "/forecast").status_code == 200  # no run yet: says how to run one
    weeks = range(12)
    assert hub.submit(
        OEM, "sales_order", *(_sales(OEM, HUADONG, "P100", w) for w in weeks)
    ).is_success
    assert hub.submit(
        JINLI, "sales_order", *(_sales(JINLI, OEM, "M004", w) for w in weeks)
    ).is_success
    assert hub.submit(OEM, "demand_forecast", _issued("P100"), _issued("M004")).is_success
    parameters = {"horizon": 2, "windows": 2, "season": 4}
    assert hub.post(OEM, "/api/v1/forecast/runs", json=parameters).status_code == 201

    oem = hub.get(OEM, "/forecast")
    assert oem.status_code == 200 and 'id="chart"' in oem.text and "plotly" in oem.text
    header, rows = _table(oem.text)
    assert header[:2] == ["Material", "Customer"] and header[-1] == "Verdict"
    # Weekly demand every week: judged by MASE (RMSSE is for intermittent demand).
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [
        ("M004", "haichuan Co.", "4", "MASE"),
        ("P100", "huadong-trading Co.", "4", "MASE"),
    ]
    # M004: the customer's own forecast; P100: the seller's, all of it this customer's.
    assert rows[0][3] == "haichuan Co." and rows[1][3] == "haichuan Co.'s, × 100.0 % share"
    # Both series repeat every 4 weeks: the hub chose seasonal naive, the benchmark itself, so
    # it is the same as naive (not worse), and better than the partner's flat 40.
    assert [(r[2], r[-1]) for r in rows] == [
        ("SeasonalNaive", "hub same as naive · hub adds value"),
        ("SeasonalNaive", "hub same as naive · hub adds value"),
    ]
    assert re.findall(r'id="fva-summary">(.*?)</p>', html_lib.unescape(oem.text)) == [
        "The hub beats the partner's forecast on 2 of 2 series "
        "and naive on 0, equals it on 2 (chose naive or tied), of 2."
    ]
    api = hub.get(OEM, "/api/v1/forecast/runs/latest/value-added").json()
    assert [
        (a["material_code"], a["status"], a["points"], a["hub_beats_naive"], a["hub_equals_naive"])
        for a in api
    ] == [("M004", "scored", 4, False, True), ("P100", "scored", 4, False, True)]
    assert {(a["measure"], a["demand_class"]) for a in api} == {("mase", "smooth")}
    # The second series' chart, with the partner's forecast line.
    picked = hub.get(OEM, "/forecast?series=1")
    assert "<h2>P100 · huadong-trading Co.</h2>" in picked.text
    assert "hub same as naive · hub adds value · Measure: MASE</p>" in picked.text
    assert "Partner's forecast (haichuan Co.'s" in picked.text
    zh = hub.client.get("/forecast?lang=zh", headers=hub.headers(OEM, "zh")).text
    assert "预测增值" in zh and "枢纽与朴素预测相同 · 枢纽有增值" in zh
    assert "2 个上优于伙伴预测；在 2 个序列中，0 个优于朴素预测，2 个与之相同" in zh

    supplier = hub.get(JINLI, "/forecast")
    assert supplier.status_code == 200
    assert [r[0] for r in _table(supplier.text)[1]] == ["M004"]
    for other in (HUAYANG, TAIHE, "P100"):
        assert other not in supplier.text
    api_path = "/api/v1/forecast/runs/1/value-added"
    for who, material in ((JINLI, "M004"), (HUADONG, "P100")):
        assert [a["material_code"] for a in hub.get(who, api_path).json()] == [material]

    exported = hub.post(
        OEM,
        "/export/table.xlsx",
        json={"name": "Forecast value added", "header": header, "rows": rows},
    )
    assert exported.status_code == 200
    sheet = pl.read_excel(io.BytesIO(exported.content))
    assert sheet.columns == header and sheet["Periods"].to_list() == [4, 4]

    # A page at a time (here a series a page), the chosen series' page first; the export
    # gives every row, as the page shows them.
    monkeypatch.setattr(forecast_pages, "PAGE_SIZE", 1)
    first = hub.get(OEM, "/forecast?lang=en")  # the language the zh view above kept
    second = hub.get(OEM, "/forecast?series=1")
    assert [r[0] for r in _table(first.text)[1]] == ["M004"] and 'rel="next"' in first.text
    assert [r[0] for r in _table(second.text)[1]] == ["P100"] and 'rel="prev"' in second.text
    assert "Page 2 of 2" in second.text
    # Paging keeps the chosen series' chart.
    paged = hub.get(OEM, "/forecast?series=1&page=1")
    assert [r[0] for r in _table(paged.text)[1]] == ["M004"]
    assert "<h2>P100 · huadong-trading Co.</h2>" in paged.text
    whole = hub.get(OEM, "/forecast/value-added.xlsx")
    assert whole.status_code == 200
    assert (
        pl.read_excel(io.BytesIO(whole.content)).rows()
        == pl.read_excel(io.BytesIO(exported.content)).rows()
    )
    csv = hub.get(JINLI, "/forecast/value-added.csv?material=M0").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Material,Customer") and len(csv.splitlines()) == 2
    assert "P100" not in csv
