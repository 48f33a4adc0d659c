"""What the MRP reads of a forecast run: the reconciled material totals, not the base series."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from chainhub.forecast.models import (
    forecast_node_values,
    forecast_nodes,
    forecast_runs,
    forecast_values,
)
from chainhub.plan.inputs import get_independent_demand
from chainhub.plan.mrp import week_grid
from chainhub.plan.schemas import DemandSource

MONDAY = date(2026, 3, 2)


def _run(conn: sa.Connection, *, reconciled: float | None) -> None:
    """A run of M001 for two customers (base 10 and 20 in the first week); with `reconciled`,
    its hierarchy, whose material node the reconciliation moved from 30 to it."""
    conn.execute(
        forecast_runs.insert().values(
            run_id="run-1",
            version=1,
            created_at=datetime(2026, 3, 1, tzinfo=UTC),
            bucket="week",
            horizon=1,
            series_count=2,
            parameters="{}",
        )
    )
    conn.execute(
        forecast_values.insert(),
        [
            {
                "run_id": "run-1",
                "material_code": "M001",
                "customer_id": c,
                "period_start": MONDAY,
                "quantity": q,
                "lo": None,
                "hi": None,
            }
            for c, q in (("jinli", 10.0), ("taihe", 20.0))
        ],
    )
    if reconciled is None:
        return
    node = {"run_id": "run-1", "level": "material", "node": "finished|M001"}
    conn.execute(
        forecast_nodes.insert().values(
            **node, family="finished", material_code="M001", customer_id=None, method="AutoETS"
        )
    )
    conn.execute(
        forecast_node_values.insert().values(
            **node, period_start=MONDAY, base=30.0, quantity=reconciled, lo=None, hi=None
        )
    )


def _demand(engine: sa.Engine) -> tuple[list[tuple[str, int, float]], DemandSource]:
    with engine.connect() as conn:
        frame, source, _ = get_independent_demand(
            conn=conn, customer_id="haichuan", grid=week_grid(MONDAY, 2)
        )
    rows = frame.select("material_code", "week_no", "quantity").sort("week_no").rows()
    return [(m, w, q) for m, w, q in rows if q], source


def test_mrp_reads_the_reconciled_material_total(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        _run(conn, reconciled=33.0)
    assert _demand(engine) == ([("M001", 1, 33.0)], DemandSource.FORECAST_RUN)


def test_a_run_without_a_hierarchy_gives_its_series_summed(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        _run(conn, reconciled=None)
    assert _demand(engine) == ([("M001", 1, 30.0)], DemandSource.FORECAST_RUN)
