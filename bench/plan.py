"""Red capacity group-weeks found on the simulated chain against the weeks the simulator
planted (precision and recall), with the demand the OEM sent and with the hub's own MRP.

    python bench/plan.py [--smoke] [--scale small|medium|N] [--no-forecast] [--materials N]

First, the MRP alone: chainhub's set-based explosion of a synthetic 5-level BOM over 52 weeks
beside the same lot-for-lot MRP written straightforwardly in pandas; then the buffers (policy
levels, DDMRP zones, qualified demand, net flow, days of supply) of as many materials beside a
straightforward pandas version; then an inventory simulation that judges the policy from
outside: demand (gamma) and lead times (normal, whole days) drawn from known distributions, the
policy set from a history sample of them, and its realised cycle service level and fill rate
over a year of daily (s, S) reviews with backorders, beside the service level it was set for.

The simulator has each supplier send a capacity group per material a week before its end, at
1.25 (actual) and 1.5 (maximum) times the weekly demand the OEM sent it, except two planted
weeks in some groups at 0.5 and 0.7 (ground_truth/capacity_weeks.csv). The hub lights every
group-week by the CX-0128 rule; then it runs its forecast (26 weeks ahead), publishes its own
MRP demand (forecast, BOMs, stock and open orders) over the OEM's and lights them again.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import NormalDist
from typing import Final

import numpy as np
import pandas as pd
import polars as pl
import sqlalchemy as sa
from chain import OEM, OPERATOR, load_chain

from chainhub.forecast.schemas import ForecastParameters
from chainhub.forecast.service import do_run_forecast
from chainhub.partners.service import do_issue_demo_tokens
from chainhub.plan.ddmrp import buffer_profile, net_flow, qualified_demand, zones
from chainhub.plan.mrp import first_monday, run_mrp, week_grid
from chainhub.plan.policy import days_of_supply, inventory_policy
from chainhub.plan.replenishment import Policy, get_replenishment
from chainhub.plan.service import do_publish_demand, get_mrp, list_group_weeks
from chainhub.sim.flows import PLAN_DAYS_BEFORE_END
from chainhub.sim.service import START, do_simulate
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

BUFFER_REPEATS: Final = 3


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


SERVICE: Final = 0.95
REVIEW: Final = 7.0
DAYS_PER_WEEK: Final = 7
WARM_UP: Final = 60
HISTORY_DAYS: Final = 180
LEAD_SAMPLES: Final = 12
LEVELS: Final = 5
COMPONENTS_PER_PARENT: Final = 3


def _synthetic(materials: int, weeks: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """A 5-level BOM over `materials` (each parent takes 3 components of the next level),
    52 weeks of demand for the top level, stock, open orders and lead times."""
    rng = np.random.default_rng(seed)
    shares = np.array([0.05, 0.1, 0.2, 0.3, 0.35])
    sizes = np.maximum(1, (shares * materials).astype(int))
    names = [[f"L{lv}-{i:05d}" for i in range(n)] for lv, n in enumerate(sizes)]
    parents, components, per = [], [], []
    for lv in range(LEVELS - 1):
        for parent in names[lv]:
            for child in rng.choice(names[lv + 1], COMPONENTS_PER_PARENT, replace=False):
                parents.append(parent)
                components.append(str(child))
                per.append(float(rng.integers(1, 4)))
    bom = pl.DataFrame(
        {"parent_code": parents, "component_code": components, "quantity_per": per}
    ).with_columns(base_quantity=pl.lit(1.0), scrap_rate=pl.lit(0.0))
    top = names[0]
    independent = pl.DataFrame(
        {
            "material_code": np.repeat(top, weeks),
            "week_no": np.tile(np.arange(1, weeks + 1, dtype=np.int32), len(top)),
            "quantity": rng.integers(0, 100, len(top) * weeks).astype(float),
        }
    )
    every = [m for level in names for m in level]
    stock = pl.DataFrame(
        {"material_code": every, "on_hand": rng.integers(0, 500, len(every)).astype(float)}
    )
    ordered = rng.choice(every, len(every) // 5, replace=False)
    receipts = pl.DataFrame(
        {
            "material_code": ordered,
            "week_no": rng.integers(1, 9, len(ordered)).astype(np.int32),
            "quantity": rng.integers(10, 300, len(ordered)).astype(float),
        }
    )
    lead = pl.DataFrame(
        {"material_code": every, "lead_weeks": rng.integers(0, 4, len(every)).astype(np.int32)}
    )
    levels = pl.DataFrame(
        {"material_code": every, "level": np.repeat(np.arange(LEVELS), sizes).astype(np.int32)}
    )
    return {
        "bom": bom,
        "independent": independent,
        "stock": stock,
        "receipts": receipts,
        "lead": lead,
        "levels": levels,
    }


def _pandas_mrp(data: dict[str, pl.DataFrame], weeks: int) -> pd.DataFrame:
    """The same lot-for-lot MRP written the straightforward way in pandas: level by level,
    material by material, week by week."""
    bom = data["bom"].to_pandas()
    stock = dict(data["stock"].iter_rows())
    lead = dict(data["lead"].iter_rows())
    receipts = data["receipts"].to_pandas().groupby(["material_code", "week_no"])["quantity"].sum()
    levels = data["levels"].to_pandas()
    demand = data["independent"].to_pandas()
    done = []
    for level in range(LEVELS):
        materials = levels.loc[levels["level"] == level, "material_code"]
        gross = demand[demand["material_code"].isin(materials)]
        gross = gross.groupby(["material_code", "week_no"])["quantity"].sum()
        rows = []
        for material in materials:
            on_hand = stock.get(material, 0.0)
            for week in range(1, weeks + 1):
                on_hand += receipts.get((material, week), 0.0) - gross.get((material, week), 0.0)
                planned = max(0.0, -on_hand)
                on_hand += planned
                release = max(1, week - lead.get(material, 0))
                rows.append((material, week, planned, release))
        planned = pd.DataFrame(rows, columns=["material_code", "week_no", "planned", "release"])
        done.append(planned)
        dependent = planned[planned["planned"] > 0].merge(
            bom, left_on="material_code", right_on="parent_code"
        )
        demand = pd.concat(
            [
                demand,
                pd.DataFrame(
                    {
                        "material_code": dependent["component_code"],
                        "week_no": dependent["release"],
                        "quantity": dependent["planned"] * dependent["quantity_per"],
                    }
                ),
            ]
        )
    return pd.concat(done)


def _mrp_speed(materials: int, weeks: int) -> None:
    """chainhub's MRP beside the pandas one on a synthetic 5-level BOM; same totals."""
    data = _synthetic(materials, weeks)
    grid = week_grid(first_monday(START), weeks)
    began = time.perf_counter()
    plan = run_mrp(
        grid=grid,
        independent=data["independent"],
        bom=data["bom"],
        stock=data["stock"],
        receipts=data["receipts"],
        lead=data["lead"],
    )
    ours = time.perf_counter() - began
    began = time.perf_counter()
    theirs = _pandas_mrp(data, weeks)
    pandas_seconds = time.perf_counter() - began
    compared = plan.select("material_code", "week_no", "planned").join(
        pl.from_pandas(theirs[["material_code", "week_no", "planned"]]).with_columns(
            pl.col("week_no").cast(pl.Int32)
        ),
        on=["material_code", "week_no"],
        suffix="_pandas",
    )
    same = compared.height == plan.height and bool(
        ((compared["planned"] - compared["planned_pandas"]).abs() < 1e-6).all()
    )
    print(
        f"MRP {materials:,} materials, {LEVELS}-level BOM, {weeks} weeks: chainhub {ours:.2f} s, "
        f"pandas {pandas_seconds:.2f} s ({pandas_seconds / ours:.1f}x), "
        f"same plan in every material-week: {same}"
    )


