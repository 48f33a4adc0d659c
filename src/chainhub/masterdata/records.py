"""Record matching over every attribute: per-attribute similarities, blocking, learned combiner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from chainhub.masterdata.matching import (
    FEATURES,
    FloatArray,
    IntArray,
    Item,
    Prepared,
    Vectorizers,
    pair_features,
    prepare,
    transform_rows,
)
from chainhub.masterdata.text import (
    SPEC_TYPES,
    normalize_code,
    normalize_text,
    parse_number,
    parse_specification,
)
from chainhub.standard.unit_words import normalize_unit, unit_dimension

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import CountVectorizer
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
class Side:
    """Records normalized once: each attribute's values (None where missing, a unit as its
    dimension), the whole record's text folded as a code, and the whole record prepared."""

    keys: list[str]
    columns: dict[str, list[str | None]]
    code_texts: list[str]
    specs: list[dict[str, frozenset[str]]]
    whole: Prepared


def prepare_records(records: Sequence[Record], *, keep: bool = False) -> Side:
    """Normalize each record's attributes and whole text once; `keep` for a golden master."""
    n = len(records)
    kinds: dict[str, Kind] = {}
    raw_columns: dict[str, list[str | None]] = {}
    items: list[Item] = []
    for k, r in enumerate(records):
        words: list[str] = []
        unit: str | None = None
        for name, raw in r.fields.items():
            kind = kinds.get(name)
            if kind is None:
                kind = kinds[name] = attribute_kind(name)
            if raw and kind not in _NOT_WORDS:
                words.append(raw)
            if raw and unit is None and kind is Kind.UNIT:
                unit = raw
            if not raw or not raw.strip():
                continue
            column = raw_columns.get(name)
            if column is None:
                column = raw_columns[name] = [None] * n
            column[k] = raw
        items.append(Item(r.key, " ".join(words), unit))
    columns = {name: _normalized(kinds[name], values) for name, values in raw_columns.items()}
    whole = prepare(items, keep=keep)
    code_texts = [normalize_code(t) for t in whole.texts]
    specs = [parse_specification(t) for t in whole.texts]
    return Side([r.key for r in records], columns, code_texts, specs, whole)


