"""Forecast accuracy on the simulated chain's held-out weeks: the hub's forecast beside the
partners' own issued forecasts and seasonal naive.

    python bench/forecast_chain.py [--smoke] [--scale S] [--seed N] [--horizon WEEKS]

The chain is simulated and the files a forecast reads (master data, sales orders, issued
forecasts) loaded through intake (the hub's one write path), as bench/plan.py does. Each
material x customer's weekly demand (by requested date, whole weeks up to the simulation's last
day) loses its last `--horizon` weeks; the hub forecasts them from what came before with a run's
default parameters (its backtest choosing the method, the global model and the partner's own
issued forecast among the candidates as in a weekly run), naive is the value-added benchmark (the
last season repeated, or the last value when the history is shorter than a season), and the
partner's forecast is what value added compares: the latest version of the customer's (or
allocated by share, its main seller's) demand_forecast issued before the cut-off. The three are
scored per series on the held-out weeks (beside the partner: on the weeks its forecast covers)
and summarized per family and per demand class of the training weeks (Syntetos and Boylan):
median MASE, RMSSE and wMAPE, and on how many series the hub beats naive, equals it (chose the
naive benchmark, or tied) and beats the partner, judged as value added judges them (by RMSSE
for intermittent demand, by MASE otherwise; wMAPE breaks ties).

The partner's forecast is privileged: the simulated OEM issues it from the simulator's own
seasonal outlook (the true month factors, growth and promotions that generate the demand), so it
knows what no forecaster fitted on the history could. The last line printed is
`held-out all: N series, hub MASE X RMSSE R wMAPE Y, naive MASE ...; hub beats naive on A,
equals it on B, of N; ... hub beats partner on C of M` over every series.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import sqlalchemy as sa
from chain import OPERATOR, load_chain

from chainhub.forecast.accuracy import (
    Array,
    Measure,
    mase,
    mase_scale,
    rmsse,
    rmsse_scale,
    wmape,
)
from chainhub.forecast.demand import SeriesKey, get_demand_series, list_demand_lines
from chainhub.forecast.engine import SeriesForecast, forecast_series, measure_of
from chainhub.forecast.methods import DemandClass, demand_class
from chainhub.forecast.partner import with_partner
from chainhub.forecast.pooled import with_global
from chainhub.forecast.schemas import ForecastParameters
from chainhub.forecast.value_added import (
    NAIVE,
    PartnerSource,
    get_partner_source,
    issued_before,
    naive_forecast,
)
from chainhub.sim.catalog import SALEABLE
from chainhub.sim.demand import family
from chainhub.sim.service import do_simulate
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

FAMILIES: Final = ("finished goods", "spare parts", "other")
CLASSES: Final[tuple[DemandClass, ...]] = ("smooth", "erratic", "intermittent", "lumpy")
READ: Final = frozenset(
    {"partner", "site", "material", "material_crosswalk", "sales_order", "demand_forecast"}
)
"""The documents a forecast reads, with the master data they refer to: only these are loaded."""


def family_of(material: str) -> str:
    """The bench's family of a series' material."""
    if material not in SALEABLE:
        return "other"
    return "spare parts" if family(material) == "SP" else "finished goods"


Scores = tuple[float, float, float]
"""MASE, wMAPE and RMSSE."""


@dataclass(frozen=True)
class Scored:
    """One series' held-out scores of each forecast, the partner's on the weeks its forecast
    covers, with the hub and naive also scored on those weeks; its training weeks' demand
    class and the measure it is judged by."""

    family: str
    demand_class: DemandClass
    measure: Measure
    method: str
    hub: Scores
    naive: Scores
    partner: Scores | None
    hub_on_partner: Scores | None


def _scores(actual: Array, forecast: Array, train: Array, season: int) -> Scores:
    return (
        mase(actual, forecast, mase_scale(train, season)),
        wmape(actual, forecast),
        rmsse(actual, forecast, rmsse_scale(train)),
    )


def partner_forecast(
    source: PartnerSource, key: SeriesKey, periods: list[date], cut: int, h: int
) -> Array | None:
    """The partner's forecast of the held-out weeks as issued before the cut-off (NaN where it
    covers none; None when the series has no partner forecast or no share to allocate it by)."""
    partner, seller = source.partner_of(key)
    if partner is None:
        return None
    share = 1.0 if seller is None else source.shares(key, seller, periods, (cut,))[0]
    if share is None:
        return None
    return issued_before(partner.lines, periods[cut], periods[cut : cut + h]) * share


def score_series(
    key: SeriesKey,
    periods: list[date],
    y: Array,
    cut: int,
    hub: SeriesForecast,
    parameters: ForecastParameters,
    source: PartnerSource,
) -> Scored:
    """The hub's (`hub`, made from the weeks before `cut`), naive and partner forecasts of the
    `parameters.horizon` weeks after `cut`."""
    h, season = parameters.horizon, parameters.season
    train, actual = y[:cut], y[cut : cut + h]
    _, naive = naive_forecast(train, h, season)
    naive = np.maximum(naive, 0.0)
    theirs = partner_forecast(source, key, periods, cut, h)
    covered = None if theirs is None else ~np.isnan(theirs)
    scored = theirs is not None and covered is not None and bool(covered.any())
    return Scored(
        family=family_of(key[0]),
        demand_class=demand_class(train),
        measure=measure_of(train),
        method=hub.method,
        hub=_scores(actual, hub.mean, train, season),
        naive=_scores(actual, naive, train, season),
        partner=_scores(actual[covered], theirs[covered], train, season) if scored else None,
        hub_on_partner=(
            _scores(actual[covered], hub.mean[covered], train, season) if scored else None
        ),
    )


def _median(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.median(finite)) if finite else math.nan


def _rank(score: Scores, measure: Measure) -> tuple[float, float]:
    """By the series' measure, then wMAPE, as value added ranks (unscored last)."""
    first = score[2] if measure == "rmsse" else score[0]
    return tuple(math.inf if math.isnan(v) else v for v in (first, score[1]))  # type: ignore[return-value]


