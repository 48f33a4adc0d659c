"""Master-data review over HTTP: each partner sees only its own unknown codes; only the hub
admin decides matches, and an accepted match becomes a crosswalk version."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.storage.service import list_current_records
from tests.api.hub import HUAYANG, JINLI, Hub

SEEN = datetime(2026, 3, 8, 9, tzinfo=UTC)


def _record(hub: Hub, partner: str, code: str, description: str) -> None:
    codes = pl.DataFrame(
        {"partner_material_code": [code], "description": [description], "unit": ["件"]}
    )
    with hub.engine.begin() as conn:
        do_record_unknown_codes(
            conn=conn, partner_id=partner, codes=codes, submission_ref="test", seen_at=SEEN
        )


def test_partners_see_only_their_own_unknown_codes(hub: Hub) -> None:
    _record(hub, JINLI, "JL-77", "电机 M004")
    _record(hub, HUAYANG, "HY-SECRET-9", "压缩机")
    own = hub.get(JINLI, "/api/v1/masterdata/unknown-codes").json()
    snooping = hub.get(JINLI, f"/api/v1/masterdata/unknown-codes?partner_id={HUAYANG}").json()
    everything = hub.get("admin", "/api/v1/masterdata/unknown-codes").json()
    assert [c["partner_material_code"] for c in own] == ["JL-77"]
    assert [c["partner_material_code"] for c in snooping] == ["JL-77"]
    assert sorted(c["partner_material_code"] for c in everything) == ["HY-SECRET-9", "JL-77"]


def test_only_the_hub_admin_accepts_and_acceptance_writes_the_crosswalk(hub: Hub) -> None:
    _record(hub, JINLI, "JL-77", "电机 M004")
    decision = {"partner_id": JINLI, "partner_material_code": "JL-77", "material_code": "M004"}
    refused = hub.post(JINLI, "/api/v1/masterdata/accept", json=decision)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    accepted = hub.post("admin", "/api/v1/masterdata/accept", json=decision)
    assert accepted.status_code == 201, accepted.text
    with hub.engine.connect() as conn:
        crosswalk = list_current_records(
            conn=conn, document_type="material_crosswalk", filters={"partner_id": JINLI}
        )
    assert (
        dict(zip(crosswalk["partner_material_code"], crosswalk["material_code"], strict=True))[
            "JL-77"
        ]
        == "M004"
    )
    assert hub.get(JINLI, "/api/v1/masterdata/unknown-codes").json() == []
