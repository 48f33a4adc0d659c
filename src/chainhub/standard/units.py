"""Units of measure: the UN/ECE Recommendation 20 codes the standard accepts."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True, slots=True)
class Unit:
    """One UN/ECE Rec 20 unit with its dimension and factor to the dimension's base unit."""

    code: str
    name_en: str
    name_zh: str
    dimension: str
    factor: Decimal


PACKAGE: Final = "package"
"""Dimension of packages, whose size is the material's: no factor between two of them."""

_UNITS: Final = (
    Unit("H87", "piece", "件", "count", Decimal(1)),
    Unit("C62", "one (unit)", "个", "count", Decimal(1)),
    Unit("EA", "each", "每个", "count", Decimal(1)),
    Unit("SET", "set", "套", "count", Decimal(1)),
    Unit("PR", "pair", "双", "count", Decimal(2)),
    Unit("DZN", "dozen", "打", "count", Decimal(12)),
    Unit("T3", "thousand piece", "千个", "count", Decimal(1000)),
    Unit("KGM", "kilogram", "千克", "mass", Decimal(1)),
    Unit("GRM", "gram", "克", "mass", Decimal("0.001")),
    Unit("TNE", "tonne", "吨", "mass", Decimal(1000)),
    Unit("MTR", "metre", "米", "length", Decimal(1)),
    Unit("CMT", "centimetre", "厘米", "length", Decimal("0.01")),
    Unit("MMT", "millimetre", "毫米", "length", Decimal("0.001")),
    Unit("MTK", "square metre", "平方米", "area", Decimal(1)),
    Unit("LTR", "litre", "升", "volume", Decimal(1)),
    Unit("MLT", "millilitre", "毫升", "volume", Decimal("0.001")),
    Unit("MTQ", "cubic metre", "立方米", "volume", Decimal(1000)),
    Unit("CEL", "degree Celsius", "摄氏度", "temperature", Decimal(1)),
    Unit("BAR", "bar", "巴", "pressure", Decimal(1)),
    Unit("KPA", "kilopascal", "千帕", "pressure", Decimal("0.01")),
    Unit("NEW", "newton", "牛", "force", Decimal(1)),
    Unit("NU", "newton metre", "牛·米", "torque", Decimal(1)),
    Unit("VLT", "volt", "伏", "voltage", Decimal(1)),
    Unit("AMP", "ampere", "安", "current", Decimal(1)),
    Unit("OHM", "ohm", "欧", "resistance", Decimal(1)),
    Unit("WTT", "watt", "瓦", "power", Decimal(1)),
    Unit("KWT", "kilowatt", "千瓦", "power", Decimal(1000)),
    Unit("KWH", "kilowatt hour", "千瓦时", "energy", Decimal(1)),
    Unit("HTZ", "hertz", "赫兹", "frequency", Decimal(1)),
    Unit("2N", "decibel", "分贝", "sound", Decimal(1)),
    Unit("SEC", "second", "秒", "time", Decimal(1)),
    Unit("MIN", "minute", "分钟", "time", Decimal(60)),
    Unit("HUR", "hour", "小时", "time", Decimal(3600)),
    Unit("P1", "percent", "百分比", "ratio", Decimal(1)),
    # Packages (Rec 20's X codes from Rec 21): what a box or roll holds differs by material, so
    # a package converts to pieces or kilograms only by the material's own factor (SAP's
    # alternative units, MARM; the hub's crosswalk units_per_partner_unit), never by this table.
    Unit("XBX", "box", "箱", PACKAGE, Decimal(1)),
    Unit("XCT", "carton", "纸箱", PACKAGE, Decimal(1)),
    Unit("XRO", "roll", "卷", PACKAGE, Decimal(1)),
    Unit("XPK", "package", "包", PACKAGE, Decimal(1)),
    Unit("XBG", "bag", "袋", PACKAGE, Decimal(1)),
    Unit("XDR", "drum", "桶", PACKAGE, Decimal(1)),
    Unit("XPX", "pallet", "托盘", PACKAGE, Decimal(1)),
    Unit("XBE", "bundle", "捆", PACKAGE, Decimal(1)),
)

UNITS: Final[dict[str, Unit]] = {u.code: u for u in _UNITS}
UNIT_CODES: Final[tuple[str, ...]] = tuple(UNITS)


def conversion_factor(from_code: str, to_code: str) -> Decimal | None:
    """Factor that turns a quantity in `from_code` into `to_code`, or None across dimensions
    and between packages (their size is the material's)."""
    src, dst = UNITS[from_code], UNITS[to_code]
    if src.dimension != dst.dimension or src.dimension in ("temperature", PACKAGE):
        return None if src.code != dst.code else Decimal(1)
    return src.factor / dst.factor
