"""Units of measure: partners' unit words to UN/ECE Rec 20 codes, and quantity conversion."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import cache
from typing import Final

import polars as pl

from chainhub.standard.units import UNITS, conversion_factor

FACTOR_DTYPE: Final = pl.Decimal(38, 12)
QUANTITY_DTYPE: Final = pl.Decimal(18, 6)

PIECE: Final = "H87"
"""The hub's code for one piece: every word or code that means one piece normalizes to it."""
_ONE_PIECE: Final = frozenset({"C62", "EA"})
"""Rec 20 codes that count one piece as well (one, each): valid in documents, harmonized."""
# Words partners write, beyond the Rec 20 codes and the standard's own Chinese names. Counting
# words of Chinese (件 个 只 台 ...) all mean one piece; 套, 双 and 打 are sets, pairs, dozens;
# 千个 and SAP's TST a thousand pieces; 箱, 卷, PAK and the like are packages.
_ALIASES: Final[dict[str, str]] = {
    "件": "H87", "只": "H87", "台": "H87", "块": "H87", "支": "H87", "根": "H87", "片": "H87",
    "条": "H87", "张": "H87", "颗": "H87", "粒": "H87", "枚": "H87", "把": "H87", "部": "H87",
    "pcs": "H87", "pc": "H87", "pce": "H87", "piece": "H87", "pieces": "H87", "st": "H87",
    "stk": "H87", "stück": "H87", "nos": "H87", "no": "H87", "ea": "H87", "each": "H87",
    "个": "H87", "unit": "H87", "units": "H87", "套": "SET", "set": "SET", "sets": "SET",
    "双": "PR", "对": "PR", "pair": "PR", "pairs": "PR", "打": "DZN", "dozen": "DZN", "dz": "DZN",
    "千克": "KGM", "公斤": "KGM", "kg": "KGM", "kgs": "KGM", "kilogram": "KGM", "克": "GRM",
    "g": "GRM", "gr": "GRM", "gram": "GRM", "吨": "TNE", "t": "TNE", "to": "TNE",
    "tonne": "TNE", "ton": "TNE", "米": "MTR", "m": "MTR", "metre": "MTR", "meter": "MTR",
    "厘米": "CMT", "cm": "CMT", "毫米": "MMT", "mm": "MMT", "平方米": "MTK", "m2": "MTK",
    "㎡": "MTK", "平米": "MTK", "升": "LTR", "l": "LTR", "litre": "LTR", "liter": "LTR",
    "毫升": "MLT", "ml": "MLT", "立方米": "MTQ", "m3": "MTQ", "方": "MTQ", "℃": "CEL",
    "kpa": "KPA", "n": "NEW", "nm": "NU", "n·m": "NU", "v": "VLT", "a": "AMP", "w": "WTT",
    "瓦": "WTT", "kw": "KWT", "千瓦": "KWT", "kwh": "KWH", "度": "KWH", "hz": "HTZ",
    "db": "2N", "s": "SEC", "秒": "SEC", "min": "MIN", "分钟": "MIN", "h": "HUR", "小时": "HUR",
    "%": "P1", "千只": "T3", "千件": "T3", "千片": "T3", "kpcs": "T3", "kpc": "T3",
    "tst": "T3", "thousand pieces": "T3", "thousand": "T3", "盒": "XBX", "box": "XBX",
    "boxes": "XBX", "bx": "XBX", "ctn": "XCT", "carton": "XCT", "cartons": "XCT", "roll": "XRO",
    "rolls": "XRO", "rl": "XRO", "pak": "XPK", "pack": "XPK", "package": "XPK", "pk": "XPK",
    "bag": "XBG", "bags": "XBG", "drum": "XDR", "托": "XPX", "pallet": "XPX", "pal": "XPX",
    "bundle": "XBE",
}  # fmt: skip


def unit_key(word: str) -> str:
    """A unit word folded for look-up: half-width, lower case, without spaces."""
    return "".join(unicodedata.normalize("NFKC", word).casefold().split())


