"""The KPI catalogue's reads: definitions, values for a caller, before/after comparisons."""

from __future__ import annotations

import math
from datetime import date, timedelta

from sqlalchemy import Connection

from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.kpi.catalogue import By, KpiDefinition, Sources, Window, get_registry
from chainhub.kpi.compiled import MAX_FACT_ROWS, get_kpi_frame
from chainhub.kpi.schemas import (
    KpiChange,
    KpiComparison,
    KpiPoint,
    KpiRead,
    KpiRows,
    KpiTrend,
    KpiValue,
    KpiValues,
    SupplierRank,
)
from chainhub.partners.service import list_partners

_DIGITS = 4


def _read(definition: KpiDefinition) -> KpiRead:
    return KpiRead(
        kpi_id=definition.kpi_id,
        name_en=definition.name_en,
        name_zh=definition.name_zh,
        formula_en=definition.formula_en,
        formula_zh=definition.formula_zh,
        unit=definition.unit,
        direction=definition.direction,
        grain=list(definition.grain),
        sources=list(definition.sources),
        standard=definition.standard,
        drill=definition.drill,
    )


def list_kpis() -> list[KpiRead]:
    """Every KPI of the catalogue, in catalogue order."""
    return [_read(d) for d in get_registry().values()]


def get_kpi(kpi_id: str) -> KpiDefinition:
    """One KPI's definition; an unknown id is a 404."""
    definition = get_registry().get(kpi_id)
    if definition is None:
        raise ChainhubError(
            "kpi_not_found",
            f"no KPI {kpi_id!r}; `chainhub kpi list` shows the catalogue",
            f"没有 KPI {kpi_id!r}；`chainhub kpi list` 列出全部指标",
            {"kpi_id": kpi_id},
            404,
        )
    return definition


def _bad_period(text: str, en: str, zh: str) -> ChainhubError:
    return ChainhubError("bad_period", en, zh, {"period": text}, 422)


def check_window(start: date | None, end: date | None) -> None:
    """A window's start is not after its end."""
    if start is not None and end is not None and start > end:
        text = f"{start}:{end}"
        raise _bad_period(
            text, f"the period {text} starts after it ends", f"期间 {text} 的开始晚于结束"
        )


def check_period(text: str) -> tuple[date, date]:
    """A period written FROM:TO (ISO dates, both inclusive)."""
    try:
        start, end = (date.fromisoformat(part.strip()) for part in text.split(":"))
    except ValueError:
        raise _bad_period(
            text,
            f"a period is FROM:TO in ISO dates, e.g. 2025-07-01:2025-09-30, not {text!r}",
            f"期间格式为 起:止（ISO 日期），例如 2025-07-01:2025-09-30，而不是 {text!r}",
        ) from None
    check_window(start, end)
    return start, end


def _compute(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    definition: KpiDefinition,
    window: Window,
    partner_id: str | None,
    material: str | None = None,
    site: str | None = None,
) -> list[KpiValue]:
    src = Sources(conn=conn, principal=principal, today=today, material=material, site=site)
    frame = get_kpi_frame(definition=definition, src=src, window=window, partner_id=partner_id)
    return [
        KpiValue(
            partner_id=row["partner_id"],
            period=row["period"],
            value=None
            if row["value"] is None or math.isnan(row["value"])
            else round(row["value"], _DIGITS),
            observations=row["observations"],
        )
        for row in frame.sort(["partner_id", "period"], nulls_last=True).to_dicts()
    ]


def access_kpi_values(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    kpi_id: str,
    partner_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    by: By = "month",
    material: str | None = None,
    site: str | None = None,
) -> KpiValues:
    """A KPI per partner and period, computed only from the documents the caller may see (of
    one material's and one site's lines, when asked)."""
    definition = get_kpi(kpi_id)
    check_window(start, end)
    values = _compute(
        conn=conn,
        principal=principal,
        today=today,
        definition=definition,
        window=Window(start, end, by),
        partner_id=partner_id,
        material=material,
        site=site,
    )
    return KpiValues(kpi=_read(definition), start=start, end=end, by=by, values=values)


