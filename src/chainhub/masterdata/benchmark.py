"""Measuring the matcher: ER-Magellan product pairs, golden-catalog pairs and a known crosswalk."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl
from sklearn.model_selection import StratifiedKFold

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
from chainhub.masterdata.index import RecordSuggestion, suggest_records
from chainhub.masterdata.matching import (
    Combiner,
    FloatArray,
    IntArray,
    Item,
    Vectorizers,
    candidate_pairs,
    fit_combiner,
    pair_features,
    prepare,
    suggest,
)
from chainhub.masterdata.records import (
    Record,
    RecordMatcher,
    aligned_pairs,
    best_threshold,
    cross_calibrated,
    reliability,
    scores,
)

# Published F1 on the same splits (Mudgal et al., SIGMOD 2018), in percent.
# Ditto: Li et al., VLDB 2021.
PUBLISHED: Final = {
    "Abt-Buy": {"Magellan": 43.6, "DeepMatcher": 62.8, "Ditto": 89.3},
    "Amazon-Google": {"Magellan": 49.1, "DeepMatcher": 69.3, "Ditto": 75.6},
    "Walmart-Amazon": {"Magellan": 71.9, "DeepMatcher": 66.9, "Ditto": 86.8},
    "Walmart-Amazon-dirty": {"Magellan": 37.4, "DeepMatcher": 53.8, "Ditto": 85.7},
}
DATASETS: Final = {"Abt-Buy": "Textual/Abt-Buy", "Amazon-Google": "Structured/Amazon-Google"}
_COLUMN_RE: Final = re.compile(r"COL (\S+) VAL ")
_THRESHOLDS: Final = np.round(np.arange(0.05, 0.951, 0.01), 2)


@dataclass(frozen=True)
class PairSplit:
    """Labelled record pairs: each side's product title, and 1 for a match."""

    left: list[Item]
    right: list[Item]
    labels: IntArray


def parse_record(side: str) -> dict[str, str]:
    """Attributes of one side of a Ditto line: `COL name VAL value COL ...`."""
    parts = _COLUMN_RE.split(side)[1:]
    return {parts[k]: parts[k + 1].strip() for k in range(0, len(parts), 2)}


def read_pairs(path: Path, *, limit: int | None = None) -> PairSplit:
    """A split file of tab-separated left record, right record and label."""
    left: list[Item] = []
    right: list[Item] = []
    labels: list[int] = []
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                break
            a, b, label = line.rstrip("\n").split("\t")
            for side, out in ((a, left), (b, right)):
                record = parse_record(side)
                out.append(Item(str(n), record.get("title") or record.get("name") or ""))
            labels.append(int(label))
    return PairSplit(left, right, np.asarray(labels, dtype=np.int64))


def split_features(
    split: PairSplit, vectorizers: Vectorizers | None = None
) -> tuple[FloatArray, Vectorizers]:
    """Features of each pair; TF-IDF weights are learnt from this split unless given."""
    left, right = prepare(split.left), prepare(split.right)
    vectorizers = vectorizers or Vectorizers().fit([left, right])
    index = np.arange(len(split.labels), dtype=np.int64)
    return pair_features(left, right, np.column_stack([index, index]), vectorizers), vectorizers


def f1(labels: IntArray, predicted: npt.NDArray[np.bool_]) -> float:
    """F1 of the positive class, in percent."""
    tp = int(np.sum(predicted & (labels == 1)))
    fp = int(np.sum(predicted & (labels == 0)))
    fn = int(np.sum(~predicted & (labels == 1)))
    return 0.0 if tp == 0 else 200.0 * tp / (2 * tp + fp + fn)


def tune_threshold(features: FloatArray, labels: IntArray, *, folds: int = 5) -> float:
    """The threshold with the best cross-validated F1 on the training pairs."""
    scores = np.zeros(len(labels))
    for train, held in StratifiedKFold(folds, shuffle=True, random_state=0).split(features, labels):
        scores[held] = fit_combiner(features[train], labels[train]).confidence(features[held])
    best = max(_THRESHOLDS, key=lambda t: f1(labels, scores >= t))
    return float(best)


@dataclass(frozen=True)
class BenchmarkResult:
    """F1 of the matcher on one data set, trained and tuned on its train split."""

    dataset: str
    threshold: float
    train_f1: float
    valid_f1: float
    combiner: Combiner


def run_benchmark(root: Path, dataset: str, *, limit: int | None = None) -> BenchmarkResult:
    """Fit the combiner and threshold on train, score valid."""
    folder = root / DATASETS[dataset]
    train = read_pairs(folder / "train.txt", limit=limit)
    valid = read_pairs(folder / "valid.txt", limit=limit)
    train_x, vectorizers = split_features(train)
    valid_x, _ = split_features(valid, vectorizers)
    threshold = tune_threshold(train_x, train.labels)
    combiner = fit_combiner(train_x, train.labels)
    return BenchmarkResult(
        dataset,
        threshold,
        f1(train.labels, combiner.confidence(train_x) >= threshold),
        f1(valid.labels, combiner.confidence(valid_x) >= threshold),
        combiner,
    )


