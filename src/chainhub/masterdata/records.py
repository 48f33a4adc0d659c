"""Record matching over every attribute: per-attribute similarities, blocking, learned combiner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from chainhub.masterdata.matching import (
    FEATURES,
    MAX_CODE_BLOCK,
    FloatArray,
    IntArray,
    Item,
    Prepared,
    Vectorizers,
    candidate_pairs,
    pair_features,
    prepare,
)
from chainhub.masterdata.text import normalize_code, normalize_text, parse_number, tokens
from chainhub.standard.unit_words import normalize_unit, unit_dimension

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression


class Kind(StrEnum):
    """How an attribute's values compare."""

    TEXT = "text"
    CODE = "code"
    BRAND = "brand"
    CATEGORY = "category"
    NUMBER = "number"
    UNIT = "unit"


# Column names partners and benchmarks use, English and Chinese; any other column is text.
_KINDS: Final = {
    **dict.fromkeys(("title", "name", "description", "名称", "物料名称", "描述", "name_zh",
                     "name_en"), Kind.TEXT),
    **dict.fromkeys(("modelno", "model", "model_no", "spec", "型号", "规格", "规格型号",
                     "drawing", "图号", "part_no", "mpn"), Kind.CODE),
    **dict.fromkeys(("brand", "manufacturer", "品牌", "厂家", "制造商"), Kind.BRAND),
    **dict.fromkeys(("category", "类别", "分类"), Kind.CATEGORY),
    **dict.fromkeys(("price", "价格", "单价"), Kind.NUMBER),
    **dict.fromkeys(("unit", "base_unit", "单位"), Kind.UNIT),
}  # fmt: skip
_AGREE: Final = 0.8
_DISAGREE: Final = 0.5


def attribute_kind(name: str) -> Kind:
    """The kind of a column by its name."""
    return _KINDS.get(name.strip().lower(), Kind.TEXT)


@dataclass(frozen=True, slots=True)
class Record:
    """A thing to match with its attributes; an empty or absent value is missing."""

    key: str
    fields: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Side:
    """Records normalized once: per-attribute text, codes and numbers, and the whole record."""

    keys: list[str]
    values: list[dict[str, str]]
    whole: Prepared


def _prepare(records: Sequence[Record]) -> _Side:
    values: list[dict[str, str]] = []
    items: list[Item] = []
    for r in records:
        mine: dict[str, str] = {}
        for name, raw in r.fields.items():
            kind = attribute_kind(name)
            if not raw or not raw.strip():
                continue
            if kind is Kind.NUMBER:
                mine[name] = raw
            else:
                mine[name] = normalize_code(raw) if kind is Kind.CODE else normalize_text(raw)
        values.append(mine)
        words = [v for n, v in r.fields.items() if v and attribute_kind(n) not in _NOT_WORDS]
        unit = next((v for n, v in r.fields.items() if v and attribute_kind(n) is Kind.UNIT), None)
        items.append(Item(r.key, " ".join(words), unit))
    return _Side([r.key for r in records], values, prepare(items))


_NOT_WORDS: Final = frozenset({Kind.NUMBER, Kind.UNIT})
_ATTRIBUTE_FEATURES: Final = {
    Kind.TEXT: ("missing", "token_set", "ratio"),
    Kind.CATEGORY: ("missing", "token_set", "ratio"),
    Kind.BRAND: ("missing", "token_set", "in_other"),
    Kind.CODE: ("missing", "equal", "ratio", "in_other"),
    Kind.NUMBER: ("missing", "closeness"),
    Kind.UNIT: ("missing", "equal"),
}
_NAN: Final = float("nan")


def _contained(code: str, text: str) -> bool:
    return len(code) >= 3 and code in text


