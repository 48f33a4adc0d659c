"""Matcher quality: top-1 accuracy, precision and recall of suggestions from the simulated
partners' own descriptions against the simulator's crosswalk, at the auto-accept threshold and
around it, for the title-only matcher and for the review's record matcher (fitted at first use);
review feedback (half the partners' codes decided, the rest scored before and after); time and
peak memory of preparing a synthetic master at publication and of suggestions in a new process
that reads it (--scale; smaller with --smoke); then
precision, recall and F1 of the record matcher (every attribute) on each product
matching set under --data (any folder holding <set>/train.txt and <set>/<split>.txt), trained on
train, its threshold tuned on valid (by 5-fold CV on train when valid is the split scored), next
to published figures. The last lines are `F1 <set> X`.

    python bench/matching.py [--smoke] [--data DIR] [--split valid] [--fit-default] [--seed 3]
                              [--scale MATERIALS CODES]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from chainhub.masterdata.benchmark import (
    DATASETS,
    PUBLISHED,
    CrosswalkResult,
    RecordResult,
    catalog_pairs,
    chain_suggestions,
    golden_materials,
    measure_crosswalk,
    measure_feedback,
    partner_codes,
    read_pairs,
    run_record_benchmark,
    score_suggestions,
    split_features,
)
from chainhub.masterdata.chain_model import (
    AUTO_ACCEPT_THRESHOLD,
    GoldenMaterial,
    PartnerCode,
    code_record,
    do_prepare_master,
    get_chain_matcher,
    get_golden_index,
    get_pinyin_table,
)
from chainhub.masterdata.index import suggest_records
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
# The target: 10,000 unknown codes against a 100,000-material master, <60 s, <2 GB.
SCALE = (100_000, 10_000)
SMOKE_SCALE = (5_000, 500)


# ER-Magellan folders and the names published figures use.
SET_NAMES = {
    "Textual/Abt-Buy": "Abt-Buy",
    "Structured/Amazon-Google": "Amazon-Google",
    "Structured/Walmart-Amazon": "Walmart-Amazon",
    "Dirty/Walmart-Amazon": "Walmart-Amazon-dirty",
}


def product_matching(data: Path, split: str, limit: int | None) -> list[RecordResult]:
    """Print precision, recall and F1 on `split` for each set under `data`, beside published F1."""
    folders = sorted(
        p.parent for p in data.rglob("train.txt") if (p.parent / f"{split}.txt").is_file()
    )
    print(
        f"\nrecord matching, every attribute, {split} split{' (smoke)' if limit else ''}; "
        f"@{AUTO_ACCEPT_THRESHOLD}: pairs shown at that confidence (calibrated on valid only), "
        "their precision and recall:"
    )
    print(f"{'set':<22}{'thr':>6}{'tuned on':>16}{'P':>7}{'R':>7}{'F1':>7}"
          f"{'Magellan':>10}{'DeepM.':>8}{'Ditto':>7}{'s':>6}{'@0.9 n':>8}{'P':>7}"
          f"{'R':>7}{'calibrated on':>16}")  # fmt: skip
    results = []
    for folder in folders:
        relative = folder.relative_to(data).as_posix() if folder != data else folder.name
        name = SET_NAMES.get(relative, relative)
        r = run_record_benchmark(folder, dataset=name, split=split, limit=limit)
        published = PUBLISHED.get(name, {})
        widths = (("Magellan", 10), ("DeepMatcher", 8), ("Ditto", 7))
        cells = "".join(f"{published[k]:>{w}.1f}" if k in published else f"{'-':>{w}}"
                        for k, w in widths)  # fmt: skip
        print(f"{name:<22}{r.threshold:>6.2f}{r.tuned_on:>16}{r.precision:>7.1f}{r.recall:>7.1f}"
              f"{r.f1:>7.1f}{cells}{r.seconds:>6.0f}{r.shown_at_auto:>8}"
              f"{r.precision_at_auto:>7.1f}{r.recall_at_auto:>7.1f}"
              f"{r.calibrated_on:>16}")  # fmt: skip
        results.append(r)
    print(f"\nreliability on {split}: per confidence bin, pairs, mean confidence and share that "
          "match (calibrated: the two agree)")  # fmt: skip
    for r in results:
        bins = "  ".join(f"{lo:.1f}+ {n} {mean:.2f}/{right:.2f}"
                         for lo, n, mean, right in r.reliability)  # fmt: skip
        print(f"{r.dataset:<22}{bins}")
    return results


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
    """Hide the simulated crosswalk and suggest for every partner code from its description:
    the title-only matcher, then the review's record matcher, then review feedback."""
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
    print(f"{'matcher':<14}{'threshold':>10}{'codes':>7}{'top-1 %':>9}{'shown':>7}"
          f"{'precision %':>13}{'recall %':>10}")  # fmt: skip
    thresholds = sorted({0.5, DEFAULT_AUTO_ACCEPT_THRESHOLD, AUTO_ACCEPT_THRESHOLD})
    for threshold in thresholds:
        r = measure_crosswalk(truth, golden, combiner=DEFAULT_COMBINER, threshold=threshold)
        print(f"{'title-only':<14}{_row(r)}")
    golden_master = golden_materials(materials)
    codes = partner_codes(truth)
    start = time.perf_counter()
    best = chain_suggestions(codes, golden_master)
    seconds = time.perf_counter() - start
    expected = dict(zip([c.key for c in codes], truth["material_code"].to_list(), strict=True))
    for threshold in thresholds:
        r = score_suggestions(best, expected, threshold=threshold)
        mark = "  <- auto-accept" if threshold == AUTO_ACCEPT_THRESHOLD else ""
        print(f"{'record':<14}{_row(r)}{mark}")
    print(f"(record matcher fitted on the golden master at first use and run: {seconds:.1f} s)")
    feedback = measure_feedback(truth, golden_master, threshold=AUTO_ACCEPT_THRESHOLD)
    print(f"\nreview feedback: every code of {feedback.reviewed_partners} partners decided "
          f"({feedback.decisions} decisions), the other partners' codes scored:")  # fmt: skip
    print(f"{'':<14}{'threshold':>10}{'codes':>7}{'top-1 %':>9}{'shown':>7}"
          f"{'precision %':>13}{'recall %':>10}")  # fmt: skip
    print(f"{'before':<14}{_row(feedback.before)}")
    print(f"{'after':<14}{_row(feedback.after)}")