def catalog_pairs(first: Sequence[Item], second: Sequence[Item]) -> tuple[FloatArray, IntArray]:
    """Features and labels of a golden catalog's names in one language against the other's."""
    # Each name meets its blocking candidates in the other language: the same material is a
    # match written differently (few shared words, the same model numbers and sizes), a
    # neighbour with another model number a hard non-match. No partner text is used.
    left, right = prepare(first), prepare(second)
    vectorizers = Vectorizers().fit([left, right])
    pairs = candidate_pairs(left, right, vectorizers)
    labels = np.asarray([left.keys[i] == right.keys[j] for i, j in pairs], dtype=np.int64)
    return pair_features(left, right, pairs, vectorizers), labels


@dataclass(frozen=True)
class CrosswalkResult:
    """Suggestions measured against a known crosswalk at one auto-accept threshold."""

    codes: int
    top1_accuracy: float
    threshold: float
    accepted: int
    precision: float
    recall: float


def measure_crosswalk(
    truth: pl.DataFrame, golden: list[Item], *, combiner: Combiner, threshold: float
) -> CrosswalkResult:
    """Hide the crosswalk, suggest a golden code for each partner code, compare at `threshold`.

    `truth` has partner_id, partner_material_code, material_code, partner_unit, description.
    """
    rows = truth.to_dicts()
    queries = [Item(str(n), r["description"] or r["partner_material_code"], r["partner_unit"])
               for n, r in enumerate(rows)]  # fmt: skip
    best = {s.query_key: s for s in suggest(queries, golden, combiner=combiner, top_k=1)}
    top1 = sum(1 for n, r in enumerate(rows)
               if str(n) in best and best[str(n)].golden_key == r["material_code"])  # fmt: skip
    accepted = [
        (n, s) for n, r in enumerate(rows) if (s := best.get(str(n))) and s.confidence >= threshold
    ]
    correct = sum(1 for n, s in accepted if s.golden_key == rows[n]["material_code"])
    return CrosswalkResult(
        codes=len(rows),
        top1_accuracy=100.0 * top1 / max(len(rows), 1),
        threshold=threshold,
        accepted=len(accepted),
        precision=100.0 * correct / len(accepted) if accepted else 100.0,
        recall=100.0 * correct / max(len(rows), 1),
    )


def golden_materials(materials: pl.DataFrame) -> list[GoldenMaterial]:
    """Golden materials from standard material records."""
    return [
        GoldenMaterial(m["material_code"], m["name_zh"], m["name_en"], m["spec"], m["category"],
                       m["base_unit"])
        for m in materials.to_dicts()
    ]  # fmt: skip


def partner_codes(truth: pl.DataFrame) -> list[PartnerCode]:
    """The codes of a known crosswalk as partners describe them, keyed partner/code."""
    return [PartnerCode(f"{r['partner_id']}/{r['partner_material_code']}", r["description"],
                        r["partner_unit"]) for r in truth.to_dicts()]  # fmt: skip


def chain_suggestions(
    codes: Sequence[PartnerCode],
    materials: Sequence[GoldenMaterial],
    decided: Sequence[DecidedPair] = (),
    *,
    pinyin: bool = True,
) -> dict[str, RecordSuggestion]:
    """The review's best suggestion for each code, as do_suggest_matches ranks it (without
    reading pinyin words when `pinyin` is false, to measure what they bring)."""
    matcher = get_chain_matcher(materials, decided)
    table = get_pinyin_table(materials) if pinyin else None
    queries = [code_record(c, pinyin=table) for c in codes]
    ranked = suggest_records(queries, get_golden_index(materials), matcher=matcher, top_k=1)
    return {s.query_key: s for s in ranked}


def score_suggestions(
    best: dict[str, RecordSuggestion], expected: dict[str, str], *, threshold: float
) -> CrosswalkResult:
    """Top-1 accuracy, and precision and recall of the best suggestions at `threshold`."""
    top1 = sum(1 for k, code in expected.items() if k in best and best[k].golden_key == code)
    shown = [k for k in expected if k in best and best[k].confidence >= threshold]
    correct = sum(1 for k in shown if best[k].golden_key == expected[k])
    return CrosswalkResult(
        codes=len(expected),
        top1_accuracy=100.0 * top1 / max(len(expected), 1),
        threshold=threshold,
        accepted=len(shown),
        precision=100.0 * correct / len(shown) if shown else 100.0,
        recall=100.0 * correct / max(len(expected), 1),
    )


@dataclass(frozen=True)
class FeedbackResult:
    """Held-out partners' codes scored before and after the other partners' codes were reviewed."""

    reviewed_partners: int
    decisions: int
    before: CrosswalkResult
    after: CrosswalkResult


