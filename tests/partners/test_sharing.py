"""Sharing agreements and tokens take effect, and stop, at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from chainhub.access.schemas import Role
from chainhub.access.tokens import do_create_token, list_tokens
from chainhub.partners.service import do_issue_demo_tokens
from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, Hub


def _lots(hub: Hub, who: str) -> list[str]:
    page = hub.get(who, "/api/v1/documents/inventory_snapshot").json()
    return sorted(r["lot_number"] for r in page["records"])


def test_vmi_shows_the_oem_stock_of_supplied_parts_only(hub: Hub) -> None:
    assert _lots(hub, JINLI) == ["L-M004-A", "L-M004-B"]
    assert _lots(hub, HUAYANG) == ["L-HY-FG-1", "L-M001-A", "L-M001-B"]
    assert _lots(hub, TAIHE) == []


def test_revoking_an_agreement_takes_effect_at_once(hub: Hub) -> None:
    agreement = hub.agreements[JINLI]
    revoked = hub.post(JINLI, f"/api/v1/agreements/{agreement}/revoke")
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")
    assert _lots(hub, JINLI) == []
    again = hub.post(OEM, f"/api/v1/agreements/{agreement}/revoke")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "agreement_state")


def test_a_proposal_applies_only_once_the_other_side_accepts(hub: Hub) -> None:
    proposal = {
        "grantor_id": OEM,
        "grantee_id": TAIHE,
        "document_types": ["inventory_snapshot"],
        "scope_kind": "categories",
        "scope_values": ["packaging"],
        "purpose": "packaging",
        "valid_from": "2026-01-01",
    }
    created = hub.post(TAIHE, "/api/v1/agreements", json=proposal).json()
    assert (created["status"], created["proposed_by"]) == ("proposed", TAIHE)
    assert _lots(hub, TAIHE) == []
    own = hub.post(TAIHE, f"/api/v1/agreements/{created['agreement_id']}/accept")
    assert (own.status_code, own.json()["error"]["code"]) == (403, "forbidden")
    stranger = hub.post(JINLI, f"/api/v1/agreements/{created['agreement_id']}/accept")
    assert stranger.status_code == 404
    assert hub.post(OEM, f"/api/v1/agreements/{created['agreement_id']}/accept").status_code == 200
    assert _lots(hub, TAIHE) == ["L-M009-A", "L-M009-B"]


def test_an_expired_agreement_shares_nothing(hub: Hub) -> None:
    proposal = {
        "grantor_id": OEM,
        "grantee_id": TAIHE,
        "document_types": ["inventory_snapshot"],
        "scope_kind": "materials",
        "scope_values": ["M001"],
        "purpose": "old",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
    }
    created = hub.post(OEM, "/api/v1/agreements", json=proposal).json()
    assert (
        hub.post(TAIHE, f"/api/v1/agreements/{created['agreement_id']}/accept").status_code == 200
    )
    assert _lots(hub, TAIHE) == []


def test_bad_proposals_are_refused_with_their_field(hub: Hub) -> None:
    base = {
        "grantor_id": OEM,
        "grantee_id": TAIHE,
        "document_types": ["inventory_snapshot"],
        "scope_kind": "all",
        "purpose": "x",
        "valid_from": "2026-01-01",
    }
    cases = [
        ({"grantee_id": OEM}, 422, "agreement_self"),
        ({"scope_kind": "materials"}, 422, "agreement_scope"),
        ({"valid_to": "2025-01-01"}, 422, "agreement_dates"),
        ({"document_types": ["gossip"]}, 404, "unknown_document_type"),
    ]
    for change, status, code in cases:
        response = hub.post(OEM, "/api/v1/agreements", json={**base, **change})
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    outsider = hub.post(JINLI, "/api/v1/agreements", json=base)
    assert (outsider.status_code, outsider.json()["error"]["code"]) == (403, "forbidden")


def test_a_revoked_token_is_refused_at_once(hub: Hub) -> None:
    token_id = hub.tokens["jinli-member"].split("_")[1]
    assert hub.get("jinli-member", "/api/v1/me").json()["user_id"] is not None
    assert (
        hub.client.delete(f"/api/v1/tokens/{token_id}", headers=hub.headers(HUAYANG)).status_code
        == 404
    )
    assert (
        hub.client.delete(f"/api/v1/tokens/{token_id}", headers=hub.headers(JINLI)).status_code
        == 204
    )
    refused = hub.get("jinli-member", "/api/v1/documents/purchase_order")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_token")


def test_an_expired_token_is_refused(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        token = do_create_token(
            conn=conn,
            partner_id=JINLI,
            role=Role.PARTNER_MEMBER,
            label="old",
            expires_in=timedelta(days=1),
            now=datetime.now(UTC) - timedelta(days=2),
        )
    response = hub.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_partner_admins_issue_tokens_for_their_own_partner_only(hub: Hub) -> None:
    made = hub.post(JINLI, "/api/v1/tokens", json={"role": "analyst", "label": "bi"})
    assert made.status_code == 201
    assert (made.json()["partner_id"], made.json()["role"]) == (JINLI, "analyst")
    me = hub.client.get("/api/v1/me", headers={"Authorization": f"Bearer {made.json()['token']}"})
    assert me.json()["role"] == "analyst"
    other = hub.post(JINLI, "/api/v1/tokens", json={"partner_id": HUAYANG})
    admin = hub.post(JINLI, "/api/v1/tokens", json={"role": "hub_admin"})
    member = hub.post("jinli-member", "/api/v1/tokens", json={})
    assert [other.status_code, admin.status_code, member.status_code] == [403, 403, 403]
    listed = hub.get(JINLI, "/api/v1/tokens").json()
    assert {t["partner_id"] for t in listed} == {JINLI}
    assert all("token" not in t and "token_hash" not in t for t in listed)


def test_demo_tokens_give_the_named_views(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        issued = do_issue_demo_tokens(conn=conn)
        stored = list_tokens(conn=conn)
    assert [(t.partner_id, t.role) for t in issued] == [
        (None, Role.HUB_ADMIN), (OEM, Role.PARTNER_ADMIN), (JINLI, Role.PARTNER_ADMIN),
        (HUAYANG, Role.PARTNER_ADMIN),
    ]  # fmt: skip
    assert len(stored) == 8 + 4
    with hub.engine.connect() as conn:
        hashes = set(conn.execute(sa.text("SELECT token_hash FROM api_tokens")).scalars())
    assert not any(t.token.split("_", 2)[2] in hashes for t in issued)
    jinli = {"Authorization": f"Bearer {issued[2].token}"}
    overview = hub.client.get("/api/v1/me/overview", headers=jinli).json()
    assert [(s["material_code"], s["on_hand"]) for s in overview["supplied"]] == [("M004", "120")]
    oem = {"Authorization": f"Bearer {issued[1].token}"}
    assert hub.client.get("/api/v1/documents/purchase_order", headers=oem).json()["total"] == 5


def test_a_second_demo_run_keeps_its_agreements(hub: Hub) -> None:
    admin = {"Authorization": f"Bearer {hub.tokens['admin']}"}
    before = len(hub.client.get("/api/v1/agreements", headers=admin).json())
    for _ in range(2):
        with hub.engine.begin() as conn:
            do_issue_demo_tokens(conn=conn)
    after = hub.client.get("/api/v1/agreements", headers=admin).json()
    vmi = [a for a in after if a["purpose"].startswith("vendor-managed inventory")]
    assert sorted(a["grantee_id"] for a in vmi) == [HUAYANG, JINLI]
    assert len(after) == before + 2
