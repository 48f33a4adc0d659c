"""A served hub prepares its pages in a thread from its start; an app built for tests does not."""

from __future__ import annotations

import gc
from typing import NoReturn

import pytest
from fastapi import FastAPI

from chainhub.kpi import compiled
from chainhub.kpi.service import get_supplier_ids
from chainhub.storage import answers
from chainhub.web.kpi_pages import list_dashboard_windows
from chainhub.web.render import templates
from chainhub.web.warmup import PageWarmup
from tests.api.hub import JINLI, OEM, Hub


def _refused(*_: object, **__: object) -> NoReturn:
    raise AssertionError("an answer the warm-up should have kept was computed")


def test_the_warm_up_prepares_routes_templates_and_the_dashboard_kpis(hub: Hub) -> None:
    app = hub.client.app
    assert isinstance(app, FastAPI)
    # An app that is not served starts no warm-up: a test pays nothing for it.
    assert not app.state.warmup.wait(0)
    compiled._queries.clear()
    templates.env.cache.clear()  # type: ignore[union-attr]
    warmup = PageWarmup(app=app, engine=hub.engine)
    frozen = gc.get_freeze_count()
    try:
        warmup.start()
        assert warmup.wait(120)
        warmup.stop()
        # Last, what the start built left the collector's walks.
        assert gc.get_freeze_count() > frozen + 10_000
    finally:
        gc.unfreeze()
    assert warmup.kpis_compiled == len(list_dashboard_windows()) == len(compiled._queries)
    # Then each ran once over the whole chain, and the overview's alerts, the data page's
    # counts and the quality page's lags were read; then the audit chain was verified whole.
    assert warmup.kpis_run == warmup.kpis_compiled
    assert list(warmup.steps)[-7:] == [
        "answers", "alerts", "data", "quality", "suppliers", "audit", "freeze"
    ]  # fmt: skip
    # Then what each supplier's own first views read, over what it sees.
    with hub.engine.connect() as conn:
        assert warmup.suppliers_read == len(get_supplier_ids(conn=conn)) > 1
    assert len(templates.env.cache or {}) == len(templates.env.list_templates())
    assert app.openapi_schema is not None
    # The overview's cards and the scorecards' rankings come first; every KPI is there once.
    plan = list_dashboard_windows()
    assert [k for k, _ in plan[:5]] == ["inventory_turnover_days", "order_confirmation_cycle",
                                        "production_plan_on_time_rate", "supplier_stockout_rate",
                                        "otif"]  # fmt: skip
    assert len(plan) == len(set(plan)) == 14 + 7
    # The chain leader's first overview and a supplier's scorecard, and a supplier's first
    # overview, data page and own scorecard read only what the warm-up kept.
    views = [(OEM, "/"), (OEM, f"/suppliers/{JINLI}"), (JINLI, "/"), (JINLI, "/data"),
             (JINLI, f"/suppliers/{JINLI}")]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(answers, "_compute_and_keep", _refused)
        for who, path in views:
            assert hub.get(who, path).status_code == 200, (who, path)
    assert hub.get(OEM, "/").status_code == 200
    # The audit page's first view goes on from the warm-up's pass over the whole chain.
    audit = hub.get("admin", "/audit?lang=en").text
    assert 'data-ok="true"' in audit and "entries since then, recomputed now:" in audit
