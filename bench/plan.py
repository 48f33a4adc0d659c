"""Red capacity group-weeks found on the simulated chain against the weeks the simulator
planted (precision and recall), with the demand the OEM sent and with the hub's own MRP.

    python bench/plan.py [--smoke] [--scale small|medium|N] [--no-forecast]

The simulator has each supplier send a capacity group per material a week before its end, at
1.25 (actual) and 1.5 (maximum) times the weekly demand the OEM sent it, except two planted
weeks in some groups at 0.5 and 0.7 (ground_truth/capacity_weeks.csv). The hub lights every
group-week by the CX-0128 rule; then it runs its forecast (26 weeks ahead), publishes its own
MRP demand (forecast, BOMs, stock and open orders) over the OEM's and lights them again.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import polars as pl
import sqlalchemy as sa

from chainhub.access.schemas import Principal, Role
from chainhub.access.tokens import do_set_chain_leader
from chainhub.forecast.schemas import ForecastParameters
from chainhub.forecast.service import do_run_forecast
from chainhub.intake.schemas import load_profile
from chainhub.intake.service import do_submit, get_submitter
from chainhub.plan.service import do_publish_demand, get_mrp, list_group_weeks
from chainhub.sim.flows import PLAN_DAYS_BEFORE_END
from chainhub.sim.service import START, do_simulate
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

OEM: Final = "haichuan"
OPERATOR: Final = Principal(token_id="bench", partner_id=None, role=Role.HUB_ADMIN)


def _load(engine: sa.Engine, root: Path) -> int:
    """Every file of the chain through intake, as its partner; the files stored."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    stored = 0
    with engine.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=OEM)
        for entry in manifest["submissions"]:
            result = do_submit(
                conn=conn,
                path=root / entry["file"],
                profile=load_profile(root / entry["profile"]),
                submitter=get_submitter(conn=conn, partner_id=entry["partner_id"], channel="bench"),
            )
            stored += result.status in ("stored", "partial")
    return stored


def _red(engine: sa.Engine) -> set[tuple[str, str, str]]:
    with engine.connect() as conn:
        weeks = list_group_weeks(conn=conn, principal=OPERATOR, today=START)
    return {
        (w.supplier_id, w.capacity_group_id, w.week_start.isoformat())
        for w in weeks
        if w.light.value == "red"
    }


def _score(found: set[tuple[str, str, str]], truth: set[tuple[str, str, str]]) -> str:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    return (
        f"red {len(found)}, planted {len(truth)}, found {hits}: "
        f"precision {precision:.2f} recall {recall:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Simulate, load, light the group-weeks, publish the hub's MRP, light them again."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--smoke", action="store_true", help="the small chain")
    parser.add_argument(
        "--forecast",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the hub's forecast first (else plan from the OEM's issued forecasts)",
    )
    args = parser.parse_args(argv)
    scale = "small" if args.smoke else args.scale
    with tempfile.TemporaryDirectory(prefix="chainhub-bench-plan-") as folder:
        root = Path(folder) / "chain"
        began = time.perf_counter()
        summary = do_simulate(out=root, scale=scale, seed=7)
        print(f"simulated {scale}: {summary.files} files in {time.perf_counter() - began:.1f} s")
        engine = create_engine_for(f"duckdb:///{Path(folder) / 'hub.duckdb'}", must_exist=False)
        do_upgrade(engine=engine)
        began = time.perf_counter()
        files = _load(engine, root)
        print(f"loaded {files} files in {time.perf_counter() - began:.1f} s")
        weeks = pl.read_csv(root / "ground_truth" / "capacity_weeks.csv")
        truth = {
            (r["supplier_id"], r["capacity_group_id"], r["week_start"])
            for r in weeks.filter(pl.col("planted_shortfall")).iter_rows(named=True)
        }
        print(f"{weeks.height} group-weeks sent; sent demand: {_score(_red(engine), truth)}")
        exchange = START + timedelta(days=summary_days(root) - PLAN_DAYS_BEFORE_END)
        if args.forecast:
            with engine.begin() as conn:
                began = time.perf_counter()
                run = do_run_forecast(
                    conn=conn,
                    principal=OPERATOR,
                    today=exchange,
                    parameters=ForecastParameters(horizon=27, windows=1),
                )
            print(f"forecast: {run.series_count} series in {time.perf_counter() - began:.1f} s")
        with engine.begin() as conn:
            began = time.perf_counter()
            mrp = get_mrp(conn=conn, customer_id=OEM, today=exchange)
            seconds = time.perf_counter() - began
            print(
                f"MRP of {OEM}: {mrp.plan['material_code'].n_unique()} materials x "
                f"{mrp.grid.height} weeks from {mrp.source.value} in {seconds:.2f} s"
            )
            published = do_publish_demand(
                conn=conn,
                principal=OPERATOR,
                today=exchange,
                now=datetime.now(UTC),
                absolute=[50.0, 100.0, 200.0],
                relative=[0.1, 0.2, 0.3],
            )
        print(f"published {published.changed} of {published.documents} supplier demands")
        print(f"hub MRP demand: {_score(_red(engine), truth)}")
        engine.dispose()
    return 0


def summary_days(root: Path) -> int:
    """Days the simulated chain ran: from its start to the day its manifest was closed."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return (datetime.fromisoformat(manifest["generated_at"]).date() - START).days + 1


if __name__ == "__main__":
    raise SystemExit(main())
