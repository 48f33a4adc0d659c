"""Record matching over every attribute: code spellings, missing attributes, explanations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainhub.masterdata.index import candidate_record_pairs, index_records, suggest_records
from chainhub.masterdata.records import (
    Kind,
    Record,
    RecordMatcher,
    attribute_kind,
    cross_calibrated,
    prepare_records,
    reliability,
)
from chainhub.masterdata.text import normalize_code, parse_number


@pytest.mark.parametrize(
    ("a", "b", "normal"),
    [
        ("Φ9.52×0.6", "φ9.52*0.6", "phi9.52x0.6"),
        ("Ø9,52 X 0.60", "⌀9.52x0.6", "phi9.52x0.6"),
        ("M4×12", "M4x12", "m4x12"),
        ("m4 * 12.0", "M4X12", "m4x12"),
        ("ＫＦＲ－３５ＧＷ", "KFR-35GW", "kfr35gw"),
        ("QX1,5P", "QX-1.5P", "qx1.5p"),
        ("hp q6511x", "HP-Q6511X", "hpq6511x"),
    ],
)
def test_codes_fold_case_separators_width_times_diameter_and_decimal_commas(
    a: str, b: str, normal: str
) -> None:
    assert normalize_code(a) == normalize_code(b) == normal


def test_numbers_and_column_kinds() -> None:
    assert (parse_number("$1,299.00"), parse_number("12,5 元"), parse_number("n/a")) == (
        1299.0, 12.5, None,
    )  # fmt: skip
    kinds = [attribute_kind(n) for n in ("名称", "规格型号", "品牌", "单位", "price", "modelno")]
    assert kinds == [Kind.TEXT, Kind.CODE, Kind.BRAND, Kind.UNIT, Kind.NUMBER, Kind.CODE]


def _catalog() -> tuple[list[Record], list[Record], np.ndarray]:
    """Screws and tubes: a match shares its model code whatever the spelling."""
    left: list[Record] = []
    right: list[Record] = []
    labels: list[int] = []
    for n in range(40):
        size = f"M{3 + n % 5}×{8 + 2 * (n // 5)}"
        other = f"M{3 + (n + 1) % 5}x{8 + 2 * ((n + 1) // 5)}"
        brand = ("acme", "bolt co")[n % 2]
        mine = {"名称": "不锈钢螺钉", "规格型号": size, "品牌": brand, "price": f"{1 + n}"}
        left += [Record(f"a{n}", mine), Record(f"b{n}", mine)]
        right += [
            Record(f"a{n}", {"名称": "stainless screw", "规格型号": size.replace("×", "*"),
                             "品牌": brand, "price": f"{1 + n}"}),
            Record(f"b{n}", {"名称": "stainless screw", "规格型号": other, "品牌": brand,
                             "price": f"{1 + n}"}),
        ]  # fmt: skip
        labels += [1, 0]
    return left, right, np.asarray(labels, dtype=np.int64)


@pytest.fixture(scope="module")
def matcher() -> RecordMatcher:
    left, right, labels = _catalog()
    return RecordMatcher().fit(left, right, labels)


def test_missing_attributes_are_not_scored_as_disagreement(matcher: RecordMatcher) -> None:
    query = Record("q", {"名称": "不锈钢螺钉", "规格型号": "M5x10", "品牌": "acme", "price": "9"})
    same = Record("g", {"名称": "stainless screw", "规格型号": "M5*10", "品牌": "acme",
                        "price": "9"})  # fmt: skip
    without_brand = Record("g", {"名称": "stainless screw", "规格型号": "M5*10", "price": "9"})
    other_brand = Record("g", {"名称": "stainless screw", "规格型号": "M5*10", "品牌": "zenith",
                               "price": "9"})  # fmt: skip
    pairs = np.asarray([[0, 0], [0, 1], [0, 2]], dtype=np.int64)
    x = matcher.features([query], [same, without_brand, other_brand], pairs)
    names = matcher.feature_names
    brand_similarity = x[:, names.index("品牌:token_set")]
    assert x[:, names.index("品牌:missing")].tolist() == [0.0, 1.0, 0.0]
    assert brand_similarity[0] == 1.0 and math.isnan(brand_similarity[1])
    assert brand_similarity[2] < 0.5
    missing = matcher.explain(x[1])
    assert "品牌" in missing.missing and "品牌" not in missing.disagreed
    assert "品牌" in matcher.explain(x[2]).disagreed
    confidence = matcher.confidence(x)
    assert confidence[1] > 0.5 and confidence[0] > 0.5


def test_suggestions_say_which_attributes_agreed_and_which_disagreed(
    matcher: RecordMatcher,
) -> None:
    query = Record("q", {"名称": "螺钉 不锈钢", "规格型号": "Ｍ４×１２", "品牌": "acme"})
    golden = [
        Record("M4x12", {"名称": "stainless screw", "规格型号": "M4*12", "品牌": "acme",
                         "price": "3"}),
        Record("M4x16", {"名称": "stainless screw", "规格型号": "M4x16", "品牌": "bolt co",
                         "price": "4"}),
    ]  # fmt: skip
    index = index_records(golden)
    assert candidate_record_pairs(prepare_records([query]), index).tolist() == [[0, 0], [0, 1]]
    best, second = suggest_records([query], index, matcher=matcher, top_k=2)
    assert (best.golden_key, best.rank, second.golden_key) == ("M4x12", 1, "M4x16")
    assert best.confidence > second.confidence
    assert {"规格型号", "品牌"} <= set(best.explanation.agreed)
    assert best.explanation.missing == ("price",)
    assert "品牌" in second.explanation.disagreed


def test_typed_specifications_agree_or_clash_and_are_named(matcher: RecordMatcher) -> None:
    query = Record("q", {"名称": "压缩机 1.5匹 R32"})
    golden = [Record("a", {"名称": "rotary compressor 1.5HP R-32"}),
              Record("b", {"名称": "rotary compressor 1.5HP R410A"})]  # fmt: skip
    pairs = np.asarray([[0, 0], [0, 1]], dtype=np.int64)
    x = matcher.features([query], golden, pairs)
    names = matcher.feature_names
    assert x[:, names.index("spec:refrigerant")].tolist() == [1.0, 0.0]
    assert x[:, names.index("spec:horsepower")].tolist() == [1.0, 1.0]
    assert math.isnan(x[0, names.index("spec:thread")])
    same, other = matcher.explain(x[0]), matcher.explain(x[1])
    assert {"refrigerant", "horsepower"} <= set(same.agreed)
    assert "refrigerant" in other.disagreed and "horsepower" in other.agreed


def test_confidence_calibrated_on_held_out_folds_says_how_often_it_is_right() -> None:
    rng = np.random.default_rng(0)
    score = rng.random(2000)
    # A pair scored s is a match with probability s squared: the raw score overstates it.
    labels = (rng.random(2000) < score**2).astype(np.int64)
    confidence = cross_calibrated(score, labels)
    table = reliability(labels, confidence)
    assert sum(n for _, n, _, _ in table) == 2000
    for _, n, mean, right in table:
        if n >= 100:
            assert abs(mean - right) < 0.1
    high = confidence >= 0.9
    assert high.any() and labels[high].mean() >= 0.85
