"""The KPI catalogue over HTTP: definitions, a supplier's own values, errors in two languages."""

from __future__ import annotations

from tests.api.hub import HUAYANG, JINLI, OEM, Hub


def test_the_catalogue_lists_every_kpi_with_its_meaning(shared_hub: Hub) -> None:
    kpis = {k["kpi_id"]: k for k in shared_hub.get(JINLI, "/api/v1/kpis").json()}
    assert {"otif", "inventory_turnover_days", "supplier_stockout_rate"} <= set(kpis)
    assert kpis["otif"]["name_zh"] == "准时足量交付率"
    assert kpis["otif"]["direction"] == "higher"


def test_a_supplier_gets_only_figures_from_its_own_documents(shared_hub: Hub) -> None:
    leader = shared_hub.get(OEM, "/api/v1/kpis/data_timeliness?by=total").json()
    own = shared_hub.get(JINLI, "/api/v1/kpis/data_timeliness?by=total").json()
    assert {v["partner_id"] for v in leader["values"]} >= {OEM, JINLI, HUAYANG}
    # jinli-motor sees its own documents and haichuan's orders to it, nothing of huayang's.
    assert HUAYANG not in {v["partner_id"] for v in own["values"]}
    assert JINLI in {v["partner_id"] for v in own["values"]}


def test_errors_are_404_and_422_with_a_message(shared_hub: Hub) -> None:
    missing = shared_hub.get(JINLI, "/api/v1/kpis/happiness")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "kpi_not_found"
    bad = shared_hub.get(JINLI, "/api/v1/kpis/otif/compare?before=2025-07&after=x:y")
    # The published pattern of a period (FROM:TO) refuses it before the KPI service sees it.
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_request")
    assert bad.json()["error"]["location"] == {"field": "query.before"}
    reversed_window = shared_hub.get(JINLI, "/api/v1/kpis/otif?from=2025-08-01&to=2025-07-01")
    assert reversed_window.status_code == 422


def test_compare_answers_per_partner(shared_hub: Hub) -> None:
    answer = shared_hub.get(
        OEM,
        "/api/v1/kpis/data_timeliness/compare?before=2020-01-01:2025-12-31"
        "&after=2026-01-01:2030-12-31",
    )
    assert answer.status_code == 200
    changes = answer.json()["changes"]
    assert changes and all(set(c) >= {"partner_id", "before", "after", "improved"} for c in changes)
