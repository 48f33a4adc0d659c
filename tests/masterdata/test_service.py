"""Unknown codes, suggestions and decisions, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest
import sqlalchemy as sa

from chainhub.errors import ChainhubError
from chainhub.intake.schemas import CodeStatus
from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.masterdata.schemas import DecisionKind, DecisionMode
from chainhub.masterdata.service import (
    HUB_SUBMITTER,
    REVIEW_SOURCE_FILE,
    do_accept_match,
    do_auto_accept,
    do_reject_match,
    do_suggest_matches,
    list_decided_pairs,
    list_decisions,
    list_suggestions,
    list_unknown_codes,
)
from chainhub.storage.service import get_document_history, list_current_records

from .conftest import decimal, store_golden

SEEN = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
PARTNER = "huayang-compressor"


def codes(*rows: tuple[str, str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["partner_material_code", "description", "unit"],
                        orient="row")  # fmt: skip


@pytest.fixture
def hub(engine: sa.Engine) -> sa.Engine:
    store_golden(engine)
    with engine.begin() as conn:
        recorded = do_record_unknown_codes(
            conn=conn, partner_id=PARTNER, submission_ref="sub-1", seen_at=SEEN,
            codes=codes(
                ("MAT01", "压缩机QX-1.5P 1.5匹", "个"),
                ("MAT01", None, None),
                ("MAT04", "SPCC冷轧板 0.8mm", "千克"),
                ("MAT09", "螺丝 M4*12 SUS304", "箱"),
            ),
        )  # fmt: skip
        assert recorded == 3
        assert do_suggest_matches(conn=conn, now=SEEN) == 3
    return engine


def test_repeats_count_and_keep_the_first_description(hub: sa.Engine) -> None:
    with hub.begin() as conn:
        do_record_unknown_codes(
            conn=conn, partner_id=PARTNER, submission_ref="sub-2", seen_at=LATER,
            codes=codes(("MAT01", "other text", "PCS")),
        )  # fmt: skip
        found = {c.partner_material_code: c for c in list_unknown_codes(conn=conn)}
    assert sorted(found) == ["MAT01", "MAT04", "MAT09"]
    mat01 = found["MAT01"]
    assert (mat01.occurrences, mat01.description, mat01.unit) == (3, "压缩机QX-1.5P 1.5匹", "个")
    assert (mat01.first_seen_at, mat01.last_seen_at) == (SEEN, LATER)
    assert (mat01.last_submission_ref, mat01.status) == ("sub-2", CodeStatus.OPEN)


def test_suggestions_rank_the_right_golden_first(hub: sa.Engine) -> None:
    with hub.connect() as conn:
        suggestions = list_suggestions(conn=conn, partner_id=PARTNER)
    best = {s.partner_material_code: s.material_code for s in suggestions if s.rank == 1}
    assert best == {"MAT01": "M001", "MAT04": "R101", "MAT09": "M015"}
    mat01 = [s for s in suggestions if s.partner_material_code == "MAT01"]
    assert [s.rank for s in mat01] == list(range(1, len(mat01) + 1))
    # Five golden materials teach a coarse calibration: neighbours may share a confidence.
    assert mat01[0].confidence >= mat01[1].confidence
    assert "name" in mat01[0].agreed and "name" not in mat01[1].agreed
    # Sheet steel bought by the kilogram cannot be a screw counted in pieces.
    mat04 = {s.material_code: s for s in suggestions if s.partner_material_code == "MAT04"}
    assert "unit" in mat04["M015"].disagreed and "unit differs" in mat04["M015"].reasons
    assert "unit" in mat04["R101"].agreed and not mat04["R101"].disagreed


def test_accept_writes_a_crosswalk_version_with_provenance(hub: sa.Engine) -> None:
    with hub.begin() as conn:
        decision = do_accept_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT09",
                                   material_code="M015", decided_by="li.wei",
                                   units_per_package=Decimal(500), now=LATER)  # fmt: skip
        crosswalk = list_current_records(conn=conn, document_type="material_crosswalk")
        history = get_document_history(conn=conn, document_type="material_crosswalk",
                                       doc_key=f"{PARTNER}|MAT09")  # fmt: skip
        status = {c.partner_material_code: c.status
                  for c in list_unknown_codes(conn=conn, status=None)}  # fmt: skip
    assert (decision.decision, decision.mode, decision.flagged) == (
        DecisionKind.ACCEPTED,
        DecisionMode.MANUAL,
        False,
    )
    assert decision.decided_by == "li.wei"
    row = crosswalk.row(0, named=True)
    assert (row["partner_id"], row["partner_material_code"], row["material_code"]) == (
        PARTNER,
        "MAT09",
        "M015",
    )
    assert (row["partner_unit"], row["units_per_partner_unit"]) == ("箱", decimal("500"))
    assert (row["_submitted_by"], row["_source_file"]) == (HUB_SUBMITTER, REVIEW_SOURCE_FILE)
    assert row["_submission_id"] == decision.submission_id
    assert history.height == 1 and row["valid_from"] == LATER.date()
    assert status == {"MAT01": CodeStatus.OPEN, "MAT04": CodeStatus.OPEN,
                      "MAT09": CodeStatus.MAPPED}  # fmt: skip


def test_a_package_unit_needs_its_size_and_a_closed_code_refuses(hub: sa.Engine) -> None:
    with hub.begin() as conn, pytest.raises(ChainhubError) as error:
        do_accept_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT09",
                        material_code="M015", decided_by="li.wei")  # fmt: skip
    assert error.value.code == "unit_conversion_needed"
    with hub.begin() as conn:
        do_accept_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT04",
                        material_code="R101", decided_by="li.wei")  # fmt: skip
    with hub.begin() as conn, pytest.raises(ChainhubError) as error:
        do_reject_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT04",
                        material_code="R101", decided_by="li.wei")  # fmt: skip
    assert (error.value.code, error.value.status) == ("unknown_code_closed", 409)


def test_reject_removes_the_suggestion_for_good(hub: sa.Engine) -> None:
    with hub.begin() as conn:
        before = [
            s.material_code for s in list_suggestions(conn=conn, partner_material_code="MAT01")
        ]
        do_reject_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT01",
                        material_code="M001", decided_by="li.wei", now=LATER)  # fmt: skip
        after = list_suggestions(conn=conn, partner_material_code="MAT01")
        do_suggest_matches(conn=conn, now=LATER)
        again = [
            s.material_code for s in list_suggestions(conn=conn, partner_material_code="MAT01")
        ]
        decisions = list_decisions(conn=conn)
    assert [s.material_code for s in after] == before[1:]
    assert [s.rank for s in after] == list(range(1, len(before)))
    assert "M001" not in again
    assert [(d.decision, d.material_code) for d in decisions] == [(DecisionKind.REJECTED, "M001")]


def test_auto_accept_takes_confident_matches_and_flags_them(hub: sa.Engine) -> None:
    with hub.begin() as conn:
        confidences = {s.partner_material_code: s.confidence
                       for s in list_suggestions(conn=conn) if s.rank == 1}  # fmt: skip
        threshold = confidences["MAT01"]
        decisions = do_auto_accept(conn=conn, threshold=threshold, now=LATER)
        still_open = [c.partner_material_code for c in list_unknown_codes(conn=conn)]
    accepted = {d.partner_material_code for d in decisions}
    expected = {c for c, v in confidences.items() if v >= threshold and c != "MAT09"}
    assert "MAT01" in accepted and accepted == expected
    assert all(d.mode is DecisionMode.AUTO and d.flagged for d in decisions)
    assert all(d.confidence is not None and d.confidence >= threshold for d in decisions)
    # The box of MAT09 needs a person to say how many screws it holds.
    assert "MAT09" in still_open


def test_reviewed_decisions_train_the_matcher_and_auto_accepts_do_not(hub: sa.Engine) -> None:
    with hub.begin() as conn:
        do_reject_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT01",
                        material_code="M002", decided_by="li.wei", now=LATER)  # fmt: skip
        do_accept_match(conn=conn, partner_id=PARTNER, partner_material_code="MAT04",
                        material_code="R101", decided_by="li.wei", now=LATER)  # fmt: skip
        do_auto_accept(conn=conn, threshold=0.0, now=LATER)
        auto = [d.partner_material_code for d in list_decisions(conn=conn)
                if d.mode is DecisionMode.AUTO]  # fmt: skip
        decided = list_decided_pairs(conn=conn)
    assert auto == ["MAT01"]
    # Both decided at the same instant: compared as a set.
    assert sorted((d.code.description, d.code.unit, d.material_code, d.accepted)
                  for d in decided) == [
        ("SPCC冷轧板 0.8mm", "千克", "R101", True),
        ("压缩机QX-1.5P 1.5匹", "个", "M002", False),
    ]  # fmt: skip


def test_pinyin_and_initials_find_the_chinese_name(hub: sa.Engine) -> None:
    # LZGB (冷轧钢板) shares no character with any golden record: without pinyin it finds none.
    with hub.begin() as conn:
        do_record_unknown_codes(
            conn=conn, partner_id=PARTNER, submission_ref="sub-3", seen_at=LATER,
            codes=codes(("P1", "LZGB", "KGM"), ("P2", "BXGLD", "PCS"), ("P3", "yasuoji", "PCS")),
        )  # fmt: skip
        do_suggest_matches(conn=conn, now=LATER)
        suggestions = list_suggestions(conn=conn, partner_id=PARTNER)
    best = {s.partner_material_code: s.material_code for s in suggestions if s.rank == 1}
    assert (best["P1"], best["P2"], best["P3"]) == ("R101", "M015", "M001")
