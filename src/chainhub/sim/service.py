"""Run a simulation: build the chain, run it day by day, stream every file to disk."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Final

from chainhub.errors import ChainhubError
from chainhub.sim.chain import build_chain
from chainhub.sim.flows import run_flows
from chainhub.sim.masterdata import emit_master_data
from chainhub.sim.writer import OutputWriter
from chainhub.standard.version import STANDARD_VERSION

START: Final = date(2025, 7, 1)
SCALES: Final = ("small", "medium", "large")
LINE_TYPES: Final = ("purchase_order", "sales_order", "shipment")
_CN: Final = timezone(timedelta(hours=8))
_BASE_LINES_PER_MONTH: Final = 2_800  # the named chain alone, measured at seeds 3 and 7
_LINES_PER_DEALER_DAY: Final = 10.5  # one generated distributor, measured at scale 200000
MIN_LINES: Final = 50_000


@dataclass(frozen=True)
class ScalePlan:
    """How big a run is: months simulated and generated distributors beyond the named five."""

    name: str
    months: int
    extra_dealers: int


@dataclass(frozen=True)
class SimulationSummary:
    """What a run wrote."""

    out: Path
    seed: int
    scale: str
    partners: int
    files: int
    rows: dict[str, int]
    order_and_shipment_lines: int
    seconds: float


def _days(months: int) -> int:
    end_year, end_month = divmod(START.month - 1 + months, 12)
    return (date(START.year + end_year, end_month + 1, 1) - START).days


def _dealers_for(lines: int, months: int) -> int:
    per_dealer = _LINES_PER_DEALER_DAY * _days(months)
    return max(0, round((lines - _BASE_LINES_PER_MONTH * months) / per_dealer))


def check_scale(scale: str | int) -> ScalePlan:
    """The plan for `small`, `medium`, `large` or a target number of order+shipment lines."""
    if isinstance(scale, str) and not scale.isdigit():
        if scale == "small":
            return ScalePlan("small", 12, 0)
        if scale == "medium":
            return ScalePlan("medium", 18, 40)
        if scale == "large":
            return ScalePlan("large", 24, _dealers_for(10_500_000, 24))
        raise ChainhubError(
            "unknown_scale",
            f"unknown scale {scale!r}: use small, medium, large or a number",
            f"未知规模 {scale!r}：请使用 small、medium、large 或一个数字",
        )
    lines = int(scale)
    if lines < MIN_LINES:
        raise ChainhubError(
            "scale_too_small",
            f"scale {lines} is below the minimum of {MIN_LINES} lines",
            f"规模 {lines} 小于最小值 {MIN_LINES} 行",
        )
    months = 12 if lines <= 2_000_000 else 24
    return ScalePlan(str(lines), months, _dealers_for(lines, months))


def do_simulate(
    *, out: Path, scale: str | int, seed: int, progress: Callable[[int, int], None] | None = None
) -> SimulationSummary:
    """Generate the chain into `out` (which must be empty or absent), deterministic by seed."""
    began = time.perf_counter()
    plan = check_scale(scale)
    days = _days(plan.months)
    chain = build_chain(seed=seed, start=START, days=days, extra_dealers=plan.extra_dealers)
    out.mkdir(parents=True, exist_ok=True)
    writer = OutputWriter(out=out, chain=chain)
    emit_master_data(chain=chain, sink=writer)
    writer.flush(month_end=True)

    def on_day(index: int, month_end: bool) -> None:
        writer.flush(month_end=month_end)
        if progress is not None:
            progress(index + 1, days)

    result = run_flows(chain=chain, sink=writer, seed=seed, on_day=on_day)
    last = START + timedelta(days=days - 1)
    end = datetime(last.year, last.month, last.day, 18, tzinfo=_CN)
    submissions = writer.close(
        result=result,
        manifest={
            "seed": seed,
            "scale": plan.name,
            "standard_version": STANDARD_VERSION,
            "generated_at": end.isoformat(),
        },
    )
    rows: dict[str, int] = {}
    for s in submissions:
        rows[s.document_type] = rows.get(s.document_type, 0) + s.rows
    return SimulationSummary(
        out=out,
        seed=seed,
        scale=plan.name,
        partners=len(chain.partners),
        files=len(submissions),
        rows=rows,
        order_and_shipment_lines=sum(rows.get(t, 0) for t in LINE_TYPES),
        seconds=round(time.perf_counter() - began, 2),
    )
