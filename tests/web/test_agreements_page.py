"""The sharing-agreements page: a partner admin proposes, the other side accepts, either side
revokes, through the agreements service; refusals are shown in the page's language; a supplier
is offered, and shown, no other supplier."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.hub import HUADONG, HUAYANG, JINLI, OEM, TAIHE, Hub

OTHERS = (HUAYANG, TAIHE, f"{HUAYANG} Co.", f"{TAIHE} Co.", f"{HUAYANG} 公司", f"{TAIHE} 公司")


def _post(hub: Hub, who: str, path: str, lang: str = "en", **form: Any) -> httpx.Response:
    return hub.client.post(
        f"{path}?lang={lang}", headers=hub.headers(who, lang), data=form, follow_redirects=False
    )


def _propose(hub: Hub, who: str, lang: str = "en", **changes: Any) -> httpx.Response:
    form = {
        "direction": "give",
        "counterparty": OEM,
        "document_types": ["inventory_snapshot", "demand_forecast"],
        "scope_kind": "materials",
        "scope_values": "M004, M005",
        "purpose": "stock visibility",
        "valid_from": "2026-01-01",
        **changes,
    }
    return _post(hub, who, "/agreements", lang, **form)


def _statuses(hub: Hub, who: str) -> dict[str, str]:
    return {a["agreement_id"]: a["status"] for a in hub.get(who, "/api/v1/agreements").json()}


def test_propose_accept_and_revoke_across_two_partners(hub: Hub) -> None:
    before = _statuses(hub, JINLI)
    proposed = _propose(hub, JINLI)
    assert (proposed.status_code, proposed.headers["location"]) == (
        303,
        "/agreements?done=proposed",
    )
    (new,) = set(_statuses(hub, JINLI)) - set(before)
    mine = hub.get(JINLI, "/agreements?lang=en&done=proposed").text
    assert 'id="done"' in mine and f'action="/agreements/{new}/accept"' not in mine
    row = re.search(rf'<tr id="agreement-{new}" data-status="proposed">(.*?)</tr>', mine, re.S)
    assert row is not None
    assert f"{JINLI} Co." in row[1] and "Inventory snapshot, Demand forecast" in row[1]
    assert "these materials: M004, M005" in row[1]
    own = _post(hub, JINLI, f"/agreements/{new}/accept", "zh")
    assert own.status_code == 403 and "只有授权方或被授权方的伙伴管理员" in own.text
    assert "Traceback" not in own.text
    assert f'action="/agreements/{new}/accept"' in hub.get(OEM, "/agreements").text
    accepted = _post(hub, OEM, f"/agreements/{new}/accept")
    assert (accepted.status_code, accepted.headers["location"]) == (
        303,
        "/agreements?done=accepted",
    )
    assert _statuses(hub, OEM)[new] == "accepted"
    revoked = _post(hub, JINLI, f"/agreements/{new}/revoke")
    assert revoked.headers["location"] == "/agreements?done=revoked"
    assert _statuses(hub, JINLI)[new] == "revoked"
    again = _post(hub, OEM, f"/agreements/{new}/revoke", "zh")
    assert again.status_code == 409 and "协议已被撤销" in again.text


def test_refusals_are_shown_in_the_page_language_and_change_nothing(hub: Hub) -> None:
    before = _statuses(hub, JINLI)
    empty = _propose(hub, JINLI, "zh", document_types=[])
    assert empty.status_code == 422 and "提议中的“单据类型”缺失或无效" in empty.text
    scope = _propose(hub, JINLI, "en", scope_kind="all")
    assert scope.status_code == 422
    assert "scope_values lists the materials or categories" in scope.text
    dates = _propose(hub, JINLI, "en", valid_to="2025-12-31")
    assert dates.status_code == 422 and "valid_to is before valid_from" in dates.text
    # Another supplier is not offered, and a forged form naming one is refused.
    forged = _propose(hub, JINLI, "en", counterparty=HUAYANG)
    assert forged.status_code == 422 and "partner is missing or not valid" in forged.text
    assert [o for o in OTHERS if o in forged.text] == []
    member = _propose(hub, "jinli-member")
    assert member.status_code == 403
    assert _statuses(hub, JINLI) == before


def test_a_supplier_sees_and_is_offered_no_other_supplier(hub: Hub) -> None:
    for lang in ("en", "zh"):
        text = hub.get(JINLI, f"/agreements?lang={lang}").text
        assert [o for o in OTHERS if o in text] == [], lang
    text = hub.get(JINLI, "/agreements?lang=en").text
    picker = text[
        text.index('name="counterparty"') : text.index(
            "</select>", text.index('name="counterparty"')
        )
    ]
    assert re.findall(r'<option value="([^"]+)">', picker) == [OEM, HUADONG]
    assert 'data-status="accepted"' in text  # the seed's VMI agreement with the OEM
    analyst = hub.get("jinli-analyst", "/agreements?lang=en").text
    assert 'id="propose"' not in analyst and 'id="no-propose"' in analyst
    everyone = hub.get(OEM, "/agreements?lang=en").text
    assert f"{HUAYANG} Co." in everyone and f"{JINLI} Co." in everyone
