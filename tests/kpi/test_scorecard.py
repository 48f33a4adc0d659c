"""The per-partner data-quality scorecard, from the intake log and stored documents."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from chainhub.intake.service import do_submit
from chainhub.kpi.schemas import RuleCount
from chainhub.kpi.scorecard import list_scorecards
from tests.intake.shipments import SHIPMENT_PROFILE, shipment_file
from tests.support import submitter


def _ingest(engine: sa.Engine, path: Path, at: datetime, *, accept_valid: bool = False) -> str:
    with engine.begin() as conn:
        return do_submit(
            conn=conn,
            path=path,
            profile=SHIPMENT_PROFILE,
            submitter=submitter("jinli-motor"),
            accept_valid=accept_valid,
            received_at=at,
        ).status


def test_scorecard_counts_rows_rules_and_lateness(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    rejected = shipment_file(
        tmp_path,
        "ASN-1,20260305,20260308,10,MAT01,0,件,L1\n"
        "ASN-1,20260305,20260308,20,MAT77,1,件,L2\n"
        "ASN-2,20260305,20260308,10,MAT01,0,件,L3\n",
        "rejected.csv",
    )
    on_time = shipment_file(tmp_path, "ASN-3,20260305,20260308,10,MAT01,5,件,L1\n", "a.csv")
    late = shipment_file(
        tmp_path,
        "ASN-4,20260301,20260308,10,MAT01,5,件,L1\nASN-5,20260301,20260308,10,MAT01,-5,件,L2\n",
        "b.csv",
    )
    assert _ingest(with_crosswalk, rejected, datetime(2026, 3, 5, 12, tzinfo=UTC)) == "rejected"
    assert _ingest(with_crosswalk, on_time, datetime(2026, 3, 5, 12, tzinfo=UTC)) == "stored"
    assert _ingest(with_crosswalk, on_time, datetime(2026, 3, 6, tzinfo=UTC)) == "duplicate"
    assert (
        _ingest(with_crosswalk, late, datetime(2026, 3, 5, 12, tzinfo=UTC), accept_valid=True)
        == "partial"
    )
    with with_crosswalk.connect() as conn:
        (card,) = list_scorecards(conn=conn, partner_id="jinli-motor")
    assert (card.attempts, card.stored, card.partial, card.rejected, card.duplicates) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert (card.rows_accepted, card.rows_rejected, card.acceptance_rate) == (2, 4, 0.3333)
    assert card.top_rules == [
        RuleCount(rule="range", field="quantity", errors=3),
        RuleCount(rule="crosswalk", field="material_code", errors=1),
    ]
    # The file of ASN-3 arrived on the day of its ship date (0 days), the file whose stored
    # ASN-4 was shipped on 03-01 four days after: a median of 2, one of two on time.
    assert (card.median_lag_days, card.on_time_share) == (2.0, 0.5)