def summary(name: str, rows: list[Scored]) -> str:
    """Median MASE, RMSSE and wMAPE of each forecast and the hub's wins, ties and losses."""
    wins = sum(1 for r in rows if _rank(r.hub, r.measure) < _rank(r.naive, r.measure))
    ties = sum(
        1 for r in rows if r.method == NAIVE or _rank(r.hub, r.measure) == _rank(r.naive, r.measure)
    )
    compared = [r for r in rows if r.partner is not None and r.hub_on_partner is not None]
    over_partner = sum(
        1
        for r in compared
        if r.partner is not None
        and r.hub_on_partner is not None
        and _rank(r.hub_on_partner, r.measure) < _rank(r.partner, r.measure)
    )
    parts = [
        f"held-out {name}: {len(rows)} series,",
        f"hub MASE {_median([r.hub[0] for r in rows]):.3f}",
        f"RMSSE {_median([r.hub[2] for r in rows]):.3f}",
        f"wMAPE {_median([r.hub[1] for r in rows]):.3f},",
        f"naive MASE {_median([r.naive[0] for r in rows]):.3f}",
        f"RMSSE {_median([r.naive[2] for r in rows]):.3f}",
        f"wMAPE {_median([r.naive[1] for r in rows]):.3f};",
        f"hub beats naive on {wins}, equals it on {ties}, of {len(rows)};",
        f"beside the partner on {len(compared)}:",
        f"hub MASE {_median([r.hub_on_partner[0] for r in compared if r.hub_on_partner]):.3f}",
        f"partner MASE {_median([r.partner[0] for r in compared if r.partner]):.3f}",
        f"wMAPE hub {_median([r.hub_on_partner[1] for r in compared if r.hub_on_partner]):.3f}",
        f"partner {_median([r.partner[1] for r in compared if r.partner]):.3f};",
        f"hub beats partner on {over_partner} of {len(compared)}",
    ]
    return " ".join(parts)


