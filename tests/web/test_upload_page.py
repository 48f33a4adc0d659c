"""The upload page takes a file through the API's upload path and lists its outcome and every
row error in the page's language; the submissions page lists what the caller's partner stored."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, Hub

HEADER = (
    "shipment_number,shipper_id,receiver_id,ship_from_site,ship_to_site,ship_date,"
    "expected_delivery_date,line_no,material_code,quantity,unit,lot_number\n"
)
GOOD = HEADER + (
    "ASN-JL-2,jinli-motor,haichuan,jinli-ningbo,haichuan-foshan,2026-03-09,2026-03-12,"
    "10,M004,50,H87,JL260309A\n"
)
BAD = HEADER + (
    "ASN-JL-3,jinli-motor,haichuan,jinli-ningbo,haichuan-foshan,2026-03-09,2026-03-12,"
    "10,M004,fifty,H87,JL260309B\n"
)


def _upload(
    hub: Hub, who: str, text: str, lang: str = "en", document_type: str = "shipment", **form: Any
) -> httpx.Response:
    return hub.client.post(
        f"/upload?lang={lang}",
        headers=hub.headers(who, lang),
        data={"document_type": document_type, **form},
        files={"file": ("asn.csv", text.encode(), "text/csv")},
    )


def _cells(html: str, table: str) -> list[list[str]]:
    body = html[html.index(f'<table id="{table}"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def test_a_good_file_is_stored_and_listed_in_submissions(hub: Hub) -> None:
    form = hub.get(JINLI, "/upload")
    assert form.status_code == 200 and 'id="upload"' in form.text
    assert '<option value="shipment" >Shipment (ASN)</option>' in form.text
    assert 'value="material"' not in form.text  # the golden list comes from the leader only
    stored = _upload(hub, JINLI, GOOD)
    assert stored.status_code == 200, stored.text
    assert 'data-status="stored"' in stored.text and "row-errors" not in stored.text
    again = _upload(hub, JINLI, GOOD)
    assert 'data-status="duplicate"' in again.text
    listed = hub.get(JINLI, "/submissions?document_type=shipment")
    assert listed.status_code == 200
    rows = _cells(listed.text, "submissions")
    # Newest first: the upload, then the seed's JSON batch; the supplier sees no partner column.
    assert rows[0][:3] == ["Shipment (ASN)", "asn.csv", rows[0][2]]
    assert rows[0][3:] == ["1", "1", "Stored"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d", rows[0][2])
    zh = hub.get(JINLI, "/submissions?document_type=shipment&lang=zh").text
    assert re.search(r"<td>\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d</td>", zh)
    assert "发货通知" in zh and "已入库" in zh


def test_a_bad_file_lists_its_row_errors_in_the_page_language(hub: Hub) -> None:
    rejected = _upload(hub, JINLI, BAD)
    assert 'data-status="rejected"' in rejected.text
    errors = _cells(rejected.text, "row-errors")
    assert [row[:4] for row in errors] == [["1", "quantity", "quantity", "fifty"]]
    assert "number" in errors[0][4]
    zh = _upload(hub, JINLI, BAD, lang="zh")
    assert "已拒收：未入库" in zh.text
    zh_errors = _cells(zh.text, "row-errors")
    assert [row[:4] for row in zh_errors] == [["1", "quantity", "quantity", "fifty"]]
    assert re.search(r"[\u4e00-\u9fff]", zh_errors[0][4])
    partial = _upload(hub, JINLI, BAD + GOOD.removeprefix(HEADER), accept_valid="true")
    assert 'data-status="partial"' in partial.text
    assert [row[0] for row in _cells(partial.text, "row-errors")] == ["1"]


def test_only_the_roles_that_may_submit_upload_and_only_what_they_may_send(hub: Hub) -> None:
    material = "material_code,name_zh,name_en,base_unit\nM009,阀门,Valve,H87\n"
    refused = _upload(hub, JINLI, material, document_type="material")
    assert refused.status_code == 403
    assert "only the chain leader publishes material records" in refused.text
    assert "Traceback" not in refused.text
    analyst = hub.get("jinli-analyst", "/upload")
    assert 'id="upload"' not in analyst.text and 'id="no-upload"' in analyst.text
    assert 'href="/upload"' not in analyst.text
    assert _upload(hub, "jinli-analyst", GOOD).status_code == 403
    assert 'href="/upload"' in hub.get("jinli-member", "/").text


def test_a_supplier_sees_only_its_own_submissions_and_no_other_name(hub: Hub) -> None:
    for lang in ("en", "zh"):
        mine = hub.get(JINLI, f"/submissions?lang={lang}").text
        for other in (HUAYANG, TAIHE, f"{HUAYANG} Co.", f"{TAIHE} 公司"):
            assert other not in mine
    everyone = _cells(hub.get(OEM, "/submissions?lang=en").text, "submissions")
    partners = {row[0] for row in everyone}
    assert {f"{JINLI} Co.", f"{HUAYANG} Co.", f"{OEM} Co."} <= partners
    assert len(_cells(hub.get(JINLI, "/submissions").text, "submissions")) < len(everyone)
