"""Scorecards over HTTP: the chain leader sees every partner's, a supplier only its own."""

from __future__ import annotations

from tests.api.hub import JINLI, OEM, Hub


def test_a_supplier_sees_only_its_own_scorecard(shared_hub: Hub) -> None:
    everyone = shared_hub.get(OEM, "/api/v1/intake/scorecards").json()
    own = shared_hub.get(JINLI, "/api/v1/intake/scorecards").json()
    snooping = shared_hub.get(JINLI, f"/api/v1/intake/scorecards?partner_id={OEM}").json()
    assert {c["partner_id"] for c in everyone} >= {OEM, JINLI}
    assert [c["partner_id"] for c in own] == [JINLI]
    assert snooping == own
    (jinli,) = own
    assert jinli["attempts"] >= 1 and jinli["rows_accepted"] >= 1