def _attribute(kind: Kind, a: str | None, b: str | None, a_all: str, b_all: str) -> list[float]:
    """Similarities of one attribute; NaN where a side is missing, so it is never disagreement."""
    missing = float((a is None) + (b is None))
    width = len(_ATTRIBUTE_FEATURES[kind]) - 1
    if kind in (Kind.BRAND, Kind.CODE) and (a is None) != (b is None):
        # One side states a brand or model number: the other may still carry it in its text.
        present, other_text = (a, b_all) if a is not None else (b, a_all)
        assert present is not None
        other = normalize_code(other_text) if kind is Kind.CODE else other_text
        row = [missing, *([_NAN] * (width - 1)), float(_contained(present, other))]
        return row
    if a is None or b is None:
        return [missing, *([_NAN] * width)]
    if kind in (Kind.TEXT, Kind.CATEGORY):
        return [0.0, fuzz.token_set_ratio(a, b) / 100.0, fuzz.ratio(a, b) / 100.0]
    if kind is Kind.BRAND:
        inside = _contained(a, b_all) or _contained(b, a_all)
        return [0.0, fuzz.token_set_ratio(a, b) / 100.0, float(inside)]
    if kind is Kind.CODE:
        equal = a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a))
        inside = _contained(a, normalize_code(b_all)) or _contained(b, normalize_code(a_all))
        return [0.0, float(equal), fuzz.ratio(a, b) / 100.0, float(inside)]
    if kind is Kind.NUMBER:
        x, y = parse_number(a), parse_number(b)
        if x is None or y is None:
            return [1.0, _NAN]
        return [0.0, 1.0 - abs(x - y) / max(abs(x), abs(y), 1e-9)]
    return [0.0, float(unit_dimension(normalize_unit(a)) == unit_dimension(normalize_unit(b)))]