@cache
def unit_aliases() -> dict[str, str]:
    """Every known folded unit word mapped to its Rec 20 code."""
    table = {unit_key(u.name_zh): u.code for u in UNITS.values()}
    table.update({unit_key(u.name_en): u.code for u in UNITS.values()})
    table.update(_ALIASES)
    table.update({unit_key(code): code for code in UNITS})
    return {word: PIECE if code in _ONE_PIECE else code for word, code in table.items()}


def normalize_unit(word: str | None) -> str | None:
    """The Rec 20 code a unit word stands for, or None when the word is unknown."""
    if word is None:
        return None
    return unit_aliases().get(unit_key(word))


def unit_factor(from_unit: str, to_unit: str) -> Decimal | None:
    """Factor turning a quantity in one unit word or code into another; None across dimensions."""
    src, dst = normalize_unit(from_unit), normalize_unit(to_unit)
    if src is None or dst is None:
        return None
    return conversion_factor(src, dst)


def units_per_partner_unit(
    *, partner_unit: str | None, base_unit: str, units_per_package: Decimal | None = None
) -> Decimal | None:
    """Base units in one partner unit: a stated package size, else the dimensional factor."""
    if units_per_package is not None:
        return units_per_package
    if partner_unit is None:
        return Decimal(1)
    return unit_factor(partner_unit, base_unit)


def _fold_expr(expr: pl.Expr) -> pl.Expr:
    """The vectorized `unit_key`: full-width ASCII to half-width, lower case, spaces removed."""
    full = [chr(c) for c in range(0xFF01, 0xFF5F)]
    half = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)]
    return expr.str.replace_many(full, half).str.to_lowercase().str.replace_all(r"[\s\u3000]+", "")


def normalize_unit_expr(expr: pl.Expr) -> pl.Expr:
    """Rec 20 codes of a column of unit words; null where the word is unknown."""
    return _fold_expr(expr).replace_strict(unit_aliases(), default=None, return_dtype=pl.String)


@cache
def _pair_factors() -> dict[str, str]:
    """Conversion factors between every two Rec 20 codes of one dimension, keyed 'FROM|TO'."""
    pairs: dict[str, str] = {}
    for src in UNITS:
        for dst in UNITS:
            factor = conversion_factor(src, dst)
            if factor is not None:
                pairs[f"{src}|{dst}"] = str(round(factor, 12))
    return pairs


def factor_expr(from_code: pl.Expr, to_code: pl.Expr) -> pl.Expr:
    """Factors between columns of Rec 20 codes; null across dimensions or for unknown codes."""
    key = pl.concat_str([from_code, to_code], separator="|")
    return key.replace_strict(_pair_factors(), default=None, return_dtype=pl.String).cast(
        FACTOR_DTYPE
    )


def convert_quantity_expr(quantity: pl.Expr, from_unit: pl.Expr, to_code: pl.Expr) -> pl.Expr:
    """Quantities in unit words converted to Rec 20 codes; null when no factor applies."""
    factor = factor_expr(normalize_unit_expr(from_unit), to_code)
    return (quantity.cast(QUANTITY_DTYPE) * factor).cast(QUANTITY_DTYPE)


def base_quantity_expr(
    quantity: pl.Expr,
    unit: pl.Expr,
    *,
    base_unit: pl.Expr,
    partner_unit: pl.Expr,
    units_per_partner_unit: pl.Expr,
) -> pl.Expr:
    """Quantities in a material's base unit, after joining each row's crosswalk and material.

    A row written in the crosswalk's partner unit (or without a unit) uses the crosswalk's
    per-material factor, so a box of 12 becomes 12 pieces; any other unit converts within
    its dimension to the base unit, and is null when it cannot.
    """
    in_partner_unit = unit.is_null() | (_fold_expr(unit) == _fold_expr(partner_unit)).fill_null(
        False
    )
    per_material = quantity.cast(QUANTITY_DTYPE) * units_per_partner_unit.cast(FACTOR_DTYPE)
    return (
        pl.when(in_partner_unit)
        .then(per_material.cast(QUANTITY_DTYPE))
        .otherwise(convert_quantity_expr(quantity, unit, base_unit))
    )


def unit_dimension(code: str | None) -> str | None:
    """Dimension (count, mass, length ...) of a Rec 20 code, or None."""
    unit = UNITS.get(code) if code is not None else None
    return unit.dimension if unit is not None else None
