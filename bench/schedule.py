"""Job-shop make-span: chainhub's CP-SAT model (dispatching-rule hint, head/tail bounds, a
one-machine bound; after a fifth of the time, tabu searches on the critical path from the best
schedule, one per worker) beside plain CP-SAT (the textbook no-overlap model, default
parameters), same seconds and workers, as the gap to the best-known make-span per family.

    python bench/schedule.py [--smoke] [--instances DIR] [--bounds FILE] [--seconds S]
        [--workers W] [--only PREFIX ...]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Final

from chainhub.schedule.jobshop import read_bounds, read_orlib, solve_jobshop

REFERENCE: Final = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "jobshop"
FAMILIES: Final = ("la", "abz", "orb", "swv", "yn", "ft")
SMOKE: Final = ("ft06", "la01", "la06", "orb01")


def _family(name: str) -> str:
    match = re.match(r"[a-z]+", name)
    return match.group(0) if match else name


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run both models on every instance with a known bound; print gaps per family."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, default=REFERENCE / "instances")
    parser.add_argument("--bounds", type=Path, default=REFERENCE / "benchmark_instances.json")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="instance-name prefixes")
    parser.add_argument("--smoke", action="store_true", help=f"{', '.join(SMOKE)} at 1 s")
    args = parser.parse_args(argv)
    if not args.instances.is_dir() or not args.bounds.is_file():
        if os.environ.get("CI") == "true":
            print(f"job-shop instances missing: {args.instances}", file=sys.stderr)
            return 1
        print(f"skipped: no job-shop instances at {args.instances}")
        return 0
    bounds = read_bounds(args.bounds)
    seconds = 1.0 if args.smoke else args.seconds
    names = sorted(
        p.name
        for p in args.instances.iterdir()
        if p.name in bounds
        and (not args.smoke or p.name in SMOKE)
        and (args.only is None or p.name.startswith(tuple(args.only)))
    )
    gaps: dict[str, dict[str, list[float]]] = {}
    started = time.perf_counter()
    for name in names:
        jobs = read_orlib(args.instances / name)
        best = bounds[name]
        row = []
        for label, strong in (("chainhub", True), ("plain", False)):
            result = solve_jobshop(jobs, seconds=seconds, workers=args.workers, strong=strong)
            gap = 100.0 * (result.makespan - best) / best
            gaps.setdefault(_family(name), {}).setdefault(label, []).append(gap)
            row.append(f"{label} {result.makespan} ({gap:.2f}%)")
        print(f"{name:8} best {best:6}  " + "  ".join(row), flush=True)
    print(f"{'family':8} {'n':>3} {'chainhub':>9} {'plain':>9}")
    for family in sorted(gaps, key=lambda f: FAMILIES.index(f) if f in FAMILIES else 99):
        mine, plain = gaps[family]["chainhub"], gaps[family]["plain"]
        print(f"{family:8} {len(mine):3} {_mean(mine):8.2f}% {_mean(plain):8.2f}%")
    every_mine = [g for f in gaps.values() for g in f["chainhub"]]
    every_plain = [g for f in gaps.values() for g in f["plain"]]
    print(
        f"{len(names)} instances at {seconds:g} s, {args.workers} workers, "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(
        f"jobshop mean gap chainhub {_mean(every_mine):.2f}% plain {_mean(every_plain):.2f}% "
        f"on {len(names)} instances"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