def _pair_tokens(a: str, b: str) -> list[str]:
    """Words both records share and words only one has, as the token model's inputs."""
    x, y = set(tokens(a)), set(tokens(b))
    return [f"s:{w}" for w in x & y] + [f"d:{w}" for w in x ^ y]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Which attributes agreed, which disagreed, and which one side did not state."""

    agreed: tuple[str, ...]
    disagreed: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass
class RecordMatcher:
    """Attribute features, a token model and calibrated gradient boosting, fitted on pairs."""

    attributes: tuple[str, ...] = ()
    vectorizers: Vectorizers = field(default_factory=Vectorizers)
    token_model: LogisticRegression | None = None
    model: HistGradientBoostingClassifier | None = None
    calibrator: IsotonicRegression | None = None
    threshold: float = 0.5
    token_columns: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def feature_names(self) -> list[str]:
        """Names of the feature columns, whole-record first, then per attribute."""
        names = [f"record:{f}" for f in FEATURES]
        for name in self.attributes:
            names += [f"{name}:{f}" for f in _ATTRIBUTE_FEATURES[attribute_kind(name)]]
        return [*names, "record:tokens"]

    def _features(
        self, left: _Side, right: _Side, pairs: IntArray, token_score: FloatArray
    ) -> FloatArray:
        whole = pair_features(left.whole, right.whole, pairs, self.vectorizers)
        rows: list[list[float]] = []
        for i, j in pairs.tolist():
            a, b = left.values[i], right.values[j]
            a_all, b_all = left.whole.texts[i], right.whole.texts[j]
            row: list[float] = []
            for name in self.attributes:
                row += _attribute(attribute_kind(name), a.get(name), b.get(name), a_all, b_all)
            rows.append(row)
        width = len(self.feature_names) - len(FEATURES) - 1
        per_attribute = np.asarray(rows, dtype=np.float64).reshape(len(rows), width)
        return np.column_stack([whole, per_attribute, token_score])

    def _token_inputs(self, left: _Side, right: _Side, pairs: IntArray) -> Any:
        from sklearn.feature_extraction import FeatureHasher

        hasher = FeatureHasher(n_features=2**18, input_type="string", alternate_sign=False)
        return hasher.transform(
            _pair_tokens(left.whole.token_texts[i], right.whole.token_texts[j])
            for i, j in pairs.tolist()
        )

    def fit(
        self,
        left: Sequence[Record],
        right: Sequence[Record],
        labels: IntArray,
        weights: FloatArray | None = None,
    ) -> RecordMatcher:
        """Learn from aligned pairs (left[k], right[k], labels[k]), each weighted by `weights` if
        given; set the threshold by CV."""
        from sklearn.isotonic import IsotonicRegression
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from threadpoolctl import threadpool_limits

        names = {n for r in (*left, *right) for n, v in r.fields.items()}
        self.attributes = tuple(sorted(names))
        a, b = _prepare(left), _prepare(right)
        self.vectorizers = Vectorizers().fit([a.whole, b.whole])
        pairs = _aligned(len(labels))
        # Five folds, fewer when a class has fewer pairs (a small golden master).
        folds = StratifiedKFold(min(5, int(np.bincount(labels).min())), shuffle=True,
                                random_state=0)  # fmt: skip
        weighted = {"sample_weight": weights} if weights is not None else {}
        token_x = self._token_inputs(a, b, pairs)
        # Only hashed words seen in training can carry weight: dropping the other columns leaves
        # the model as it was and makes each solver step cost the vocabulary, not 2**18.
        self.token_columns = np.unique(token_x.indices)
        token_x = token_x[:, self.token_columns]
        self.token_model = LogisticRegression(C=0.3, max_iter=2000)
        # Out-of-fold token scores, so the combiner learns how far they can be trusted.
        token_score = cross_val_predict(
            self.token_model, token_x, labels, cv=folds, method="predict_proba", params=weighted
        )[:, 1]
        self.token_model.fit(token_x, labels, **weighted)
        x = self._features(a, b, pairs, token_score)
        # A similarity never measured in training (one side never states that attribute) cannot
        # be binned; as a constant it is never split on, so later values are ignored.
        x[:, np.isnan(x).all(axis=0)] = 0.0
        # One thread: boosting's OpenMP workers spin badly on a shared machine, and pairs are few.
        with threadpool_limits(1):
            held_out = cross_val_predict(
                _boosting(), x, labels, cv=folds, method="predict_proba", params=weighted
            )
            self.model = _boosting().fit(x, labels, **weighted)
        # Isotonic calibration on out-of-fold scores: a confidence of 0.9 is right 9 times in 10.
        self.calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        calibrated = self.calibrator.fit(held_out[:, 1], labels, weights).predict(held_out[:, 1])
        self.threshold = best_threshold(labels, np.asarray(calibrated, dtype=np.float64))
        return self

    def features(self, left: Sequence[Record], right: Sequence[Record], pairs: IntArray) -> Any:
        """Feature rows of pairs (left index, right index)."""
        a, b = _prepare(left), _prepare(right)
        assert self.token_model is not None, "fit the matcher first"
        token_x = self._token_inputs(a, b, pairs)[:, self.token_columns]
        token_score = self.token_model.predict_proba(token_x)[:, 1]
        return self._features(a, b, pairs, np.asarray(token_score, dtype=np.float64))

    def score(self, features: FloatArray) -> FloatArray:
        """The combiner's uncalibrated score of each pair: it orders pairs calibration ties."""
        from threadpoolctl import threadpool_limits

        assert self.model is not None, "fit the matcher first"
        with threadpool_limits(1):
            return np.asarray(self.model.predict_proba(features)[:, 1], dtype=np.float64)

    def calibrate(self, score: FloatArray) -> FloatArray:
        """Calibrated probability that each pair is the same thing, from its score."""
        assert self.calibrator is not None, "fit the matcher first"
        return np.asarray(self.calibrator.predict(score), dtype=np.float64)

    def confidence(self, features: FloatArray) -> FloatArray:
        """Calibrated probability that each pair is the same thing."""
        return self.calibrate(self.score(features))

    def explain(self, row: FloatArray) -> Explanation:
        """Attributes that agreed, disagreed and were missing on a side, from a feature row."""
        index = {n: k for k, n in enumerate(self.feature_names)}
        agreed: list[str] = []
        disagreed: list[str] = []
        missing: list[str] = []
        for name in self.attributes:
            kind = attribute_kind(name)
            evidence = _ATTRIBUTE_FEATURES[kind][1:]
            if row[index[f"{name}:missing"]] > 0:
                found = kind in (Kind.BRAND, Kind.CODE) and row[index[f"{name}:in_other"]] == 1
                (agreed if found else missing).append(name)
                continue
            score = max(float(row[index[f"{name}:{f}"]]) for f in evidence)
            if score >= _AGREE:
                agreed.append(name)
            elif score < _DISAGREE:
                disagreed.append(name)
        return Explanation(tuple(agreed), tuple(disagreed), tuple(missing))