def _cell(value: object) -> str | float | bool | None:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else round(value, _DIGITS)
    return str(value.isoformat() if isinstance(value, date) else value)


def access_kpi_rows(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    kpi_id: str,
    partner_id: str,
    month: date,
    material: str | None = None,
    site: str | None = None,
) -> KpiRows:
    """The facts behind a partner's KPI value in a month, from the documents the caller may
    see: the order lines, receipts or documents the value was computed from."""
    definition = get_kpi(kpi_id)
    if not definition.drill:
        raise ChainhubError(
            "kpi_rows_unavailable",
            f"{kpi_id} is computed from stock and flows per day, not from rows one can list",
            f"{kpi_id} 由每日库存与流量计算，没有可逐行列出的明细",
            {"kpi_id": kpi_id},
            404,
        )
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    frame = get_kpi_frame(
        definition=definition,
        src=Sources(conn=conn, principal=principal, today=today, material=material, site=site),
        window=Window(start, end, "month", rows=True),
        partner_id=partner_id,
    )
    columns = [c for c in frame.columns if c != "period"]
    rows = [[_cell(v) for v in row] for row in frame.select(columns).rows()]
    return KpiRows(
        kpi=_read(definition),
        partner_id=partner_id,
        month=start,
        columns=columns,
        rows=rows[:MAX_FACT_ROWS],
        truncated=len(rows) > MAX_FACT_ROWS,
    )


def access_kpi_comparison(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    kpi_id: str,
    before: tuple[date, date],
    after: tuple[date, date],
    partner_id: str | None = None,
) -> KpiComparison:
    """Each partner's KPI before and after (协同前/协同后), from what the caller may see."""
    definition = get_kpi(kpi_id)
    found: dict[str, dict[str, float | None]] = {}
    for side, (start, end) in (("before", before), ("after", after)):
        check_window(start, end)
        for value in _compute(
            conn=conn,
            principal=principal,
            today=today,
            definition=definition,
            window=Window(start, end, "total"),
            partner_id=partner_id,
        ):
            found.setdefault(value.partner_id, {})[side] = value.value
    changes = []
    for pid in sorted(found):
        was, now = found[pid].get("before"), found[pid].get("after")
        change = None if was is None or now is None else round(now - was, _DIGITS)
        improved = None
        if change is not None:
            improved = change > 0 if definition.direction == "higher" else change < 0
        changes.append(
            KpiChange(partner_id=pid, before=was, after=now, change=change, improved=improved)
        )
    return KpiComparison(kpi=_read(definition), before=before, after=after, changes=changes)


def _improved(definition: KpiDefinition, change: float | None) -> bool | None:
    if change is None or change == 0:
        return None
    return change > 0 if definition.direction == "higher" else change < 0


def _pooled(values: list[KpiValue]) -> list[KpiPoint]:
    """Per month, the partners' values weighted by their observations: exact for shares and
    means of facts, which most KPIs are."""
    months: dict[date, tuple[float, int, int]] = {}
    for v in values:
        if v.period is None:
            continue
        total, weight, seen = months.get(v.period, (0.0, 0, 0))
        if v.value is not None and v.observations > 0:
            total, weight = total + v.value * v.observations, weight + v.observations
        months[v.period] = (total, weight, seen + v.observations)
    return [
        KpiPoint(
            period=period,
            value=round(total / weight, _DIGITS) if weight else None,
            observations=seen,
        )
        for period, (total, weight, seen) in sorted(months.items())
    ]


