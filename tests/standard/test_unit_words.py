"""Unit words to Rec 20 codes, factors, and vectorized quantity conversion."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from chainhub.standard.unit_words import (
    base_quantity_expr,
    convert_quantity_expr,
    normalize_unit,
    normalize_unit_expr,
    unit_factor,
    units_per_partner_unit,
)


@pytest.mark.parametrize(
    ("word", "code"),
    [("件", "H87"), ("PCS", "H87"), ("ｐｃｓ", "H87"), (" Pc ", "H87"), ("ST", "H87"),
     ("EA", "H87"), ("each", "H87"), ("个", "H87"), ("C62", "H87"), ("套", "SET"), ("双", "PR"),
     ("千克", "KGM"), ("公斤", "KGM"),
     ("KG", "KGM"), ("kgm", "KGM"), ("克", "GRM"), ("g", "GRM"), ("吨", "TNE"), ("t", "TNE"),
     ("米", "MTR"), ("M", "MTR"), ("毫米", "MMT"), ("mm", "MMT"), ("升", "LTR"), ("L", "LTR"),
     ("ml", "MLT"), ("千个", "T3"), ("TST", "T3"), ("kpcs", "T3"), ("箱", "XBX"), ("卷", "XRO"),
     ("PAK", "XPK"), ("只儿", None), ("", None), (None, None)],
)  # fmt: skip
def test_words_normalize_to_rec20_codes(word: str | None, code: str | None) -> None:
    assert normalize_unit(word) == code


def test_factors_within_a_dimension_and_none_across() -> None:
    assert unit_factor("g", "千克") == Decimal("0.001")
    assert unit_factor("吨", "kg") == Decimal(1000)
    assert unit_factor("mm", "米") == Decimal("0.001")
    assert unit_factor("打", "件") == Decimal(12)
    assert unit_factor("EA", "PCS") == Decimal(1)
    assert unit_factor("件", "kg") is None
    assert unit_factor("千个", "PCE") == Decimal(1000)
    assert unit_factor("TST", "个") == Decimal(1000)
    # A box or roll holds what the material's own factor says: none between packages or to pieces.
    assert unit_factor("箱", "件") is None
    assert unit_factor("箱", "卷") is None
    assert unit_factor("PAK", "PAK") == Decimal(1)


def test_units_per_partner_unit_prefers_a_stated_package() -> None:
    assert units_per_partner_unit(partner_unit="箱", base_unit="H87",
                                  units_per_package=Decimal(12)) == Decimal(12)  # fmt: skip
    assert units_per_partner_unit(partner_unit="g", base_unit="KGM") == Decimal("0.001")
    assert units_per_partner_unit(partner_unit=None, base_unit="KGM") == Decimal(1)
    assert units_per_partner_unit(partner_unit="箱", base_unit="H87") is None


def test_vectorized_normalization_and_conversion() -> None:
    frame = pl.DataFrame({"qty": ["12", "1500", "2.5", "3"], "unit": ["ＰＣＳ", "g", "吨", "箱"],
                          "to": ["H87", "KGM", "KGM", "H87"]})  # fmt: skip
    out = frame.select(
        normalize_unit_expr(pl.col("unit")).alias("code"),
        convert_quantity_expr(pl.col("qty"), pl.col("unit"), pl.col("to")).alias("converted"),
    )
    assert out["code"].to_list() == ["H87", "GRM", "TNE", "XBX"]
    assert out["converted"].to_list() == [Decimal(12), Decimal("1.5"), Decimal(2500), None]


def test_base_quantity_uses_the_crosswalk_for_the_partner_unit() -> None:
    frame = pl.DataFrame({
        "qty": ["2", "3", "1500", "4"], "unit": ["箱", None, "g", "kg"],
        "base": ["H87", "H87", "KGM", "KGM"], "partner_unit": ["箱", "箱", "kg", "kg"],
        "factor": ["12", "12", "1", "1"],
    })  # fmt: skip
    out = frame.select(
        base_quantity_expr(
            pl.col("qty"), pl.col("unit"), base_unit=pl.col("base"),
            partner_unit=pl.col("partner_unit"), units_per_partner_unit=pl.col("factor"),
        )
    ).to_series()  # fmt: skip
    assert out.to_list() == [Decimal(24), Decimal(36), Decimal("1.5"), Decimal(4)]
