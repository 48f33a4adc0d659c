"""Trace latency: backward and forward lot traces through chainhub's lot graph (breadth-first
search over numpy CSR arrays) next to a plain recursive SQL CTE over the same edges in the same
DuckDB database, p50 / p99 over random lots of a synthetic 5-tier chain (raw-material suppliers →
component makers → OEM plants → finished lots → distributors).

    python bench/trace.py [--smoke] [--lots N] [--samples K] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

import duckdb
import numpy as np
import polars as pl

from chainhub.trace.genealogy import LotGraph

FULL_LOTS: Final = 1_000_000
SMOKE_LOTS: Final = 5_000


def _edges(lots: int, seed: int = 7) -> pl.DataFrame:
    """Edges of a 5-tier chain with about `lots` lots: raw lots shipped to component makers,
    each component lot made from 3 raw lots, shipped to the OEM; each finished lot made from 4
    component lots and shipped to 2 of 50 distributors."""
    rng = np.random.default_rng(seed)
    n_raw, n_comp = lots // 2, lots // 3
    n_fin = max(1, lots - n_raw - n_comp)
    raw = [f"R{i}" for i in range(n_raw)]
    comp = [f"C{i}" for i in range(n_comp)]
    fin = [f"F{i}" for i in range(n_fin)]
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    for lot in raw:
        rows.append(("R", lot, "tier2", "R", lot, "tier1", "shipment"))
    comp_inputs = rng.integers(0, n_raw, size=(n_comp, 3))
    for i, lot in enumerate(comp):
        rows.extend(("R", raw[j], "tier1", "C", lot, "tier1", "production") for j in comp_inputs[i])
        rows.append(("C", lot, "tier1", "C", lot, "oem", "shipment"))
    fin_inputs = rng.integers(0, n_comp, size=(n_fin, 4))
    dists = rng.integers(0, 50, size=(n_fin, 2))
    for i, lot in enumerate(fin):
        rows.extend(("C", comp[j], "oem", "F", lot, "oem", "production") for j in fin_inputs[i])
        rows.extend(("F", lot, "oem", "F", lot, f"dist{d}", "shipment") for d in set(dists[i]))
    frame = pl.DataFrame(
        rows,
        schema=["src_material", "src_lot", "src_holder", "dst_material", "dst_lot", "dst_holder"]
        + ["kind"],
        orient="row",
    )
    return frame.with_columns(
        document=pl.lit("doc"),
        date=pl.lit("2026-01-01"),
        quantity=pl.lit(1.0),
        unit=pl.lit("H87"),
        site=pl.lit(None, dtype=pl.String),
    )


def _percentiles(samples: list[float]) -> tuple[float, float]:
    arr = np.array(samples) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


def _time(fn: Callable[[int], int], starts: list[int]) -> tuple[float, float, float]:
    took, reached = [], 0
    for s in starts:
        t = time.perf_counter()
        reached += fn(s)
        took.append(time.perf_counter() - t)
    p50, p99 = _percentiles(took)
    return p50, p99, reached / len(starts)


def main() -> None:
    """Build the chain, time both ways, print p50 / p99 and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a small chain, for CI")
    parser.add_argument("--lots", type=int, default=None)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    lots = args.lots or (SMOKE_LOTS if args.smoke else FULL_LOTS)
    samples = args.samples or (20 if args.smoke else 1000)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="chainhub-bench-trace-"))
    t = time.perf_counter()
    edges = _edges(lots)
    graph = LotGraph(edges)
    build = time.perf_counter() - t
    con = duckdb.connect(str(work / "trace.duckdb"))
    con.register("ids", pl.DataFrame({"src": graph.src, "dst": graph.dst}))
    con.execute("CREATE OR REPLACE TABLE edges AS SELECT * FROM ids")
    con.execute("CREATE INDEX edges_src ON edges (src)")
    con.execute("CREATE INDEX edges_dst ON edges (dst)")
    rng = np.random.default_rng(11)
    starts = rng.integers(0, graph.size, size=samples).tolist()
    print(f"{graph.size:,} lot nodes, {edges.height:,} edges, graph built in {build:.2f} s")

    def cte(near: str, far: str) -> Callable[[int], int]:
        sql = f"""WITH RECURSIVE r(n) AS (SELECT ?::BIGINT UNION
            SELECT e.{far} FROM edges e JOIN r ON e.{near} = r.n) SELECT count(*) FROM r"""

        def run(start: int) -> int:
            row = con.execute(sql, [start]).fetchone()
            return int(row[0]) if row else 0

        return run

    for name, forward in (("backward", False), ("forward", True)):
        ours = _time(lambda s, f=forward: graph.walk([s], forward=f).nodes.size, starts)
        near, far = ("src", "dst") if forward else ("dst", "src")
        theirs = _time(cte(near, far), starts)
        assert round(ours[2]) == round(theirs[2]), (ours, theirs)
        print(
            f"{name:8}  chainhub p50 {ours[0]:8.3f} ms  p99 {ours[1]:8.3f} ms   "
            f"recursive CTE p50 {theirs[0]:8.3f} ms  p99 {theirs[1]:8.3f} ms   "
            f"ratio p99 {theirs[1] / ours[1]:6.1f}x   ({ours[2]:.1f} lots per trace)"
        )
    con.close()


if __name__ == "__main__":
    main()