def measure_feedback(
    truth: pl.DataFrame, materials: Sequence[GoldenMaterial], *, threshold: float
) -> FeedbackResult:
    """Review every code of every other partner (reject a wrong best suggestion, accept the right
    material), then score the remaining partners' codes with and without those decisions."""
    codes = partner_codes(truth)
    expected = dict(zip([c.key for c in codes], truth["material_code"].to_list(), strict=True))
    partners = sorted(set(truth["partner_id"].to_list()))
    reviewed = set(partners[::2])
    mine = [c for c in codes if c.key.split("/")[0] in reviewed]
    held = {c.key: expected[c.key] for c in codes if c.key.split("/")[0] not in reviewed}
    first = chain_suggestions(codes, materials)
    decided: list[DecidedPair] = []
    for c in mine:
        shown = first.get(c.key)
        if shown is not None and shown.golden_key != expected[c.key]:
            decided.append(DecidedPair(c, shown.golden_key, accepted=False))
        decided.append(DecidedPair(c, expected[c.key], accepted=True))
    after = chain_suggestions(codes, materials, decided)
    return FeedbackResult(
        len(reviewed), len(decided),
        score_suggestions(first, held, threshold=threshold),
        score_suggestions(after, held, threshold=threshold),
    )  # fmt: skip


@dataclass(frozen=True)
class RecordSplit:
    """Labelled record pairs with every attribute of each side, and 1 for a match."""

    left: list[Record]
    right: list[Record]
    labels: IntArray


def read_record_pairs(path: Path, *, limit: int | None = None) -> RecordSplit:
    """A split file of tab-separated left record, right record and label, all attributes kept."""
    left: list[Record] = []
    right: list[Record] = []
    labels: list[int] = []
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                break
            a, b, label = line.rstrip("\n").split("\t")
            left.append(Record(f"l{n}", parse_record(a)))
            right.append(Record(f"r{n}", parse_record(b)))
            labels.append(int(label))
    return RecordSplit(left, right, np.asarray(labels, dtype=np.int64))


@dataclass(frozen=True)
class RecordResult:
    """Precision, recall and F1 on one split, with the threshold and where it was tuned; the
    pairs shown at the auto-accept confidence (calibrated on valid) and a reliability table."""

    dataset: str
    split: str
    threshold: float
    tuned_on: str
    precision: float
    recall: float
    f1: float
    seconds: float
    shown_at_auto: int
    precision_at_auto: float
    recall_at_auto: float
    calibrated_on: str
    reliability: list[tuple[float, int, float, float]]


def run_record_benchmark(
    folder: Path, *, dataset: str, split: str = "valid", limit: int | None = None
) -> RecordResult:
    """Fit on train; tune the threshold on valid (by CV on train when valid is scored); score.

    Confidence is calibrated on valid only: on valid folds other than a pair's own when valid
    is scored, on the whole of valid when another split is."""
    start = time.perf_counter()
    train = read_record_pairs(folder / "train.txt", limit=limit)
    matcher = RecordMatcher().fit(train.left, train.right, train.labels)
    tuned_on = calibrated_on = "train (5-fold)"
    valid: tuple[FloatArray, IntArray] | None = None
    if split != "valid" and (folder / "valid.txt").is_file():
        pairs = read_record_pairs(folder / "valid.txt", limit=limit)
        valid = (_raw_scores(matcher, pairs), pairs.labels)
        matcher.threshold = best_threshold(pairs.labels, matcher.calibrate(valid[0]))
        tuned_on = calibrated_on = "valid"
    scored = read_record_pairs(folder / f"{split}.txt", limit=limit)
    score = _raw_scores(matcher, scored)
    # The decision at the tuned threshold, on the scale the threshold was tuned on.
    decided = matcher.calibrate(score) >= matcher.threshold
    precision, recall, f1_score = scores(scored.labels, decided)
    if valid is not None:
        confidence = matcher.fit_calibration(*valid).calibrate(score)
    else:
        calibrated_on = f"{split} (5-fold)"
        confidence = cross_calibrated(score, scored.labels)
    # As the review uses it: of the pairs shown at the auto-accept confidence, how many are
    # matches (100 when none is shown, as nothing shown is wrong).
    confident = confidence >= AUTO_ACCEPT_THRESHOLD
    at_auto = scores(scored.labels, confident)
    return RecordResult(dataset, split, matcher.threshold, tuned_on, precision, recall, f1_score,
                        time.perf_counter() - start, int(confident.sum()),
                        at_auto[0] if confident.any() else 100.0, at_auto[1], calibrated_on,
                        reliability(scored.labels, confidence))  # fmt: skip


def _raw_scores(matcher: RecordMatcher, split: RecordSplit) -> FloatArray:
    pairs = aligned_pairs(len(split.labels))
    return matcher.score(matcher.features(split.left, split.right, pairs))
