"""Unknown partner codes, their ranked suggestions, and decisions that write crosswalks."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.errors import ChainhubError
from chainhub.intake.attempts import IngestResult
from chainhub.intake.models import unknown_codes
from chainhub.intake.schemas import CodeStatus
from chainhub.intake.service import Submitter, do_submit_records, errors_as_records
from chainhub.masterdata.chain_model import (
    AUTO_ACCEPT_THRESHOLD,
    DecidedPair,
    GoldenMaterial,
    PartnerCode,
    code_record,
    get_chain_matcher,
    get_golden_index,
    get_pinyin_table,
)
from chainhub.masterdata.index import suggest_records
from chainhub.masterdata.models import masterdata_decisions, masterdata_suggestions
from chainhub.masterdata.records import Explanation
from chainhub.masterdata.schemas import (
    DecisionKind,
    DecisionMode,
    DecisionRead,
    MaterialLabel,
    SuggestionRead,
    UnknownCodeRead,
)
from chainhub.standard.unit_words import units_per_partner_unit
from chainhub.storage.models import current_view

HUB_SUBMITTER: Final = "hub"
REVIEW_SOURCE_FILE: Final = "masterdata-review"
REASON_SEPARATOR: Final = "; "


def list_unknown_codes(
    *,
    conn: Connection,
    partner_id: str | None = None,
    status: CodeStatus | None = CodeStatus.OPEN,
    material: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UnknownCodeRead]:
    """Unknown codes, most frequent first, optionally of one partner and one status, of one
    material (the partner's code, or a golden code suggested for it) and seen in [since,
    until)."""
    table = unknown_codes
    query = sa.select(table).order_by(
        table.c.occurrences.desc(), table.c.partner_id, table.c.partner_material_code
    )
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    if material is not None:
        suggested = (
            sa.select(masterdata_suggestions.c.partner_id)
            .where(
                masterdata_suggestions.c.partner_id == table.c.partner_id,
                masterdata_suggestions.c.partner_material_code == table.c.partner_material_code,
                masterdata_suggestions.c.material_code == material,
            )
            .exists()
        )
        query = query.where(sa.or_(table.c.partner_material_code == material, suggested))
    if since is not None:
        query = query.where(table.c.last_seen_at >= since)
    if until is not None:
        query = query.where(table.c.first_seen_at < until)
    if status is not None:
        query = query.where(table.c.status == status.value)
    return [UnknownCodeRead.model_validate(row) for row in conn.execute(query).mappings()]


def list_suggestions(
    *, conn: Connection, partner_id: str | None = None, partner_material_code: str | None = None
) -> list[SuggestionRead]:
    """Stored suggestions, by partner and code, best first."""
    table = masterdata_suggestions
    query = sa.select(table).order_by(
        table.c.partner_id, table.c.partner_material_code, table.c.rank
    )
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    if partner_material_code is not None:
        query = query.where(table.c.partner_material_code == partner_material_code)
    return [_suggestion(row) for row in conn.execute(query).mappings()]


def list_decisions(*, conn: Connection, partner_id: str | None = None) -> list[DecisionRead]:
    """Recorded decisions, oldest first."""
    table = masterdata_decisions
    query = sa.select(table).order_by(table.c.decided_at, table.c.decision_id)
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    return [DecisionRead.model_validate(row) for row in conn.execute(query).mappings()]


def list_golden_materials(*, conn: Connection) -> list[GoldenMaterial]:
    """Current golden materials as match targets, by code."""
    view = current_view("material")
    rows = conn.execute(
        sa.select(
            view.c.material_code, view.c.name_zh, view.c.name_en, view.c.spec,
            view.c.category, view.c.base_unit,
        ).order_by(view.c.material_code)
    ).all()  # fmt: skip
    return [GoldenMaterial(r.material_code, r.name_zh, r.name_en, r.spec, r.category, r.base_unit)
            for r in rows]  # fmt: skip


def list_decided_pairs(*, conn: Connection) -> list[DecidedPair]:
    """The chain's reviewed decisions with what the partner said of its code, oldest first.

    Auto-accepted matches are left out: they are the matcher's own word, not a reviewer's."""
    decisions, codes = masterdata_decisions, unknown_codes
    rows = conn.execute(
        sa.select(decisions.c.partner_id, decisions.c.partner_material_code,
                  decisions.c.material_code, decisions.c.decision, codes.c.description,
                  codes.c.unit)
        .join(codes, sa.and_(codes.c.partner_id == decisions.c.partner_id,
                             codes.c.partner_material_code == decisions.c.partner_material_code))
        .where(decisions.c.mode == DecisionMode.MANUAL.value)
        .order_by(decisions.c.decided_at, decisions.c.decision_id)
    ).all()  # fmt: skip
    return [
        DecidedPair(PartnerCode(_code_key(r.partner_id, r.partner_material_code), r.description,
                                r.unit),
                    r.material_code, r.decision == DecisionKind.ACCEPTED.value)
        for r in rows
    ]  # fmt: skip


def _reasons(explanation: Explanation) -> str:
    words = (
        *(f"{name} agrees" for name in explanation.agreed),
        *(f"{name} differs" for name in explanation.disagreed),
        *(f"{name} stated on one side only" for name in explanation.missing),
    )
    return REASON_SEPARATOR.join(words)


def get_material_labels(*, conn: Connection, codes: Collection[str]) -> dict[str, MaterialLabel]:
    """The golden materials among `codes`, by code, with their names and base unit."""
    if not codes:
        return {}
    view = current_view("material")
    rows = conn.execute(
        sa.select(view.c.material_code, view.c.name_zh, view.c.name_en, view.c.base_unit).where(
            view.c.material_code.in_(sorted(codes))
        )
    ).mappings()
    return {r["material_code"]: MaterialLabel.model_validate(dict(r)) for r in rows}


def do_suggest_matches(
    *,
    conn: Connection,
    partner_id: str | None = None,
    top_k: int = 5,
    now: datetime | None = None,
    store: Path | None = None,
) -> int:
    """Rank golden materials for every open code, replacing earlier suggestions; returns codes.

    The matcher learns from the golden master and the chain's reviewed decisions (see
    chain_model), comparing every attribute both sides state. The master is prepared once per
    version and kept under `store` (see chain_model.get_prepared_master)."""
    now = now or datetime.now(UTC)
    open_codes = list_unknown_codes(conn=conn, partner_id=partner_id)
    materials = list_golden_materials(conn=conn)
    pinyin = get_pinyin_table(materials) if open_codes else {}
    queries = [
        code_record(PartnerCode(_code_key(c.partner_id, c.partner_material_code), c.description,
                                c.unit), fallback=c.partner_material_code, pinyin=pinyin)
        for c in open_codes
    ]  # fmt: skip
    refused = _rejected_pairs(conn=conn, partner_id=partner_id)
    ranked = []
    if queries and materials:
        matcher = get_chain_matcher(materials, list_decided_pairs(conn=conn), store=store)
        ranked = suggest_records(queries, get_golden_index(materials, store=store),
                                 matcher=matcher, top_k=top_k + len(refused))  # fmt: skip
    rows: list[dict[str, Any]] = []
    ranks: dict[str, int] = {}
    for s in ranked:
        if (s.query_key, s.golden_key) in refused or ranks.get(s.query_key, 0) >= top_k:
            continue
        ranks[s.query_key] = ranks.get(s.query_key, 0) + 1
        pid, code = s.query_key.split("\x1f")
        e = s.explanation
        rows.append({"partner_id": pid, "partner_material_code": code,
                     "rank": ranks[s.query_key], "material_code": s.golden_key,
                     "confidence": s.confidence, "reasons": _reasons(e),
                     "agreed": ",".join(e.agreed), "disagreed": ",".join(e.disagreed),
                     "missing": ",".join(e.missing), "suggested_at": now})  # fmt: skip
    table = masterdata_suggestions
    for c in open_codes:
        conn.execute(
            sa.delete(table).where(
                table.c.partner_id == c.partner_id,
                table.c.partner_material_code == c.partner_material_code,
            )
        )
    if rows:
        conn.execute(sa.insert(table), rows)
    return len(ranks)


def check_open_code(
    *, conn: Connection, partner_id: str, partner_material_code: str
) -> UnknownCodeRead:
    """The unknown code, which must exist and be open."""
    table = unknown_codes
    row = (
        conn.execute(
            sa.select(table).where(
                table.c.partner_id == partner_id,
                table.c.partner_material_code == partner_material_code,
            )
        )
        .mappings()
        .first()
    )
    where: dict[str, str | int] = {"partner": partner_id, "code": partner_material_code}
    if row is None:
        raise ChainhubError("unknown_code_not_found", "no such unknown partner code",
                            "没有该待匹配的伙伴编码", where, status=404)  # fmt: skip
    code = UnknownCodeRead.model_validate(row)
    if code.status is not CodeStatus.OPEN:
        raise ChainhubError("unknown_code_closed", f"the code is already {code.status.value}",
                            f"该编码已处理（{code.status.value}）", where, status=409)  # fmt: skip
    return code


def _base_unit(*, conn: Connection, material_code: str) -> str:
    view = current_view("material")
    unit = conn.execute(
        sa.select(view.c.base_unit).where(view.c.material_code == material_code)
    ).scalar_one_or_none()
    if unit is None:
        raise ChainhubError("material_not_found", "no such golden material", "没有该标准物料",
                            {"material": material_code}, status=404)  # fmt: skip
    return str(unit)


def do_accept_match(
    *,
    conn: Connection,
    partner_id: str,
    partner_material_code: str,
    material_code: str,
    decided_by: str,
    units_per_package: Decimal | None = None,
    mode: DecisionMode = DecisionMode.MANUAL,
    now: datetime | None = None,
) -> DecisionRead:
    """Map the code to the golden material: store a crosswalk version and record the decision."""
    now = now or datetime.now(UTC)
    code = check_open_code(
        conn=conn, partner_id=partner_id, partner_material_code=partner_material_code
    )
    base_unit = _base_unit(conn=conn, material_code=material_code)
    factor = units_per_partner_unit(
        partner_unit=code.unit, base_unit=base_unit, units_per_package=units_per_package
    )
    if factor is None:
        raise ChainhubError(
            "unit_conversion_needed",
            f"unit {code.unit!r} does not convert to {base_unit}: give the base units in one "
            f"{code.unit}",
            f"单位 {code.unit!r} 无法换算为 {base_unit}：请给出每{code.unit}折合的基本单位数量",
            {"partner": partner_id, "code": partner_material_code},
        )
    record = {
        "partner_id": partner_id,
        "partner_material_code": partner_material_code,
        "material_code": material_code,
        "partner_unit": code.unit,
        "units_per_partner_unit": format(factor.normalize(), "f"),
        "valid_from": now.date().isoformat(),
    }
    # The hub's master-data review publishes crosswalks for the chain, through the one write path.
    submitter = Submitter(
        partner_id=HUB_SUBMITTER, chain_leader=True, user_id=decided_by, channel="masterdata"
    )
    result = do_submit_records(
        conn=conn,
        document_type="material_crosswalk",
        records=[record],
        submitter=submitter,
        received_at=now,
        source_name=REVIEW_SOURCE_FILE,
    )
    if result.status == "rejected":
        raise ChainhubError(
            "crosswalk_rejected",
            f"the crosswalk {partner_material_code} → {material_code} does not conform: "
            + "; ".join(str(e["message"]) for e in _issues(result, "en")),
            f"对照关系 {partner_material_code} → {material_code} 不符合标准："
            + "；".join(str(e["message"]) for e in _issues(result, "zh")),
            {"partner": partner_id, "code": partner_material_code},
            422,
        )
    decision_id = str(uuid.uuid4())
    unknown = unknown_codes
    conn.execute(
        sa.update(unknown)
        .where(unknown.c.partner_id == partner_id,
               unknown.c.partner_material_code == partner_material_code)
        .values(status=CodeStatus.MAPPED.value, material_code=material_code)
    )  # fmt: skip
    return _record_decision(
        conn=conn, decision_id=decision_id, partner_id=partner_id,
        partner_material_code=partner_material_code, material_code=material_code,
        decision=DecisionKind.ACCEPTED, mode=mode, decided_by=decided_by, now=now,
        submission_id=result.submission_id,
    )  # fmt: skip


def do_reject_match(
    *,
    conn: Connection,
    partner_id: str,
    partner_material_code: str,
    material_code: str,
    decided_by: str,
    now: datetime | None = None,
) -> DecisionRead:
    """Refuse one suggested match; a code left without suggestions becomes rejected."""
    now = now or datetime.now(UTC)
    check_open_code(conn=conn, partner_id=partner_id, partner_material_code=partner_material_code)
    decision = _record_decision(
        conn=conn, decision_id=str(uuid.uuid4()), partner_id=partner_id,
        partner_material_code=partner_material_code, material_code=material_code,
        decision=DecisionKind.REJECTED, mode=DecisionMode.MANUAL, decided_by=decided_by,
        now=now, submission_id=None,
    )  # fmt: skip
    remaining = [
        s
        for s in list_suggestions(
            conn=conn, partner_id=partner_id, partner_material_code=partner_material_code
        )
        if s.material_code != material_code
    ]
    table = masterdata_suggestions
    conn.execute(
        sa.delete(table).where(
            table.c.partner_id == partner_id,
            table.c.partner_material_code == partner_material_code,
        )
    )
    if remaining:
        conn.execute(
            sa.insert(table),
            [{**s.model_dump(exclude={"reasons", "agreed", "disagreed", "missing"}),
              "rank": rank, "reasons": REASON_SEPARATOR.join(s.reasons),
              "agreed": ",".join(s.agreed), "disagreed": ",".join(s.disagreed),
              "missing": ",".join(s.missing), "suggested_at": now}
             for rank, s in enumerate(remaining, start=1)],
        )  # fmt: skip
    else:
        unknown = unknown_codes
        conn.execute(
            sa.update(unknown)
            .where(unknown.c.partner_id == partner_id,
                   unknown.c.partner_material_code == partner_material_code)
            .values(status=CodeStatus.REJECTED.value)
        )  # fmt: skip
    return decision


def do_auto_accept(
    *,
    conn: Connection,
    threshold: float = AUTO_ACCEPT_THRESHOLD,
    decided_by: str = HUB_SUBMITTER,
    partner_id: str | None = None,
    now: datetime | None = None,
) -> list[DecisionRead]:
    """Accept every open code's best suggestion at or above `threshold`, flagged for review."""
    now = now or datetime.now(UTC)
    open_codes = {
        (c.partner_id, c.partner_material_code): c
        for c in list_unknown_codes(conn=conn, partner_id=partner_id)
    }
    decisions: list[DecisionRead] = []
    for s in list_suggestions(conn=conn, partner_id=partner_id):
        code = open_codes.get((s.partner_id, s.partner_material_code))
        if s.rank != 1 or s.confidence < threshold or code is None:
            continue
        base_unit = _base_unit(conn=conn, material_code=s.material_code)
        if units_per_partner_unit(partner_unit=code.unit, base_unit=base_unit) is None:
            continue  # a package unit needs a person to say how many base units it holds
        decisions.append(
            do_accept_match(
                conn=conn, partner_id=s.partner_id, partner_material_code=s.partner_material_code,
                material_code=s.material_code, decided_by=decided_by, mode=DecisionMode.AUTO,
                now=now,
            )
        )  # fmt: skip
    return decisions


