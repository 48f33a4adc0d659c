"""The review's record matcher, trained at first use from the chain's own data: the golden
master's two languages teach what one material written two ways looks like, and the chain's
review decisions teach what its partners' codes look like. Nothing is shipped or downloaded."""

from __future__ import annotations

import hashlib
import json
import os
import pickle  # noqa: S403 - only files this module wrote into the hub's own data folder
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import numpy as np

from chainhub.errors import ChainhubError
from chainhub.masterdata.index import GoldenIndex, candidate_record_pairs, index_records
from chainhub.masterdata.matching import FloatArray, IntArray
from chainhub.masterdata.pinyin import pinyin_table, with_pinyin
from chainhub.masterdata.records import Record, RecordMatcher, prepare_records
from chainhub.masterdata.text import synonyms_fingerprint
from chainhub.storage.bounded import BoundedCache

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


def code_record(
    code: PartnerCode, *, fallback: str = "", pinyin: Mapping[str, str] | None = None
) -> Record:
    """A partner code as partners send it: its description and unit, nothing more; given the
    master's `pinyin` table, pinyin words of a Latin-only description in Chinese."""
    name = code.description or fallback
    if pinyin:
        name = with_pinyin(name, pinyin)
    return Record(code.key, {"name": name, "unit": code.unit or ""})


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
    materials: Sequence[GoldenMaterial],
    decided: Sequence[DecidedPair],
    index: GoldenIndex | None = None,
) -> tuple[list[Record], list[Record], IntArray, FloatArray]:
    """Aligned training pairs, labels and weights: the golden master's own pairs weigh 1 each."""
    index = get_golden_index(materials) if index is None else index
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


# Bumped when what is prepared changes meaning without any source file changing.
PREPARED_FORMAT: Final = 1
# Prepared masters kept in a process: the current one and the one before it, while a publication
# is being rolled out.
_KEPT_MASTERS: Final = 2
_PREPARED_SUFFIX: Final = ".prepared.pickle"
_PREPARED_FOLDER: Final = "masterdata-prepared"
# What a prepared master is built by: a change to any of these prepares every master anew.
_BUILT_BY: Final = ("text.py", "grams.py", "matching.py", "records.py", "index.py",
                     "chain_model.py")  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class PreparedMaster:
    """A golden master ready for matching: its blocking index, the matcher fitted on it alone,
    and the master's records already in that matcher's spaces (inside the index's memo)."""

    fingerprint: str
    index: GoldenIndex
    matcher: RecordMatcher


_PREPARED: Final[BoundedCache[str, PreparedMaster]] = BoundedCache(_KEPT_MASTERS)


