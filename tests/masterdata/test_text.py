"""Normalized descriptions and the attributes parsed from them."""

from __future__ import annotations

import pytest

from chainhub.masterdata.text import normalize_text, parse_attributes, parse_specification, tokens


def test_normalization_folds_width_case_times_and_synonyms() -> None:
    assert normalize_text("ＳＵＳ３０４螺丝M4*12") == "sus304 螺钉 m4x12"
    assert normalize_text("不锈钢螺钉 M4×12") == "sus 螺钉 m4x12"
    assert normalize_text("Stainless steel screw M4 x 12") == "sus 螺钉 m4x12"
    assert normalize_text("挂壁式空调KFR-35GW 1.5匹") == "挂壁式空调 kfr-35gw 1.5 p"
    assert normalize_text("built-in dishwasher, 12,5 kg") == "built-in dishwasher 12.5 kg"
    assert normalize_text(None) == ""


def test_tokens_are_words_and_chinese_bigrams() -> None:
    assert tokens("冷轧钢板 spcc 0.8mm") == ["冷轧", "轧钢", "钢板", "spcc", "0.8mm"]
    assert tokens("铜") == ["铜"]


def test_attributes_of_parts_and_raw_materials() -> None:
    screw = parse_attributes(normalize_text("不锈钢螺钉 M4×12 SUS304"))
    assert (screw.codes, screw.dimensions) == ({"sus304"}, {"m4x12"})
    sheet = parse_attributes(normalize_text("冷轧钢板 SPCC 0.8mm"))
    assert (sheet.codes, sheet.measures, sheet.numbers) == ({"spcc"}, {"0.8mm"}, {"0.8"})
    compressor = parse_attributes(normalize_text("压缩机 QX-1.5P 1.5匹"))
    assert (compressor.codes, compressor.measures) == ({"qx15p"}, {"1.5p"})
    tube = parse_attributes(normalize_text("紫铜管 TP2 Φ9.52"))
    assert (tube.codes, tube.measures) == ({"tp2"}, {"phi9.52"})
    motor = parse_attributes(normalize_text("直流风机电机 ZWK-40W 310V"))
    assert (motor.codes, motor.measures) == ({"zwk40w"}, {"40w", "310v"})


def test_supplier_spellings_of_sizes_grades_and_trade_words() -> None:
    assert normalize_text("ROTARY COMPRESSOR QX1,5P 1,5HP") == "旋转式 压缩机 qx1.5p 1.5 p"
    assert normalize_text("CR STEEL SPCC 0,8MM COIL") == "冷轧 钢 spcc 0.8mm coil"
    assert normalize_text("冷板 SPCC δ0.8") == "冷轧板 spcc 0.8mm"
    assert normalize_text("GI sheet DX51D t0.6") == "镀锌 sheet dx51d 0.6mm"
    assert normalize_text("SS304 WIRE D3.5") == "sus304 wire phi 3.5"
    assert normalize_text("五层瓦楞纸箱 40瓦") == "五层瓦楞纸箱 40 w"
    assert normalize_text("CR2032 battery") == "cr2032 battery"
    hose = parse_attributes(normalize_text("洗衣机上水管 1500mm"))
    assert hose.measures == parse_attributes(normalize_text("洗衣机进水管 1.5米")).measures
    assert hose.measures == {"1500mm"}


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("铜管 Φ9.52×0.6 TP2", {"diameter": {"9.52"}, "grade": {"tp2"}}),
        ("OD9.52 copper tube", {"diameter": {"9.52"}}),
        ("不锈钢螺钉 M4×12 SUS304", {"thread": {"m4"}, "length": {"12"}, "grade": {"sus304"}}),
        ("ss304 screw m4 x 12.0", {"thread": {"m4"}, "length": {"12"}, "grade": {"sus304"}}),
        ("压缩机 QX-1.5P 1.5匹 R32", {"horsepower": {"1.5"}, "refrigerant": {"32"}}),
        ("Rotary compressor 1.5HP R-410A", {"horsepower": {"1.5"}, "refrigerant": {"410a"}}),
        ("电机 40W 1.5kW", {"kilowatts": {"1.5"}}),
        ("螺栓 M8*30 L=30mm Q235B", {"thread": {"m8"}, "length": {"30"}, "grade": {"q235b"}}),
    ],
)
def test_specifications_parse_into_typed_attributes(text: str, typed: dict[str, set[str]]) -> None:
    assert parse_specification(normalize_text(text)) == {k: frozenset(v) for k, v in typed.items()}
