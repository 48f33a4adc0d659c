"""A golden master prepared once for matching: normalized records, a blocking space over
character n-grams and code look-ups; candidates by sparse top-k, then ranked suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from chainhub.masterdata.grams import CharGrams
from chainhub.masterdata.matching import MAX_CODE_BLOCK, IntArray, transform_rows
from chainhub.masterdata.records import (
    Explanation,
    Kind,
    Record,
    RecordMatcher,
    Side,
    attribute_kind,
    prepare_records,
)

# An n-gram in more golden records than this tells little about any of them and costs most of
# the sparse product; a master under PRUNE_FROM records keeps every n-gram (there the cut
# costs recall and saves little: top-1 fell from 79 % to 29 % on a 5,000-record master).
MAX_NGRAM_RECORDS: Final = 2_000
PRUNE_FROM: Final = 20_000
# Threads of the sparse top-k product: the machine has two cores.
_THREADS: Final = 2


@dataclass(frozen=True, slots=True)
class GoldenIndex:
    """Golden records prepared once, their blocking space and the records sharing each code."""

    records: Sequence[Record]
    side: Side
    blocking: CharGrams
    # The blocking space transposed (n-grams x records): queries multiply into it.
    matrix: Any
    by_code: dict[str, list[int]]


def index_records(golden: Sequence[Record]) -> GoldenIndex:
    """Prepare golden records for any number of matching calls."""
    side = prepare_records(golden, keep=True)
    texts = side.whole.texts
    common = MAX_NGRAM_RECORDS if len(texts) >= PRUNE_FROM else 1.0
    blocking = CharGrams(max_df=common, dtype=np.float32)
    matrix = blocking.fit_transform(texts).T.tocsr() if texts else None
    by_code: dict[str, set[int]] = {}
    for j, attributes in enumerate(side.whole.attributes):
        for code in attributes.codes:
            by_code.setdefault(code, set()).add(j)
    for name, values in side.columns.items():
        if attribute_kind(name) is Kind.CODE:
            for j, value in enumerate(values):
                if value is not None and len(value) >= 3:
                    by_code.setdefault(value, set()).add(j)
    # A code many records share (a refrigerant, a grade) identifies none of them.
    kept = {code: sorted(js) for code, js in by_code.items() if len(js) <= MAX_CODE_BLOCK}
    return GoldenIndex(golden, side, blocking, matrix, kept)


def _counting_queries(index: GoldenIndex, block: Any) -> tuple[Any, Any]:
    """Queries and golden records in the blocking space re-weighted as if it had been fitted on
    both: each n-gram's inverse document frequency counts the queries holding it too."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    old = index.blocking.idf_
    n, extra = index.matrix.shape[1], block.shape[0]
    # Smoothed idf = ln((1 + n) / (1 + df)) + 1, solved for df.
    df = (1.0 + n) / np.exp(old - 1.0) - 1.0
    df_queries = np.asarray((block > 0).sum(axis=0), dtype=np.float64).ravel()
    new = np.log((1.0 + n + extra) / (1.0 + df + df_queries)) + 1.0
    scale = sparse.diags((new / old).astype(np.float32))
    golden = normalize(index.matrix.T.tocsr() @ scale).T.tocsr()
    return normalize(block @ scale).tocsr(), golden


def _nearest(queries: Side, index: GoldenIndex, per_query: int, count_queries: bool) -> IntArray:
    """The `per_query` golden records nearest each query in the blocking space."""
    from sparse_dot_topn import sp_matmul_topn

    rows = np.arange(len(queries.keys), dtype=np.int64)
    block = transform_rows(index.blocking, queries.whole, queries.whole.texts, rows)
    golden = index.matrix
    if count_queries:
        block, golden = _counting_queries(index, block)
    top = sp_matmul_topn(block, golden, top_n=per_query, threshold=1e-9,
                         n_threads=_THREADS)  # fmt: skip
    top = top.tocoo()
    return np.column_stack([top.row, top.col]).astype(np.int64)


def candidate_record_pairs(
    queries: Side, index: GoldenIndex, *, per_query: int = 20, count_queries: bool = False
) -> IntArray:
    """Blocking: nearest golden records by whole text, plus those sharing a model or part code;
    sorted (query, golden) index pairs. `count_queries` weighs n-grams counting the queries as
    documents too (a space fitted on both sides)."""
    if not queries.keys or index.matrix is None:
        return np.zeros((0, 2), dtype=np.int64)
    found = [_nearest(queries, index, per_query, count_queries)]
    sharing: list[tuple[int, int]] = []
    for i, attributes in enumerate(queries.whole.attributes):
        codes = set(attributes.codes)
        for name, values in queries.columns.items():
            value = values[i]
            if value is not None and attribute_kind(name) is Kind.CODE:
                codes.add(value)
        sharing.extend((i, j) for code in codes for j in index.by_code.get(code, ()))
    found.append(np.asarray(sharing, dtype=np.int64).reshape(len(sharing), 2))
    pairs = np.concatenate(found)
    width = max(len(index.records), 1)
    unique = np.unique(pairs[:, 0] * width + pairs[:, 1])
    return np.column_stack([unique // width, unique % width])


@dataclass(frozen=True, slots=True)
class RecordSuggestion:
    """A golden record suggested for a query, its confidence and the attributes behind it."""

    query_key: str
    rank: int
    golden_key: str
    confidence: float
    explanation: Explanation


def suggest_records(
    queries: Sequence[Record],
    golden: GoldenIndex,
    *,
    matcher: RecordMatcher,
    top_k: int = 5,
) -> list[RecordSuggestion]:
    """Ranked golden records (best first, at most `top_k`) for each query, each explained."""
    if not queries or not golden.records:
        return []
    side = prepare_records(queries)
    pairs = candidate_record_pairs(side, golden)
    if not len(pairs):
        return []
    x = matcher.side_features(side, golden.side, pairs)
    score = matcher.score(x)
    confidence = matcher.calibrate(score)
    out: list[RecordSuggestion] = []
    ranks: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    keys = golden.side.keys
    # Isotonic calibration is a step function: the raw score orders pairs on the same step.
    for k in np.lexsort((-score, -confidence, pairs[:, 0])).tolist():
        i, key = int(pairs[k, 0]), keys[int(pairs[k, 1])]
        # A golden thing may stand as several records (one per language): its best one counts.
        if (i, key) in seen:
            continue
        seen.add((i, key))
        ranks[i] = rank = ranks.get(i, 0) + 1
        if rank <= top_k:
            out.append(
                RecordSuggestion(queries[i].key, rank, key, round(float(confidence[k]), 4),
                                 matcher.explain(x[k]))
            )  # fmt: skip
    return out