@cache
def _code_version() -> str:
    """The matching code and the libraries whose objects a prepared master holds."""
    digest = hashlib.sha256(f"{PREPARED_FORMAT}".encode())
    for package in ("scikit-learn", "numpy", "scipy"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    here = Path(__file__).parent
    for name in _BUILT_BY:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def master_fingerprint(materials: Sequence[GoldenMaterial]) -> str:
    """Names every attribute of every material and the code that prepares them: a master that
    changed in any way, or prepared by other code, has another fingerprint."""
    digest = hashlib.sha256(_code_version().encode())
    digest.update(synonyms_fingerprint().encode())
    for m in materials:
        fields = (m.code, m.name_zh, m.name_en, m.spec, m.category, m.base_unit)
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
    return digest.hexdigest()


_PINYIN: Final[BoundedCache[str, dict[str, str]]] = BoundedCache(_KEPT_MASTERS)


def get_pinyin_table(materials: Sequence[GoldenMaterial]) -> dict[str, str]:
    """The master's Chinese words by pinyin and initials (see pinyin.pinyin_table), built once
    per master; empty for a master without Chinese names."""
    fingerprint = master_fingerprint(materials)
    table = _PINYIN.get(fingerprint)
    if table is None:
        latin = [t or "" for m in materials for t in (m.name_en, m.spec, m.code)]
        table = pinyin_table((m.name_zh for m in materials), latin)
        _PINYIN.put(fingerprint, table)
    return table


def prepared_store(data_dir: Path) -> Path:
    """Where a hub keeping its files in `data_dir` keeps its prepared golden masters."""
    return data_dir / _PREPARED_FOLDER


def _prepare(materials: Sequence[GoldenMaterial], fingerprint: str) -> PreparedMaster:
    index = index_records(golden_records(materials))
    matcher = _fit(materials, (), index)
    # The master's records enter the matcher's spaces now, not at the first suggestion.
    matcher.prepare_side(index.side)
    return PreparedMaster(fingerprint, index, matcher)


def do_prepare_master(
    materials: Sequence[GoldenMaterial], *, store: Path | None = None
) -> PreparedMaster:
    """Prepare the golden master for matching now (when it is published), keep it in this
    process and, given `store`, write it there for other and later processes."""
    fingerprint = master_fingerprint(materials)
    prepared = _prepare(materials, fingerprint)
    _PREPARED.put(fingerprint, prepared)
    if store is not None:
        _save(prepared, store)
    return prepared


def get_prepared_master(
    materials: Sequence[GoldenMaterial], *, store: Path | None = None
) -> PreparedMaster:
    """The golden master prepared for matching: kept in this process, else read from `store`,
    else prepared now (and written there). Found by fingerprint, so never a stale master."""
    fingerprint = master_fingerprint(materials)
    prepared = _PREPARED.get(fingerprint)
    if prepared is None and store is not None:
        prepared = _load(store, fingerprint)
    if prepared is None:
        return do_prepare_master(materials, store=store)
    _PREPARED.put(fingerprint, prepared)
    return prepared


def do_publish_prepared_master(
    materials: Sequence[GoldenMaterial], *, store: Path
) -> PreparedMaster:
    """The golden master prepared and written in `store`, for every process (at publication):
    one this process keeps is written there if it is not yet."""
    prepared = _PREPARED.get(master_fingerprint(materials))
    if prepared is None:
        return get_prepared_master(materials, store=store)
    if not (store / f"{prepared.fingerprint}{_PREPARED_SUFFIX}").exists():
        _save(prepared, store)
    return prepared


def _save(prepared: PreparedMaster, store: Path) -> None:
    """Write atomically (another process reads either the whole file or none), keeping the
    newest few masters only. A folder that cannot be written costs later processes the
    preparation, not this call its suggestions."""
    path = store / f"{prepared.fingerprint}{_PREPARED_SUFFIX}"
    partial = path.with_suffix(f".{os.getpid()}.partial")
    try:
        store.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as out:
            pickle.dump(prepared, out, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        older = sorted(store.glob(f"*{_PREPARED_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-_KEPT_MASTERS]:
            stale.unlink(missing_ok=True)
    except OSError:
        partial.unlink(missing_ok=True)


def _load(store: Path, fingerprint: str) -> PreparedMaster | None:
    path = store / f"{fingerprint}{_PREPARED_SUFFIX}"
    try:
        with path.open("rb") as file:
            prepared: Any = pickle.load(file)  # noqa: S301 - written by _save, named by content
    except (OSError, EOFError, pickle.UnpicklingError):
        # Absent, unreadable or cut short (a full disk): prepared anew.
        return None
    if not isinstance(prepared, PreparedMaster):
        return None
    memo = prepared.index.side.whole.memo
    if memo is not None:
        # The memo finds a space's rows by the vectorizer's id, which differs in this process.
        entries = memo.items()
        memo.clear()
        for _, (vectorizer, rows) in entries:
            memo.put(id(vectorizer), (vectorizer, rows))
    return prepared


def get_golden_index(
    materials: Sequence[GoldenMaterial], *, store: Path | None = None
) -> GoldenIndex:
    """The golden master prepared for matching (see get_prepared_master)."""
    return get_prepared_master(materials, store=store).index


def get_chain_matcher(
    materials: Sequence[GoldenMaterial],
    decided: Sequence[DecidedPair] = (),
    *,
    store: Path | None = None,
) -> RecordMatcher:
    """The matcher for this golden master and these decisions: without decisions the prepared
    master's own, else fitted once per process."""
    prepared = get_prepared_master(materials, store=store)
    if not decided:
        return prepared.matcher
    return _fitted(prepared, tuple(materials), tuple(decided))


@lru_cache(maxsize=4)
def _fitted(
    prepared: PreparedMaster,
    materials: tuple[GoldenMaterial, ...],
    decided: tuple[DecidedPair, ...],
) -> RecordMatcher:
    return _fit(materials, decided, prepared.index)


def _fit(
    materials: Sequence[GoldenMaterial], decided: Sequence[DecidedPair], index: GoldenIndex
) -> RecordMatcher:
    left, right, labels, weights = training_pairs(materials, decided, index)
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
