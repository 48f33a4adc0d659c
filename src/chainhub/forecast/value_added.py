"""Forecast value added: the hub's chosen method beside the partner's own issued forecast and a
naive one, scored on the same backtest origins and windows.

No peeking: at each origin the partner's forecast of a period is the line of the latest version
(by forecast date, then document version) issued before the origin's first day; a forecast
issued on or after it is not used. A series' partner is its customer when the customer issued a
forecast of the material; otherwise its seller, whose forecast of its whole demand for the
material is given to the customer by the customer's share of the seller's demand before the
origin. Where the partner's forecast covers only part of a window, all three are scored on the
periods it covers, so they are compared on the same points; the hub and naive are also scored on
every point of the backtest, the points the hub's method was chosen on, and whether the hub beats
naive is judged there (on the partner's points alone a method chosen as better than naive over
every window could look worse).

Intermittent demand (Syntetos and Boylan's intermittent and lumpy classes) is judged by RMSSE,
the measure its candidates were ranked by (see engine.measure_of), and the rest by MASE: on a
series that sells nothing in most weeks the all-zero forecast has the lowest absolute error, so
MASE would call naive best whenever the last week sold nothing.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.forecast.accuracy import Array, Measure, mase, mase_scale, rmsse, rmsse_scale, wmape
from chainhub.forecast.demand import SeriesKey, bucket_start
from chainhub.forecast.engine import Backtest
from chainhub.forecast.methods import DemandClass, demand_class, get_method
from chainhub.forecast.models import forecast_value_added
from chainhub.forecast.schemas import Bucket, ScoreRead, ValueAddedRead
from chainhub.partners.visibility import CANCELLED, get_visible_clause
from chainhub.storage.models import current_view, doc_table

Status = Literal["scored", "no_partner_forecast", "none_before_origins", "no_backtest"]
Best = Literal["hub", "partner", "naive"]
_TIE_ORDER: Final[tuple[Best, ...]] = ("naive", "partner", "hub")
Scores = tuple[float, float, float]
"""MASE, weighted MAPE and RMSSE of one forecast."""
NAIVE: Final = "SeasonalNaive"
"""The naive benchmark: the last season repeated, or the last value when the history is
shorter than a season (as the engine's SeasonalNaive falls back)."""


@dataclass(frozen=True)
class IssuedLine:
    """One period of one version of a partner's issued forecast (one site's)."""

    site_id: str
    forecast_date: date
    version: int
    period_start: date
    quantity: float


@dataclass(frozen=True)
class PartnerForecasts:
    """What a series' partner issued for its material, and how it maps onto the series."""

    issuer_id: str
    allocated: bool
    lines: list[IssuedLine]


def issued_before(lines: Sequence[IssuedLine], origin: date, periods: Sequence[date]) -> Array:
    """Per period, the sum over sites of the latest line issued before `origin` (NaN for a
    period no such line covers)."""
    latest: dict[tuple[str, date], IssuedLine] = {}
    wanted = set(periods)
    for line in lines:
        if line.forecast_date >= origin or line.period_start not in wanted:
            continue
        key = (line.site_id, line.period_start)
        known = latest.get(key)
        if known is None or (line.forecast_date, line.version) > (
            known.forecast_date,
            known.version,
        ):
            latest[key] = line
    totals: dict[date, float] = {}
    for (_, period), line in latest.items():
        totals[period] = totals.get(period, 0.0) + line.quantity
    return np.array([totals.get(p, math.nan) for p in periods], dtype=np.float64)


def naive_forecast(train: Array, h: int, season: int) -> tuple[str, Array]:
    """The naive benchmark's name as it ran and its forecast of `h` periods."""
    fitted = get_method(NAIVE, length=train.size, season=season)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fitted.model.forecast(y=train, h=h)
    return fitted.name, np.asarray(out["mean"], dtype=np.float64)


@dataclass(frozen=True)
class ValueAdded:
    """The three forecasts' scores on one series, the measure they are judged by, and which
    is best."""

    issuer_id: str | None
    allocated: bool
    share: float | None
    status: Status
    points: int
    naive_method: str
    hub: Scores
    partner: Scores | None
    naive: Scores
    hub_all: Scores
    naive_all: Scores
    measure: Measure = "mase"
    demand_class: DemandClass | None = None

    def _rank(self, score: Scores) -> tuple[float, float]:
        """Lower measure (MASE or RMSSE) first, then lower weighted MAPE; unscored last."""
        first = score[2] if self.measure == "rmsse" else score[0]
        return (
            math.inf if math.isnan(first) else first,
            math.inf if math.isnan(score[1]) else score[1],
        )

    @property
    def best(self) -> Best | None:
        """Which scored best: the lowest measure, then the lowest weighted MAPE; on a tie naive,
        then the partner, since the hub adds value only by doing better (None unscored)."""
        ranked: dict[Best, Scores] = {"hub": self.hub, "naive": self.naive}
        if self.partner is not None:
            ranked["partner"] = self.partner
        scored = sorted((self._rank(v), _TIE_ORDER.index(k), k) for k, v in ranked.items())
        return scored[0][2] if scored[0][0] != (math.inf, math.inf) else None

    def beats(self, other: str) -> bool | None:
        """Whether the hub's forecast scored better than the partner's (on the partner's points)
        or the naive one (on every backtest point)."""
        if self.points == 0:
            return None
        if other == "partner":
            return None if self.partner is None else self._rank(self.hub) < self._rank(self.partner)
        return self._rank(self.hub_all) < self._rank(self.naive_all)

    def equals_naive(self) -> bool | None:
        """Whether the hub's forecast scored exactly as naive on every backtest point: its chosen
        method is the naive benchmark itself (the same forecast), or the scores tie; None when
        nothing was scored."""
        if self.points == 0:
            return None
        return self._rank(self.hub_all) == self._rank(self.naive_all)


Window = tuple[Array, Array, float, float]
"""Actual, forecast, MASE scale and RMSSE scale of one backtest window."""


def _mean_finite(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _score(windows: list[Window]) -> Scores:
    """MASE and RMSSE averaged over windows (each scaled by its training history) and weighted
    MAPE over every point."""
    kept = [w for w in windows if w[0].size]
    actual = np.concatenate([w[0] for w in windows]) if windows else np.zeros(0)
    forecast = np.concatenate([w[1] for w in windows]) if windows else np.zeros(0)
    return (
        _mean_finite([mase(a, f, s) for a, f, s, _ in kept]),
        wmape(actual, forecast) if actual.size else math.nan,
        _mean_finite([rmsse(a, f, s) for a, f, _, s in kept]),
    )


def _share(
    partner: PartnerForecasts, shares: Sequence[float | None] | None, k: int
) -> float | None:
    """What of the partner's forecast is the series' at origin `k` (all of the customer's own)."""
    if not partner.allocated:
        return 1.0
    return shares[k] if shares is not None and k < len(shares) else None


def _partner_windows(
    partner: PartnerForecasts | None,
    shares: Sequence[float | None] | None,
    periods: Sequence[date],
    starts: Sequence[int],
    h: int,
) -> list[Array]:
    """The partner's forecast of each window as known before its origin (NaN where none)."""
    found = []
    for k, start in enumerate(starts):
        share = None if partner is None else _share(partner, shares, k)
        if partner is None or share is None:
            found.append(np.full(h, math.nan))
            continue
        window = periods[start : start + h]
        found.append(issued_before(partner.lines, periods[start], window) * share)
    return found


def get_value_added(
    y: Array,
    *,
    periods: Sequence[date],
    backtest: Backtest,
    method: str,
    partner: PartnerForecasts | None,
    shares: Sequence[float | None] | None = None,
    season: int,
) -> ValueAdded:
    """Score the hub's `method`, the partner's forecasts and naive on the backtest's windows;
    when the partner's forecasts are allocated, `shares[k]` is the series' share of the issuer's
    demand before origin k, and one more share, over the whole history, ends the list."""
    starts = backtest.origins
    h = backtest.forecasts[method][0].size if starts else 0
    theirs = _partner_windows(partner, shares, periods, starts, h)
    compared = any(bool(np.any(~np.isnan(t))) for t in theirs)
    naive_name = get_method(NAIVE, length=y.size, season=season).name
    parts: dict[str, list[Window]] = {
        name: [] for name in ("hub", "partner", "naive", "hub_all", "naive_all")
    }
    for k, start in enumerate(starts):
        train, actual = y[:start], y[start : start + h]
        naive_name, naive = naive_forecast(train, h, season)
        hub = np.maximum(backtest.forecasts[method][k], 0.0)
        # Compared with the partner's, all three are scored on the periods its forecast covers.
        keep = ~np.isnan(theirs[k]) if compared else np.ones(h, dtype=bool)
        scale, squared = mase_scale(train, season), rmsse_scale(train)
        parts["partner"].append((actual[keep], theirs[k][keep], scale, squared))
        parts["hub"].append((actual[keep], hub[keep], scale, squared))
        parts["naive"].append((actual[keep], naive[keep], scale, squared))
        parts["hub_all"].append((actual, hub, scale, squared))
        parts["naive_all"].append((actual, naive, scale, squared))
    status: Status = "scored"
    if not starts:
        status = "no_backtest"
    elif partner is None:
        status = "no_partner_forecast"
    elif not compared:
        status = "none_before_origins"
    last_share = None if partner is None else _share(partner, shares, len(starts))
    return ValueAdded(
        issuer_id=partner.issuer_id if partner is not None else None,
        allocated=partner.allocated if partner is not None else False,
        share=last_share,
        status=status,
        points=sum(w[0].size for w in parts["hub"]),
        naive_method=naive_name,
        hub=_score(parts["hub"]),
        partner=_score(parts["partner"]) if status == "scored" else None,
        naive=_score(parts["naive"]),
        hub_all=_score(parts["hub_all"]),
        naive_all=_score(parts["naive_all"]),
        measure=backtest.measure,
        demand_class=demand_class(y),
    )


def list_issued_lines(
    *, conn: Connection, principal: Principal, today: date, bucket: Bucket
) -> dict[tuple[str, str], list[IssuedLine]]:
    """Every version of the issued forecasts the caller sees in the run's bucket, per issuer and
    material."""
    relation = doc_table("demand_forecast")
    where = get_visible_clause(
        conn=conn,
        principal=principal,
        document_type="demand_forecast",
        relation=relation,
        today=today,
    )
    query = sa.select(
        relation.c.issuer_id,
        relation.c.material_code,
        relation.c.site_id,
        relation.c.forecast_date,
        relation.c._doc_version,
        relation.c.period_start,
        relation.c.quantity,
    ).where(where, relation.c.bucket == bucket)
    found: dict[tuple[str, str], list[IssuedLine]] = {}
    for issuer, material, site, made, version, period, quantity in conn.execute(query):
        found.setdefault((issuer, material), []).append(
            IssuedLine(site, made, version, period, float(quantity))
        )
    return found


def list_seller_demand(
    *, conn: Connection, principal: Principal, today: date, bucket: Bucket
) -> pl.DataFrame:
    """Visible sales-order demand per material, customer, seller and bucket."""
    view = current_view("sales_order")
    where = get_visible_clause(
        conn=conn, principal=principal, document_type="sales_order", relation=view, today=today
    )
    rows = conn.execute(
        sa.select(
            view.c.material_code,
            view.c.customer_id,
            view.c.seller_id,
            view.c.requested_date,
            view.c.quantity,
        ).where(where, view.c.status != CANCELLED, view.c.line_status != CANCELLED)
    ).all()
    frame = pl.DataFrame(
        [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows],
        schema={
            "material_code": pl.String,
            "customer_id": pl.String,
            "seller_id": pl.String,
            "requested_date": pl.Date,
            "quantity": pl.Float64,
        },
        orient="row",
    )
    return (
        frame.with_columns(period=bucket_start(pl.col("requested_date"), bucket))
        .group_by("material_code", "customer_id", "seller_id", "period")
        .agg(pl.col("quantity").sum())
    )


@dataclass(frozen=True)
class PartnerSource:
    """Issued forecasts, each series' main seller, and each seller's demand per material and
    customer: what every series' partner forecast is made of (built once per run)."""

    issued: dict[tuple[str, str], list[IssuedLine]]
    sellers: dict[SeriesKey, str]
    sold: dict[tuple[str, str], pl.DataFrame]

    def partner_of(self, key: SeriesKey) -> tuple[PartnerForecasts | None, str | None]:
        """The series' partner forecasts (the customer's own, else its main seller's) and the
        seller whose share allocates them."""
        material, customer = key
        if (customer, material) in self.issued:
            return PartnerForecasts(customer, False, self.issued[(customer, material)]), None
        seller = self.sellers.get(key)
        if seller is None or (seller, material) not in self.issued:
            return None, None
        return PartnerForecasts(seller, True, self.issued[(seller, material)]), seller

    def shares(
        self, key: SeriesKey, seller: str, periods: Sequence[date], origins: Sequence[int]
    ) -> list[float | None]:
        """The customer's share of the seller's demand for the material from the series' first
        period up to each origin (an origin past the last period: the whole history; None where
        the seller had none)."""
        material, customer = key
        sold = self.sold[(material, seller)].filter(pl.col("period") >= periods[0])
        found: list[float | None] = []
        for start in origins:
            before = (
                sold.filter(pl.col("period") < periods[start]) if start < len(periods) else sold
            )
            total = float(before.get_column("quantity").sum())
            ours = float(
                before.filter(pl.col("customer_id") == customer).get_column("quantity").sum()
            )
            found.append(ours / total if total > 0 else None)
        return found


def get_partner_source(
    *, conn: Connection, principal: Principal, today: date, bucket: Bucket
) -> PartnerSource:
    """The issued forecasts (every version) and the seller demand a run's value added needs;
    no demand is read when nobody issued a forecast."""
    issued = list_issued_lines(conn=conn, principal=principal, today=today, bucket=bucket)
    if not issued:
        return PartnerSource(issued={}, sellers={}, sold={})
    demand = list_seller_demand(conn=conn, principal=principal, today=today, bucket=bucket)
    # Each series' main seller: the most quantity, ties to the first by id.
    main = (
        demand.group_by("material_code", "customer_id", "seller_id")
        .agg(pl.col("quantity").sum())
        .sort(["quantity", "seller_id"], descending=[True, False])
        .unique(["material_code", "customer_id"], keep="first", maintain_order=True)
    )
    sellers = {(str(m), str(c)): str(s) for m, c, s, _ in main.iter_rows()}
    wanted = {(m, s) for (m, _), s in sellers.items() if (s, m) in issued}
    sold = {
        (str(m), str(s)): frame
        for (m, s), frame in demand.partition_by("material_code", "seller_id", as_dict=True).items()
        if (m, s) in wanted
    }
    return PartnerSource(issued=issued, sellers=sellers, sold=sold)


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def as_read(key: SeriesKey, found: ValueAdded) -> ValueAddedRead:
    """The API shape of one series' value added."""

    def score(found: Scores | None) -> ScoreRead | None:
        if found is None:
            return None
        return ScoreRead(mase=_finite(found[0]), wmape=_finite(found[1]), rmsse=_finite(found[2]))

    hub, naive = score(found.hub), score(found.naive)
    assert hub is not None and naive is not None
    return ValueAddedRead(
        material_code=key[0],
        customer_id=key[1],
        issuer_id=found.issuer_id,
        allocated=found.allocated,
        share=found.share,
        status=found.status,
        points=found.points,
        naive_method=found.naive_method,
        hub=hub,
        partner=score(found.partner),
        naive=naive,
        hub_all=score(found.hub_all),
        naive_all=score(found.naive_all),
        measure=found.measure,
        demand_class=found.demand_class,
        best=found.best,
        hub_beats_partner=found.beats("partner"),
        hub_beats_naive=found.beats("naive"),
        hub_equals_naive=found.equals_naive(),
    )


@dataclass(frozen=True)
class OverNaive:
    """How a run's hub forecasts fared against naive: series better, exactly the same (chosen
    method the naive benchmark, or a tie) and scored in all."""

    beats: int
    equals: int
    scored: int


def count_over_naive(rows: Sequence[ValueAddedRead]) -> OverNaive:
    """Series the hub beats naive on, equals it on, of those scored."""
    scored = [r for r in rows if r.hub_beats_naive is not None]
    return OverNaive(
        beats=sum(1 for r in scored if r.hub_beats_naive),
        equals=sum(1 for r in scored if r.hub_equals_naive),
        scored=len(scored),
    )


def _score_columns(prefix: str, found: ScoreRead | None) -> dict[str, float | None]:
    """One forecast's stored scores: `prefix`_mase, _wmape and _rmsse."""
    return {
        f"{prefix}_mase": found.mase if found else None,
        f"{prefix}_wmape": found.wmape if found else None,
        f"{prefix}_rmsse": found.rmsse if found else None,
    }


_SCORED: Final = ("hub", "partner", "naive", "hub_all", "naive_all")


def do_store_value_added(*, conn: Connection, run_id: str, rows: list[ValueAddedRead]) -> None:
    """Store a run's value added, one row per series."""
    if not rows:
        return
    conn.execute(
        forecast_value_added.insert(),
        [
            {
                "run_id": run_id,
                "material_code": r.material_code,
                "customer_id": r.customer_id,
                "issuer_id": r.issuer_id,
                "allocated": r.allocated,
                "share": r.share,
                "status": r.status,
                "points": r.points,
                "naive_method": r.naive_method,
                "measure": r.measure,
                "demand_class": r.demand_class,
                "best": r.best,
                **{
                    column: value
                    for name in _SCORED
                    for column, value in _score_columns(name, getattr(r, name)).items()
                },
            }
            for r in rows
        ],
    )


_ALL_COLUMNS: Final = ("hub_all_mase", "hub_all_wmape", "naive_all_mase", "naive_all_wmape")


def _stored(r: sa.RowMapping, prefix: str) -> Scores:
    """One forecast's scores as stored (NaN where none; RMSSE of a run stored before it was)."""

    def back(column: str) -> float:
        value = r[column]
        return math.nan if value is None else float(value)

    return back(f"{prefix}_mase"), back(f"{prefix}_wmape"), back(f"{prefix}_rmsse")


def list_value_added(*, conn: Connection, run_id: str) -> dict[SeriesKey, ValueAddedRead]:
    """A stored run's value added per series."""
    table = forecast_value_added
    found: dict[SeriesKey, ValueAddedRead] = {}
    for r in conn.execute(sa.select(table).where(table.c.run_id == run_id)).mappings():
        # A run stored before the scores on every point were kept: its compared points' scores.
        kept = any(r[c] is not None for c in _ALL_COLUMNS)
        key = (r["material_code"], r["customer_id"])
        found[key] = as_read(
            key,
            ValueAdded(
                issuer_id=r["issuer_id"],
                allocated=bool(r["allocated"]),
                share=r["share"],
                status=r["status"],
                points=r["points"],
                naive_method=r["naive_method"],
                hub=_stored(r, "hub"),
                partner=_stored(r, "partner") if r["status"] == "scored" else None,
                naive=_stored(r, "naive"),
                hub_all=_stored(r, "hub_all" if kept else "hub"),
                naive_all=_stored(r, "naive_all" if kept else "naive"),
                # A run stored before intermittent demand was judged by RMSSE: by MASE.
                measure=r["measure"] or "mase",
                demand_class=r["demand_class"],
            ),
        )
    return found
