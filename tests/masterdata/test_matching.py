"""The matcher: ranked suggestions, and F1 on product-matching pairs next to published figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chainhub.masterdata.benchmark import PUBLISHED, run_benchmark
from chainhub.masterdata.matching import DEFAULT_COMBINER, Item, suggest

ER_MAGELLAN = (
    Path(__file__).parents[2] / ".." / "shared" / "reference" / "entity-matching" / "er_magellan"
)

GOLDEN = [
    Item("M001", "压缩机 QX-1.5P 1.5匹 R32", "H87", "component"),
    Item("M001", "Rotary compressor QX-1.5P 1.5匹 R32", "H87", "component"),
    Item("M002", "压缩机 QX-3P 3匹 R32", "H87", "component"),
    Item("M015", "不锈钢螺钉 M4×12 SUS304 十字盘头", "H87", "component"),
    Item("M016", "不锈钢螺钉 M4×16 SUS304 十字盘头", "H87", "component"),
    Item("R101", "冷轧钢板 SPCC 0.8mm SPCC 0.8×1250", "KGM", "raw"),
]


def test_each_query_gets_ranked_golden_codes_once() -> None:
    queries = [Item("a", "ROTARY COMPRESSOR QX-1.5P", "PCS"), Item("b", "螺丝M4*16 SUS304", "件"),
               Item("c", "SPCC冷轧板 0.8mm", "公斤")]  # fmt: skip
    ranked = suggest(queries, GOLDEN, combiner=DEFAULT_COMBINER, top_k=3)
    best = {s.query_key: s.golden_key for s in ranked if s.rank == 1}
    assert best == {"a": "M001", "b": "M016", "c": "R101"}
    for key in "abc":
        mine = [s for s in ranked if s.query_key == key]
        assert [s.rank for s in mine] == list(range(1, len(mine) + 1))
        assert len({s.golden_key for s in mine}) == len(mine) <= 3
        assert all(0.0 <= s.confidence <= 1.0 for s in mine)
        assert [s.confidence for s in mine] == sorted((s.confidence for s in mine), reverse=True)
    assert suggest([], GOLDEN, combiner=DEFAULT_COMBINER) == []


@pytest.mark.parametrize("dataset", ["Abt-Buy", "Amazon-Google"])
def test_f1_on_valid_beats_magellan(dataset: str) -> None:
    if not ER_MAGELLAN.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference data missing in CI: {ER_MAGELLAN}")
        pytest.skip(f"no reference data at {ER_MAGELLAN}")
    result = run_benchmark(ER_MAGELLAN, dataset)
    assert result.valid_f1 > PUBLISHED[dataset]["Magellan"]
    assert 0.05 <= result.threshold <= 0.95
