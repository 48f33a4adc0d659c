"""The review's record matcher, trained at first use from the chain's own data: the golden
master's two languages teach what one material written two ways looks like, and the chain's
review decisions teach what its partners' codes look like. Nothing is shipped or downloaded."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np

from chainhub.errors import ChainhubError
from chainhub.masterdata.index import GoldenIndex, candidate_record_pairs, index_records
from chainhub.masterdata.matching import FloatArray, IntArray
from chainhub.masterdata.records import Record, RecordMatcher, prepare_records

# "Of the suggestions shown at 0.9, at least 90 % are right": measured by bench/matching.py.
AUTO_ACCEPT_THRESHOLD: Final = 0.9
# Materials whose names train the matcher; a larger master is sampled (seeded) to bound the fit.
SELF_PAIR_MATERIALS: Final = 200
# Blocking candidates of another material kept per training material and language.
NEGATIVES_PER_MATERIAL: Final = 24
# The decisions together weigh as much as the golden master's own pairs, each at most this much.
DECISION_WEIGHT_CAP: Final = 20.0
_LANGUAGES: Final = ("zh", "en")


@dataclass(frozen=True, slots=True)
class GoldenMaterial:
    """A golden material's matchable attributes."""

    code: str
    name_zh: str
    name_en: str
    spec: str | None
    category: str | None
    base_unit: str | None


@dataclass(frozen=True, slots=True)
class PartnerCode:
    """What a partner told the hub about one of its codes."""

    key: str
    description: str | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class DecidedPair:
    """A reviewer's decision: this partner code is (or is not) this golden material."""

    code: PartnerCode
    material_code: str
    accepted: bool


def golden_records(materials: Sequence[GoldenMaterial]) -> list[Record]:
    """One record per material and language: name, spec, category and unit as attributes."""
    return [
        Record(m.code, {"name": m.name_zh if lang == "zh" else m.name_en, "spec": m.spec or "",
                        "category": m.category or "", "unit": m.base_unit or ""})
        for m in materials
        for lang in _LANGUAGES
    ]  # fmt: skip


def code_record(code: PartnerCode, *, fallback: str = "") -> Record:
    """A partner code as partners send it: its description and unit, nothing more."""
    return Record(code.key, {"name": code.description or fallback, "unit": code.unit or ""})


def _as_partner_writes(m: GoldenMaterial, lang: str) -> Record:
    # Partners write the spec into the description and state no category.
    name = m.name_zh if lang == "zh" else m.name_en
    return Record(m.code, {"name": f"{name} {m.spec or ''}".strip(), "unit": m.base_unit or ""})


def _self_pairs(
    materials: Sequence[GoldenMaterial], index: GoldenIndex
) -> tuple[list[Record], list[Record], list[int]]:
    """Each (sampled) material written as a partner would, against its blocking candidates."""
    sample = list(materials)
    if len(sample) > SELF_PAIR_MATERIALS:
        # A seeded sample so the same master trains the same matcher; nothing secret about it.
        sample = random.Random(0).sample(sample, SELF_PAIR_MATERIALS)  # noqa: S311
    left: list[Record] = []
    right: list[Record] = []
    labels: list[int] = []
    rng = random.Random(0)  # noqa: S311 - a seeded sample, nothing secret
    golden = index.records
    queries = [_as_partner_writes(m, lang) for lang in _LANGUAGES for m in sample]
    found: dict[int, list[int]] = {}
    # The queries are the master's own names: counted in the n-gram weights, they pick the hard
    # negatives the matcher learns best from (recall at 0.9 on the simulated chain 78 %, not 69 %).
    blocked = candidate_record_pairs(prepare_records(queries), index, count_queries=True)
    for i, j in blocked.tolist():
        found.setdefault(i, []).append(j)
    for i, candidates in found.items():
        q = queries[i]
        # Its own name in its own language is a copy, which no partner sends.
        same = [j for j in candidates if golden[j].key == q.key
                and golden[j].fields["name"] not in q.fields["name"]]  # fmt: skip
        others = [j for j in candidates if golden[j].key != q.key]
        # Many variants sharing a series code would swamp the fit: a seeded few stand in.
        if len(others) > NEGATIVES_PER_MATERIAL:
            others = rng.sample(others, NEGATIVES_PER_MATERIAL)
        for j in (*same, *others):
            left.append(q)
            right.append(golden[j])
            labels.append(int(golden[j].key == q.key))
    return left, right, labels


def _decided_pairs(
    decided: Sequence[DecidedPair], index: GoldenIndex
) -> tuple[list[Record], list[Record], list[int]]:
    """An accepted code matches its material and none of its other blocking candidates; a
    rejected code does not match the material refused."""
    left: list[Record] = []
    right: list[Record] = []
    labels: list[int] = []
    golden = index.records
    by_key: dict[str, list[Record]] = {}
    for g in golden:
        by_key.setdefault(g.key, []).append(g)
    accepted = [d for d in decided if d.accepted]
    queries = [code_record(d.code) for d in accepted]
    for i, j in candidate_record_pairs(prepare_records(queries), index).tolist():
        if golden[j].key != accepted[i].material_code:
            left.append(queries[i])
            right.append(golden[j])
            labels.append(0)
    for d in decided:
        for g in by_key.get(d.material_code, ()):
            left.append(code_record(d.code))
            right.append(g)
            labels.append(int(d.accepted))
    return left, right, labels


def training_pairs(
    materials: Sequence[GoldenMaterial], decided: Sequence[DecidedPair]
) -> tuple[list[Record], list[Record], IntArray, FloatArray]:
    """Aligned training pairs, labels and weights: the golden master's own pairs weigh 1 each."""
    index = get_golden_index(materials)
    left, right, labels = _self_pairs(materials, index)
    own = len(labels)
    more = _decided_pairs(decided, index)
    left += more[0]
    right += more[1]
    labels += more[2]
    extra = len(labels) - own
    weight = min(DECISION_WEIGHT_CAP, own / extra) if extra else 1.0
    weights = np.concatenate([np.ones(own), np.full(extra, max(weight, 1.0))])
    return left, right, np.asarray(labels, dtype=np.int64), weights


def get_golden_index(materials: Sequence[GoldenMaterial]) -> GoldenIndex:
    """The golden master prepared for matching, once per process and master: a changed master
    (another material, name or spec) is another key and is prepared anew."""
    return _indexed(tuple(materials))


# Two masters: the current one and the one before it, while a publication is being rolled out.
@lru_cache(maxsize=2)
def _indexed(materials: tuple[GoldenMaterial, ...]) -> GoldenIndex:
    return index_records(golden_records(materials))


def get_chain_matcher(
    materials: Sequence[GoldenMaterial], decided: Sequence[DecidedPair] = ()
) -> RecordMatcher:
    """The matcher for this golden master and these decisions, fitted once per process."""
    return _fitted(tuple(materials), tuple(decided))


@lru_cache(maxsize=4)
def _fitted(
    materials: tuple[GoldenMaterial, ...], decided: tuple[DecidedPair, ...]
) -> RecordMatcher:
    left, right, labels, weights = training_pairs(materials, decided)
    if min(int(np.sum(labels == 1)), int(np.sum(labels == 0))) < 2:
        raise ChainhubError(
            "golden_master_too_small",
            f"{len(materials)} golden materials are too few to learn matching from: publish the "
            "material list first",
            f"标准物料只有 {len(materials)} 个，不足以学习匹配：请先发布物料主数据",
            {"materials": len(materials)},
            status=409,
        )
    return RecordMatcher().fit(left, right, labels, weights)
