"""KPI throughput: the catalogue's order-line KPIs per supplier and month through chainhub (Ibis
over the visible current versions) next to hand-written DuckDB SQL (the limit) and a plain
pandas implementation, on N purchase-order lines and N/2 goods-receipt lines.

    python bench/kpi.py [--smoke] [--lines N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd

from chainhub.access.schemas import Principal, Role
from chainhub.kpi.service import access_kpi_values
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

FULL_LINES: Final = 10_000_000
SMOKE_LINES: Final = 20_000
ADMIN: Final = Principal(token_id="bench", partner_id=None, role=Role.HUB_ADMIN)  # noqa: S106
_META: Final = """'bench' AS _submission_id, i AS _source_row, 0 AS _doc_version,
    'oem' AS _submitted_by, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS _received_at,
    '1.0' AS _standard_version, 'bench' AS _source_file"""


def _load(path: Path, lines: int) -> None:
    """N purchase-order lines (5 per order, 200 suppliers, two years) and a receipt for every
    other line; 3 % short, 1 % cancelled (half of them before confirmation)."""
    engine = create_engine_for(f"duckdb:///{path}", must_exist=False)
    do_upgrade(engine=engine)
    engine.dispose()
    con = duckdb.connect(str(path))
    con.execute(f"""
        INSERT INTO doc_purchase_order BY NAME
        SELECT {_META}, 'PO' || (i // 5) AS _doc_key, 'PO' || (i // 5) AS po_number, 0 AS revision,
            'oem' AS buyer_id, 'sup-' || ((i // 5) % 200) AS supplier_id,
            'oem-site' AS ship_to_site, DATE '2024-01-01' + CAST((i // 5) % 700 AS INT)
            AS order_date, 'CNY' AS currency, 'closed' AS status, (i % 5 + 1) * 10 AS line_no,
            'M' || (i % 1000) AS material_code, 100 AS quantity, 'H87' AS unit,
            2.5 AS unit_price,
            DATE '2024-01-11' + CAST((i // 5) % 700 AS INT) AS requested_date,
            CASE WHEN i % 200 = 7 THEN NULL
                 ELSE DATE '2024-01-11' + CAST((i // 5) % 700 + (i % 10 = 3)::INT * 3 AS INT)
            END AS confirmed_date,
            CASE WHEN i % 100 IN (7, 57) THEN 'cancelled' WHEN i % 100 < 3
                 THEN 'partially_delivered' ELSE 'delivered' END AS line_status
        FROM range({lines}) AS r(i)""")
    con.execute(f"""
        INSERT INTO doc_goods_receipt BY NAME
        SELECT {_META}, 'GR' || i AS _doc_key, 'GR' || i AS receipt_number,
            'oem' AS receiver_id, 'sup-' || ((j // 5) % 200) AS supplier_id,
            'oem-site' AS site_id,
            DATE '2024-01-11' + CAST((j // 5) % 700 + i % 7 - 3 AS INT) AS receipt_date,
            1 AS line_no, 'PO' || (j // 5) AS po_number, (j % 5 + 1) * 10 AS po_line_no,
            'M' || (j % 1000) AS material_code, 'L' || i AS lot_number,
            CASE WHEN j % 100 < 3 THEN 80 ELSE 100 END AS received_quantity,
            CASE WHEN j % 100 < 3 THEN 80 ELSE 100 END AS accepted_quantity,
            0 AS rejected_quantity, 'H87' AS unit
        FROM (SELECT i, 2 * i AS j FROM range({lines // 2}) AS r(i)) AS s""")
    con.close()


_LINES: Final = """
WITH rec AS (
  SELECT receiver_id, supplier_id, po_number, po_line_no,
         sum(received_quantity::DOUBLE) AS received, max(receipt_date) AS last_receipt
  FROM current_goods_receipt GROUP BY ALL),
l AS (
  SELECT p.supplier_id AS partner_id, date_trunc('month', p.requested_date) AS period,
         p.order_date, p.requested_date, coalesce(p.confirmed_date, p.requested_date) AS commit,
         r.last_receipt, coalesce(r.received, 0) >= p.quantity AS in_full,
         p.quantity::DOUBLE * p.unit_price AS ordered_value,
         least(coalesce(r.received, 0), p.quantity) * p.unit_price AS filled_value
  FROM current_purchase_order p LEFT JOIN rec r
    ON p.buyer_id = r.receiver_id AND p.supplier_id = r.supplier_id
   AND p.po_number = r.po_number AND p.line_no = r.po_line_no
  WHERE p.line_status IN ('delivered', 'partially_delivered', 'cancelled')
    AND NOT (p.line_status = 'cancelled' AND p.confirmed_date IS NULL))
"""
_RECEIPTS: Final = """
WITH r AS (
  SELECT g.supplier_id AS partner_id, date_trunc('month', g.receipt_date) AS period,
         (g.receipt_date - p.order_date)::DOUBLE AS lead
  FROM current_goods_receipt g JOIN current_purchase_order p
    ON g.receiver_id = p.buyer_id AND g.supplier_id = p.supplier_id
   AND g.po_number = p.po_number AND g.po_line_no = p.line_no)
"""
SQL: Final = {
    "otif": _LINES + "SELECT partner_id, period, avg((in_full AND last_receipt <= "
    "requested_date)::INT) * 100 FROM l GROUP BY ALL",
    "supplier_stockout_rate": _LINES
    + "SELECT partner_id, period, avg((NOT in_full)::INT) * 100 FROM l GROUP BY ALL",
    "fill_rate": _LINES + "SELECT partner_id, period, sum(filled_value) / "
    "nullif(sum(ordered_value), 0) * 100 FROM l GROUP BY ALL",
    "supplier_on_time_delivery": _LINES + "SELECT partner_id, period, "
    "avg((last_receipt <= commit)::INT) * 100 FROM l WHERE last_receipt IS NOT NULL GROUP BY ALL",
    "order_fulfilment_cycle_time": _LINES + "SELECT partner_id, date_trunc('month', "
    "last_receipt), avg(last_receipt - order_date) FROM l WHERE in_full AND last_receipt "
    "IS NOT NULL GROUP BY ALL",
    "supplier_lead_time": _RECEIPTS + "SELECT partner_id, period, avg(lead) FROM r GROUP BY ALL",
    "supplier_lead_time_variability": _RECEIPTS
    + "SELECT partner_id, period, stddev_samp(lead) FROM r GROUP BY ALL",
}


def _pandas(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The same KPIs, straightforwardly in pandas from the current versions."""
    po = con.sql("SELECT * FROM current_purchase_order").df()
    gr = con.sql("SELECT * FROM current_goods_receipt").df()
    for frame, cols in ((po, ("order_date", "requested_date", "confirmed_date")),
                        (gr, ("receipt_date",))):  # fmt: skip
        for col in cols:
            frame[col] = pd.to_datetime(frame[col])
    for frame, cols in ((po, ("quantity", "unit_price")), (gr, ("received_quantity",))):
        for col in cols:
            frame[col] = frame[col].astype(float)
    keys = ["receiver_id", "supplier_id", "po_number", "po_line_no"]
    rec = gr.groupby(keys, as_index=False).agg(
        received=("received_quantity", "sum"), last_receipt=("receipt_date", "max")
    )
    closed = po[po.line_status.isin(["delivered", "partially_delivered", "cancelled"])]
    closed = closed[~((closed.line_status == "cancelled") & closed.confirmed_date.isna())]
    lines = closed.merge(
        rec, how="left", left_on=["buyer_id", "supplier_id", "po_number", "line_no"], right_on=keys
    )
    got = lines.received.fillna(0)
    lines["partner_id"] = lines.supplier_id_x if "supplier_id_x" in lines else lines.supplier_id
    lines["period"] = lines.requested_date.dt.to_period("M")
    lines["in_full"] = got >= lines.quantity
    lines["otif"] = lines.in_full & (lines.last_receipt <= lines.requested_date)
    lines["short"] = ~lines.in_full
    lines["ordered"] = lines.quantity * lines.unit_price
    lines["filled"] = got.clip(upper=lines.quantity) * lines.unit_price
    commit = lines.confirmed_date.fillna(lines.requested_date)
    lines["on_time"] = lines.last_receipt <= commit
    group = ["partner_id", "period"]
    sizes = {
        "otif": len(lines.groupby(group).otif.mean()),
        "supplier_stockout_rate": len(lines.groupby(group).short.mean()),
        "fill_rate": len(lines.groupby(group)[["filled", "ordered"]].sum()),
        "supplier_on_time_delivery": len(
            lines[lines.last_receipt.notna()].groupby(group).on_time.mean()
        ),
    }
    full = lines[lines.in_full & lines.last_receipt.notna()].copy()
    full["cycle"] = (full.last_receipt - full.order_date).dt.days
    full["period"] = full.last_receipt.dt.to_period("M")
    sizes["order_fulfilment_cycle_time"] = len(full.groupby(group).cycle.mean())
    joined = gr.merge(
        po, left_on=["receiver_id", "supplier_id", "po_number", "po_line_no"],
        right_on=["buyer_id", "supplier_id", "po_number", "line_no"],
    )  # fmt: skip
    joined["partner_id"] = joined.supplier_id
    joined["period"] = joined.receipt_date.dt.to_period("M")
    joined["lead"] = (joined.receipt_date - joined.order_date).dt.days
    sizes["supplier_lead_time"] = len(joined.groupby(group).lead.mean())
    sizes["supplier_lead_time_variability"] = len(joined.groupby(group).lead.std())
    return sizes


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    """Load, run the three sides, print their times and ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size, for CI")
    parser.add_argument("--lines", type=int, help=f"order lines (default {FULL_LINES:,})")
    parser.add_argument("--workdir", type=Path, help="where to write the database (default: temp)")
    args = parser.parse_args()
    lines = args.lines or (SMOKE_LINES if args.smoke else FULL_LINES)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        path = Path(folder) / "bench.duckdb"
        seconds, _ = _timed(lambda: _load(path, lines))
        print(f"loaded {lines:,} order lines and {lines // 2:,} receipt lines in {seconds:.1f} s")
        engine = create_engine_for(f"duckdb:///{path}")
        hub: dict[str, int] = {}

        def chainhub() -> None:
            with engine.connect() as conn:
                for kpi_id in SQL:
                    found = access_kpi_values(
                        conn=conn, principal=ADMIN, today=date(2026, 1, 1), kpi_id=kpi_id
                    )
                    hub[kpi_id] = len(found.values)

        hub_seconds, _ = _timed(chainhub)
        engine.dispose()
        con = duckdb.connect(str(path), read_only=True)
        sql_seconds, sql = _timed(lambda: {k: len(con.sql(q).fetchall()) for k, q in SQL.items()})
        pandas_seconds, frames = _timed(lambda: _pandas(con))
        con.close()
    assert hub == sql == frames, (hub, sql, frames)
    print(f"{len(SQL)} KPIs by supplier and month, {sum(hub.values()):,} values each side")
    print(f"  chainhub (Ibis, visible current)  {hub_seconds:8.2f} s")
    print(f"  hand-written DuckDB SQL (limit)   {sql_seconds:8.2f} s")
    print(f"  pandas                            {pandas_seconds:8.2f} s")
    print(f"chainhub / SQL     {hub_seconds / sql_seconds:6.2f}x  (goal ≤ 1.2x)")
    print(f"pandas / chainhub  {pandas_seconds / hub_seconds:6.2f}x  (goal ≥ 10x)")


if __name__ == "__main__":
    main()