# Ours, written by hand in the style of supplier lines seen in practice (the simulator's dialects
# never write pinyin): Latin-only descriptions naming a simulated catalog material in pinyin or
# its initials, with the material expected.
PINYIN_LINES: Final = (
    ("YSJ-1.5P R32", "M001"), ("yasuoji QX-3P 3P", "M002"), ("YSJ 1.5P R32", "M001"),
    ("bingxiang yasuoji 120W", "M003"), ("LNQ LN-35 shuangpai", "M009"),
    ("LNQ shuangpai tongguan", "M009"), ("ZFQ ZF-35", "M008"), ("ZFQ 35", "M008"),
    ("BXGLD M4x12 SUS304", "M015"), ("DZPZF 1.8mm", "M018"), ("LZGB 0.8mm", "R101"),
    ("DXB 0.6mm", "R102"), ("ZTG 9.52x0.35", "R103"), ("QBX 0.5mm", "R104"),
    ("KTYKQ hongwai", "SP-RC-01"), ("XYJ JSG 1.5m", "SP-HOSE-15"),
    ("kongtiao waijike 35", "M010"), ("ZKB PCB-RF-2", "M007"), ("NTPCG N35", "R107"),
    ("XYJ WT 100", "M013"),
)  # fmt: skip


def pinyin_lines() -> None:
    """Top-1 on the hand-written pinyin lines against the simulated catalog, with and without
    reading pinyin."""
    golden = [GoldenMaterial(m.code, m.name_zh, m.name_en, m.spec, m.category, m.unit)
              for m in MATERIALS]  # fmt: skip
    codes = [PartnerCode(f"hand/{k}", line, "") for k, (line, _) in enumerate(PINYIN_LINES)]
    expected = {c.key: code for c, (_, code) in zip(codes, PINYIN_LINES, strict=True)}
    cells = []
    for label, pinyin in (("without pinyin", False), ("with pinyin", True)):
        best = chain_suggestions(codes, golden, pinyin=pinyin)
        right = sum(best[k].golden_key == expected[k] for k in expected if k in best)
        cells.append(f"{label} {100.0 * right / len(expected):.1f} %")
    print(
        f"\npinyin and initials: {len(PINYIN_LINES)} Latin-only supplier lines written by hand "
        f"(ours), top-1 {', '.join(cells)}"
    )


def _row(r: CrosswalkResult) -> str:
    return (f"{r.threshold:>10.2f}{r.codes:>7}{r.top1_accuracy:>9.1f}{r.accepted:>7}"
            f"{r.precision:>13.1f}{r.recall:>10.1f}")  # fmt: skip


