"""The hub's OTIF and stockout rate per supplier agree with what the simulator's ground truth
(`ground_truth/order_outcomes.csv`, written by chainhub.sim) says happened to each order line,
and its timeliness per partner with when the simulator says each file was sent."""

from __future__ import annotations

import statistics

import polars as pl
import sqlalchemy as sa

from chainhub.kpi.scorecard import list_scorecards
from chainhub.kpi.service import access_kpi_values
from tests.kpi.conftest import TODAY, principal
from tests.support import SmallChain


def _truth(chain: SmallChain) -> pl.DataFrame:
    """Per supplier from the outcomes alone: delivered (in full, on time) and short lines, over
    the lines the supplier answers for (not those the buyer cancelled)."""
    outcomes = pl.read_csv(chain.root / "ground_truth" / "order_outcomes.csv")
    answered = outcomes.filter(~pl.col("reason").str.starts_with("buyer cancelled"))
    return answered.group_by("supplier_id").agg(
        otif=((pl.col("outcome") == "delivered").mean() * 100).round(4),
        stockout=(pl.col("outcome").is_in(["partially_delivered", "cancelled"]).mean() * 100).round(
            4
        ),
        lines=pl.len(),
    )


def test_otif_stockout_and_timeliness_agree_with_the_ground_truth(
    engine: sa.Engine, small_chain: SmallChain
) -> None:
    small_chain.load(engine, as_sent=True)
    truth = _truth(small_chain)
    hub = {}
    with engine.connect() as conn:
        for kpi_id in ("otif", "supplier_stockout_rate"):
            found = access_kpi_values(
                conn=conn, principal=principal(None), today=TODAY, kpi_id=kpi_id, by="total"
            )
            hub[kpi_id] = {v.partner_id: (v.value, v.observations) for v in found.values}
    expected_otif = {r["supplier_id"]: (r["otif"], r["lines"]) for r in truth.to_dicts()}
    expected_stockout = {r["supplier_id"]: (r["stockout"], r["lines"]) for r in truth.to_dicts()}
    assert len(expected_otif) >= 10
    assert hub["otif"] == expected_otif
    assert hub["supplier_stockout_rate"] == expected_stockout
    # Each partner's files arrive a fixed number of days after what they report, by its habit:
    # the scorecards and the timeliness KPI find that habit, most partners on time.
    habits = {p: statistics.median(lags) for p, lags in small_chain.send_lags().items()}
    with engine.connect() as conn:
        cards = {c.partner_id: c for c in list_scorecards(conn=conn)}
        kpi = access_kpi_values(
            conn=conn, principal=principal(None), today=TODAY, kpi_id="data_timeliness", by="total"
        )
    assert {p: cards[p].median_lag_days for p in habits} == habits
    assert {v.partner_id: v.value for v in kpi.values} == habits
    on_time = [p for p in habits if cards[p].on_time_share == 1.0]
    assert len(on_time) >= 0.6 * len(habits)
    assert {p for p in habits if cards[p].on_time_share == 0.0} == {
        p for p, days in habits.items() if days > 1
    }
