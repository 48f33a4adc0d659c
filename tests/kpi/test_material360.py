"""Material 360 against what was sent: the seeded hub's documents (tests/api/hub.py), worked out
here from the documents themselves, and the simulator's ground truth for one material at the
OEM; a supplier sees only what it supplies, and none of another supplier's orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from chainhub.errors import ChainhubError
from chainhub.kpi.material360 import access_material_360, list_materials
from tests.api.hub import DOCUMENTS, HUAYANG, JINLI, OEM, TAIHE, Hub, running_hub
from tests.kpi.conftest import principal
from tests.support import SmallChain


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        yield seeded


def _today() -> date:
    return datetime.now(UTC).date()


def _seeded(kind: str) -> list[dict[str, Any]]:
    """The seeded hub's documents of one type, as their senders wrote them."""
    return [doc for _, doc_type, doc in DOCUMENTS.values() if doc_type == kind]


def _expected(material: str, suppliers: set[str]) -> dict[str, Any]:
    """The OEM's figures for `material` worked out from the seeded documents: stock in its
    latest snapshot, open quantity per order line less what was received against it (nothing
    of a delivered line or closed order), the forecast's lines, receipts per month."""
    snapshots = sorted(_seeded("inventory_snapshot"), key=lambda d: d["snapshot_date"])
    own = [s for s in snapshots if s["partner_id"] == OEM]
    latest = own[-1]
    on_hand = sum(
        Decimal(x["quantity_on_hand"]) for x in latest["lines"] if x["material_code"] == material
    )
    received: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    by_month: dict[date, Decimal] = defaultdict(Decimal)
    for receipt in _seeded("goods_receipt"):
        for x in receipt["lines"]:
            if x["material_code"] == material and receipt["supplier_id"] in suppliers:
                received[(x["po_number"], x["po_line_no"])] += Decimal(x["received_quantity"])
                by_month[date.fromisoformat(receipt["receipt_date"]).replace(day=1)] += Decimal(
                    x["received_quantity"]
                )
    open_quantity, open_lines = Decimal(0), 0
    for order in _seeded("purchase_order"):
        if order["buyer_id"] != OEM or order["supplier_id"] not in suppliers:
            continue
        for x in order["lines"]:
            done = x["line_status"] in ("delivered", "cancelled")
            if x["material_code"] != material or done or order.get("status") == "closed":
                continue
            rest = Decimal(x["quantity"]) - received[(order["po_number"], x["line_no"])]
            open_quantity += rest
            open_lines += rest > 0
    forecast = sum(
        Decimal(x["quantity"])
        for f in _seeded("demand_forecast")
        for x in f["lines"]
        if f["issuer_id"] == OEM and x["material_code"] == material
    )
    return {
        "on_hand": on_hand,
        "stock_date": date.fromisoformat(latest["snapshot_date"]),
        "open": (open_quantity, open_lines),
        "forecast": forecast,
        "receipts": dict(by_month),
    }


def test_the_oem_sees_each_material_with_all_its_suppliers(hub: Hub) -> None:
    with hub.engine.connect() as conn:
        listed = list_materials(conn=conn, principal=principal(OEM), today=_today())
        m001 = access_material_360(
            conn=conn, principal=principal(OEM), today=_today(), material_code="M001"
        )
        m004 = access_material_360(
            conn=conn, principal=principal(OEM), today=_today(), material_code="M004"
        )
    assert [m.material_code for m in listed] == ["M001", "M004", "M009", "P100"]
    for view, suppliers in ((m001, {HUAYANG, TAIHE}), (m004, {JINLI})):
        expected = _expected(view.material.material_code, suppliers)
        assert view.buyer_id == OEM
        assert (view.on_hand, view.stock_date) == (expected["on_hand"], expected["stock_date"])
        assert (view.open_quantity, view.open_lines) == expected["open"]
        assert view.forecast_quantity == expected["forecast"]
        assert {s.supplier_id for s in view.suppliers} == suppliers
        receipts = {m.month: m.receipts for m in view.months if m.receipts}
        assert receipts == expected["receipts"]
    # M001: 500 open at huayang (its 250 delivered), 400 at taihe; M004: 300 less 200 received.
    assert (m001.open_quantity, m004.open_quantity) == (900, 100)
    assert {s.supplier_id: s.open_quantity for s in m001.suppliers} == {HUAYANG: 500, TAIHE: 400}
    march, april = m004.months
    assert (march.month, march.on_hand, march.open_orders, march.receipts) == (
        date(2026, 3, 1),
        120,
        100,
        200,
    )
    assert (april.month, april.forecast, april.on_hand) == (date(2026, 4, 1), 600, None)
    assert m004.last_receipt is not None and m004.last_receipt.receipt_number == "GR-HC-JL-1"