def synthetic_master(materials: int, codes: int) -> tuple[list[GoldenMaterial], list[PartnerCode]]:
    """A golden master of `materials` variants of the simulated catalog (each its own series code
    in names and spec) and `codes` partner codes describing a seeded sample of them."""
    golden = []
    for k in range(materials):
        m = MATERIALS[k % len(MATERIALS)]
        tag = f"{chr(65 + k % 26)}{chr(65 + k // 26 % 26)}-{k // 676:03d}"
        golden.append(GoldenMaterial(f"G{k:06d}", f"{m.name_zh} {tag}", f"{m.name_en} {tag}",
                                     f"{m.spec} {tag}", m.category, m.unit))  # fmt: skip
    rng = random.Random(0)
    picked = rng.sample(golden, codes)
    queries = [
        PartnerCode(f"p/{g.code}", f"{g.spec.split()[-1].replace('-', '')} {g.name_zh.split()[0]}",
                    g.base_unit)
        for g in picked
    ]  # fmt: skip
    return golden, queries


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _publish(materials: int, codes: int, store: Path) -> dict[str, float]:
    """Prepare the master as its publication does: index, matcher, its records in the matcher's
    spaces, written under `store`."""
    golden, _ = synthetic_master(materials, codes)
    wall, cpu = time.perf_counter(), _cpu()
    do_prepare_master(golden, store=store)
    return {"prepare_s": time.perf_counter() - wall, "prepare_cpu": _cpu() - cpu,
            "prepare_mb": _peak_mb()}  # fmt: skip


def _suggest_twice(materials: int, codes: int, store: Path) -> dict[str, float]:
    """In a new process: suggest for every code (reading the prepared master), then again."""
    golden, queries = synthetic_master(materials, codes)
    marks = [(time.perf_counter(), _cpu())]
    pinyin = get_pinyin_table(golden)
    records = [code_record(q, pinyin=pinyin) for q in queries]
    ranked = []
    for _ in range(2):
        matcher = get_chain_matcher(golden, store=store)
        ranked = suggest_records(records, get_golden_index(golden, store=store),
                                 matcher=matcher, top_k=5)  # fmt: skip
        marks.append((time.perf_counter(), _cpu()))
    right = sum(1 for s in ranked if s.rank == 1 and s.query_key == f"p/{s.golden_key}")
    out = {"top1": 100.0 * right / codes, "suggest_mb": _peak_mb()}
    for k, step in enumerate(("first", "repeat")):
        out[f"{step}_s"] = marks[k + 1][0] - marks[k][0]
        out[f"{step}_cpu"] = marks[k + 1][1] - marks[k][1]
    return out


def scale(materials: int, codes: int) -> None:
    """Time and peak memory of preparing a `materials` master at its publication, then, in a new
    process, of suggestions for `codes` codes (the first call reads the prepared master) and of
    the same call repeated. CPU seconds beside wall seconds: on a shared machine the wall clock
    also counts other processes' turns."""
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder)
        with context.Pool(1) as pool:
            r = pool.apply(_publish, (materials, codes, store))
        with context.Pool(1) as pool:
            r |= pool.apply(_suggest_twice, (materials, codes, store))
        size = sum(p.stat().st_size for p in store.iterdir()) / 2**20
    cells = ", ".join(f"{label} {r[f'{s}_s']:.1f} s ({r[f'{s}_cpu']:.1f} s CPU)"
                      for s, label in (("prepare", "prepare at publication"),
                                       ("first", "first call in a new process"),
                                       ("repeat", "repeat call")))  # fmt: skip
    print(
        f"\nscale: {codes} partner codes against {materials} golden materials (synthetic "
        f"variants of the simulated catalog): {cells}; prepared master {size:.0f} MB on disk; "
        f"peak memory {r['prepare_mb']:.0f} MB preparing, {r['suggest_mb']:.0f} MB suggesting; "
        f"top-1 {r['top1']:.1f} %"
    )


def main() -> int:
    """Run the measurements; without the reference folder, only outside CI, skip that part."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help=f"first {SMOKE_PAIRS} pairs only")
    parser.add_argument("--fit-default", action="store_true", help="print default weights")
    parser.add_argument("--seed", type=int, default=3, help="simulator seed")
    parser.add_argument("--data", type=Path, default=ER_MAGELLAN, help="folder of pair sets")
    parser.add_argument("--split", default="valid", help="split scored (valid, test, ...)")
    parser.add_argument("--scale", type=int, nargs=2, metavar=("MATERIALS", "CODES"),
                        help=f"scale run size (default {SCALE[0]} {SCALE[1]}, --smoke "
                             f"{SMOKE_SCALE[0]} {SMOKE_SCALE[1]})")  # fmt: skip
    args = parser.parse_args()
    if args.fit_default:
        fit_default()
        return 0
    simulator_crosswalk(args.seed)
    pinyin_lines()
    scale(*(args.scale or (SMOKE_SCALE if args.smoke else SCALE)))
    if not args.data.is_dir():
        if os.environ.get("CI") == "true":
            print(f"missing reference data: {args.data}", file=sys.stderr)
            return 1
        print(f"skipped product matching: no {args.data}")
        return 0
    results = product_matching(args.data, args.split, SMOKE_PAIRS if args.smoke else None)
    for r in results:
        print(f"F1 {r.dataset} {r.f1:.1f} precision {r.precision:.1f} recall {r.recall:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
