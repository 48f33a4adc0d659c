"""Inspection characteristics: what is measured on a lot, against which limits."""

from __future__ import annotations

import random
from typing import Any, Final

_PLANS: Final[dict[str, tuple[tuple[str, int, int | None, int | None, str | None], ...]]] = {
    "component": (
        ("关键尺寸", 100_000, 99_800, 100_200, "MMT"),
        ("绝缘电阻", 500_000, 100_000, None, None),
        ("外观缺陷数", 0, None, 0, None),
    ),
    "packaging": (
        ("耐破强度", 1_200_000, 1_000_000, None, "KPA"),
        ("外形尺寸", 860_000, 858_000, 862_000, "MMT"),
    ),
    "spare_part": (
        ("外形尺寸", 150_000, 149_500, 150_500, "MMT"),
        ("外观缺陷数", 0, None, 0, None),
    ),
    "raw_mass": (("厚度", 800, 770, 830, "MMT"), ("抗拉强度", 340_000, 270_000, 410_000, None)),
    "raw_count": (("引脚共面度", 50, 0, 100, "MMT"), ("外观缺陷数", 0, None, 0, None)),
}


def inspection_lines(
    *, rng: random.Random, category: str, unit: str, fail: bool
) -> list[dict[str, Any]]:
    """Measured characteristics (thousandths); with `fail`, the first one is out of limits."""
    key = category if category != "raw" else ("raw_mass" if unit == "KGM" else "raw_count")
    lines = []
    for n, (name, nominal, low, high, measure_unit) in enumerate(_PLANS[key], start=1):
        if high is not None and low is not None:
            spread = (high - low) // 6
            value = min(high, max(low, nominal + int(rng.gauss(0, 1) * spread)))
        elif low is not None:
            value = nominal + int(rng.gauss(0, 1) * (nominal - low) // 4)
            value = max(low, value)
        else:
            value = 0
        bad = fail and n == 1
        if bad:
            value = (
                (high + max(1, (high - (low or 0)) // 4)) if high is not None else ((low or 0) // 2)
            )
        lines.append(
            {
                "line_no": n,
                "characteristic": name,
                "measured_value": value,
                "nominal": nominal,
                "lower_limit": low,
                "upper_limit": high,
                "measure_unit": measure_unit,
                "line_result": "fail" if bad else "pass",
            }
        )
    return lines