def test_a_supplier_sees_only_what_it_supplies_and_only_its_own_orders(hub: Hub) -> None:
    today = _today()
    with hub.engine.connect() as conn:
        jinli = list_materials(conn=conn, principal=principal(JINLI), today=today)
        huayang = list_materials(conn=conn, principal=principal(HUAYANG), today=today)
        searched = list_materials(conn=conn, principal=principal(OEM), today=today, search="m00")
        view = access_material_360(
            conn=conn, principal=principal(HUAYANG), today=today, material_code="M001"
        )
        with pytest.raises(ChainhubError) as refused:
            access_material_360(
                conn=conn, principal=principal(JINLI), today=today, material_code="M001"
            )
        with pytest.raises(ChainhubError) as other_buyer:
            access_material_360(
                conn=conn,
                principal=principal(JINLI),
                today=today,
                material_code="M004",
                buyer_id=HUAYANG,
            )
    assert [m.material_code for m in jinli] == ["M004"]
    # huayang supplies M001 and buys M009 from taihe.
    assert [m.material_code for m in huayang] == ["M001", "M009"]
    assert [m.material_code for m in searched] == ["M001", "M004", "M009"]
    expected = _expected("M001", {HUAYANG})
    assert view.buyer_id == OEM
    assert [s.supplier_id for s in view.suppliers] == [HUAYANG]
    assert (view.open_quantity, view.open_lines) == expected["open"] == (500, 1)
    # The OEM shares its stock and forecast of M001 with huayang (VMI), never taihe's 400.
    assert (view.on_hand, view.forecast_quantity) == (expected["on_hand"], expected["forecast"])
    assert all(m.open_orders in (None, 500) for m in view.months)
    assert (refused.value.status, refused.value.code) == (404, "material_not_found")
    assert (other_buyer.value.status, other_buyer.value.code) == (404, "buyer_not_found")


def test_an_unknown_material_is_not_found_in_both_languages(hub: Hub) -> None:
    with hub.engine.connect() as conn, pytest.raises(ChainhubError) as error:
        access_material_360(
            conn=conn, principal=principal(OEM), today=_today(), material_code="NOPE"
        )
    assert error.value.status == 404
    assert "NOPE" in error.value.message_en and "material" in error.value.message_en
    assert "NOPE" in error.value.message_zh and "物料" in error.value.message_zh


def _load_oem(engine: sa.Engine, chain: SmallChain) -> None:
    """The OEM's own files: master data and what it orders, receives, makes, stocks, forecasts."""
    kinds = {"purchase_order", "goods_receipt", "production_order", "demand_forecast",
             "inventory_snapshot", "partner", "site", "material", "bom"}  # fmt: skip
    chain.load(engine, only=lambda sub: sub["partner_id"] == OEM and sub["document_type"] in kinds)


def _month(column: str) -> pl.Expr:
    return pl.col(column).dt.truncate("1mo")


