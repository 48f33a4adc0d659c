"""Plans of the small chain's orders at a supplier's plant, stored on both backends: named
problems, a re-plan after the machine goes down, what moved and which orders are late."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from chainhub.intake.schemas import SourceFormat, load_profile, standard_profile
from chainhub.intake.service import do_submit
from chainhub.schedule.schemas import Downtime
from chainhub.schedule.service import do_run_schedule, get_run
from tests.support import SmallChain, submitter

SITE = "fuxing-fasteners-jiaxing"
MAKER = "fuxing-fasteners"
NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
MASTER = ("partner", "site", "material", "work_centre", "routing")


def _load(engine: sa.Engine, chain: SmallChain, tmp_path: Path) -> list[str]:
    for sub in chain.manifest["submissions"]:
        if sub["document_type"] in MASTER:
            with engine.begin() as conn:
                result = do_submit(
                    conn=conn,
                    path=chain.root / sub["file"],
                    profile=load_profile(chain.root / sub["profile"]),
                    submitter=submitter(sub["partner_id"]),
                )
            assert result.status == "stored", sub["file"]
    made = chain.truth("production_order").filter(
        (pl.col("site_id") == SITE) & (pl.col("direction") == "output")
    )
    heads = made.unique("order_number", keep="first").sort("order_number").head(4).to_dicts()
    records = []
    for k, head in enumerate(heads):
        records.append(_order(head, k, due_hours=12 * (k + 1)))
    # A product without a routing here, and an order whose input never arrives.
    elsewhere = chain.truth("production_order").filter(pl.col("site_id") != SITE)["product_code"]
    other = next(c for c in elsewhere if c not in set(made["product_code"]))
    records.append(_order({**heads[0], "order_number": "MO-NOROUTE", "product_code": other}, 9))
    records.append(_order({**heads[1], "order_number": "MO-NOSTEEL"}, 9))
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


def _order(head: dict[str, Any], k: int, due_hours: int = 200) -> dict[str, Any]:
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


def test_plan_names_problems_and_replans_around_a_breakdown(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    orders = _load(engine, small_chain, tmp_path)
    with engine.begin() as conn:
        first = do_run_schedule(conn=conn, site_id=SITE, now=NOW, seconds=5)
    assert sorted({s.order_number for s in first.slots}) == sorted(orders)
    assert {(i.order_number, i.operation_no, i.field) for i in first.issues} == {
        ("MO-NOROUTE", None, "product_code"),
        ("MO-NOSTEEL", 10, "material_code"),
    }
    # One machine, 20-hour days: 45 + 0.8 * 100 = 125 minutes stretched to 150 each, back to back.
    ends = sorted(s.end_at for s in first.slots)
    assert ends == [NOW + timedelta(minutes=150 * k) for k in range(1, 5)]
    assert (first.late_orders, first.moved) == ([], [])

    down = Downtime(machine="WC-01", start=NOW, end=NOW + timedelta(hours=24))
    later = NOW + timedelta(minutes=1)
    with engine.begin() as conn:
        again = do_run_schedule(conn=conn, site_id=SITE, now=later, downtime=[down], seconds=5)
    assert min(s.start_at for s in again.slots) == NOW + timedelta(hours=24)
    assert {s.order_number for s in again.moved} == set(orders)
    # Due at 12, 24, 36 and 48 hours: after a day down the first two are late.
    assert again.late_orders == sorted(orders[:2])
    with engine.connect() as conn:
        stored = get_run(conn=conn, site_id=SITE)
    assert (stored.run_id, stored.late_orders, len(stored.moved)) == (
        again.run_id,
        again.late_orders,
        4,
    )
