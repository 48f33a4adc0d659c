"""The KPI catalogue's reads: definitions, values for a caller, before/after comparisons."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.kpi.catalogue import By, KpiDefinition, Sources, Window, get_registry
from chainhub.kpi.schemas import KpiChange, KpiComparison, KpiRead, KpiValue, KpiValues

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
) -> list[KpiValue]:
    table = definition.compute(Sources(conn=conn, principal=principal, today=today), window)
    if partner_id is not None:
        table = table.filter(table.partner_id == partner_id)
    frame = pl.from_arrow(table.to_pyarrow())
    assert isinstance(frame, pl.DataFrame)
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
) -> KpiValues:
    """A KPI per partner and period, computed only from the documents the caller may see."""
    definition = get_kpi(kpi_id)
    check_window(start, end)
    values = _compute(
        conn=conn,
        principal=principal,
        today=today,
        definition=definition,
        window=Window(start, end, by),
        partner_id=partner_id,
    )
    return KpiValues(kpi=_read(definition), start=start, end=end, by=by, values=values)


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
