"""KPI queries are compiled once per process: a repeated KPI still reads the documents stored
since, and a caller's changed grants change what it reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from chainhub.kpi import compiled
from chainhub.kpi.service import access_kpi_values
from chainhub.partners.agreements import do_accept_agreement, do_propose_agreement
from chainhub.partners.schemas import AgreementCreate, ScopeKind
from tests.kpi.conftest import DONGFANG, JINLI, OEM, TODAY, po_line, principal, receipt, submit


def _otif(engine: sa.Engine, caller: str | None) -> dict[str, float | None]:
    with engine.connect() as conn:
        found = access_kpi_values(
            conn=conn, principal=principal(caller), today=TODAY, kpi_id="otif", by="total"
        )
    return {v.partner_id: v.value for v in found.values}


def _turnover(engine: sa.Engine, caller: str) -> dict[str, float | None]:
    with engine.connect() as conn:
        found = access_kpi_values(
            conn=conn,
            principal=principal(caller),
            today=TODAY,
            kpi_id="inventory_turnover_days",
            start=date(2025, 7, 1),
            end=date(2025, 7, 31),
        )
    return {f"{v.partner_id}@{v.period}": v.value for v in found.values}


def test_a_repeated_kpi_reads_the_documents_stored_since(chain: sa.Engine, tmp_path: Path) -> None:
    assert _otif(chain, OEM) == {DONGFANG: 50.0, JINLI: 33.3333}
    cached = len(compiled._queries)
    # dongfang-steel delivers a second order in full and on time: 2 of 3 lines.
    order = po_line("PO9", 10, "M002", 10, supplier=DONGFANG, ordered="2025-07-20",
                    requested="2025-07-28", confirmed="2025-07-28", status="delivered")  # fmt: skip
    submit(chain, tmp_path, "purchase_order", [order], by=OEM)
    arrived = receipt("GR9", "PO9", 10, "M002", 10, "2025-07-27", supplier=DONGFANG)
    submit(chain, tmp_path, "goods_receipt", [arrived], by=OEM)
    assert _otif(chain, OEM) == {DONGFANG: 66.6667, JINLI: 33.3333}
    assert len(compiled._queries) == cached  # the same compiled query, run on the new rows
    compiled._queries.clear()
    assert _otif(chain, OEM) == {DONGFANG: 66.6667, JINLI: 33.3333}


def test_an_accepted_agreement_changes_what_the_same_caller_reads(chain: sa.Engine) -> None:
    before = _turnover(chain, DONGFANG)
    proposal = AgreementCreate(
        grantor_id=JINLI,
        grantee_id=DONGFANG,
        document_types=["inventory_snapshot", "shipment", "purchase_order", "sales_order"],
        scope_kind=ScopeKind.ALL,
        purpose="turnover of the compressors dongfang's steel goes into",
        valid_from=date(2025, 1, 1),
    )
    with chain.begin() as conn:
        agreement = do_propose_agreement(conn=conn, principal=principal(JINLI), proposal=proposal)
        do_accept_agreement(
            conn=conn, principal=principal(DONGFANG), agreement_id=agreement.agreement_id
        )
    after = _turnover(chain, DONGFANG)
    assert before == {}
    assert after == {f"{JINLI}@2025-07-01": 10.0} == _turnover(chain, OEM)


def test_callers_share_one_compiled_query_and_read_only_their_own_rows(chain: sa.Engine) -> None:
    compiled._queries.clear()
    chain_view = _otif(chain, OEM)
    assert len(compiled._queries) == 1
    # The same query with each caller's visible rows written in: jinli-motor rates its own
    # order to dongfang-steel only, dongfang-steel sees nothing of jinli-motor's suppliers.
    assert _otif(chain, JINLI) == {DONGFANG: 0.0, JINLI: chain_view[JINLI]}
    assert _otif(chain, DONGFANG) == {DONGFANG: chain_view[DONGFANG]}
    assert len(compiled._queries) == 1
