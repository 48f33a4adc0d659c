"""The master-data review page: each partner sees only its own open codes; the hub admin sees
all, with ranked golden suggestions named in the page's language, and accepts or rejects them
through the master-data service."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import polars as pl

from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.masterdata.service import list_decisions, list_unknown_codes
from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, Hub

SEEN = datetime(2026, 3, 8, 9, tzinfo=UTC)


def _record(hub: Hub, partner: str, code: str, description: str) -> None:
    codes = pl.DataFrame(
        {"partner_material_code": [code], "description": [description], "unit": ["件"]}
    )
    with hub.engine.begin() as conn:
        do_record_unknown_codes(
            conn=conn, partner_id=partner, codes=codes, submission_ref="test", seen_at=SEEN
        )


def _post(hub: Hub, who: str, path: str, lang: str = "en", **form: str) -> httpx.Response:
    return hub.client.post(
        f"{path}?lang={lang}", headers=hub.headers(who, lang), data=form, follow_redirects=False
    )


def _seeded(hub: Hub) -> None:
    motor = {
        "material_code": "M004",
        "name_zh": "三相异步电动机 M004",
        "name_en": "Three-phase motor M004",
        "category": "component",
        "base_unit": "H87",
    }
    assert hub.submit(OEM, "material", motor).status_code == 201
    _record(hub, JINLI, "JL-77", "电机 M004")
    _record(hub, HUAYANG, "HY-SECRET-9", "压缩机 M001")
    ranked = _post(hub, "admin", "/review/rank")
    assert (ranked.status_code, ranked.headers["location"]) == (303, "/review?done=ranked")


def test_a_partner_sees_only_its_own_codes_and_cannot_decide(hub: Hub) -> None:
    _seeded(hub)
    for lang in ("en", "zh"):
        mine = hub.get(JINLI, f"/review?lang={lang}").text
        assert "JL-77" in mine and "HY-SECRET-9" not in mine
        assert [o for o in (HUAYANG, TAIHE, f"{HUAYANG} Co.") if o in mine] == []
        assert 'action="/review/accept"' not in mine
    zh = hub.get(JINLI, "/review?lang=zh").text
    assert "三相异步电动机 M004" in zh and "单位一致" in zh and "仅一方提供" in zh
    refused = _post(hub, JINLI, "/review/accept", "zh", partner_id=JINLI,
                    partner_material_code="JL-77", material_code="M004")  # fmt: skip
    assert refused.status_code == 403 and "只有枢纽管理员可以执行此操作" in refused.text
    assert _post(hub, JINLI, "/review/rank").status_code == 403


def test_the_hub_admin_rejects_and_accepts_suggestions(hub: Hub) -> None:
    _seeded(hub)
    page = hub.get("admin", "/review?lang=en").text
    assert "HY-SECRET-9" in page and f"{HUAYANG} Co." in page
    row = page[page.index('id="code-jinli-motor-JL-77"') :]
    row = row[: row.index("</tbody>")]
    assert 'data-material="M004"' in row and "Three-phase motor M004" in row
    assert "unit agrees" in row and "stated on one side only" in row
    wrong = _post(hub, "admin", "/review/reject", partner_id=JINLI,
                  partner_material_code="JL-77", material_code="M001")  # fmt: skip
    assert wrong.headers["location"] == "/review?done=rejected"
    right = _post(hub, "admin", "/review/accept", partner_id=JINLI,
                  partner_material_code="JL-77", material_code="M004")  # fmt: skip
    assert right.headers["location"] == "/review?done=accepted"
    again = _post(hub, "admin", "/review/accept", "zh", partner_id=JINLI,
                  partner_material_code="JL-77", material_code="M004")  # fmt: skip
    assert again.status_code == 409 and "该编码已处理" in again.text
    with hub.engine.connect() as conn:
        open_codes = [c.partner_material_code for c in list_unknown_codes(conn=conn)]
        decisions = [(d.material_code, d.decision.value) for d in list_decisions(conn=conn)]
    assert open_codes == ["HY-SECRET-9"]
    assert decisions == [("M001", "rejected"), ("M004", "accepted")]
    assert "JL-77" not in hub.get("admin", "/review?lang=en").text
