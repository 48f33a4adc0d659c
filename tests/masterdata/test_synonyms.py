"""Synonym tables kept as data, one file per industry, and the industries a hub chooses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chainhub.errors import ChainhubError
from chainhub.masterdata import text
from chainhub.masterdata.text import (
    DEFAULT_INDUSTRIES,
    active_industries,
    industries_available,
    load_synonyms,
    normalize_text,
    use_industries,
)
from chainhub.settings import Settings

# Folded as the matcher folded them when the synonyms were still a table in code.
SAMPLE = (
    ("不锈钢螺丝 M4x12 盘头十字", "sus 螺钉 m4x12 盘头十字"),
    ("Compressor rotary 1.5HP R32 inverter", "压缩机 旋转式 1.5 p r32 变频"),
    ("SS304 D9.52 copper tube", "sus304 phi 9.52 铜管"),
    ("洗衣机外筒 滚筒 8公斤", "洗衣机 外桶 滚筒 8 kg"),
    ("Wall-mounted A/C 1.5匹", "挂壁式 空调 1.5 p"),
    ("瓦楞纸箱 5层 φ8", "瓦楞纸箱 5 层 phi 8"),
    ("built-in dishwasher, 12,5 kg", "built-in dishwasher 12.5 kg"),
)


@pytest.fixture
def restore_industries() -> Iterator[None]:
    yield
    use_industries(DEFAULT_INDUSTRIES)


def test_default_industries_fold_as_before() -> None:
    assert active_industries() == ("appliances",)
    assert [normalize_text(raw) for raw, _ in SAMPLE] == [folded for _, folded in SAMPLE]


def test_every_shipped_file_loads_and_industries_add_to_common(restore_industries: None) -> None:
    assert "appliances" in industries_available()
    for industry in industries_available():
        assert load_synonyms(Path(text.__file__).with_name("synonyms") / f"{industry}.toml")
    use_industries([])
    assert normalize_text("Compressor 不锈钢螺丝") == "compressor sus 螺钉"
    use_industries(["appliances"])
    assert normalize_text("Compressor 不锈钢螺丝") == "压缩机 sus 螺钉"


@pytest.mark.parametrize(
    ("content", "entry", "says"),
    [
        ('[synonyms]\n"Compressor" = "压缩机"\n', "Compressor", "lower case"),
        ('[synonyms]\n"compressor" = 3\n', "compressor", "non-empty text"),
        ('[synonyms]\n"compressor" = " "\n', "compressor", "non-empty text"),
        ('[words]\n"a" = "b"\n', "-", "[synonyms]"),
        ('[synonyms\n"a" = "b"\n', "-", "cannot be read"),
    ],
)
def test_a_bad_file_is_named_with_its_entry(
    tmp_path: Path, content: str, entry: str, says: str
) -> None:
    path = tmp_path / "metals.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ChainhubError) as raised:
        load_synonyms(path)
    assert raised.value.code == "synonyms_invalid"
    assert "metals.toml" in raised.value.message_en and repr(entry) in raised.value.message_en
    assert says in raised.value.message_en
    assert "metals.toml" in raised.value.message_zh


def test_an_unknown_industry_is_refused_naming_the_known(restore_industries: None) -> None:
    with pytest.raises(ChainhubError) as raised:
        use_industries(["shipbuilding"])
    assert raised.value.code == "industry_unknown"
    assert "'shipbuilding'" in raised.value.message_en and "appliances" in raised.value.message_en
    assert active_industries() == ("appliances",)


def test_the_setting_is_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().match_industries == ["appliances"]
    monkeypatch.setenv("CHAINHUB_MATCH_INDUSTRIES", "appliances, Common2")
    assert Settings().match_industries == ["appliances", "common2"]
