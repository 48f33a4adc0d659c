"""The small chain's orders at a supplier's plant, loaded through intake: four orders of one
work centre, one product without a routing here, one order whose input never arrives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from chainhub.intake.schemas import SourceFormat, standard_profile
from chainhub.intake.service import do_submit
from tests.support import SmallChain, submitter

SITE = "fuxing-fasteners-jiaxing"
MAKER = "fuxing-fasteners"
NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
MASTER = ("partner", "site", "material", "work_centre", "routing")


def load_orders(engine: sa.Engine, chain: SmallChain, tmp_path: Path) -> list[str]:
    chain.load(engine, only=lambda sub: sub["document_type"] in MASTER)
    made = chain.truth("production_order").filter(
        (pl.col("site_id") == SITE) & (pl.col("direction") == "output")
    )
    heads = made.unique("order_number", keep="first").sort("order_number").head(4).to_dicts()
    records = []
    for k, head in enumerate(heads):
        records.append(order_record(head, k, due_hours=12 * (k + 1)))
    # A product without a routing here, and an order whose input never arrives.
    elsewhere = chain.truth("production_order").filter(pl.col("site_id") != SITE)["product_code"]
    other = next(c for c in elsewhere if c not in set(made["product_code"]))
    records.append(
        order_record({**heads[0], "order_number": "MO-NOROUTE", "product_code": other}, 9)
    )
    records.append(order_record({**heads[1], "order_number": "MO-NOSTEEL"}, 9))
    never = {"material_code": heads[0]["material_code"], "unit": heads[0]["unit"]}
    records.append(
        {**records[-1], **never, "line_no": 2, "direction": "input", "lot_number": "L-NEVER"}
    )
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    profile = standard_profile(
        partner_id=MAKER,
        document_type="production_order",
        columns=records[0].keys(),
        source=SourceFormat(format="json"),
    )
    with engine.begin() as conn:
        result = do_submit(conn=conn, path=path, profile=profile, submitter=submitter(MAKER))
    assert result.status == "stored", result.validation and result.validation.errors
    return [h["order_number"] for h in heads]


def order_record(head: dict[str, Any], k: int, due_hours: int = 200) -> dict[str, Any]:
    return {
        "order_number": head["order_number"],
        "manufacturer_id": MAKER,
        "site_id": SITE,
        "work_centre_id": "WC-01",
        "product_code": head["product_code"],
        "product_unit": head["product_unit"],
        "planned_quantity": "100",
        "planned_start": (NOW + timedelta(hours=k)).isoformat(),
        "planned_end": (NOW + timedelta(hours=due_hours)).isoformat(),
        "status": "released",
        "line_no": 1,
        "direction": "output",
        "material_code": head["material_code"],
        "lot_number": f"L{k}",
        "quantity": "100",
        "unit": head["unit"],
    }
