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


CROSS_FIELD_RULES: Final[dict[str, tuple[CrossFieldRule, ...]]] = {
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
