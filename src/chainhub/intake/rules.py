"""Rules across fields of one record, per document type, as Polars expressions.

Each rule is the vectorized twin of a model validator in the standard, so a file and a
JSON document are held to the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from chainhub.standard.registry import REFERENCES, get_document_type


@dataclass(frozen=True)
class CrossFieldRule:
    """A rule that fails where `fails` is true; reported on `field`."""

    name: str
    field: str
    fails: pl.Expr
    message_en: str
    message_zh: str


def _before(later: str, earlier: str) -> CrossFieldRule:
    return CrossFieldRule(
        f"{later}_before_{earlier}",
        later,
        pl.col(later) < pl.col(earlier),
        f"{later} is before {earlier}",
        f"{later} 早于 {earlier}",
    )


def _monday(name: str) -> CrossFieldRule:
    # Polars numbers weekdays from Monday = 1.
    return CrossFieldRule(
        f"{name}_monday",
        name,
        pl.col(name).dt.weekday() != 1,
        f"{name} is not a Monday (weeks are ISO weeks, given by their Monday)",
        f"{name} 不是周一（周为 ISO 周，以其周一表示）",
    )


_ONE_KIND = (
    "a capacity_group line gives either week_start (with its capacities) or material_code",
    "产能组的一行要么给出 week_start（及其产能），要么给出 material_code",
)
_CAPACITY_RULES: Final = (
    _monday("week_start"),
    CrossFieldRule(
        "capacity_line_kind",
        "week_start",
        pl.col("week_start").is_null() == pl.col("material_code").is_null(),
        *_ONE_KIND,
    ),
    CrossFieldRule(
        "actual_capacity_required",
        "actual_capacity",
        pl.col("week_start").is_not_null() & pl.col("actual_capacity").is_null(),
        "a capacity line (with week_start) needs actual_capacity",
        "产能行（含 week_start）必须给出 actual_capacity",
    ),
    CrossFieldRule(
        "maximum_capacity_required",
        "maximum_capacity",
        pl.col("week_start").is_not_null() & pl.col("maximum_capacity").is_null(),
        "a capacity line (with week_start) needs maximum_capacity",
        "产能行（含 week_start）必须给出 maximum_capacity",
    ),
    CrossFieldRule(
        "maximum_below_actual",
        "maximum_capacity",
        pl.col("maximum_capacity") < pl.col("actual_capacity"),
        "maximum_capacity is below actual_capacity",
        "最大产能低于实际产能",
    ),
)

CROSS_FIELD_RULES: Final[dict[str, tuple[CrossFieldRule, ...]]] = {
    "weekly_material_demand": (_monday("week_start"),),
    "capacity_group": _CAPACITY_RULES,
    "purchase_order": (_before("requested_date", "order_date"),),
    "sales_order": (_before("requested_date", "order_date"),),
    "shipment": (_before("expected_delivery_date", "ship_date"),),
    "goods_receipt": (
        CrossFieldRule(
            "receipt_quantities_balance",
            "accepted_quantity",
            pl.col("accepted_quantity") + pl.col("rejected_quantity")
            != pl.col("received_quantity"),
            "accepted_quantity + rejected_quantity must equal received_quantity",
            "合格数量 + 拒收数量 必须等于 实收数量",
        ),
    ),
    "production_order": (
        _before("planned_end", "planned_start"),
        _before("actual_end", "actual_start"),
    ),
    "quality_inspection": (
        CrossFieldRule(
            "limits_ordered",
            "lower_limit",
            pl.col("lower_limit") > pl.col("upper_limit"),
            "lower_limit is above upper_limit",
            "规格下限高于规格上限",
        ),
    ),
}


def reference_fields(document_type: str, key: tuple[str, ...]) -> dict[str, str]:
    """Fields of a type that must name known master data, mapped to the reference kind.

    A master-data type's own key defines the reference rather than using it.
    """
    fields = get_document_type(document_type).record_fields
    found: dict[str, str] = {}
    for kind, (defining_type, _key, names) in REFERENCES.items():
        for name in names & fields.keys():
            if document_type == defining_type and name in key:
                continue
            found[name] = kind
    return found