def held_out(engine: sa.Engine, last_day: date, horizon: int, every: int = 1) -> list[Scored]:
    """Every `every`-th series' scores on its last `horizon` whole weeks up to `last_day`; the
    hub's forecasts are made as a weekly run makes them (every series through the engine, then
    the global model's and the partner's where its backtest is better), from the weeks before."""
    parameters = ForecastParameters(horizon=horizon)
    with engine.connect() as conn:
        lines = list_demand_lines(conn=conn, principal=OPERATOR, today=last_day)
        source = get_partner_source(conn=conn, principal=OPERATOR, today=last_day, bucket="week")
        demand = get_demand_series(lines, bucket="week")
    # Whole weeks only: orders for weeks past the simulation's end are still to come.
    whole = {
        key: [p for p in periods if p + timedelta(days=6) <= last_day]
        for key, (periods, _) in demand.items()
    }
    train = {
        key: demand[key][1][: len(weeks) - horizon]
        for key, weeks in whole.items()
        if len(weeks) - horizon >= 1
    }
    sampled = [key for key in list(demand)[::every] if key in train]
    # The global model learns from every series; only the sampled ones are scored.
    own = {
        key: forecast_series(
            y,
            h=horizon,
            season=parameters.season,
            level=parameters.level,
            windows=parameters.windows,
        )
        for key in sampled
        for y in (train[key],)
    }
    hubs = with_global(
        train,
        own,
        h=horizon,
        season=parameters.season,
        level=parameters.level,
        windows=parameters.windows,
    )
    # Then the partner's own issued forecast where its backtest is better, as a weekly run does;
    # every series' weeks end on the same one, so the held-out weeks are the same for all.
    held = max(whole.values(), key=len)[-horizon:]
    hubs = with_partner(
        {key: (whole[key][: len(train[key])], train[key]) for key in sampled},
        hubs,
        source,
        future=held,
        season=parameters.season,
        level=parameters.level,
    )
    rows = []
    for key in sampled:
        weeks = whole[key]
        y = demand[key][1][: len(weeks)]
        rows.append(
            score_series(key, weeks, y, len(weeks) - horizon, hubs[key], parameters, source)
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Simulate, load, hold out the last weeks, score the three forecasts of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument(
        "--smoke", action="store_true", help="the small chain (the demo's), every fifth series"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--horizon", type=int, default=13, help="weeks held out")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    scale = "small" if args.smoke else args.scale
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="chainhub-bench-forecast-chain-") as folder:
        root = Path(folder) / "chain"
        do_simulate(out=root, scale=scale, seed=args.seed)
        engine = create_engine_for(f"duckdb:///{Path(folder) / 'hub.duckdb'}", must_exist=False)
        do_upgrade(engine=engine)
        files = load_chain(engine, root, READ)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        last_day = datetime.fromisoformat(manifest["generated_at"]).date()
        print(f"simulated {scale} to {last_day}, loaded {files} files")
        # The smoke run checks the path on a fifth of the series (both families), to stay quick.
        rows = held_out(engine, last_day, args.horizon, every=5 if args.smoke else 1)
        engine.dispose()
    chosen: dict[str, int] = {}
    for r in rows:
        chosen[r.method] = chosen.get(r.method, 0) + 1
    print("chosen: " + ", ".join(f"{k} {v}" for k, v in sorted(chosen.items())))
    for name in FAMILIES:
        group = [r for r in rows if r.family == name]
        if group:
            print(summary(name, group))
    for kind in CLASSES:
        group = [r for r in rows if r.demand_class == kind]
        if group:
            print(summary(kind, group))
    print(f"time {time.perf_counter() - began:.1f} s")
    print(summary("all", rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
