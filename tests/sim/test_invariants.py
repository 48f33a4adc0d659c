"""The chain is consistent: receipts answer shipments, stock never goes negative, BOMs balance."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal

import polars as pl

from chainhub.sim.catalog import GRAM_WRITERS, OEM_ID

from .conftest import SmallChain

_BASE = (
    pl.when(pl.col("unit") == "GRM").then(pl.col("quantity") / 1000).otherwise(pl.col("quantity"))
)


def _shipments(chain: SmallChain) -> pl.DataFrame:
    return chain.truth("shipment").with_columns(_BASE.cast(pl.Decimal(18, 6)).alias("base_qty"))


def test_every_receipt_answers_a_shipment(small_chain: SmallChain) -> None:
    receipts = small_chain.truth("goods_receipt")
    ships = _shipments(small_chain).select(
        "shipment_number",
        pl.col("shipper_id").alias("supplier_id"),
        "line_no",
        "receiver_id",
        "ship_to_site",
        "ship_date",
        "material_code",
        "lot_number",
        "base_qty",
        "po_number",
        "po_line_no",
    )
    joined = receipts.join(ships, on=["shipment_number", "supplier_id", "line_no"], how="left")
    assert joined.height == receipts.height
    assert joined.filter(pl.col("ship_date").is_null()).height == 0
    assert (joined["lot_number"] == joined["lot_number_right"]).all()
    assert (joined["material_code"] == joined["material_code_right"]).all()
    assert (joined["receiver_id"] == joined["receiver_id_right"]).all()
    assert (joined["ship_to_site"] == joined["site_id"]).all()
    assert (joined["receipt_date"] >= joined["ship_date"]).all()
    assert (joined["received_quantity"] == joined["base_qty"]).all()
    assert joined.select(pl.col("po_number").eq_missing(pl.col("po_number_right")).all()).item()


def test_zhongci_writes_grams(small_chain: SmallChain) -> None:
    ships = small_chain.truth("shipment")
    units = ships.group_by(pl.col("shipper_id").is_in(GRAM_WRITERS)).agg(
        pl.col("unit").unique().sort()
    )
    assert dict(units.iter_rows()) == {True: ["GRM"], False: ["H87", "KGM"]}


def _ledger(chain: SmallChain) -> pl.DataFrame:
    receipts = chain.truth("goods_receipt").select(
        pl.col("site_id"),
        pl.col("lot_number"),
        pl.col("receipt_date").alias("day"),
        pl.lit(0).alias("order"),
        pl.col("accepted_quantity").alias("delta"),
    )
    prod = chain.truth("production_order").select(
        "site_id",
        "lot_number",
        pl.col("planned_start").dt.date().alias("day"),
        pl.lit(1).alias("order"),
        pl.when(pl.col("direction") == "output")
        .then(pl.col("quantity"))
        .otherwise(-pl.col("quantity"))
        .alias("delta"),
    )
    ships = (
        _shipments(chain)
        .filter(~pl.col("shipper_id").is_in(list(_tier2(chain))))
        .select(
            pl.col("ship_from_site").alias("site_id"),
            "lot_number",
            pl.col("ship_date").alias("day"),
            pl.lit(2).alias("order"),
            (-pl.col("base_qty")).alias("delta"),
        )
    )
    distributors = set(
        chain.truth("partner").filter(pl.col("roles").list.first() == "distributor")["partner_id"]
    )
    dist_sites = set(
        chain.truth("site").filter(pl.col("partner_id").is_in(list(distributors)))["site_id"]
    )
    events = pl.concat([receipts, prod, ships.cast(receipts.schema)], how="vertical_relaxed")
    return (
        events.filter(~pl.col("site_id").is_in(list(dist_sites)))
        .sort("site_id", "lot_number", "day", "order")
        .with_columns(pl.col("delta").cum_sum().over("site_id", "lot_number").alias("balance"))
    )


def _tier2(chain: SmallChain) -> set[str]:
    return set(chain.truth("partner").filter(pl.col("tier") == 2)["partner_id"])


def test_stock_never_negative_and_snapshots_agree(small_chain: SmallChain) -> None:
    ledger = _ledger(small_chain)
    assert ledger.height > 10_000
    assert ledger["balance"].min() >= 0
    end_of_day = ledger.group_by("site_id", "lot_number", "day").agg(pl.col("balance").last())
    snaps = small_chain.truth("inventory_snapshot").filter(pl.col("lot_number").is_not_null())
    assert snaps.height > 500
    for site, lot, day, qty in snaps.select(
        "site_id", "lot_number", "snapshot_date", "quantity_on_hand"
    ).iter_rows():
        before = end_of_day.filter(
            (pl.col("site_id") == site) & (pl.col("lot_number") == lot) & (pl.col("day") <= day)
        ).sort("day")
        assert before["balance"][-1] == qty, (site, lot, day)
        if snaps.height > 0:
            break
    latest = (
        end_of_day.sort("day")
        .group_by("site_id", "lot_number")
        .agg(pl.col("day"), pl.col("balance"))
    )
    history = {(s, lot): list(zip(d, b, strict=True)) for s, lot, d, b in latest.iter_rows()}
    for site, lot, day, qty in snaps.select(
        "site_id", "lot_number", "snapshot_date", "quantity_on_hand"
    ).iter_rows():
        balance = [b for d, b in history[(site, lot)] if d <= day][-1]
        assert balance == qty, (site, lot, day)


def test_consumed_lots_were_received_first(small_chain: SmallChain) -> None:
    inputs = small_chain.truth("production_order").filter(pl.col("direction") == "input")
    first = (
        small_chain.truth("goods_receipt")
        .group_by("site_id", "lot_number")
        .agg(pl.col("receipt_date").min().alias("received"))
    )
    joined = inputs.join(first, on=["site_id", "lot_number"], how="left")
    assert joined["received"].null_count() == 0
    assert (joined["received"] <= joined["planned_start"].dt.date()).all()


def test_consumption_balances_with_the_bom(small_chain: SmallChain) -> None:
    orders = small_chain.truth("production_order")
    outputs = orders.filter(pl.col("direction") == "output").select(
        "order_number", "manufacturer_id", "product_code", "actual_quantity"
    )
    used = (
        orders.filter(pl.col("direction") == "input")
        .group_by("order_number", "material_code", "unit")
        .agg(pl.col("quantity").sum())
    )
    bom = small_chain.truth("bom").select(
        pl.col("owner_id").alias("manufacturer_id"),
        pl.col("parent_code").alias("product_code"),
        "base_quantity",
        pl.col("component_code").alias("material_code"),
        "quantity_per",
        "scrap_rate",
    )
    expected = outputs.join(bom, on=["manufacturer_id", "product_code"]).join(
        used, on=["order_number", "material_code"], how="left"
    )
    assert expected.height > 20_000
    assert expected["quantity"].null_count() == 0
    for actual, base, qp, scrap, unit, qty in expected.select(
        "actual_quantity", "base_quantity", "quantity_per", "scrap_rate", "unit", "quantity"
    ).iter_rows():
        exact = actual * qp * (1 + scrap) / base
        step = Decimal(1) if unit == "H87" else Decimal("0.001")
        assert Decimal(0) <= qty - exact < step


def test_every_po_line_ends_with_a_recorded_outcome(small_chain: SmallChain) -> None:
    pos = small_chain.truth("purchase_order")
    final = pos.filter(pl.col("revision") == pl.col("revision").max().over("buyer_id", "po_number"))
    with (small_chain.root / "ground_truth" / "order_outcomes.csv").open(encoding="utf-8") as fh:
        outcomes = {(o["po_number"], int(o["line_no"])): o for o in csv.DictReader(fh)}
    assert len(outcomes) == final.height
    status = {
        "delivered": "delivered",
        "late": "delivered",
        "cancelled": "cancelled",
        "partially_delivered": "partially_delivered",
    }
    received: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for po, line, qty in (
        small_chain.truth("goods_receipt")
        .filter(pl.col("po_number").is_not_null())
        .select("po_number", "po_line_no", "received_quantity")
        .iter_rows()
    ):
        received[(po, line)] += qty
    for row in final.iter_rows(named=True):
        o = outcomes[(row["po_number"], row["line_no"])]
        assert row["line_status"] == status[o["outcome"]]
        assert row["status"] in ("closed", "cancelled")
        assert Decimal(o["received_quantity"]) == received[(row["po_number"], row["line_no"])]
        if o["outcome"] == "late":
            assert o["last_receipt_date"] > o["requested_date"]
        if o["outcome"] == "cancelled":
            assert row["cancel_reason"]
    revisions = pos.group_by("po_number").agg(pl.col("revision").max())["revision"]
    assert revisions.min() >= 2
    assert (revisions >= 3).sum() > 0


def test_defects_reach_is_the_lot_genealogy(small_chain: SmallChain) -> None:
    defects = json.loads((small_chain.root / "ground_truth" / "defects.json").read_text("utf-8"))
    assert [d["supplier_id"] for d in defects] == [
        "dongfang-steel",
        "huayang-compressor",
        "xinrui-electronics",
    ]
    orders = small_chain.truth("production_order")
    inputs = orders.filter(pl.col("direction") == "input")
    outputs = orders.filter(pl.col("direction") == "output")
    ships = small_chain.truth("shipment")
    distributors = set(
        small_chain.truth("partner").filter(pl.col("roles").list.first() == "distributor")[
            "partner_id"
        ]
    )
    for d in defects:
        lots, frontier, mos = {d["lot_number"]}, {d["lot_number"]}, set()
        while frontier:
            hit = inputs.filter(pl.col("lot_number").is_in(list(frontier)))
            mos |= set(hit["order_number"])
            made = (
                set(
                    outputs.filter(pl.col("order_number").is_in(hit["order_number"].to_list()))[
                        "lot_number"
                    ]
                )
                - lots
            )
            lots |= made
            frontier = made
        reached = ships.filter(pl.col("lot_number").is_in(list(lots)))
        assert set(d["lots"]) == lots - {d["lot_number"]}
        assert set(d["production_orders"]) == mos
        assert set(d["shipments"]) == set(reached["shipment_number"])
        assert set(d["partners_reached"]) == set(reached["receiver_id"])
        assert set(d["customers"]) == set(reached["receiver_id"]) & distributors
        assert d["customers"]
    assert OEM_ID in defects[0]["partners_reached"]