def access_kpi_trend(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    kpi_id: str,
    partner_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    material: str | None = None,
    site: str | None = None,
) -> KpiTrend:
    """A KPI by month for the caller: its own partner's figures when it has any, else every
    visible partner's pooled; with the change of the latest month against the one before.
    The filters narrow the values first (`partner_id` to one partner's)."""
    values = access_kpi_values(
        conn=conn,
        principal=principal,
        today=today,
        kpi_id=kpi_id,
        partner_id=partner_id,
        start=start,
        end=end,
        material=material,
        site=site,
    )
    own = [v for v in values.values if v.partner_id == principal.partner_id]
    points = _pooled(own or values.values)
    known = [p for p in points if p.value is not None]
    latest = known[-1] if known else None
    previous = known[-2] if len(known) > 1 else None
    change = None
    if latest is not None and previous is not None:
        assert latest.value is not None and previous.value is not None
        change = round(latest.value - previous.value, _DIGITS)
    definition = get_kpi(kpi_id)
    return KpiTrend(
        kpi=values.kpi,
        own=bool(own),
        points=points,
        latest=latest,
        previous=previous,
        change=change,
        improved=_improved(definition, change),
    )


def get_supplier_ids(*, conn: Connection) -> list[str]:
    """Partners the directory lists as suppliers."""
    return [p.partner_id for p in list_partners(conn=conn) if "supplier" in p.roles]


def get_supplier_aliases(*, conn: Connection, principal: Principal) -> dict[str, str]:
    """Letters for the suppliers the caller may not name: every supplier but itself, unless it
    sees the whole chain. Fixed by the directory's order, so the same on every page."""
    if principal.sees_all:
        return {}
    others = sorted(s for s in get_supplier_ids(conn=conn) if s != principal.partner_id)
    return {pid: _letter(i) for i, pid in enumerate(others)}


def check_may_see_supplier(*, conn: Connection, principal: Principal, supplier_id: str) -> None:
    """The chain leader and the hub admin see every supplier's scorecard, a supplier its own;
    anything else is not found, so that no supplier learns which others exist."""
    if supplier_id in get_supplier_ids(conn=conn) and (
        principal.sees_all or principal.partner_id == supplier_id
    ):
        return
    raise ChainhubError(
        "supplier_not_found",
        f"no supplier scorecard {supplier_id!r} for this caller",
        f"当前身份看不到供应商评分卡 {supplier_id!r}",
        {"partner_id": supplier_id},
        404,
    )


def access_supplier_ranking(
    *,
    conn: Connection,
    principal: Principal,
    today: date,
    kpi_id: str,
    supplier_id: str,
    start: date | None = None,
    end: date | None = None,
    material: str | None = None,
    site: str | None = None,
) -> list[SupplierRank]:
    """Every supplier's KPI over the window, best first, for one supplier's scorecard.

    The ranking is over the whole chain, so a supplier learns where it stands; to a caller that
    does not see the whole chain every other supplier is a letter, fixed by the directory order,
    and its id never leaves this function.
    """
    check_may_see_supplier(conn=conn, principal=principal, supplier_id=supplier_id)
    definition = get_kpi(kpi_id)
    check_window(start, end)
    # The chain's view, on behalf of the caller: only ranks and anonymous values leave here.
    chain = Principal(token_id=principal.token_id, partner_id=None, role=Role.HUB_ADMIN)
    suppliers = set(get_supplier_ids(conn=conn))
    totals = [
        v
        for v in _compute(
            conn=conn,
            principal=chain,
            today=today,
            definition=definition,
            window=Window(start, end, "total"),
            partner_id=None,
            material=material,
            site=site,
        )
        if v.partner_id in suppliers and v.value is not None
    ]
    sign = -1 if definition.direction == "higher" else 1
    totals.sort(key=lambda v: (sign * (v.value or 0.0), v.partner_id))
    letters = get_supplier_aliases(conn=conn, principal=principal)
    ranks = []
    for place, v in enumerate(totals, start=1):
        named = v.partner_id not in letters
        assert v.value is not None
        ranks.append(
            SupplierRank(
                partner_id=v.partner_id if named else None,
                alias=None if named else letters[v.partner_id],
                value=v.value,
                observations=v.observations,
                rank=place,
            )
        )
    return ranks


def _letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: a spreadsheet column's name."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
