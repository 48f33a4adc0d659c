"""Base against reconciled forecasts per level, on the simulated chain's held-out weeks.

    python bench/hierarchy.py [--smoke] [--scale small|medium|N] [--horizon 13] [--windows 3]

Simulates the chain, holds out its last `horizon` full weeks of sales-order demand, forecasts the
rest per material x customer with the engine, then the materials and the families (the material
master's category) too, reconciles them (`chainhub.forecast.hierarchy`), and scores the base and
the reconciled forecasts of each level against the held-out weeks: mean MASE over the level's
series (scaled by the history's seasonal naive error) and weighted MAPE over all of them. The
demand is the simulator's standard-form sales orders (what intake stores from its files), read
directly to leave the load out of the time. The last line reads
`hierarchy <level> MASE base B reconciled R wMAPE base B reconciled R` for the customer level.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl

from chainhub.forecast.accuracy import Array, mase, mase_scale, wmape
from chainhub.forecast.demand import get_demand_series
from chainhub.forecast.engine import forecast_series
from chainhub.forecast.hierarchy import (
    LEVELS,
    HierarchyForecast,
    build_hierarchy,
    get_hierarchy_forecast,
    stack_series,
)
from chainhub.sim.service import do_simulate


def _lines(root: Path) -> tuple[pl.DataFrame, dict[str, str]]:
    truth = root / "ground_truth" / "standard"
    orders = pl.read_parquet(truth / "sales_order.parquet").filter(
        pl.col("status") != "cancelled", pl.col("line_status") != "cancelled"
    )
    lines = orders.select(
        "material_code", "customer_id", "requested_date", pl.col("quantity").cast(pl.Float64)
    )
    master = pl.read_parquet(truth / "material.parquet").select("material_code", "category")
    return lines, dict(master.iter_rows())


def _split(lines: pl.DataFrame, horizon: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """History, and the last `horizon` full weeks (a partial last week is left out)."""
    weeks = pl.col("requested_date").dt.truncate("1w")
    last = lines.get_column("requested_date").max()
    end = lines.select(weeks.max()).item()
    if last is not None and last < end + timedelta(days=6):
        lines = lines.filter(weeks < end)
        end = end - timedelta(weeks=1)
    cut = end - timedelta(weeks=horizon - 1)
    return lines.filter(weeks < cut), lines.filter(weeks >= cut)


def _held_out(
    found: HierarchyForecast,
    families: dict[str, str],
    future: pl.DataFrame,
    history_keys: list[tuple[str, str]],
) -> Array:
    """Held-out demand per node (the hierarchy's order) and week."""
    series = get_demand_series(future, bucket="week")
    hierarchy = build_hierarchy(history_keys, families)
    h = found.nodes[0].mean.size
    bottom = {k: np.zeros(h) for k in history_keys}
    for key, (_, values) in series.items():
        if key in bottom:
            bottom[key][-values.size :] = values
    actual, _ = stack_series(hierarchy, bottom)
    return actual


def _mean(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else math.nan


def main(argv: list[str] | None = None) -> int:
    """Simulate, hold out, forecast and reconcile, score per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument(
        "--smoke", action="store_true", help="the small chain, 4 weeks held out, naive methods"
    )
    parser.add_argument("--horizon", type=int, default=13)
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--season", type=int, default=52)
    args = parser.parse_args(argv)
    scale = "small" if args.smoke else args.scale
    h = 4 if args.smoke else args.horizon
    # The smoke run checks the path, not the accuracy: the naive methods only, to stay quick.
    methods = ("Naive", "SeasonalNaive") if args.smoke else None
    with tempfile.TemporaryDirectory(prefix="chainhub-bench-hierarchy-") as folder:
        began = time.perf_counter()
        do_simulate(out=Path(folder) / "chain", scale=scale, seed=7)
        print(f"simulated {scale} in {time.perf_counter() - began:.1f} s")
        lines, families = _lines(Path(folder) / "chain")
    history, future = _split(lines, h)
    series = get_demand_series(history, bucket="week")
    bottom = {k: y for k, (_, y) in series.items()}
    began = time.perf_counter()
    forecasts = {
        k: forecast_series(y, h=h, season=args.season, windows=args.windows, methods=methods)
        for k, y in bottom.items()
    }
    engine = time.perf_counter() - began
    began = time.perf_counter()
    found = get_hierarchy_forecast(
        bottom=bottom,
        forecasts=forecasts,
        families=families,
        h=h,
        season=args.season,
        windows=args.windows,
        methods=methods,
    )
    seconds = time.perf_counter() - began
    weeks = len(next(iter(series.values()))[0])
    print(
        f"{len(bottom)} material x customer series, {weeks} weeks of history, {h} held out; "
        f"engine {engine:.1f} s, hierarchy (aggregates, backtest, reconciliation) {seconds:.1f} s; "
        f"future reconciled by {found.method} on {found.windows} backtest windows"
    )
    actual = _held_out(found, families, future, list(bottom))
    history_all, starts = stack_series(build_hierarchy(list(bottom), families), bottom)
    line = ""
    for level in LEVELS:
        rows = [i for i, n in enumerate(found.nodes) if n.node.level == level]
        scores = {}
        for name, pick in (("base", "base"), ("reconciled", "mean")):
            forecast = np.stack([getattr(found.nodes[i], pick) for i in rows])
            scales = [mase_scale(history_all[i, starts[i] :], args.season) for i in rows]
            scores[name] = (
                _mean([mase(actual[i], forecast[k], scales[k]) for k, i in enumerate(rows)]),
                wmape(actual[rows].ravel(), forecast.ravel()),
            )
        backtest = next(s for s in found.levels if s.level == level)
        line = (
            f"hierarchy {level} MASE base {scores['base'][0]:.3f} reconciled "
            f"{scores['reconciled'][0]:.3f} wMAPE base {scores['base'][1]:.1%} reconciled "
            f"{scores['reconciled'][1]:.1%}"
        )
        print(
            f"{line} ({len(rows)} series; backtest MASE {backtest.base_mase:.3f} -> "
            f"{backtest.mase:.3f}, wMAPE {backtest.base_wmape:.1%} -> {backtest.wmape:.1%})"
        )
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
