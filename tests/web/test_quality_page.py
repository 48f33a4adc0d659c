"""The data-quality page on the seeded hub: each partner's onboarding scorecard and its rejected
rows and files, with file, row, column, field and message in the page's language; a partner sees
only its own, the chain leader and the hub admin every partner's."""

from __future__ import annotations

import re
from html import unescape

from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, Hub

HEADER = (
    "shipment_number,shipper_id,receiver_id,ship_from_site,ship_to_site,ship_date,"
    "expected_delivery_date,line_no,material_code,quantity,unit,lot_number\n"
)
ROW, CELL = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S), re.compile(r"<td[^>]*>(.*?)</td>", re.S)
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def _asn(number: str, shipper: str, site: str, quantity: str) -> str:
    return (
        f"{number},{shipper},haichuan,{site},haichuan-foshan,2026-03-09,2026-03-12,"
        f"10,M004,{quantity},H87,L{number}\n"
    )


def _rejections(hub: Hub) -> None:
    """jinli sends one good and one bad shipment and keeps the good one (the bad row is
    quarantined); huayang sends a file whose only shipment is bad (rejected whole)."""
    mixed = HEADER + _asn("ASN-JL-2", JINLI, "jinli-ningbo", "50")
    mixed += _asn("ASN-JL-3", JINLI, "jinli-ningbo", "-5")
    kept = hub.post(
        JINLI,
        "/api/v1/documents/shipment/upload?accept_valid=true",
        files={"file": ("jinli-asn.csv", mixed.encode(), "text/csv")},
    )
    assert (kept.status_code, kept.json()["status"]) == (201, "partial"), kept.text
    bad = HEADER + _asn("ASN-HY-1", HUAYANG, "huayang-wuhu", "-7")
    refused = hub.post(
        HUAYANG,
        "/api/v1/documents/shipment/upload",
        files={"file": ("huayang-asn.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422, refused.text


def _page(hub: Hub, who: str, lang: str = "en") -> str:
    response = hub.client.get(f"/quality?lang={lang}", headers=hub.headers(who, lang))
    assert response.status_code == 200, response.text
    return response.text


def _rows(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _partners(html: str) -> list[str]:
    return re.findall(r'<tr data-partner="([^"]+)">', html)


def test_a_partner_sees_its_own_scorecard_and_rejected_rows(hub: Hub) -> None:
    _rejections(hub)
    html = _page(hub, JINLI)
    assert _partners(html) == [JINLI]
    card = _rows(html, "scorecards")[0]
    # Its seeded shipment and crosswalk, and the upload: 1 row stored, 1 quarantined.
    assert card[:9] == ["jinli-motor Co.", "3", "2", "1", "0", "0", "3", "1", "75.0 %"]
    (row,) = _rows(html, "rejected-rows")
    assert row[1:7] == [
        "jinli-motor Co.",
        "Shipment (ASN)",
        "jinli-asn.csv",
        "2",
        "quantity",
        "quantity",
    ]
    assert row[7] == "quantity must be > 0"
    assert _rows(html, "rejected-files") == [["Nothing rejected."]]
    assert HUAYANG not in html and TAIHE not in html and "huayang-asn.csv" not in html
    zh = _page(hub, JINLI, "zh")
    (row_zh,) = _rows(zh, "rejected-rows")
    assert row_zh[1:5] == ["jinli-motor 公司", "发货通知", "jinli-asn.csv", "2"]
    assert row_zh[7] == "quantity 须满足 > 0"
    assert "接入评分卡" in zh and ENGLISH_MONTH.search(zh) is None


def test_a_file_rejected_whole_shows_its_failing_rules_to_its_sender_only(hub: Hub) -> None:
    _rejections(hub)
    html = _page(hub, HUAYANG)
    assert _partners(html) == [HUAYANG]
    (rejected,) = _rows(html, "rejected-files")
    assert rejected[1:5] == ["huayang-compressor Co.", "Shipment (ASN)", "huayang-asn.csv", "1"]
    assert "quantity" in rejected[5]
    assert JINLI not in html and "jinli-asn.csv" not in html


def test_the_chain_leader_and_the_hub_admin_see_every_partner(hub: Hub) -> None:
    _rejections(hub)
    for who in (OEM, "admin"):
        html = _page(hub, who)
        assert set(_partners(html)) == {OEM, JINLI, HUAYANG}
        assert [r[3] for r in _rows(html, "rejected-rows")] == ["jinli-asn.csv"]
        assert [r[3] for r in _rows(html, "rejected-files")] == ["huayang-asn.csv"]
    assert hub.client.get("/quality", follow_redirects=False).status_code == 303
