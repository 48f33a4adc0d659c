"""Matcher quality: F1 on ER-Magellan product pairs next to published figures, and top-1 accuracy,
precision and recall of suggestions from the simulated partners' own descriptions against the
simulator's crosswalk, at the auto-accept threshold and around it.

    python bench/matching.py [--smoke] [--fit-default] [--seed 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from chainhub.masterdata.benchmark import (
    DATASETS,
    PUBLISHED,
    catalog_pairs,
    measure_crosswalk,
    read_pairs,
    run_benchmark,
    split_features,
)
from chainhub.masterdata.matching import (
    DEFAULT_AUTO_ACCEPT_THRESHOLD,
    DEFAULT_COMBINER,
    FEATURES,
    Item,
    fit_combiner,
)
from chainhub.sim.catalog import MATERIALS, MaterialSpec
from chainhub.sim.service import do_simulate

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"
ER_MAGELLAN = REFERENCE / "entity-matching" / "er_magellan"
SMOKE_PAIRS = 400


def product_matching(limit: int | None) -> None:
    """Print F1 on valid for each data set, with the published figures."""
    print(f"{'data set':<15}{'threshold':>10}{'train F1':>10}{'valid F1':>10}"
          f"{'Magellan':>10}{'DeepMatcher':>13}{'seconds':>9}")  # fmt: skip
    for dataset in DATASETS:
        start = time.perf_counter()
        result = run_benchmark(ER_MAGELLAN, dataset, limit=limit)
        published = PUBLISHED[dataset]
        print(f"{dataset:<15}{result.threshold:>10.2f}{result.train_f1:>10.1f}"
              f"{result.valid_f1:>10.1f}{published['Magellan']:>10.1f}"
              f"{published['DeepMatcher']:>13.1f}{time.perf_counter() - start:>9.1f}")  # fmt: skip


def catalog_items() -> tuple[list[Item], list[Item]]:
    """The simulated chain's golden materials as match targets, Chinese and English."""

    def item(m: MaterialSpec, name: str) -> Item:
        return Item(m.code, f"{name} {m.spec}", m.unit, m.category)

    return [item(m, m.name_zh) for m in MATERIALS], [item(m, m.name_en) for m in MATERIALS]


def fit_default() -> None:
    """Print the default combiner: both ER train splits and the golden catalog, equal weight."""
    features, labels = [], []
    for folder in DATASETS.values():
        split = read_pairs(ER_MAGELLAN / folder / "train.txt")
        features.append(split_features(split)[0])
        labels.append(split.labels)
    er_rows = sum(len(y) for y in labels)
    zh, en = catalog_items()
    golden = [catalog_pairs(zh, en), catalog_pairs(en, zh)]
    golden_rows = sum(len(y) for _, y in golden)
    weights = np.concatenate([np.ones(er_rows), np.full(golden_rows, er_rows / golden_rows)])
    combiner = fit_combiner(
        np.vstack([*features, *(x for x, _ in golden)]),
        np.concatenate([*labels, *(y for _, y in golden)]),
        weights,
    )
    print(f"{er_rows} ER pairs, {golden_rows} golden-catalog pairs")
    for name, weight in zip(FEATURES, combiner.weights, strict=True):
        print(f"{name:<16}{weight:>8.3f}")
    print(f"{'intercept':<16}{combiner.intercept:>8.3f}")


def simulator_crosswalk(seed: int) -> None:
    """Hide the simulated crosswalk and suggest for every partner code from its description."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        do_simulate(out=out, scale="small", seed=seed)
        truth = pl.read_csv(out / "ground_truth" / "crosswalk.csv", infer_schema=False)
        materials = pl.read_parquet(out / "ground_truth" / "standard" / "material.parquet")
    golden = [
        Item(m["material_code"], f"{name} {m['spec'] or ''}", m["base_unit"], m["category"])
        for m in materials.to_dicts()
        for name in (m["name_zh"], m["name_en"])
    ]
    print(f"\nsimulator crosswalk, seed {seed}, the partners' own descriptions:")
    print(f"{'threshold':>10}{'codes':>7}{'top-1 %':>9}{'accepted':>10}{'precision %':>13}"
          f"{'recall %':>10}")  # fmt: skip
    for threshold in sorted({0.5, DEFAULT_AUTO_ACCEPT_THRESHOLD, 0.9}):
        r = measure_crosswalk(truth, golden, combiner=DEFAULT_COMBINER, threshold=threshold)
        mark = "  <- default" if threshold == DEFAULT_AUTO_ACCEPT_THRESHOLD else ""
        print(f"{threshold:>10.2f}{r.codes:>7}{r.top1_accuracy:>9.1f}{r.accepted:>10}"
              f"{r.precision:>13.1f}{r.recall:>10.1f}{mark}")  # fmt: skip


def main() -> int:
    """Run the measurements; without the reference folder, only outside CI, skip that part."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help=f"first {SMOKE_PAIRS} pairs only")
    parser.add_argument("--fit-default", action="store_true", help="print default weights")
    parser.add_argument("--seed", type=int, default=3, help="simulator seed")
    args = parser.parse_args()
    if ER_MAGELLAN.is_dir():
        if args.fit_default:
            fit_default()
            return 0
        product_matching(SMOKE_PAIRS if args.smoke else None)
    elif os.environ.get("CI") == "true":
        print(f"missing reference data: {ER_MAGELLAN}", file=sys.stderr)
        return 1
    else:
        print(f"skipped product matching: no {ER_MAGELLAN}")
    simulator_crosswalk(args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