def _record_decision(
    *,
    conn: Connection,
    decision_id: str,
    partner_id: str,
    partner_material_code: str,
    material_code: str,
    decision: DecisionKind,
    mode: DecisionMode,
    decided_by: str,
    now: datetime,
    submission_id: str | None,
) -> DecisionRead:
    suggestions = masterdata_suggestions
    confidence = conn.execute(
        sa.select(suggestions.c.confidence).where(
            suggestions.c.partner_id == partner_id,
            suggestions.c.partner_material_code == partner_material_code,
            suggestions.c.material_code == material_code,
        )
    ).scalar_one_or_none()
    values: dict[str, Any] = {
        "decision_id": decision_id,
        "partner_id": partner_id,
        "partner_material_code": partner_material_code,
        "material_code": material_code,
        "decision": decision.value,
        "mode": mode.value,
        "confidence": confidence,
        "flagged": mode is DecisionMode.AUTO,
        "decided_by": decided_by,
        "decided_at": now,
        "submission_id": submission_id,
    }
    conn.execute(sa.insert(masterdata_decisions).values(**values))
    return DecisionRead.model_validate(values)


def _rejected_pairs(*, conn: Connection, partner_id: str | None) -> set[tuple[str, str]]:
    table = masterdata_decisions
    query = sa.select(
        table.c.partner_id, table.c.partner_material_code, table.c.material_code
    ).where(table.c.decision == DecisionKind.REJECTED.value)
    if partner_id is not None:
        query = query.where(table.c.partner_id == partner_id)
    return {
        (_code_key(row.partner_id, row.partner_material_code), row.material_code)
        for row in conn.execute(query)
    }


def _code_key(partner_id: str, partner_material_code: str) -> str:
    # The unit separator cannot occur in a partner id or a code read from a file's cell.
    return f"{partner_id}\x1f{partner_material_code}"


def _suggestion(row: sa.RowMapping) -> SuggestionRead:
    def names(column: str) -> list[str]:
        return row[column].split(",") if row[column] else []

    reasons: Sequence[str] = row["reasons"].split(REASON_SEPARATOR) if row["reasons"] else ()
    return SuggestionRead(
        partner_id=row["partner_id"],
        partner_material_code=row["partner_material_code"],
        rank=row["rank"],
        material_code=row["material_code"],
        confidence=row["confidence"],
        reasons=list(reasons),
        agreed=names("agreed"),
        disagreed=names("disagreed"),
        missing=names("missing"),
    )


def _issues(result: IngestResult, lang: str) -> list[dict[str, object]]:
    return errors_as_records(result.validation, lang=lang) if result.validation else []
