"""KPI queries compiled ahead (as a served hub does at its start) are the ones their first
caller runs: it compiles nothing more and reads the same values."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from chainhub.kpi import compiled
from chainhub.kpi.catalogue import KpiDefinition, Sources, Window
from chainhub.kpi.precompile import do_compile_kpis, do_run_kpis
from chainhub.kpi.service import access_kpi_values
from tests.kpi.conftest import DONGFANG, JINLI, OEM, TODAY, principal

# A window no other test asks for, so the process-wide cache does not hold it already.
START = date(2025, 6, 3)
PLAN = [("otif", Window(START, by="total")), ("fill_rate", Window(START, by="total"))]


def _otif(engine: sa.Engine) -> dict[str, float | None]:
    with engine.connect() as conn:
        found = access_kpi_values(
            conn=conn, principal=principal(OEM), today=TODAY, kpi_id="otif", start=START, by="total"
        )
    return {v.partner_id: v.value for v in found.values}


def test_a_precompiled_kpi_is_not_compiled_again_by_its_first_caller(
    chain: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled._queries.clear()
    expected = _otif(chain)  # compiled on the way
    compiled._queries.clear()
    assert do_compile_kpis(engine=chain, plan=PLAN, stop=threading.Event()) == 2
    assert do_compile_kpis(engine=chain, plan=PLAN, stop=threading.Event()) == 0

    def refused(definition: KpiDefinition, src: Sources, window: Window) -> None:
        raise AssertionError(f"{definition.kpi_id} compiled again")

    monkeypatch.setattr(compiled, "_compile", refused)
    assert _otif(chain) == expected
    assert expected  # the chain has values to compare


def test_a_stopped_precompilation_compiles_nothing(chain: sa.Engine) -> None:
    compiled._queries.clear()
    stop = threading.Event()
    stop.set()
    assert do_compile_kpis(engine=chain, plan=PLAN, stop=stop) == 0
    assert len(compiled._queries) == 0


def test_a_kpi_run_over_the_whole_chain_answers_the_chain_leaders_first_view(
    chain: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A window of its own, so that no other test kept its answer.
    start = date(2025, 6, 4)
    plan = [("otif", Window(start, by="total"))]
    assert do_run_kpis(engine=chain, plan=plan, today=TODAY, stop=threading.Event()) == 1

    def refused(*_: object) -> None:
        raise AssertionError("otif run again")

    monkeypatch.setattr(compiled, "run_sql", refused)
    with chain.connect() as conn:
        found = access_kpi_values(
            conn=conn, principal=principal(OEM), today=TODAY, kpi_id="otif", start=start, by="total"
        )
    assert {v.partner_id for v in found.values} == {JINLI, DONGFANG}