def _truth_stock(chain: SmallChain, material: str) -> dict[date, Decimal]:
    """Per month, each OEM site's latest snapshot by the month's end, summed over the sites."""
    snaps = (
        chain.truth("inventory_snapshot")
        .filter(pl.col("partner_id") == OEM, pl.col("material_code") == material)
        .group_by("site_id", "snapshot_date")
        .agg(pl.col("quantity_on_hand").sum())
    )
    months = snaps.select(_month("snapshot_date").unique().sort()).to_series().to_list()
    found = {}
    for month in months:
        end = (pl.Series([month]).dt.offset_by("1mo").item()).toordinal() - 1
        upto = snaps.filter(pl.col("snapshot_date") <= date.fromordinal(end))
        latest = upto.sort("snapshot_date").group_by("site_id").last()
        found[month] = Decimal(str(latest.get_column("quantity_on_hand").sum()))
    return found


def _truth_forecast(chain: SmallChain, material: str) -> dict[date, Decimal]:
    """Per month, the OEM's newest forecast of each period (per site), its products exploded
    one level through the OEM's bills of materials."""
    bom = chain.truth("bom").filter(pl.col("owner_id") == OEM, pl.col("component_code") == material)
    lines = chain.truth("demand_forecast").filter(pl.col("issuer_id") == OEM)
    direct = lines.filter(pl.col("material_code") == material).select(
        "site_id", "forecast_date", "period_start", pl.col("quantity").cast(pl.Float64)
    )
    exploded = lines.join(bom, left_on="material_code", right_on="parent_code").select(
        "site_id",
        "forecast_date",
        "period_start",
        (
            pl.col("quantity").cast(pl.Float64)
            * pl.col("quantity_per").cast(pl.Float64)
            * (1 + pl.col("scrap_rate").cast(pl.Float64))
            / pl.col("base_quantity").cast(pl.Float64)
        ).alias("quantity"),
    )
    demand = (
        pl.concat([direct, exploded])
        .group_by("site_id", "forecast_date", "period_start")
        .agg(pl.col("quantity").sum())
    )
    newest = demand.sort("forecast_date").group_by("site_id", "period_start").last()
    monthly = newest.group_by(_month("period_start").alias("month")).agg(pl.col("quantity").sum())
    return {r["month"]: round(r["quantity"], 3) for r in monthly.to_dicts()}


def test_one_material_at_the_oem_agrees_with_the_simulators_ground_truth(
    engine: sa.Engine, small_chain: SmallChain
) -> None:
    material = "M004"
    _load_oem(engine, small_chain)
    with engine.connect() as conn:
        view = access_material_360(
            conn=conn, principal=principal(None), today=date(2026, 9, 1), material_code=material
        )
    receipts = small_chain.truth("goods_receipt").filter(
        pl.col("receiver_id") == OEM, pl.col("material_code") == material
    )
    per_supplier = receipts.group_by("supplier_id").agg(pl.col("received_quantity").sum())
    monthly = receipts.group_by(_month("receipt_date").alias("month")).agg(
        pl.col("received_quantity").sum()
    )
    consumed = (
        small_chain.truth("production_order")
        .filter(
            pl.col("manufacturer_id") == OEM,
            pl.col("material_code") == material,
            pl.col("direction") == "input",
            pl.col("status").is_in(["in_progress", "completed"]),
        )
        .group_by(pl.col("actual_start").dt.convert_time_zone("UTC").dt.date().dt.truncate("1mo"))
        .agg(pl.col("quantity").sum())
    )
    assert view.buyer_id == OEM
    assert {s.supplier_id: s.received for s in view.suppliers} == dict(per_supplier.iter_rows())
    assert {m.month: m.receipts for m in view.months if m.receipts} == dict(monthly.iter_rows())
    assert {m.month: m.consumption for m in view.months if m.consumption} == dict(
        consumed.iter_rows()
    )
    assert {m.month: m.on_hand for m in view.months if m.on_hand is not None} == _truth_stock(
        small_chain, material
    )
    forecast = _truth_forecast(small_chain, material)
    assert len(forecast) >= 6
    assert {
        m.month: round(float(m.forecast), 3) for m in view.months if m.forecast is not None
    } == forecast
    # Every order line of the run closes before its end, so nothing is open at the end.
    assert view.open_quantity == 0 and view.months[-1].open_orders in (None, 0)