def _normalized(kind: Kind, values: list[str | None]) -> list[str | None]:
    """A column's values normalized, each distinct value once (units and categories repeat)."""
    done: dict[str, str] = {}
    out: list[str | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        folded = done.get(value)
        if folded is None:
            folded = done[value] = _value(kind, value)
        out.append(folded)
    return out


def _value(kind: Kind, raw: str) -> str:
    if kind is Kind.NUMBER:
        return raw
    if kind is Kind.UNIT:
        # Units compare by what they measure (kg and 公斤 and KGM agree); two units of unknown
        # dimension are not evidence against.
        return unit_dimension(normalize_unit(normalize_text(raw))) or "unknown"
    return normalize_code(raw) if kind is Kind.CODE else normalize_text(raw)


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
# Pairs that must measure a similarity for the combiner to learn from it.
_MIN_MEASURED: Final = 20


def _contained(code: str, text: str) -> bool:
    return len(code) >= 3 and code in text


def _similarity(scorer: Any, a: list[str], b: list[str]) -> FloatArray:
    """A rapidfuzz scorer over aligned strings, in [0, 1], on both cores."""
    if not a:
        return np.zeros(0)
    return np.asarray(process.cpdist(a, b, scorer=scorer, workers=-1), dtype=np.float64) / 100.0


def _closeness(a: str, b: str) -> float:
    x, y = parse_number(a), parse_number(b)
    if x is None or y is None:
        return _NAN
    return 1.0 - abs(x - y) / max(abs(x), abs(y), 1e-9)


def _attribute(
    kind: Kind, a: list[str | None], b: list[str | None], a_all: list[str], b_all: list[str]
) -> FloatArray:
    """Similarities of one attribute over aligned pairs (a_all, b_all: each whole record, as a
    code for a code); NaN where a side is missing, so it is never disagreement."""
    n, width = len(a), len(_ATTRIBUTE_FEATURES[kind])
    out = np.full((n, width), _NAN)
    has_a = np.fromiter((v is not None for v in a), dtype=bool, count=n)
    has_b = np.fromiter((v is not None for v in b), dtype=bool, count=n)
    out[:, 0] = (~has_a).astype(np.float64) + (~has_b)
    both = np.flatnonzero(has_a & has_b).tolist()
    x = [a[k] or "" for k in both]
    y = [b[k] or "" for k in both]
    if kind in (Kind.BRAND, Kind.CODE):
        # One side states a brand or model number: the other may still carry it in its text.
        for k in np.flatnonzero(has_a ^ has_b).tolist():
            present, other = (a[k], b_all[k]) if a[k] is not None else (b[k], a_all[k])
            out[k, -1] = float(_contained(present or "", other))
        inside = [float(_contained(p, b_all[k]) or _contained(q, a_all[k]))
                  for k, p, q in zip(both, x, y, strict=True)]  # fmt: skip
        out[both, -1] = inside
    if kind in (Kind.TEXT, Kind.CATEGORY, Kind.BRAND):
        out[both, 1] = _similarity(fuzz.token_set_ratio, x, y)
    if kind in (Kind.TEXT, Kind.CATEGORY):
        out[both, 2] = _similarity(fuzz.ratio, x, y)
    elif kind is Kind.CODE:
        out[both, 1] = [float(p == q or (min(len(p), len(q)) >= 4 and (p in q or q in p)))
                        for p, q in zip(x, y, strict=True)]  # fmt: skip
        out[both, 2] = _similarity(fuzz.ratio, x, y)
    elif kind is Kind.NUMBER:
        out[both, 1] = [_closeness(p, q) for p, q in zip(x, y, strict=True)]
        unparsed = np.isnan(out[:, 1]) & (out[:, 0] == 0)
        out[unparsed, 0] = 1.0
    elif kind is Kind.UNIT:
        out[both, 1] = [float(p == q) for p, q in zip(x, y, strict=True)]
    return out


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
    words: CountVectorizer | None = None

    @property
    def feature_names(self) -> list[str]:
        """Names of the feature columns, whole-record first, then per attribute."""
        names = [f"record:{f}" for f in FEATURES]
        for name in self.attributes:
            names += [f"{name}:{f}" for f in _ATTRIBUTE_FEATURES[attribute_kind(name)]]
        return [*names, *(f"spec:{t}" for t in SPEC_TYPES), "record:tokens"]

    def _features(self, left: Side, right: Side, pairs: IntArray, token_score: FloatArray) -> Any:
        whole = pair_features(left.whole, right.whole, pairs, self.vectorizers)
        li, ri = pairs[:, 0].tolist(), pairs[:, 1].tolist()
        texts = ([left.whole.texts[i] for i in li], [right.whole.texts[j] for j in ri])
        codes: tuple[list[str], list[str]] | None = None
        blocks = [whole]
        for name in self.attributes:
            kind = attribute_kind(name)
            if kind is Kind.CODE and codes is None:
                codes = ([left.code_texts[i] for i in li], [right.code_texts[j] for j in ri])
            a_all, b_all = codes if kind is Kind.CODE and codes is not None else texts
            a, b = _column(left, name, li), _column(right, name, ri)
            blocks.append(_attribute(kind, a, b, a_all, b_all))
        blocks.append(_specifications([left.specs[i] for i in li], [right.specs[j] for j in ri]))
        return np.column_stack([*blocks, token_score])

    def _token_inputs(self, left: Side, right: Side, pairs: IntArray) -> Any:
        """Words both records share and words only one has (as seen in training), per pair."""
        from scipy import sparse

        assert self.words is not None, "fit the matcher first"
        a = transform_rows(self.words, left.whole, left.whole.token_texts, pairs[:, 0])
        b = transform_rows(self.words, right.whole, right.whole.token_texts, pairs[:, 1])
        shared = a.multiply(b)
        return sparse.hstack([shared, a + b - 2 * shared], format="csr")

    def fit(
        self,
        left: Sequence[Record],
        right: Sequence[Record],
        labels: IntArray,
        weights: FloatArray | None = None,
    ) -> RecordMatcher:
        """Learn from aligned pairs (left[k], right[k], labels[k]), each weighted by `weights` if
        given; set the threshold by CV."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from threadpoolctl import threadpool_limits

        names = {n for r in (*left, *right) for n, v in r.fields.items()}
        self.attributes = tuple(sorted(names))
        a, b = prepare_records(left), prepare_records(right)
        self.vectorizers = Vectorizers().fit([a.whole, b.whole])
        # Only words seen in training can carry weight in the token model.
        self.words = CountVectorizer(analyzer=str.split, lowercase=False, binary=True,
                                     dtype=np.float64)  # fmt: skip
        self.words.fit([*a.whole.token_texts, *b.whole.token_texts])
        pairs = aligned_pairs(len(labels))
        # Five folds, fewer when a class has fewer pairs (a small golden master).
        folds = StratifiedKFold(min(5, int(np.bincount(labels).min())), shuffle=True,
                                random_state=0)  # fmt: skip
        weighted = {"sample_weight": weights} if weights is not None else {}
        token_x = self._token_inputs(a, b, pairs)
        self.token_model = LogisticRegression(C=0.3, max_iter=2000)
        # Out-of-fold token scores, so the combiner learns how far they can be trusted.
        token_score = cross_val_predict(
            self.token_model, token_x, labels, cv=folds, method="predict_proba", params=weighted
        )[:, 1]
        self.token_model.fit(token_x, labels, **weighted)
        x = self._features(a, b, pairs, token_score)
        # A similarity never measured in training (one side never states that attribute) cannot
        # be binned; as a constant it is never split on, so later values are ignored.
        # So is one measured so rarely (a typed specification in English product titles) that a
        # cross-validation fold may hold none of it, which boosting cannot bin.
        x[:, (~np.isnan(x)).sum(axis=0) < _MIN_MEASURED] = 0.0
        # One thread: boosting's OpenMP workers spin badly on a shared machine, and pairs are few.
        with threadpool_limits(1):
            held_out = cross_val_predict(
                _boosting(), x, labels, cv=folds, method="predict_proba", params=weighted
            )
            self.model = _boosting().fit(x, labels, **weighted)
        # Isotonic calibration on out-of-fold scores: a confidence of 0.9 is right 9 times in 10.
        self.calibrator = isotonic(held_out[:, 1], labels, weights)
        calibrated = self.calibrator.predict(held_out[:, 1])
        self.threshold = best_threshold(labels, np.asarray(calibrated, dtype=np.float64))
        return self

    def prepare_side(self, side: Side) -> None:
        """Put a kept side (the golden master) into this matcher's spaces now, not at first use."""
        assert self.words is not None, "fit the matcher first"
        none = np.zeros(0, dtype=np.int64)
        whole = side.whole
        transform_rows(self.vectorizers.char, whole, whole.texts, none)
        transform_rows(self.vectorizers.word, whole, whole.token_texts, none)
        transform_rows(self.words, whole, whole.token_texts, none)

    def features(self, left: Sequence[Record], right: Sequence[Record], pairs: IntArray) -> Any:
        """Feature rows of pairs (left index, right index)."""
        return self.side_features(prepare_records(left), prepare_records(right), pairs)

    def side_features(self, left: Side, right: Side, pairs: IntArray) -> Any:
        """Feature rows of pairs (left index, right index) of prepared records."""
        assert self.token_model is not None, "fit the matcher first"
        token_score = self.token_model.predict_proba(self._token_inputs(left, right, pairs))[:, 1]
        return self._features(left, right, pairs, np.asarray(token_score, dtype=np.float64))

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

    def fit_calibration(self, score: FloatArray, labels: IntArray) -> RecordMatcher:
        """Calibrate again on held-out pairs (a valid split): isotonic, so that of the pairs at a
        confidence c about a share c are matches there."""
        self.calibrator = isotonic(score, labels)
        return self

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
        for typed in SPEC_TYPES:
            value = float(row[index[f"spec:{typed}"]])
            if value == 1.0:
                agreed.append(typed)
            elif value == 0.0:
                disagreed.append(typed)
        return Explanation(tuple(agreed), tuple(disagreed), tuple(missing))


def isotonic(
    score: FloatArray, labels: IntArray, weights: FloatArray | None = None
) -> IsotonicRegression:
    """A monotone map from scores to the share of matches among pairs scored alike."""
    from sklearn.isotonic import IsotonicRegression

    calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    return calibrator.fit(score, labels, weights)


def cross_calibrated(score: FloatArray, labels: IntArray, *, folds: int = 5) -> FloatArray:
    """Each pair's score calibrated by isotonic regression fitted on the other folds' pairs
    only: a calibration measured on the very pairs it was fitted on would flatter itself."""
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros(len(score))
    split = StratifiedKFold(folds, shuffle=True, random_state=0).split(score, labels)
    for fitted, held in split:
        out[held] = isotonic(score[fitted], labels[fitted]).predict(score[held])
    return out


def reliability(
    labels: IntArray, confidence: FloatArray, *, bins: int = 10
) -> list[tuple[float, int, float, float]]:
    """Per confidence bin (lower bound, width 1/bins): pairs, mean confidence, share matching."""
    at = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    out = []
    for b in range(bins):
        mine = at == b
        n = int(mine.sum())
        if n:
            out.append((b / bins, n, float(confidence[mine].mean()), float(labels[mine].mean())))
    return out


def _boosting() -> HistGradientBoostingClassifier:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        learning_rate=0.06, max_iter=250, max_leaf_nodes=15, l2_regularization=1.0,
        random_state=0,
    )  # fmt: skip


def _specifications(
    a: list[dict[str, frozenset[str]]], b: list[dict[str, frozenset[str]]]
) -> FloatArray:
    """Per typed attribute: 1 where both sides state it and share a value, 0 where both state it
    and share none, NaN where a side does not state it."""
    out = np.full((len(a), len(SPEC_TYPES)), _NAN)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        if not x or not y:
            continue
        for t, kind in enumerate(SPEC_TYPES):
            if kind in x and kind in y:
                out[k, t] = float(bool(x[kind] & y[kind]))
    return out


def _column(side: Side, name: str, rows: list[int]) -> list[str | None]:
    values = side.columns.get(name)
    return [values[i] for i in rows] if values is not None else [None] * len(rows)


def aligned_pairs(n: int) -> IntArray:
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
