"""KPI throughput: the catalogue's KPIs of purchase-order lines, goods receipts and document
arrivals, per supplier (or sender) and month, through chainhub (Ibis over the visible current
versions), through hand-written DuckDB SQL (the limit) and through plain pandas (groupby and
merge over the columns it needs, read through Arrow with pyarrow-backed strings), on N
purchase-order lines and N/2 goods-receipt lines. The three sides' values are checked equal;
wall-clock and process CPU times and their ratios are printed per KPI and in total.

    python bench/kpi.py [--smoke] [--lines N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal, Role
from chainhub.kpi.service import access_kpi_values
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

T = TypeVar("T")
Clock = Literal["wall", "cpu"]
CLOCKS: Final[tuple[Clock, ...]] = ("wall", "cpu")
# Seconds per clock and KPI.
Times = dict[Clock, dict[str, float]]
Values = dict[tuple[str, str | None], float | None]
FULL_LINES: Final = 10_000_000
SMOKE_LINES: Final = 20_000
ADMIN: Final = Principal(token_id="bench", partner_id=None, role=Role.HUB_ADMIN)  # noqa: S106
TODAY: Final = date(2026, 1, 1)
HUB_GOAL: Final = 1.2
PANDAS_GOAL: Final = 10.0
# Hours after midnight (UTC) of the order date at which an order's version arrives at the hub.
_SENT: Final = (
    "TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(CAST(((i // 5) % 700) * 24 + {h} AS BIGINT))"
)
_PO: Final = """
    SELECT {submission} AS _submission_id, i AS _source_row, {version} AS _doc_version,
        'oem' AS _submitted_by, {sent} AS _received_at, '1.0' AS _standard_version,
        'bench' AS _source_file, {current} AS _current, 'PO' || (i // 5) AS _doc_key,
        'PO' || (i // 5) AS po_number, {version} AS revision, 'oem' AS buyer_id,
        'sup-' || ((i // 5) % 200) AS supplier_id,
        'oem-site' AS ship_to_site, DATE '2024-01-01' + CAST((i // 5) % 700 AS INT) AS order_date,
        'CNY' AS currency, {status} AS status, (i % 5 + 1) * 10 AS line_no,
        'M' || (i % 1000) AS material_code, 100 AS quantity, 'H87' AS unit,
        2.5 + (i % 7) * 0.5 AS unit_price,
        DATE '2024-01-11' + CAST((i // 5) % 700 AS INT) AS requested_date,
        {confirmed} AS confirmed_date, {line_status} AS line_status
    FROM range({lines}) AS r(i) WHERE {where}"""


def _load(path: Path, lines: int) -> None:
    """N purchase-order lines (5 per order, 200 suppliers, two years; every tenth order first
    sent unconfirmed, its confirmed version a day or more later, which alone is current) and a
    receipt for every other line; 3 % short, 1 % cancelled (half of them before confirmation),
    2 % with rejects."""
    engine = create_engine_for(f"duckdb:///{path}", must_exist=False)
    do_upgrade(engine=engine)
    engine.dispose()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO doc_purchase_order BY NAME " + _PO.format(
        submission="'bench'", version="((i // 5) % 10 = 0)::INT", current="true",
        sent=_SENT.format(h="24 + (i // 5) % 72"), status="'closed'",
        confirmed="CASE WHEN i % 200 = 7 THEN NULL ELSE DATE '2024-01-11' + "
        "CAST((i // 5) % 700 + (i % 10 = 3)::INT * 3 AS INT) END",
        line_status="CASE WHEN i % 100 IN (7, 57) THEN 'cancelled' WHEN i % 100 < 3 "
        "THEN 'partially_delivered' ELSE 'delivered' END", lines=lines, where="true",
    ))  # fmt: skip
    con.execute("INSERT INTO doc_purchase_order BY NAME " + _PO.format(
        submission="'bench-sent'", version="0", current="false",
        sent=_SENT.format(h="(i // 5) % 24"), status="'open'", confirmed="NULL::DATE",
        line_status="'open'", lines=lines, where="(i // 5) % 10 = 0",
    ))  # fmt: skip
    con.execute(f"""
        INSERT INTO doc_goods_receipt BY NAME
        SELECT 'bench' AS _submission_id, i AS _source_row, 0 AS _doc_version,
            'oem' AS _submitted_by, {_SENT.format(h="240 + i % 48").replace("(i // 5)", "(j // 5)")}
            AS _received_at, '1.0' AS _standard_version, 'bench' AS _source_file,
            'GR' || i AS _doc_key, 'GR' || i AS receipt_number,
            'oem' AS receiver_id, 'sup-' || ((j // 5) % 200) AS supplier_id,
            'oem-site' AS site_id,
            DATE '2024-01-11' + CAST((j // 5) % 700 + i % 7 - 3 AS INT) AS receipt_date,
            1 AS line_no, 'PO' || (j // 5) AS po_number, (j % 5 + 1) * 10 AS po_line_no,
            'M' || (j % 1000) AS material_code, 'L' || i AS lot_number,
            CASE WHEN j % 100 < 3 THEN 80 ELSE 100 END AS received_quantity,
            CASE WHEN j % 100 < 3 THEN 80 ELSE 100 END - (i % 50 = 1)::INT * 2
            AS accepted_quantity, (i % 50 = 1)::INT * 2 AS rejected_quantity, 'H87' AS unit
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
_CONFIRMATION: Final = """
WITH l AS (
  SELECT supplier_id, min(order_date) AS day, min(epoch(_received_at)) AS sent,
         min(epoch(_received_at)) FILTER (WHERE confirmed_date IS NOT NULL) AS confirmed
  FROM doc_purchase_order GROUP BY _doc_key, line_no, supplier_id)
SELECT supplier_id, date_trunc('month', day), avg((confirmed - sent) / 86400)
FROM l WHERE confirmed IS NOT NULL GROUP BY ALL
"""
_PPM: Final = """
WITH o AS (
  SELECT material_code, quantity::DOUBLE AS q, quantity::DOUBLE * unit_price::DOUBLE AS a
  FROM current_purchase_order
  UNION ALL SELECT material_code, quantity::DOUBLE, quantity::DOUBLE * unit_price::DOUBLE
  FROM current_sales_order),
price AS (SELECT material_code, sum(a) / sum(q) AS price FROM o GROUP BY ALL)
SELECT g.supplier_id, date_trunc('month', g.receipt_date),
       sum(coalesce(g.rejected_quantity::DOUBLE, 0) * price)
       / nullif(sum(g.received_quantity::DOUBLE * price), 0) * 1e6
FROM current_goods_receipt g JOIN price USING (material_code) GROUP BY ALL
"""
_TIMELINESS: Final = """
WITH d AS (
  SELECT _submitted_by, max(order_date) AS day,
         floor(min(epoch(_received_at)) / 86400)
         - floor(epoch(max(order_date)::TIMESTAMP) / 86400) AS lag
  FROM doc_purchase_order GROUP BY _submitted_by, _submission_id
  UNION ALL
  SELECT _submitted_by, max(receipt_date),
         floor(min(epoch(_received_at)) / 86400)
         - floor(epoch(max(receipt_date)::TIMESTAMP) / 86400)
  FROM doc_goods_receipt GROUP BY _submitted_by, _submission_id)
SELECT _submitted_by, date_trunc('month', day), median(lag) FROM d GROUP BY ALL
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
    "order_confirmation_cycle": _CONFIRMATION,
    "supplier_lead_time": _RECEIPTS + "SELECT partner_id, period, avg(lead) FROM r GROUP BY ALL",
    "supplier_lead_time_variability": _RECEIPTS
    + "SELECT partner_id, period, stddev_samp(lead) FROM r GROUP BY ALL",
    "incoming_ppm": _PPM,
    "data_timeliness": _TIMELINESS,
}
LINE_KPIS: Final = tuple(k for k, q in SQL.items() if q.startswith(_LINES))
RECEIPT_KPIS: Final = ("supplier_lead_time", "supplier_lead_time_variability")
# Read from every version: the confirmation cycle (when a line was first confirmed) and data
# timeliness (each submission from its newest business date to its arrival).
VERSION_KPIS: Final = ("order_confirmation_cycle", "data_timeliness")
CURRENT_KPIS: Final = tuple(k for k in SQL if k not in VERSION_KPIS)


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def _month(period: Any) -> str | None:
    """A period (date, timestamp or pandas month) as YYYY-MM, so the sides compare."""
    return None if period is None else str(period.strftime("%Y-%m"))


def _values(rows: Iterable[tuple[Any, Any, Any]]) -> Values:
    return {(str(p), _month(m)): _number(v) for p, m, v in rows}


class _Steps:
    """Times of the pandas side's steps, each shared equally by the KPIs it serves."""

    def __init__(self) -> None:
        self.seconds: dict[Clock, dict[str, float]] = {c: defaultdict(float) for c in CLOCKS}

    def run(self, kpis: Iterable[str], step: Callable[[], T]) -> T:
        served = tuple(kpis)
        seconds, result = _timed(step)
        for clock in CLOCKS:
            for kpi_id in served:
                self.seconds[clock][kpi_id] += seconds[clock] / len(served)
        return result


def _series(value: pd.Series) -> Values:
    """Values of a grouped Series keyed by (partner, period)."""
    return {(str(p), _month(m)): _number(v) for (p, m), v in value.items()}


def _frame(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """A query's rows as pandas through Arrow: strings stay Arrow-backed (no Python object
    per value, which at ten million lines does not fit in memory), dates become datetimes."""
    table = con.sql(query).to_arrow_table()
    strings = pd.ArrowDtype(pa.string())
    return table.to_pandas(
        types_mapper={pa.string(): strings}.get, date_as_object=False, split_blocks=True
    )


# The columns each step reads, quantities and prices as floats (DECIMAL would be objects).
_COLUMNS: Final = {
    "purchase_order": "buyer_id, supplier_id, po_number, line_no, line_status, order_date, "
    "requested_date, confirmed_date, material_code, quantity::DOUBLE AS quantity, "
    "unit_price::DOUBLE AS unit_price",
    "goods_receipt": "receiver_id, supplier_id, po_number, po_line_no, material_code, "
    "receipt_date, received_quantity::DOUBLE AS received_quantity, "
    "rejected_quantity::DOUBLE AS rejected_quantity",
    "sales_order": "material_code, quantity::DOUBLE AS quantity, unit_price::DOUBLE AS unit_price",
}


def _frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The columns the KPIs read of the current purchase orders, sales orders and receipts."""
    return {
        name: _frame(con, f"SELECT {columns} FROM current_{name}")
        for name, columns in _COLUMNS.items()
    }


def _lines(po: pd.DataFrame, gr: pd.DataFrame) -> pd.DataFrame:
    """Closed order lines with what was received for them."""
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
    lines["partner_id"] = lines.supplier_id
    lines["period"] = lines.requested_date.dt.to_period("M")
    lines["in_full"] = got >= lines.quantity
    lines["otif"] = (lines.in_full & (lines.last_receipt <= lines.requested_date)) * 100.0
    lines["short"] = (~lines.in_full) * 100.0
    lines["ordered"] = lines.quantity * lines.unit_price
    lines["filled"] = got.clip(upper=lines.quantity) * lines.unit_price
    commit = lines.confirmed_date.fillna(lines.requested_date)
    lines["on_time"] = (lines.last_receipt <= commit) * 100.0
    return lines


def _line_kpis(lines: pd.DataFrame, steps: _Steps) -> dict[str, Values]:
    group = ["partner_id", "period"]
    found = {
        "otif": steps.run(["otif"], lambda: lines.groupby(group).otif.mean()),
        "supplier_stockout_rate": steps.run(
            ["supplier_stockout_rate"], lambda: lines.groupby(group).short.mean()
        ),
    }

    def fill_rate() -> pd.Series:
        sums = lines.groupby(group)[["filled", "ordered"]].sum()
        return sums.filled / sums.ordered.replace(0, float("nan")) * 100

    def on_time() -> pd.Series:
        return lines[lines.last_receipt.notna()].groupby(group).on_time.mean()

    def cycle() -> pd.Series:
        full = lines[lines.in_full & lines.last_receipt.notna()]
        days = (full.last_receipt - full.order_date).dt.days
        return days.groupby([full.partner_id, full.last_receipt.dt.to_period("M")]).mean()

    found["fill_rate"] = steps.run(["fill_rate"], fill_rate)
    found["supplier_on_time_delivery"] = steps.run(["supplier_on_time_delivery"], on_time)
    found["order_fulfilment_cycle_time"] = steps.run(["order_fulfilment_cycle_time"], cycle)
    return {k: _series(v) for k, v in found.items()}


def _receipt_kpis(po: pd.DataFrame, gr: pd.DataFrame, steps: _Steps) -> dict[str, Values]:
    def joined() -> pd.DataFrame:
        both = gr.merge(
            po, left_on=["receiver_id", "supplier_id", "po_number", "po_line_no"],
            right_on=["buyer_id", "supplier_id", "po_number", "line_no"],
        )  # fmt: skip
        both["period"] = both.receipt_date.dt.to_period("M")
        both["lead"] = (both.receipt_date - both.order_date).dt.days.astype(float)
        return both

    both = steps.run(RECEIPT_KPIS, joined)
    group = [both.supplier_id, both.period]
    return {
        "supplier_lead_time": _series(
            steps.run(["supplier_lead_time"], lambda: both.lead.groupby(group).mean())
        ),
        "supplier_lead_time_variability": _series(
            steps.run(["supplier_lead_time_variability"], lambda: both.lead.groupby(group).std()),
        ),
    }


def _confirmation(con: duckdb.DuckDBPyConnection) -> pd.Series:
    versions = _frame(
        con,
        "SELECT _doc_key, line_no, supplier_id, order_date, _received_at, confirmed_date "
        "FROM doc_purchase_order",
    )
    versions["sent"] = (versions._received_at - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    versions["confirmed"] = versions.sent.where(versions.confirmed_date.notna())
    lines = versions.groupby(["_doc_key", "line_no", "supplier_id"], as_index=False).agg(
        day=("order_date", "min"), sent=("sent", "min"), confirmed=("confirmed", "min")
    )
    lines = lines[lines.confirmed.notna()]
    cycle = (lines.confirmed - lines.sent) / 86400
    return cycle.groupby([lines.supplier_id, pd.to_datetime(lines.day).dt.to_period("M")]).mean()


def _ppm(frames: dict[str, pd.DataFrame]) -> pd.Series:
    orders = pd.concat(
        [
            frames[n][["material_code", "quantity", "unit_price"]]
            for n in ("purchase_order", "sales_order")
        ]
    )
    orders["amount"] = orders.quantity * orders.unit_price
    sums = orders.groupby("material_code")[["amount", "quantity"]].sum()
    price = (sums.amount / sums.quantity).rename("price")
    gr = frames["goods_receipt"].join(price, on="material_code", how="inner")
    gr["received"] = gr.received_quantity * gr.price
    gr["rejected"] = gr.rejected_quantity.fillna(0) * gr.price
    sums = gr.groupby([gr.supplier_id, gr.receipt_date.dt.to_period("M")])[
        ["rejected", "received"]
    ].sum()
    return sums.rejected / sums.received.replace(0, float("nan")) * 1_000_000


def _timeliness(con: duckdb.DuckDBPyConnection) -> pd.Series:
    sent = []
    for name, business in (("purchase_order", "order_date"), ("goods_receipt", "receipt_date")):
        frame = _frame(
            con, f"SELECT _submitted_by, _submission_id, _received_at, {business} FROM doc_{name}"
        )
        epoch = pd.Timestamp(0, tz="UTC")
        frame["arrived"] = (frame._received_at - epoch).dt.total_seconds() // 86400
        frame["day"] = pd.to_datetime(frame[business])
        per = frame.groupby(["_submitted_by", "_submission_id"], as_index=False).agg(
            arrived=("arrived", "min"), day=("day", "max")
        )
        per["lag"] = per.arrived - (per.day - pd.Timestamp(0)).dt.days
        sent.append(per)
    every = pd.concat(sent)
    return every.lag.groupby([every._submitted_by, every.day.dt.to_period("M")]).median()


def _pandas(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Values], Times]:
    """The same KPIs, straightforwardly in pandas from the current versions (the confirmation
    cycle from every version); each shared step's time split among the KPIs it serves."""
    steps = _Steps()
    frames = steps.run(CURRENT_KPIS, lambda: _frames(con))
    po, gr = frames["purchase_order"], frames["goods_receipt"]
    lines = steps.run(LINE_KPIS, lambda: _lines(po, gr))
    found = _line_kpis(lines, steps) | _receipt_kpis(po, gr, steps)
    for kpi_id, compute in (
        ("order_confirmation_cycle", lambda: _confirmation(con)),
        ("incoming_ppm", lambda: _ppm(frames)),
        ("data_timeliness", lambda: _timeliness(con)),
    ):
        found[kpi_id] = _series(steps.run([kpi_id], compute))
    return found, {clock: dict(steps.seconds[clock]) for clock in CLOCKS}


def _timed(run: Callable[[], T]) -> tuple[dict[Clock, float], T]:
    """A call's result with its wall-clock seconds and the process's CPU seconds (every
    thread's: DuckDB's too)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}, result


def _same(kpi_id: str, sides: dict[str, Values]) -> None:
    """Every side found the same partners and months, and the same values (chainhub rounds to
    four digits)."""
    (first, expected), *others = sides.items()
    for name, found in others:
        assert found.keys() == expected.keys(), (kpi_id, first, name)
        for key, value in expected.items():
            other = found[key]
            same = (value is None and other is None) or (
                value is not None and other is not None
                and math.isclose(value, other, rel_tol=1e-6, abs_tol=1e-3)
            )  # fmt: skip
            assert same, (kpi_id, key, first, value, name, other)


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else math.inf


def _report(times: dict[Clock, dict[str, dict[str, float]]], values: int) -> None:
    print(f"{len(SQL)} KPIs by partner and month, {values:,} values on each side (all equal)")
    for clock in CLOCKS:
        _table(clock, times[clock])


def _table(clock: Clock, times: dict[str, dict[str, float]]) -> None:
    """One clock's seconds and ratios per KPI, and how they stand against the goals."""
    what = "wall clock" if clock == "wall" else "process CPU (all threads)"
    print(f"{what}:")
    print(f"{'KPI':<32}{'chainhub s':>11}{'SQL s':>9}{'pandas s':>10}"
          f"{'hub/SQL':>9}{'pandas/hub':>11}{'pandas/SQL':>11}")  # fmt: skip
    totals = {side: sum(t.values()) for side, t in times.items()}
    for kpi_id in [*SQL, "total"]:
        hub, sql, pandas = (
            totals[s] if kpi_id == "total" else times[s][kpi_id] for s in ("hub", "sql", "pandas")
        )
        print(f"{kpi_id:<32}{hub:>11.2f}{sql:>9.2f}{pandas:>10.2f}{_ratio(hub, sql):>9.2f}"
              f"{_ratio(pandas, hub):>11.1f}{_ratio(pandas, sql):>11.1f}")  # fmt: skip
    hub_ok = [k for k in SQL if _ratio(times["hub"][k], times["sql"][k]) <= HUB_GOAL]
    fast = [k for k in SQL if _ratio(times["pandas"][k], times["hub"][k]) >= PANDAS_GOAL]
    limit = [k for k in SQL if _ratio(times["pandas"][k], times["sql"][k]) >= PANDAS_GOAL]
    hub_ratio = _ratio(totals["hub"], totals["sql"])
    pandas_ratio = _ratio(totals["pandas"], totals["hub"])
    print(f"summary ({clock}): chainhub {hub_ratio:.2f}x hand SQL (goal ≤ {HUB_GOAL}x, "
          f"{'met' if hub_ratio <= HUB_GOAL else 'missed'}; {len(hub_ok)}/{len(SQL)} KPIs within),"
          f" pandas {pandas_ratio:.1f}x chainhub (goal ≥ {PANDAS_GOAL:.0f}x, "
          f"{'met' if pandas_ratio >= PANDAS_GOAL else 'missed'}; {len(fast)}/{len(SQL)} KPIs;"
          f" hand SQL itself {_ratio(totals['pandas'], totals['sql']):.1f}x pandas, "
          f"{len(limit)}/{len(SQL)} KPIs ≥ {PANDAS_GOAL:.0f}x); load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip


def _warm(con: duckdb.DuckDBPyConnection) -> None:
    """Read every column of the documents once, untimed, so that no side pays for the first
    read of the database file."""
    for name in ("purchase_order", "goods_receipt", "sales_order"):
        con.sql(f"SELECT sum(hash(COLUMNS(*))) FROM doc_{name}").fetchall()


def _through_hub(conn: Connection, kpi_id: str) -> Values:
    found = access_kpi_values(conn=conn, principal=ADMIN, today=TODAY, kpi_id=kpi_id)
    return _values((v.partner_id, v.period, v.value) for v in found.values)


def _through_sql(con: duckdb.DuckDBPyConnection, query: str) -> Values:
    return _values(con.sql(query).fetchall())


def _hub_and_sql(
    conn: Connection,
    con: duckdb.DuckDBPyConnection,
    times: dict[Clock, dict[str, dict[str, float]]],
) -> dict[str, dict[str, Values]]:
    """Each KPI through chainhub and through hand SQL, the two in turn; which of them goes
    first alternates per KPI, so neither always reads the tables first or takes a burst of
    load elsewhere alone."""
    sides: dict[str, dict[str, Values]] = {"hub": {}, "sql": {}}
    for index, (kpi_id, query) in enumerate(SQL.items()):
        runs: dict[str, Callable[[], Values]] = {
            "hub": partial(_through_hub, conn, kpi_id),
            "sql": partial(_through_sql, con, query),
        }
        for side in ("hub", "sql") if index % 2 == 0 else ("sql", "hub"):
            seconds, sides[side][kpi_id] = _timed(runs[side])
            for clock in CLOCKS:
                times[clock][side][kpi_id] = seconds[clock]
    return sides


def main() -> None:
    """Load, run the three sides, check they agree, print their times and ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size, for CI")
    parser.add_argument("--lines", type=int, help=f"order lines (default {FULL_LINES:,})")
    parser.add_argument("--workdir", type=Path, help="where to write the database (default: temp)")
    args = parser.parse_args()
    lines = args.lines or (SMOKE_LINES if args.smoke else FULL_LINES)
    times: dict[Clock, dict[str, dict[str, float]]] = {c: {"hub": {}, "sql": {}} for c in CLOCKS}
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        path = Path(folder) / "bench.duckdb"
        seconds, _ = _timed(lambda: _load(path, lines))
        print(f"loaded {lines:,} order lines and {lines // 2:,} receipt lines in "
              f"{seconds['wall']:.1f} s")  # fmt: skip
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        engine = create_engine_for(f"duckdb:///{path}")
        with engine.connect() as conn:
            driver: Any = conn.connection.driver_connection
            con: duckdb.DuckDBPyConnection = getattr(driver, "_ConnectionWrapper__c", driver)
            _warm(con)
            sides = _hub_and_sql(conn, con, times)
            sides["pandas"], pandas_times = _pandas(con)
        engine.dispose()
    for clock in CLOCKS:
        times[clock]["pandas"] = pandas_times[clock]
    for kpi_id in SQL:
        _same(kpi_id, {side: found[kpi_id] for side, found in sides.items()})
    _report(times, sum(len(v) for v in sides["hub"].values()))
    # Linux counts ru_maxrss in KiB: the process's peak, the pandas side's frames included.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak resident memory of the run: {peak:.1f} GiB")


if __name__ == "__main__":
    main()
