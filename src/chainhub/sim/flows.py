"""The chain running day by day: orders, shipments, receipts, production, inspections, stock."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final, Protocol

import numpy as np

from chainhub.sim import catalog as cat
from chainhub.sim.chain import MILLI, Chain
from chainhub.sim.demand import BASE_RATE, daily_demand, family, season_outlook
from chainhub.sim.quality import inspection_lines
from chainhub.sim.records import day_date, day_number

Row = dict[str, Any]
Lots = tuple[str, int, int]
Item = tuple[str | None, int | None, str, list[Lots]]
_PACK: Final = {"M015": 5000}
RUN_OUT_DAYS: Final = 30  # no new purchase orders in the last days, so every line can close
# Demand and capacity are exchanged once, a week before the end: the plan looks ahead from there.
PLAN_DAYS_BEFORE_END: Final = 7
WEEKS_AHEAD: Final = 26
CAPACITY_WEEKS: Final = 13
SHORTFALL_SHARE: Final = 0.3  # of capacity groups with two planted red weeks
_DEFECTS: Final = (
    ("dongfang-steel", "R101", 0.22, "冷轧钢板硬度超标，冲压开裂风险 / sheet hardness above spec"),
    ("huayang-compressor", "M001", 0.38, "压缩机焊缝微漏 / compressor weld micro-leak"),
    ("xinrui-electronics", "M006", 0.55, "控制板电容虚焊 / cold solder joint on control board"),
)


class Sink(Protocol):
    """Where the engine sends standard documents (header plus lines, one row per line)."""

    def emit(self, *, doc_type: str, writer: str, day: int, header: Row, lines: list[Row]) -> None:
        """Take one document."""


@dataclass
class PoLine:
    """One purchase-order line and its progress."""

    line_no: int
    material: str
    qty: int
    price: int
    requested: int
    confirmed_day: int | None = None
    confirmed_qty: int | None = None
    ship_day: int = 0
    shipped: int = 0
    received: int = 0
    last_receipt: int | None = None
    status: str = "open"
    cancel_reason: str | None = None
    reason: str = ""
    closed: bool = False


@dataclass
class Po:
    """A purchase order with its revisions."""

    number: str
    buyer: str
    supplier: str
    site: str
    order_day: int
    lines: list[PoLine]
    confirm_day: int
    change: bool
    revision: int = 0
    closed: bool = False


@dataclass
class SoLine:
    """An open sales-order line waiting to ship."""

    so_number: str
    customer: str
    material: str
    qty: int
    promised: int
    ship_day: int


@dataclass
class Shipment:
    """A shipment in transit."""

    number: str
    shipper: str
    receiver: str
    to_site: str
    ship_day: int
    arrival: int
    lines: list[Row]


@dataclass
class FlowResult:
    """What the engine records beside the documents: order outcomes and injected defects."""

    outcomes: list[Row] = field(default_factory=list)
    defects: list[dict[str, Any]] = field(default_factory=list)
    capacity_weeks: list[Row] = field(default_factory=list)


class _Engine:
    """State of the chain while it runs."""

    def __init__(self, *, chain: Chain, sink: Sink, seed: int) -> None:
        self.chain = chain
        self.sink = sink
        self.rng = random.Random(f"flows-{seed}")  # noqa: S311 - a seeded simulation
        self.np_rng = np.random.default_rng(seed)
        self.d0 = day_number(chain.start)
        self.stock: dict[tuple[str, str], deque[list[Any]]] = {}
        self.counters: dict[str, int] = {}
        self.pos: dict[str, Po] = {}
        self.transit: dict[int, list[Shipment]] = {}
        self.backlog: dict[str, list[SoLine]] = {}
        self.tainted: dict[str, set[int]] = {}
        self.result = FlowResult()
        self.dists = chain.distributors
        self.dist_index = {d: i for i, d in enumerate(self.dists)}
        self.sizes = np.array([chain.partners[d].size for d in self.dists])
        self.dist_stock = np.zeros((len(self.dists), len(cat.SALEABLE)), dtype=np.int64)
        self.tier1 = [p for p in chain.partners.values() if p.tier == 1 and p.role == "supplier"]
        self.defect_day = {(s, m): self.d0 + int(f * chain.days) for s, m, f, _ in _DEFECTS}
        for index, (supplier, material, _, text) in enumerate(_DEFECTS):
            self.result.defects.append(
                {
                    "defect_id": index + 1,
                    "supplier_id": supplier,
                    "material_code": material,
                    "description": text,
                    "lot_number": None,
                    "injected_on": None,
                    "made_by": None,
                    "lots": [],
                    "production_orders": [],
                    "shipments": [],
                    "partners_reached": [],
                    "customers": [],
                }
            )
        self.outlook: dict[str, float] = {}
        total = float(self.sizes.sum())
        self.fg_base = {
            s: BASE_RATE[s] * total * (3.0 if family(s) == "SP" else 1.0) for s in cat.SALEABLE
        }

    def seq(self, key: str) -> int:
        """The next number of a counter."""
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def ymd(self, day: int) -> str:
        """A day as yymmdd."""
        return day_date(day).strftime("%y%m%d")

    # -- stock -------------------------------------------------------------------------------

    def put(self, site: str, material: str, lot: str, qty: int, day: int) -> None:
        """Add a lot quantity to a site's stock."""
        self.stock.setdefault((site, material), deque()).append([lot, qty, day])

    def on_hand(self, site: str, material: str) -> int:
        """Quantity of a material on hand at a site."""
        return sum(e[1] for e in self.stock.get((site, material), ()))

    def take(self, site: str, material: str, qty: int) -> list[Lots]:
        """Remove `qty` first-in first-out as (lot, quantity, day it arrived or was made)."""
        lots = self.stock[(site, material)]
        taken: list[Lots] = []
        while qty > 0:
            entry = lots[0]
            part = min(qty, entry[1])
            taken.append((entry[0], part, entry[2]))
            entry[1] -= part
            qty -= part
            if entry[1] == 0:
                lots.popleft()
        return taken

    # -- rates -------------------------------------------------------------------------------

    def fg_rate(self, material: str) -> float:
        """Expected daily demand of a saleable material in the coming weeks (units)."""
        return self.fg_base[material] * self.outlook.get(material, 1.0)

    def usage(self, material: str, *, site: str | None = None) -> float:
        """Expected daily use of a material at the OEM (a site, or all plants), in units."""
        total = 0.0
        for fg in cat.SALEABLE:
            if site is not None and self.chain.plant_of(fg) != site:
                continue
            if fg == material:
                total += self.fg_rate(fg)
            if fg.startswith("FG-"):
                for comp, qp, scrap in self.chain.boms[fg].lines:
                    if comp == material:
                        total += self.fg_rate(fg) * qp * (MILLI + scrap) / MILLI / MILLI
        return total

    # -- purchase orders ---------------------------------------------------------------------

    def place_po(
        self, *, buyer: str, supplier: str, site: str, day: int, wants: list[tuple[str, int]]
    ) -> None:
        """Place a purchase order and send its original revision."""
        transit = self.chain.partners[supplier].transit_days
        lead = 7 if self.chain.partners[supplier].tier == 1 else 5
        if buyer == cat.OEM_ID:
            number = f"45{self.seq('po-oem'):08d}"
        else:
            prefix = self.chain.partners[buyer].lot_prefix
            number = f"PO{prefix}{day_date(day).strftime('%y%m')}{self.seq('po-' + buyer):04d}"
        lines = [
            PoLine((i + 1) * 10, m, q, self.price(m), day + lead + transit)
            for i, (m, q) in enumerate(wants)
        ]
        po = Po(
            number,
            buyer,
            supplier,
            site,
            day,
            lines,
            day + 1 + self.rng.randrange(2),
            self.rng.random() < 0.04,
        )
        self.pos[number] = po
        self.emit_po(po, day)

    def price(self, material: str) -> int:
        """Unit price in thousandths of a yuan."""
        return int(float(self.chain.materials[material].price) * MILLI)

    def emit_po(self, po: Po, day: int) -> None:
        """Send the current state of a purchase order as its next revision."""
        unit = self.chain.unit
        header = {
            "po_number": po.number,
            "revision": po.revision,
            "buyer_id": po.buyer,
            "supplier_id": po.supplier,
            "ship_to_site": po.site,
            "order_date": po.order_day,
            "currency": "CNY",
            "status": self.po_status(po),
        }
        lines = [
            {
                "line_no": ln.line_no,
                "material_code": ln.material,
                "quantity": ln.qty,
                "unit": unit(ln.material),
                "unit_price": ln.price,
                "requested_date": ln.requested,
                "confirmed_date": ln.confirmed_day,
                "confirmed_quantity": ln.confirmed_qty,
                "line_status": ln.status,
                "cancel_reason": ln.cancel_reason,
            }
            for ln in po.lines
        ]
        self.sink.emit(
            doc_type="purchase_order", writer=po.buyer, day=day, header=header, lines=lines
        )
        po.revision += 1

    def po_status(self, po: Po) -> str:
        """Header status of a purchase order."""
        if po.closed:
            return "cancelled" if all(ln.status == "cancelled" for ln in po.lines) else "closed"
        return "confirmed" if any(ln.confirmed_day is not None for ln in po.lines) else "open"

    def confirm_pos(self, day: int) -> None:
        """Buyers' changes and suppliers' confirmations due today."""
        for po in [p for p in self.pos.values() if p.confirm_day == day]:
            if po.change:
                line = po.lines[self.rng.randrange(len(po.lines))]
                step = _PACK.get(line.material, 10 * MILLI)
                line.qty = max(step, line.qty + step * self.rng.choice((-3, -2, 2, 3, 5)))
                self.emit_po(po, day)
            transit = self.chain.partners[po.supplier].transit_days
            for ln in po.lines:
                if po.buyer == cat.OEM_ID and self.rng.random() < 0.02:
                    ln.status, ln.closed = "cancelled", True
                    ln.cancel_reason = "需求变更，取消订单行"
                    ln.reason = "buyer cancelled: demand change"
                    self.close_line(po, ln)
                    continue
                short = self.rng.random() < 0.05
                ln.confirmed_qty = ln.qty
                if short:
                    step = _PACK.get(ln.material, 10 * MILLI)
                    ln.confirmed_qty = max(
                        step, ln.qty * self.rng.randint(70, 90) // 100 // step * step
                    )
                late = self.rng.random() < 0.1
                ln.confirmed_day = ln.requested + (self.rng.randint(1, 5) if late else 0)
                ln.status = "confirmed"
                slip = self.rng.randint(1, 4) if self.rng.random() < 0.06 else 0
                ln.ship_day = max(day, ln.confirmed_day - transit) + slip
            self.emit_po(po, day)
            self.maybe_close_po(po, day)

    def close_line(self, po: Po, ln: PoLine) -> None:
        """Record the outcome of a closed line."""
        if ln.status == "cancelled":
            outcome = "cancelled"
        elif ln.received < ln.qty:
            outcome = "partially_delivered"
        elif ln.last_receipt is not None and ln.last_receipt > ln.requested:
            outcome = "late"
        else:
            outcome = "delivered"
        if outcome == "late" and not ln.reason:
            ln.reason = "delivered after the requested date (supplier confirmed later or slipped)"
        if outcome == "delivered":
            ln.reason = "delivered in full by the requested date"
        self.result.outcomes.append(
            {
                "buyer_id": po.buyer,
                "supplier_id": po.supplier,
                "po_number": po.number,
                "line_no": ln.line_no,
                "material_code": ln.material,
                "ordered_quantity": ln.qty,
                "confirmed_quantity": ln.confirmed_qty,
                "shipped_quantity": ln.shipped,
                "received_quantity": ln.received,
                "unit": self.chain.unit(ln.material),
                "requested_date": ln.requested,
                "confirmed_date": ln.confirmed_day,
                "last_receipt_date": ln.last_receipt,
                "outcome": outcome,
                "reason": ln.reason,
            }
        )

    def maybe_close_po(self, po: Po, day: int) -> None:
        """Close a purchase order whose lines are all closed, sending its final revision."""
        if not po.closed and all(ln.closed for ln in po.lines):
            po.closed = True
            self.emit_po(po, day)
            del self.pos[po.number]

    def settle(self, day: int) -> None:
        """Close lines that are fully shipped and received, or overdue beyond recovery."""
        for po in list(self.pos.values()):
            if po.confirm_day > day:
                continue
            for ln in po.lines:
                if ln.closed or ln.confirmed_qty is None:
                    continue
                open_qty = ln.confirmed_qty - ln.shipped
                overdue = open_qty > 0 and day > ln.requested + 12
                if (open_qty <= 0 or overdue) and ln.received == ln.shipped:
                    if ln.shipped == 0:
                        ln.status = "cancelled"
                        ln.cancel_reason = "供应商无法交货，取消"
                        ln.reason = "supplier could not deliver; line cancelled"
                    elif ln.shipped < ln.qty:
                        ln.status = "partially_delivered"
                        ln.reason = (
                            "supplier confirmed a reduced quantity"
                            if ln.confirmed_qty < ln.qty and not overdue
                            else "supplier short-shipped; balance cancelled"
                        )
                    else:
                        ln.status = "delivered"
                    ln.closed = True
                    self.close_line(po, ln)
            self.maybe_close_po(po, day)

    # -- shipping and receiving --------------------------------------------------------------

    def ship(
        self,
        *,
        shipper: str,
        receiver: str,
        from_site: str,
        to_site: str,
        day: int,
        items: list[Item],
        transit: int,
    ) -> str:
        """Send a shipment of lots: items are (po, po line, material, [(lot, qty)])."""
        partner = self.chain.partners[shipper]
        if shipper == cat.OEM_ID:
            number = f"80{self.seq('dn-oem'):08d}"
        else:
            number = f"ASN-{partner.lot_prefix}-{self.ymd(day)}-{self.seq(f'asn-{shipper}-{day}')}"
        delay = self.rng.randint(1, 2) if self.rng.random() < 0.08 else 0
        lines: list[Row] = []
        for po, po_line, material, lots in items:
            for lot, qty, made in lots:
                unit = self.chain.unit(material)
                written = qty
                if shipper in cat.GRAM_WRITERS and unit == "KGM":
                    unit, written = "GRM", qty * 1000
                lines.append(
                    {
                        "line_no": len(lines) + 1,
                        "po_number": po,
                        "po_line_no": po_line,
                        "material_code": material,
                        "quantity": written,
                        "unit": unit,
                        "lot_number": lot,
                        "_qty": qty,
                        "supplier_batch": f"B{day_date(day).strftime('%y%m')}-"
                        f"{self.seq('batch-' + shipper):05d}",
                        "production_date": made,
                        "expiry_date": None,
                    }
                )
                self.reach(lot, shipment=number, receiver=receiver)
        header = {
            "shipment_number": number,
            "shipper_id": shipper,
            "receiver_id": receiver,
            "ship_from_site": from_site,
            "ship_to_site": to_site,
            "ship_date": day,
            "expected_delivery_date": day + transit,
            "carrier": cat.CARRIERS[self.rng.randrange(len(cat.CARRIERS))],
            "status": "in_transit",
        }
        self.sink.emit(
            doc_type="shipment",
            writer=shipper,
            day=day,
            header=header,
            lines=[{k: v for k, v in ln.items() if k != "_qty"} for ln in lines],
        )
        self.transit.setdefault(day + transit + delay, []).append(
            Shipment(number, shipper, receiver, to_site, day, day + transit + delay, lines)
        )
        return number

    def receive(self, shp: Shipment, day: int) -> None:
        """Receive a shipment: receipt, stock, PO progress and incoming inspections."""
        receiver = self.chain.partners[shp.receiver]
        if shp.receiver == cat.OEM_ID:
            number = f"50{self.seq('gr-oem'):08d}"
        else:
            number = f"GR{receiver.lot_prefix}{self.ymd(day)}-{self.seq(f'gr-{shp.receiver}')}"
        lines: list[Row] = []
        for sl in shp.lines:
            qty, material = sl["_qty"], sl["material_code"]
            step = MILLI if self.chain.unit(material) == "H87" else 100
            rejected = 0
            if self.rng.random() < 0.02 and qty > 2 * step and sl["lot_number"] not in self.tainted:
                rejected = max(step, qty * self.rng.randint(1, 5) // 100 // step * step)
            reason = None
            if rejected:
                reason = "运输破损" if receiver.role == "distributor" else "外观不良/尺寸超差"
            lines.append(
                {
                    "line_no": len(lines) + 1,
                    "po_number": sl["po_number"],
                    "po_line_no": sl["po_line_no"],
                    "material_code": material,
                    "lot_number": sl["lot_number"],
                    "received_quantity": qty,
                    "accepted_quantity": qty - rejected,
                    "rejected_quantity": rejected,
                    "unit": self.chain.unit(material),
                    "rejection_reason": reason,
                }
            )
            if receiver.role == "distributor":
                self.dist_stock[self.dist_index[shp.receiver], cat.SALEABLE.index(material)] += (
                    qty - rejected
                ) // MILLI
            else:
                self.put(shp.to_site, material, sl["lot_number"], qty - rejected, day)
            if sl["po_number"] is not None and sl["po_number"] in self.pos:
                ln = next(
                    x for x in self.pos[sl["po_number"]].lines if x.line_no == sl["po_line_no"]
                )
                ln.received += qty
                ln.last_receipt = day
            if receiver.role != "distributor":
                chance = 0.3 if shp.receiver == cat.OEM_ID else 0.2
                if rejected or self.rng.random() < chance:
                    self.inspect(
                        inspector=shp.receiver,
                        supplier=shp.shipper,
                        site=shp.to_site,
                        material=material,
                        lot=sl["lot_number"],
                        qty=qty,
                        day=day,
                        fail=bool(rejected),
                    )
        header = {
            "receipt_number": number,
            "receiver_id": shp.receiver,
            "supplier_id": shp.shipper,
            "site_id": shp.to_site,
            "receipt_date": day,
            "shipment_number": shp.number,
        }
        self.sink.emit(
            doc_type="goods_receipt", writer=shp.receiver, day=day, header=header, lines=lines
        )

    def inspect(
        self,
        *,
        inspector: str,
        supplier: str,
        site: str,
        material: str,
        lot: str,
        qty: int,
        day: int,
        fail: bool,
    ) -> None:
        """An incoming inspection of a received lot."""
        if inspector == cat.OEM_ID:
            number = f"01{self.seq('iq-oem'):010d}"
        else:
            prefix = self.chain.partners[inspector].lot_prefix
            number = f"IQC{prefix}{self.ymd(day)}-{self.seq('iq-' + inspector)}"
        units = qty // MILLI if self.chain.unit(material) == "H87" else 10
        sample = next(
            n for limit, n in ((90, 5), (500, 20), (3200, 50), (10**12, 80)) if units <= limit
        )
        lines = inspection_lines(
            rng=self.rng,
            category=self.chain.materials[material].category,
            unit=self.chain.unit(material),
            fail=fail,
        )
        header = {
            "inspection_number": number,
            "inspector_id": inspector,
            "supplier_id": supplier,
            "site_id": site,
            "inspected_at": day * 1440 + 9 * 60 + self.rng.randrange(480),
            "inspection_type": "incoming",
            "material_code": material,
            "lot_number": lot,
            "sample_size": sample,
            "result": "fail" if fail else "pass",
        }
        self.sink.emit(
            doc_type="quality_inspection", writer=inspector, day=day, header=header, lines=lines
        )

    # -- production --------------------------------------------------------------------------

    def need(self, out: int, qp: int, scrap: int, base: int, unit: str) -> int:
        """Component quantity consumed for `out` (thousandths), rounded up to the unit step."""
        exact = -(-out * qp * (MILLI + scrap) // (MILLI * base))
        step = MILLI if unit == "H87" else 1
        return -(-exact // step) * step

    def feasible(self, site: str, material: str, want: int, step: int) -> int:
        """The largest output up to `want` (in multiples of `step`) the stock allows."""
        out = want
        for comp, qp, scrap in self.chain.boms[material].lines:
            base = self.chain.boms[material].base_milli
            have = self.on_hand(site, comp)
            while out > 0 and self.need(out, qp, scrap, base, self.chain.unit(comp)) > have:
                guess = have * MILLI * base // (qp * (MILLI + scrap)) // step * step
                out = min(out - step, guess)
        return max(out, 0)

    def produce(
        self, *, maker: str, site: str, material: str, want: int, day: int, step: int
    ) -> None:
        """Run a production order: consume lots by BOM, make one output lot."""
        out = self.feasible(site, material, want, step)
        if out <= 0:
            return
        bom = self.chain.boms[material]
        partner = self.chain.partners[maker]
        lines: list[Row] = []
        sources: set[int] = set()
        for comp, qp, scrap in bom.lines:
            qty = self.need(out, qp, scrap, bom.base_milli, self.chain.unit(comp))
            for lot, part, _ in self.take(site, comp, qty):
                lines.append(
                    {
                        "line_no": len(lines) + 1,
                        "direction": "input",
                        "material_code": comp,
                        "lot_number": lot,
                        "quantity": part,
                        "unit": self.chain.unit(comp),
                    }
                )
                sources |= self.tainted.get(lot, set())
        if maker == cat.OEM_ID:
            short = self.chain.sites[site].short
            lot = f"HC{short}{self.ymd(day)}-{self.seq(f'lot-{site}-{day}')}"
            number = f"10{self.seq('mo-oem'):07d}"
            centre = "WC-ASSY-1"
        else:
            lot = f"{partner.lot_prefix}{self.ymd(day)}-{self.seq(f'lot-{maker}-{day}')}"
            number = (
                f"MO{partner.lot_prefix}{day_date(day).strftime('%y%m')}-"
                f"{self.seq('mo-' + maker):04d}"
            )
            centre = "WC-01"
        lines.append(
            {
                "line_no": len(lines) + 1,
                "direction": "output",
                "material_code": material,
                "lot_number": lot,
                "quantity": out,
                "unit": self.chain.unit(material),
            }
        )
        for d in sources:
            self.result.defects[d - 1]["lots"].append(lot)
            self.result.defects[d - 1]["production_orders"].append(number)
        key = (maker, material)
        if key in self.defect_day and day >= self.defect_day[key]:
            defect = self.result.defects[[(s, m) for s, m, _, _ in _DEFECTS].index(key)]
            if defect["lot_number"] is None:
                defect["lot_number"], defect["injected_on"] = lot, day_date(day).isoformat()
                defect["made_by"] = number
                sources.add(defect["defect_id"])
        if sources:
            self.tainted[lot] = sources
        start = day * 1440 + 8 * 60
        hours = max(1, min(11, out // MILLI // 40 + 1))
        late = self.rng.choice((0, 0, 0, 10, 20, 35))
        header = {
            "order_number": number,
            "manufacturer_id": maker,
            "site_id": site,
            "work_centre_id": centre,
            "product_code": material,
            "product_unit": self.chain.unit(material),
            "planned_quantity": want,
            "actual_quantity": out,
            "planned_start": start,
            "planned_end": start + hours * 60,
            "actual_start": start + late,
            "actual_end": start + hours * 60 + late + self.rng.randrange(30),
            "status": "completed",
        }
        self.sink.emit(
            doc_type="production_order", writer=maker, day=day, header=header, lines=lines
        )
        self.put(site, material, lot, out, day)

    def reach(self, lot: str, *, shipment: str, receiver: str) -> None:
        """Record a shipment of a lot that carries an injected defect."""
        for d in self.tainted.get(lot, ()):
            entry = self.result.defects[d - 1]
            if shipment not in entry["shipments"]:
                entry["shipments"].append(shipment)
            if receiver not in entry["partners_reached"]:
                entry["partners_reached"].append(receiver)
            if (
                self.chain.partners[receiver].role == "distributor"
                and receiver not in entry["customers"]
            ):
                entry["customers"].append(receiver)

    # -- the daily steps ---------------------------------------------------------------------

    def tier2_ship(self, day: int) -> None:
        """Raw-material suppliers ship confirmed lines when due; some ship short and late."""
        for po in list(self.pos.values()):
            supplier = self.chain.partners[po.supplier]
            if supplier.tier != 2:
                continue
            items: list[Item] = []
            for ln in po.lines:
                if ln.closed or ln.confirmed_qty is None or ln.ship_day > day:
                    continue
                open_qty = ln.confirmed_qty - ln.shipped
                if open_qty <= 0:
                    continue
                qty = open_qty
                if ln.shipped == 0 and self.rng.random() < 0.06:
                    step = MILLI if self.chain.unit(ln.material) == "H87" else 100 * MILLI
                    qty = max(step, open_qty * self.rng.randint(60, 90) // 100 // step * step)
                    ln.ship_day = day + self.rng.randint(3, 8)
                    ln.reason = "partial first delivery, balance delivered late"
                lot = f"{supplier.lot_prefix}{self.ymd(day)}-{self.seq(f'lot-{po.supplier}-{day}')}"
                key = (po.supplier, ln.material)
                if key in self.defect_day and day >= self.defect_day[key]:
                    defect = self.result.defects[[(s, m) for s, m, _, _ in _DEFECTS].index(key)]
                    if defect["lot_number"] is None:
                        defect["lot_number"] = lot
                        defect["injected_on"] = day_date(day).isoformat()
                        self.tainted[lot] = {defect["defect_id"]}
                ln.shipped += qty
                items.append(
                    (po.number, ln.line_no, ln.material, [(lot, qty, day - self.rng.randint(1, 5))])
                )
            if items:
                self.ship(
                    shipper=po.supplier,
                    receiver=po.buyer,
                    from_site=self.chain.site_of(po.supplier),
                    to_site=po.site,
                    day=day,
                    items=items,
                    transit=supplier.transit_days,
                )

    def tier1_make_and_ship(self, day: int) -> None:
        """Component suppliers produce what is due soon, then ship from stock."""
        due: dict[tuple[str, str], int] = {}
        for po in self.pos.values():
            if self.chain.partners[po.supplier].tier != 1 or po.buyer != cat.OEM_ID:
                continue
            for ln in po.lines:
                if not ln.closed and ln.confirmed_qty is not None and ln.ship_day <= day + 4:
                    key = (po.supplier, ln.material)
                    due[key] = due.get(key, 0) + max(0, ln.confirmed_qty - ln.shipped)
        for (supplier, material), qty in sorted(due.items()):
            site = self.chain.site_of(supplier)
            short = qty - self.on_hand(site, material)
            if short <= 0:
                continue
            step = _PACK.get(material, 10 * MILLI)
            share = dict(self.chain.makers(material))[supplier] / 100
            cap = max(step, int(2.2 * self.usage(material) * share * MILLI) // step * step)
            self.produce(
                maker=supplier,
                site=site,
                material=material,
                day=day,
                step=step,
                want=min(cap, -(-short // step) * step),
            )
        for po in list(self.pos.values()):
            maker = self.chain.partners[po.supplier]
            if maker.tier != 1 or po.buyer != cat.OEM_ID:
                continue
            site = self.chain.site_of(po.supplier)
            items: list[Item] = []
            for ln in po.lines:
                if ln.closed or ln.confirmed_qty is None or ln.ship_day > day:
                    continue
                qty = min(ln.confirmed_qty - ln.shipped, self.on_hand(site, ln.material))
                if qty <= 0:
                    continue
                if qty < ln.confirmed_qty - ln.shipped:
                    ln.reason = "supplier stock short; shipped in parts"
                ln.shipped += qty
                items.append(
                    (po.number, ln.line_no, ln.material, self.take(site, ln.material, qty))
                )
            if items:
                self.ship(
                    shipper=po.supplier,
                    receiver=cat.OEM_ID,
                    from_site=site,
                    to_site=po.site,
                    day=day,
                    items=items,
                    transit=maker.transit_days,
                )

    def oem_produce(self, day: int) -> None:
        """The OEM makes finished goods to a stock target, limited by components on hand."""
        if day_date(day).weekday() == 6:
            return
        for fg in cat.SALEABLE:
            if not fg.startswith("FG-"):
                continue
            site = self.chain.plant_of(fg)
            backlog = sum(s.qty for s in self.backlog.get(site, ()) if s.material == fg)
            target = int(6 * self.fg_rate(fg) * MILLI) + backlog - self.on_hand(site, fg)
            step = 10 * MILLI
            if target < step:
                continue
            want = min(
                -(-target // step) * step,
                max(step, int(2.5 * self.fg_rate(fg) * MILLI) // step * step),
            )
            self.produce(maker=cat.OEM_ID, site=site, material=fg, want=want, day=day, step=step)

    def oem_ship(self, day: int) -> None:
        """The OEM ships due sales-order lines from stock; short lines wait, then lapse."""
        for site, lines in self.backlog.items():
            groups: dict[str, list[Item]] = {}
            keep: list[SoLine] = []
            for sl in lines:
                if sl.ship_day > day:
                    keep.append(sl)
                    continue
                qty = min(sl.qty, self.on_hand(site, sl.material))
                if qty > 0:
                    groups.setdefault(sl.customer, []).append(
                        (None, None, sl.material, self.take(site, sl.material, qty))
                    )
                    sl.qty -= qty
                if sl.qty > 0 and day <= sl.promised + 7:
                    keep.append(sl)
            self.backlog[site] = keep
            for customer, items in groups.items():
                partner = self.chain.partners[customer]
                self.ship(
                    shipper=cat.OEM_ID,
                    receiver=customer,
                    from_site=site,
                    to_site=self.chain.site_of(customer),
                    day=day,
                    items=items,
                    transit=partner.transit_days,
                )

    def distributors(self, day: int) -> None:
        """Distributors sell from stock and order what they sold."""
        today = day_date(day)
        demand = daily_demand(rng=self.np_rng, day=today, start=self.chain.start, sizes=self.sizes)
        self.dist_stock -= np.minimum(self.dist_stock, demand)
        rows, cols = np.nonzero(demand)
        orders: dict[tuple[int, str], list[Row]] = {}
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            material = cat.SALEABLE[j]
            orders.setdefault((i, self.chain.plant_of(material)), []).append(
                {"material_code": material, "quantity": int(demand[i, j]) * MILLI}
            )
        for (i, site), wanted in sorted(orders.items()):
            customer = self.dists[i]
            transit = self.chain.partners[customer].transit_days
            number = f"10{self.seq('so-oem'):08d}"
            requested = day + transit + 1
            promised = requested + (self.rng.randint(1, 2) if self.rng.random() < 0.1 else 0)
            lines = []
            for k, w in enumerate(wanted, start=1):
                material = w["material_code"]
                lines.append(
                    {
                        **w,
                        "line_no": k * 10,
                        "unit": "H87",
                        "unit_price": self.price(material),
                        "requested_date": requested,
                        "promised_date": promised,
                        "line_status": "confirmed",
                    }
                )
                self.backlog.setdefault(site, []).append(
                    SoLine(number, customer, material, w["quantity"], promised, promised - transit)
                )
            header = {
                "so_number": number,
                "seller_id": cat.OEM_ID,
                "customer_id": customer,
                "ship_from_site": site,
                "order_date": day,
                "currency": "CNY",
                "status": "confirmed",
            }
            self.sink.emit(
                doc_type="sales_order", writer=cat.OEM_ID, day=day, header=header, lines=lines
            )

    def oem_purchase(self, day: int) -> None:
        """Weekly order-up-to purchasing of components and spare parts for each plant."""
        for site in (s for s in self.chain.sites if s.startswith(cat.OEM_ID + "-")):
            wants: dict[str, list[tuple[str, int]]] = {}
            for material, sources in cat.SOURCES.items():
                if self.chain.materials[material].category == "raw":
                    continue
                rate = self.usage(material, site=site)
                if rate <= 0:
                    continue
                open_qty = sum(
                    ln.qty - ln.received
                    for po in self.pos.values()
                    if po.site == site
                    for ln in po.lines
                    if ln.material == material and not ln.closed
                )
                lead = 7 + max(self.chain.partners[s].transit_days for s, _ in sources)
                gap = int(rate * (lead + 16) * MILLI) - self.on_hand(site, material) - open_qty
                step = _PACK.get(material, 10 * MILLI)
                for supplier, share in sources:
                    qty = -(-gap * share // 100 // step) * step
                    if qty > 0:
                        wants.setdefault(supplier, []).append((material, qty))
            for supplier, items in sorted(wants.items()):
                self.place_po(buyer=cat.OEM_ID, supplier=supplier, site=site, day=day, wants=items)

    def tier1_purchase(self, day: int, *, first: bool) -> None:
        """Component suppliers buy raw materials weekly, order-up-to their expected use."""
        for partner in self.tier1:
            if (day + partner.index) % 7 and not first:
                continue
            site = self.chain.site_of(partner.partner_id)
            use: dict[str, float] = {}
            for material, sources in cat.SOURCES.items():
                share = dict(sources).get(partner.partner_id)
                if share is None:
                    continue
                rate = self.usage(material) * share / 100
                bom = self.chain.boms[material]
                for comp, qp, scrap in bom.lines:
                    use[comp] = (
                        use.get(comp, 0.0) + rate * qp * (MILLI + scrap) / MILLI / bom.base_milli
                    )
            wants: dict[str, list[tuple[str, int]]] = {}
            for raw, rate in sorted(use.items()):
                supplier = self.chain.makers(raw)[0][0]
                open_qty = sum(
                    ln.qty - ln.received
                    for po in self.pos.values()
                    if po.buyer == partner.partner_id
                    for ln in po.lines
                    if ln.material == raw and not ln.closed
                )
                lead = 5 + self.chain.partners[supplier].transit_days
                gap = int(rate * (lead + 18) * MILLI) - self.on_hand(site, raw) - open_qty
                step = MILLI if self.chain.unit(raw) == "H87" else 100 * MILLI
                qty = -(-gap // step) * step
                if qty > 0:
                    wants.setdefault(supplier, []).append((raw, qty))
            for supplier, items in sorted(wants.items()):
                self.place_po(
                    buyer=partner.partner_id, supplier=supplier, site=site, day=day, wants=items
                )

    def snapshots(self, day: int) -> None:
        """Month-end stock of the OEM plants, the component suppliers and the distributors."""
        by_site: dict[str, dict[tuple[str, str], int]] = {}
        for (site, material), lots in sorted(self.stock.items()):
            for lot, qty, _ in lots:
                held = by_site.setdefault(site, {})
                held[(material, lot)] = held.get((material, lot), 0) + qty
        for site, held in by_site.items():
            lines = [
                {
                    "material_code": m,
                    "lot_number": lot,
                    "quantity_on_hand": qty,
                    "quantity_blocked": 0,
                    "unit": self.chain.unit(m),
                }
                for (m, lot), qty in held.items()
                if qty > 0
            ]
            if not lines:
                continue
            owner = self.chain.sites[site].partner_id
            self.sink.emit(
                doc_type="inventory_snapshot",
                writer=owner,
                day=day,
                header={"partner_id": owner, "site_id": site, "snapshot_date": day},
                lines=lines,
            )
        for i, dist in enumerate(self.dists):
            lines = [
                {
                    "material_code": m,
                    "lot_number": None,
                    "quantity_on_hand": int(self.dist_stock[i, j]) * MILLI,
                    "quantity_blocked": 0,
                    "unit": "H87",
                }
                for j, m in enumerate(cat.SALEABLE)
                if self.dist_stock[i, j] > 0
            ]
            if lines:
                self.sink.emit(
                    doc_type="inventory_snapshot",
                    writer=dist,
                    day=day,
                    header={
                        "partner_id": dist,
                        "site_id": self.chain.site_of(dist),
                        "snapshot_date": day,
                    },
                    lines=lines,
                )

    def forecast(self, day: int) -> None:
        """The OEM's monthly forecast per plant in weekly buckets for the next eight weeks."""
        today = day_date(day)
        monday = today + timedelta(days=7 - today.weekday())
        for site_id, site in self.chain.sites.items():
            if site.partner_id != cat.OEM_ID:
                continue
            lines = []
            for fg in cat.SALEABLE:
                if self.chain.plant_of(fg) != site_id:
                    continue
                for week in range(8):
                    start = monday + timedelta(weeks=week)
                    outlook = season_outlook(day=start, start=self.chain.start, horizon=7)[fg]
                    qty = int(self.fg_base[fg] * outlook * 7 * self.rng.uniform(0.9, 1.1))
                    lines.append(
                        {
                            "material_code": fg,
                            "period_start": day_number(start),
                            "quantity": qty * MILLI,
                            "unit": "H87",
                        }
                    )
            self.sink.emit(
                doc_type="demand_forecast",
                writer=cat.OEM_ID,
                day=day,
                header={
                    "forecast_id": f"FC-{today.strftime('%y%m')}-{site.short}",
                    "issuer_id": cat.OEM_ID,
                    "site_id": site_id,
                    "forecast_date": day,
                    "bucket": "week",
                },
                lines=lines,
            )

    def weekly_demand(self, day: int) -> dict[tuple[str, str], list[int]]:
        """The OEM's weekly demand per supplier and material for the next 26 weeks (thousandths),
        sent to each supplier as a weekly_material_demand; what the suppliers plan against."""
        today = day_date(day)
        monday = today + timedelta(days=7 - today.weekday())
        demand: dict[tuple[str, str], list[int]] = {}
        for material, sources in cat.SOURCES.items():
            if self.chain.materials[material].category == "raw":
                continue
            weekly = self.usage(material) * 7
            if weekly <= 0:
                continue
            for supplier, share in sources:
                series = [
                    int(weekly * share / 100 * self.rng.uniform(0.9, 1.1) * MILLI)
                    for _ in range(WEEKS_AHEAD)
                ]
                demand[(supplier, material)] = series
                self.sink.emit(
                    doc_type="weekly_material_demand",
                    writer=cat.OEM_ID,
                    day=day,
                    header={
                        "customer_id": cat.OEM_ID,
                        "supplier_id": supplier,
                        "material_code": material,
                        "supplier_material_code": None,
                        "customer_site": None,
                        "demand_category": "0001",
                        "unit": self.chain.unit(material),
                        "changed_at": day * 1440 + 8 * 60,
                    },
                    lines=[
                        {"week_start": day_number(monday + timedelta(weeks=k)), "quantity": q}
                        for k, q in enumerate(series)
                    ],
                )
        return demand

    def capacity_groups(self, day: int, demand: dict[tuple[str, str], list[int]]) -> None:
        """Each component supplier's capacity group per material it sells the OEM, for the 13
        weeks ahead: actual 1.25 and maximum 1.5 times the demand it was sent, except in the
        planted shortfalls (a few weeks of a few groups at 0.5 and 0.7: red), recorded in the
        ground truth."""
        today = day_date(day)
        monday = today + timedelta(days=7 - today.weekday())
        for (supplier, material), series in sorted(demand.items()):
            group = f"CG-{material}"
            planted = (
                set(self.rng.sample(range(CAPACITY_WEEKS), 2))
                if self.rng.random() < SHORTFALL_SHARE
                else set()
            )
            lines: list[Row] = []
            for k in range(CAPACITY_WEEKS):
                low = k in planted
                actual = int(series[k] * (0.5 if low else 1.25)) // MILLI * MILLI
                maximum = int(series[k] * (0.7 if low else 1.5)) // MILLI * MILLI
                start = day_number(monday + timedelta(weeks=k))
                lines.append(_capacity_line(k + 1, start, actual, maximum))
                self.result.capacity_weeks.append(
                    {
                        "supplier_id": supplier,
                        "capacity_group_id": group,
                        "week_start": (monday + timedelta(weeks=k)).isoformat(),
                        "demand": series[k] / MILLI,
                        "actual": actual / MILLI,
                        "maximum": maximum / MILLI,
                        "planted_shortfall": low,
                    }
                )
            lines.append(
                {**_capacity_line(CAPACITY_WEEKS + 1, None, None, None),
                 "material_code": material, "load_factor": MILLI}
            )  # fmt: skip
            self.sink.emit(
                doc_type="capacity_group",
                writer=supplier,
                day=day,
                header={
                    "supplier_id": supplier,
                    "capacity_group_id": group,
                    "customer_id": cat.OEM_ID,
                    "name": f"{self.chain.materials[material].name_zh} 产线",
                    "unit": self.chain.unit(material),
                    "changed_at": day * 1440 + 10 * 60,
                },
                lines=lines,
            )

    def purchasing_terms(self, day: int) -> None:
        """Each component supplier's terms for what it sells the OEM, as the OEM's purchasing
        follows them: orders in whole packs (minimum one pack) and a lead time of a week of
        making plus the supplier's transit."""
        for material, sources in sorted(cat.SOURCES.items()):
            if self.chain.materials[material].category == "raw":
                continue
            step = _PACK.get(material, 10 * MILLI)
            for supplier, _share in sources:
                self.sink.emit(
                    doc_type="purchasing_terms",
                    writer=supplier,
                    day=day,
                    header={
                        "buyer_id": cat.OEM_ID,
                        "supplier_id": supplier,
                        "material_code": material,
                        "minimum_order_quantity": step,
                        "order_multiple": step,
                        "lead_time_days": 7 + self.chain.partners[supplier].transit_days,
                        "changed_at": day * 1440 + 9 * 60,
                    },
                    lines=[{}],
                )


def _capacity_line(line_no: int, start: int | None, actual: int | None, maximum: int | None) -> Row:
    return {
        "line_no": line_no,
        "week_start": start,
        "actual_capacity": actual,
        "maximum_capacity": maximum,
        "agreed_capacity": None,
        "material_code": None,
        "load_factor": None,
    }


def run_flows(
    *, chain: Chain, sink: Sink, seed: int, on_day: Callable[[int, bool], None] | None = None
) -> FlowResult:
    """Run the chain day by day into `sink`, calling `on_day(index, month_end)` after each day."""
    eng = _Engine(chain=chain, sink=sink, seed=seed)
    for i in range(len(eng.dists)):
        eng.dist_stock[i] = np.rint(
            np.array([BASE_RATE[s] for s in cat.SALEABLE]) * eng.sizes[i] * 12
        ).astype(np.int64)
    for k in range(chain.days):
        day = eng.d0 + k
        today = day_date(day)
        if today.weekday() == 0 or k == 0:
            eng.outlook = season_outlook(day=today, start=chain.start, horizon=28)
        if today.day == 1:
            eng.forecast(day)
        if k == 0:
            eng.purchasing_terms(day)
        if k == chain.days - PLAN_DAYS_BEFORE_END:
            eng.capacity_groups(day, eng.weekly_demand(day))
        for shp in eng.transit.pop(day, []):
            eng.receive(shp, day)
        eng.tier2_ship(day)
        eng.tier1_make_and_ship(day)
        eng.oem_produce(day)
        eng.oem_ship(day)
        if k >= 14:
            eng.distributors(day)
        if k < chain.days - RUN_OUT_DAYS:
            if today.weekday() == 0 or k == 0:
                eng.oem_purchase(day)
            eng.tier1_purchase(day, first=k == 0)
        eng.confirm_pos(day)
        eng.settle(day)
        month_end = (today + timedelta(days=1)).day == 1 or k == chain.days - 1
        if month_end:
            eng.snapshots(day)
        if on_day is not None:
            on_day(k, month_end)
    return eng.result
