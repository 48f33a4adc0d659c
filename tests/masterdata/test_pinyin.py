"""Pinyin and initials of golden names read in Latin-only partner descriptions."""

from __future__ import annotations

from chainhub.masterdata.chain_model import (
    GoldenMaterial,
    PartnerCode,
    code_record,
    get_pinyin_table,
)
from chainhub.masterdata.pinyin import pinyin_table, with_pinyin

NAMES = ("压缩机 QX-1.5P", "冷凝器组件 LN-35", "空调外机壳 WJK-35", "不锈钢螺钉 M4×12")


def test_words_of_names_by_full_pinyin_and_capital_initials() -> None:
    table = pinyin_table(NAMES)
    assert table["YSJ"] == table["yasuoji"] == "压缩机"
    assert table["LNQ"] == "冷凝器" and table["LNQZJ"] == "冷凝器组件"
    assert table["waijike"] == "外机壳"
    # Initials of two characters are too ambiguous to stand for a word.
    assert "KT" not in table


def test_a_spelling_taken_by_a_latin_word_or_two_words_is_left_out() -> None:
    assert "WJK" in pinyin_table(NAMES)
    assert "WJK" not in pinyin_table(NAMES, ["Outdoor unit casing WJK-35"])
    # 试剂 and 事迹 are both shiji: neither is meant.
    assert "shiji" not in pinyin_table(["试剂瓶", "事迹簿"])


def test_latin_only_descriptions_get_the_chinese_word_beside_the_pinyin() -> None:
    table = pinyin_table(NAMES)
    assert with_pinyin("YSJ-1.5P R32", table) == "压缩机 YSJ-1.5P R32"
    assert with_pinyin("yasuoji QX-3P", table) == "压缩机 yasuoji QX-3P"
    # Initials count only in capitals; Chinese text and trade words are left as written.
    assert with_pinyin("ysj-1.5p", table) == "ysj-1.5p"
    assert with_pinyin("压缩机 YSJ", table) == "压缩机 YSJ"
    assert with_pinyin("LNQ cond", {**table, "cond": "冷凝"}) == "冷凝器 LNQ cond"
    assert with_pinyin("Rotary compressor", {}) == "Rotary compressor"


def test_the_master_s_table_and_partner_records() -> None:
    golden = [GoldenMaterial("M001", "压缩机 QX-1.5P", "Rotary compressor QX-1.5P", "1.5匹 R32",
                             "component", "H87")]  # fmt: skip
    table = get_pinyin_table(golden)
    record = code_record(PartnerCode("p/1", "YSJ 1.5P", "PCS"), pinyin=table)
    assert record.fields == {"name": "压缩机 YSJ 1.5P", "unit": "PCS"}
    english = [GoldenMaterial("E1", "", "Rotary compressor", "1.5HP", "component", "H87")]
    assert get_pinyin_table(english) == {}