def _items(materials: int, weeks: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Synthetic buffers: per material ADU, spread, lead time, stock, on order; weekly demand."""
    rng = np.random.default_rng(seed)
    codes = [f"M{i:05d}" for i in range(materials)]
    adu = rng.uniform(1, 50, materials)
    items = pl.DataFrame(
        {
            "material_code": codes,
            "site_id": ["S1"] * materials,
            "adu": adu,
            "sigma_day": adu * rng.uniform(0.1, 1.5, materials),
            "lead_days": rng.integers(1, 40, materials).astype(float),
            "lead_sd": rng.uniform(0, 4, materials),
            "on_hand": rng.uniform(0, 60, materials) * adu,
            "on_order": rng.uniform(0, 20, materials) * adu,
        }
    )
    demand = rng.gamma(2.0, 0.5, (materials, weeks)) * adu[:, None] * DAYS_PER_WEEK
    weekly = pl.DataFrame(
        {
            "material_code": np.repeat(codes, weeks),
            "site_id": ["S1"] * (materials * weeks),
            "week_no": np.tile(np.arange(1, weeks + 1, dtype=np.int32), materials),
            "demand": demand.ravel(),
            "receipts": np.zeros(materials * weeks),
        }
    )
    return items, weekly


def _chainhub_buffers(items: pl.DataFrame, weekly: pl.DataFrame) -> pl.DataFrame:
    keys = ["material_code", "site_id"]
    policy = inventory_policy(items, service_level=SERVICE, review_days=REVIEW).with_columns(
        pl.col("lead_days").alias("dlt"),
        moq=pl.lit(0.0),
        order_multiple=pl.lit(None, dtype=pl.Float64),
        order_cycle=pl.lit(REVIEW),
    )
    zoned = zones(buffer_profile(policy))
    supply = days_of_supply(weekly, items.select(*keys, pl.col("on_hand").alias("opening")), keys)
    return net_flow(zoned.join(qualified_demand(zoned, weekly, keys), on=keys)).join(
        supply, on=keys, how="left"
    )


def _pandas_buffers(items: pl.DataFrame, weekly: pl.DataFrame) -> pd.DataFrame:
    """The same buffers written the straightforward way: material by material, week by week."""
    z = NormalDist().inv_cdf(SERVICE)
    demand = weekly.to_pandas().groupby("material_code")["demand"].apply(list).to_dict()
    rows = []
    for m in items.to_pandas().itertuples():
        lead, adu, sd = m.lead_days, m.adu, m.sigma_day
        safety = z * math.sqrt(lead * sd**2 + adu**2 * m.lead_sd**2)
        ltf = 0.8 if lead <= 7 else 0.5 if lead <= 28 else 0.3
        cv = sd / adu
        vf = 0.2 if cv < 0.5 else 0.5 if cv <= 1 else 0.8
        red = adu * lead * ltf * (1 + vf)
        toy = red + adu * lead
        tog = toy + max(0.0, adu * REVIEW, adu * lead * ltf)
        weeks = demand[m.material_code]
        horizon = 1 + math.ceil(lead / DAYS_PER_WEEK)
        qualified = weeks[0] + sum(
            q
            for n, q in enumerate(weeks[1:], start=2)
            if n <= horizon and q - DAYS_PER_WEEK * adu > 0.5 * red
        )
        nfp = m.on_hand + m.on_order - qualified
        stock, supply = m.on_hand, None
        for n, q in enumerate(weeks):
            if stock < q:
                supply = n * DAYS_PER_WEEK + (0.0 if stock <= 0 else DAYS_PER_WEEK * stock / q)
                break
            stock -= q
        rows.append(
            (m.material_code, safety, tog, nfp, max(tog - nfp, 0.0) if nfp <= toy else 0.0, supply)
        )
    return pd.DataFrame(
        rows,
        columns=["material_code", "safety_stock", "tog", "nfp", "recommended", "days_of_supply"],
    )


def _best_of(repeats: int, run: Callable[[], pl.DataFrame]) -> tuple[float, pl.DataFrame]:
    """The shortest of `repeats` timed runs (a shared machine's load spikes lengthen single
    ones), and what the last returned."""
    best, found = math.inf, pl.DataFrame()
    for _ in range(repeats):
        began = time.perf_counter()
        found = run()
        best = min(best, time.perf_counter() - began)
    return best, found


def _buffer_speed(materials: int, weeks: int) -> None:
    """chainhub's buffers beside the pandas ones (best of three each); the same numbers."""
    items, weekly = _items(materials, weeks)
    seconds, ours = _best_of(BUFFER_REPEATS, lambda: _chainhub_buffers(items, weekly))
    pandas_seconds, theirs = _best_of(
        BUFFER_REPEATS, lambda: pl.from_pandas(_pandas_buffers(items, weekly))
    )
    columns = ["safety_stock", "tog", "nfp", "recommended", "days_of_supply"]
    both = ours.select("material_code", *columns).join(theirs, on="material_code", suffix="_pandas")
    same = both.height == materials and all(
        bool(
            ((both[c] - both[f"{c}_pandas"]).abs() < 1e-6)
            .fill_null(both[c].is_null() & both[f"{c}_pandas"].is_null())
            .all()
        )
        for c in columns
    )
    print(
        f"buffers {materials:,} materials x {weeks} weeks: chainhub {seconds:.2f} s, "
        f"pandas {pandas_seconds:.2f} s ({pandas_seconds / seconds:.1f}x), same numbers: {same}"
    )


def _replay(
    levels: pl.DataFrame,
    mu: np.ndarray,
    cv: np.ndarray,
    lead: tuple[np.ndarray, np.ndarray],
    days: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Daily (s, S) review with backorders over `days`; the cycle service level (arrivals
    finding no backorder) and the fill rate (demand met from stock) after a 60-day warm-up."""
    s, big_s = levels["reorder_point"].to_numpy(), levels["order_up_to"].to_numpy()
    count = len(mu)
    horizon = days + int(lead[0].max() + 6 * lead[1].max()) + 2
    arriving, arrivals = np.zeros((horizon, count)), np.zeros((horizon, count))
    on_hand, pipeline = big_s.copy(), np.zeros(count)
    cycles = fine = met = asked = 0.0
    demand = rng.gamma(1 / cv**2, mu * cv**2, (days, count))
    for t in range(days):
        counted = t >= WARM_UP
        if counted:
            cycles += arrivals[t].sum()
            fine += (arrivals[t] * (on_hand >= 0)).sum()
        on_hand += arriving[t]
        pipeline -= arriving[t]
        today = demand[t]
        if counted:
            met += np.minimum(np.maximum(on_hand, 0), today).sum()
            asked += today.sum()
        on_hand -= today
        position = on_hand + pipeline
        order = np.where(position <= s, big_s - position, 0.0)
        days_out = np.maximum(1, np.rint(rng.normal(lead[0], lead[1]))).astype(int)
        rows = t + days_out
        idx = np.flatnonzero(order > 0)
        np.add.at(arriving, (rows[idx], idx), order[idx])
        np.add.at(arrivals, (rows[idx], idx), 1.0)
        pipeline += order
    return fine / cycles, met / asked


def _policy_check(materials: int, days: int, seed: int = 11) -> None:
    """The policy set from a sample of history, judged on a simulated future it never saw."""
    rng = np.random.default_rng(seed)
    mu = rng.uniform(5, 50, materials)
    cv = rng.uniform(0.2, 1.0, materials)
    lead_mean = rng.integers(3, 30, materials).astype(float)
    lead_sd = lead_mean * rng.uniform(0.0, 0.3, materials)
    history = rng.gamma(1 / cv**2, mu * cv**2, (HISTORY_DAYS, materials))
    observed = np.maximum(1, np.rint(rng.normal(lead_mean, lead_sd, (LEAD_SAMPLES, materials))))
    items = pl.DataFrame(
        {
            "adu": history.mean(axis=0),
            "sigma_day": history.std(axis=0, ddof=1),
            "lead_days": observed.mean(axis=0),
            "lead_sd": observed.std(axis=0, ddof=1),
        }
    )
    for target in (0.90, 0.95, 0.98):
        levels = inventory_policy(items, service_level=target, review_days=REVIEW)
        service, fill = _replay(levels, mu, cv, (lead_mean, lead_sd), days, rng)
        print(
            f"policy at {target:.0%} on {materials} simulated materials x {days} days: "
            f"cycle service {service:.3f}, fill rate {fill:.4f}"
        )


def _chain_buffers(engine: sa.Engine, today: date) -> None:
    """The OEM's buffers, VMI proposals and stockouts ahead on the simulated chain, with the
    demo's VMI agreements (the OEM's stock shared with its two tier-1 suppliers)."""
    with engine.begin() as conn:
        do_issue_demo_tokens(conn=conn, today=today)
        began = time.perf_counter()
        found = get_replenishment(
            conn=conn, customer_id=OEM, today=today, policy=Policy(SERVICE, REVIEW)
        )
        seconds = time.perf_counter() - began
    buffers = found.buffers
    zones_found = dict(buffers.group_by("zone").len().iter_rows())
    sources = dict(buffers.group_by("sigma_source").len().iter_rows())
    proposed = found.projection.filter(pl.col("quantity") > 0)
    lots = proposed.filter(pl.col("quantity") != pl.col("shortfall")).height
    late = int(proposed["late"].sum())
    avoided = int(found.stockouts["avoided"].sum())
    print(
        f"buffers of {OEM}: {buffers.height} in {seconds:.2f} s, zones {zones_found}, "
        f"spread from {sources}; {buffers['supplier_id'].drop_nulls().len()} supplier-managed, "
        f"{proposed.height} proposed deliveries ({lots} rounded to purchasing terms, {late} late "
        f"to order); {found.stockouts.height} stockouts ahead, {avoided} avoided by the proposals"
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
    parser.add_argument("--materials", type=int, default=10_000, help="synthetic MRP size")
    args = parser.parse_args(argv)
    _mrp_speed(1_000 if args.smoke else args.materials, 52)
    _buffer_speed(1_000 if args.smoke else args.materials, 52)
    _policy_check(100 if args.smoke else 1_000, 200 if args.smoke else 425)
    scale = "small" if args.smoke else args.scale
    with tempfile.TemporaryDirectory(prefix="chainhub-bench-plan-") as folder:
        root = Path(folder) / "chain"
        began = time.perf_counter()
        summary = do_simulate(out=root, scale=scale, seed=7)
        print(f"simulated {scale}: {summary.files} files in {time.perf_counter() - began:.1f} s")
        engine = create_engine_for(f"duckdb:///{Path(folder) / 'hub.duckdb'}", must_exist=False)
        do_upgrade(engine=engine)
        began = time.perf_counter()
        files = load_chain(engine, root)
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
        _chain_buffers(engine, exchange)
        engine.dispose()
    return 0


def summary_days(root: Path) -> int:
    """Days the simulated chain ran: from its start to the day its manifest was closed."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return (datetime.fromisoformat(manifest["generated_at"]).date() - START).days + 1


if __name__ == "__main__":
    raise SystemExit(main())