def _boosting() -> HistGradientBoostingClassifier:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        learning_rate=0.06, max_iter=250, max_leaf_nodes=15, l2_regularization=1.0,
        random_state=0,
    )  # fmt: skip


def _aligned(n: int) -> IntArray:
    index = np.arange(n, dtype=np.int64)
    return np.column_stack([index, index])


_THRESHOLDS: Final = np.round(np.arange(0.05, 0.951, 0.01), 2)


def scores(labels: IntArray, predicted: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class, in percent."""
    tp = int(np.sum(predicted & (labels == 1)))
    fp = int(np.sum(predicted & (labels == 0)))
    fn = int(np.sum(~predicted & (labels == 1)))
    if tp == 0:
        return 0.0, 0.0, 0.0
    return 100.0 * tp / (tp + fp), 100.0 * tp / (tp + fn), 200.0 * tp / (2 * tp + fp + fn)


def best_threshold(labels: IntArray, confidence: FloatArray) -> float:
    """The threshold with the best F1 on these pairs."""
    return float(max(_THRESHOLDS, key=lambda t: scores(labels, confidence >= t)[2]))


def match_aligned(matcher: RecordMatcher, left: Sequence[Record], right: Sequence[Record]) -> Any:
    """Features and confidences of aligned pairs (left[k], right[k])."""
    x = matcher.features(left, right, _aligned(len(left)))
    return x, matcher.confidence(x)


def candidate_record_pairs(
    queries: Sequence[Record], golden: Sequence[Record], *, per_query: int = 20
) -> IntArray:
    """Blocking: nearest golden records by whole text, plus those sharing a model or part code."""
    q, g = _prepare(queries), _prepare(golden)
    vectorizers = Vectorizers().fit([q.whole, g.whole])
    found = {(int(i), int(j)) for i, j in candidate_pairs(q.whole, g.whole, vectorizers,
                                                          per_query=per_query)}  # fmt: skip
    by_code: dict[str, set[int]] = {}
    for j, values in enumerate(g.values):
        for name, value in values.items():
            if attribute_kind(name) is Kind.CODE and len(value) >= 3:
                by_code.setdefault(value, set()).add(j)
    for i, values in enumerate(q.values):
        for name, value in values.items():
            sharing = by_code.get(value, ())
            if attribute_kind(name) is Kind.CODE and len(sharing) <= MAX_CODE_BLOCK:
                found.update((i, j) for j in sharing)
    ordered = sorted(found)
    return np.asarray(ordered, dtype=np.int64).reshape(len(ordered), 2)


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
    golden: Sequence[Record],
    *,
    matcher: RecordMatcher,
    top_k: int = 5,
) -> list[RecordSuggestion]:
    """Ranked golden records (best first, at most `top_k`) for each query, each explained."""
    if not queries or not golden:
        return []
    pairs = candidate_record_pairs(queries, golden)
    if not len(pairs):
        return []
    x = matcher.features(queries, golden, pairs)
    score = matcher.score(x)
    confidence = matcher.calibrate(score)
    out: list[RecordSuggestion] = []
    ranks: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    # Isotonic calibration is a step function: the raw score orders pairs on the same step.
    for k in np.lexsort((-score, -confidence, pairs[:, 0])).tolist():
        i, key = int(pairs[k, 0]), golden[int(pairs[k, 1])].key
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
