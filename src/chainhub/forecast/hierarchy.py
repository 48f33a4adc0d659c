"""Coherent forecasts: material x customer series add up to the material, materials to their family.

Every node of the hierarchy is forecast by the engine (the aggregates too), then the forecasts are
reconciled with MinT (Wickramasuriya et al. 2019) on a shrunk covariance of the base forecasts'
past errors, so each level adds up exactly. The errors are those of the engine's rolling-origin
backtest windows: out of sample, `h` steps ahead like the forecast itself. A negative reconciled
bottom forecast is set to zero and the levels above are summed again (Di Fonzo and Girolimetto's
set-negatives-to-zero), so demand stays non-negative and coherent.

The family is the material master's `category` (the standard keeps no product family field); a
material the master does not know forms a family of its own.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from chainhub.forecast.accuracy import Array, mase, mase_scale, wmape
from chainhub.forecast.demand import SeriesKey
from chainhub.forecast.engine import SeriesForecast, forecast_series, origins
from chainhub.forecast.schemas import Level

LEVELS: Final[tuple[Level, ...]] = ("family", "material", "customer")
SHRUNK: Final = "MinT-shrink"
STRUCTURAL: Final = "WLS-struct"
BOTTOM_UP: Final = "bottom-up"
MAX_BLOCK: Final = 2_000
"""Nodes of a family above which it is summed bottom-up rather than reconciled."""
MIN_ERRORS: Final = 2
"""Past error vectors MinT-shrink needs at least; with fewer, WLS on the structure."""


@dataclass(frozen=True)
class Node:
    """One series of the hierarchy: a family, a material, or a material x customer."""

    level: Level
    family: str
    material_code: str | None = None
    customer_id: str | None = None

    @property
    def key(self) -> str:
        """The node's name within its level."""
        parts = (self.family, self.material_code, self.customer_id)
        return "|".join(p for p in parts if p is not None)


@dataclass(frozen=True)
class Block:
    """One family's nodes (their rows in the hierarchy) and how its bottom series add up."""

    rows: NDArray[np.int64]
    summing: Array
    """Rows: the family's nodes, aggregates first; columns: its bottom series; 1 where the
    bottom series adds into the node."""


@dataclass(frozen=True)
class Hierarchy:
    """Nodes with the aggregates first and the bottom series last, and each family's block:
    families share no series, so each is summed and reconciled on its own (a block-diagonal
    error covariance), which keeps the matrices the size of a family, not of the chain."""

    nodes: tuple[Node, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Score:
    """Backtest accuracy of one node's base and reconciled forecasts on the held-out windows."""

    base_mase: float
    base_wmape: float
    mase: float
    wmape: float


@dataclass(frozen=True)
class NodeForecast:
    """A node's base and reconciled forecast, its interval moved with it, and its scores."""

    node: Node
    method: str
    base: Array
    mean: Array
    lo: Array | None
    hi: Array | None
    score: Score


@dataclass(frozen=True)
class LevelScore:
    """Backtest accuracy of a level: mean MASE over its nodes, weighted MAPE over all of them."""

    level: Level
    nodes: int
    base_mase: float
    base_wmape: float
    mase: float
    wmape: float


@dataclass(frozen=True)
class HierarchyForecast:
    """Every node's forecast, each level's score, and how the future was reconciled."""

    nodes: list[NodeForecast]
    levels: list[LevelScore]
    method: str
    windows: int


def build_hierarchy(keys: Iterable[SeriesKey], families: Mapping[str, str]) -> Hierarchy:
    """Families, then materials, then material x customer series, and how they add up."""
    unique = set(keys)
    family_of = {m: families.get(m, m) for m, _ in unique}
    bottom = sorted(unique, key=lambda k: (family_of[k[0]], *k))
    nodes = [Node("family", f) for f in sorted(set(family_of.values()))]
    nodes += [Node("material", f, m) for f, m in sorted((f, m) for m, f in family_of.items())]
    nodes += [Node("customer", family_of[m], m, c) for m, c in bottom]
    rows_of: dict[str, list[int]] = {}
    for row, node in enumerate(nodes):
        rows_of.setdefault(node.family, []).append(row)
    blocks = []
    for rows in rows_of.values():
        members = [nodes[r] for r in rows]
        materials = [n.material_code for n in members if n.level == "material"]
        leaves = [n.material_code for n in members if n.level == "customer"]
        summing = np.vstack(
            [
                np.ones((1, len(leaves))),
                (np.array(materials)[:, None] == np.array(leaves)[None, :]).astype(np.float64),
                np.eye(len(leaves)),
            ]
        )
        blocks.append(Block(rows=np.array(rows, dtype=np.int64), summing=summing))
    return Hierarchy(nodes=tuple(nodes), blocks=tuple(blocks))


def _bottom(block: Block) -> NDArray[np.int64]:
    """Rows of the block's bottom series."""
    return block.rows[block.rows.size - block.summing.shape[1] :]


def stack_series(
    hierarchy: Hierarchy, bottom: Mapping[SeriesKey, Array]
) -> tuple[Array, NDArray[np.int64]]:
    """Every node's history on one calendar ending in the last period (zero before a series
    starts), and the index where each node starts."""
    nodes = hierarchy.nodes
    length = max((y.size for y in bottom.values()), default=0)
    history = np.zeros((len(nodes), length), dtype=np.float64)
    starts = np.zeros(len(nodes), dtype=np.int64)
    for block in hierarchy.blocks:
        leaves = _bottom(block)
        for row in leaves:
            y = bottom[(nodes[row].material_code or "", nodes[row].customer_id or "")]
            history[row, length - y.size :] = y
            starts[row] = length - y.size
        history[block.rows] = block.summing @ history[leaves]
        starts[block.rows] = [starts[leaves][col > 0].min() for col in block.summing]
    return history, starts


def reconcile(
    summing: Array, base: Array, actual: Array | None, fitted: Array | None
) -> tuple[Array, str]:
    """Coherent forecasts from `base` (nodes x periods): MinT on the shrunk covariance of past
    errors (`actual` − `fitted`, nodes x past periods) when there are enough, else WLS on the
    structure; negative bottom forecasts set to zero and the levels above summed again."""
    from hierarchicalforecast.methods import MinTrace

    method = STRUCTURAL
    if actual is not None and fitted is not None and actual.shape[1] >= MIN_ERRORS:
        method = SHRUNK
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == SHRUNK:
                mean = MinTrace(method="mint_shrink").fit_predict(
                    S=summing, y_hat=base, y_insample=actual, y_hat_insample=fitted
                )["mean"]
            else:
                mean = MinTrace(method="wls_struct").fit_predict(S=summing, y_hat=base)["mean"]
    except Exception:  # the library raises a bare Exception when MinT is ill-conditioned
        method = STRUCTURAL
        mean = MinTrace(method="wls_struct").fit_predict(S=summing, y_hat=base)["mean"]
    n_bottom = summing.shape[1]
    bottom = np.maximum(np.asarray(mean, dtype=np.float64)[-n_bottom:], 0.0)
    return summing @ bottom, method


def reconcile_hierarchy(
    hierarchy: Hierarchy, base: Array, actual: Array | None, fitted: Array | None
) -> tuple[Array, str]:
    """`reconcile` family by family; a family of more than `MAX_BLOCK` nodes bottom-up (its
    dense covariance would not fit), its bottom forecasts kept and summed."""
    found = np.zeros_like(base)
    methods = set()
    for block in hierarchy.blocks:
        rows = block.rows
        if rows.size > MAX_BLOCK:
            found[rows] = block.summing @ np.maximum(base[_bottom(block)], 0.0)
            methods.add(BOTTOM_UP)
            continue
        found[rows], method = reconcile(
            block.summing,
            base[rows],
            None if actual is None else actual[rows],
            None if fitted is None else fitted[rows],
        )
        methods.add(method)
    return found, " / ".join(sorted(methods))


@dataclass(frozen=True)
class _Base:
    """Base forecasts of every node: the future, and each backtest window's."""

    future: list[SeriesForecast]
    windows: list[tuple[int, Array]]
    """(origin on the shared calendar, nodes x h forecasts made there), oldest first."""


def _window_forecast(
    result: SeriesForecast,
    y: Array,
    origin: int,
    start: int,
    *,
    h: int,
    season: int,
    methods: tuple[str, ...] | None,
) -> Array:
    """The node's base forecast made at `origin` (shared calendar): the engine's backtest one
    when it ran there, else the engine's forecast from the few points known then (none: zero)."""
    local = origin - start
    for at, forecast in zip(
        result.backtest.origins, result.backtest.forecasts[result.method], strict=True
    ):
        if at == local:
            return np.maximum(forecast, 0.0)
    if local <= 0:
        return np.zeros(h, dtype=np.float64)
    return forecast_series(y[start:origin], h=h, season=season, windows=1, methods=methods).mean


def _base_forecasts(
    history: Array,
    starts: NDArray[np.int64],
    known: Mapping[int, SeriesForecast],
    *,
    h: int,
    season: int,
    level: int,
    windows: int,
    methods: tuple[str, ...] | None,
) -> _Base:
    """Forecast every node the engine has not (identical histories only once), and line up
    each node's backtest windows on the shared calendar."""
    future: list[SeriesForecast] = []
    seen = {history[i, starts[i] :].tobytes(): result for i, result in known.items()}
    for i in range(history.shape[0]):
        y = history[i, starts[i] :]
        result = known.get(i) or seen.get(y.tobytes())
        if result is None:
            result = forecast_series(
                y, h=h, season=season, level=level, windows=windows, methods=methods
            )
            seen[y.tobytes()] = result
        future.append(result)
    shared = origins(history.shape[1], h, windows)
    lined = [
        (
            origin,
            np.stack(
                [
                    _window_forecast(
                        future[i],
                        history[i],
                        origin,
                        int(starts[i]),
                        h=h,
                        season=season,
                        methods=methods,
                    )
                    for i in range(history.shape[0])
                ]
            ),
        )
        for origin in shared
    ]
    return _Base(future=future, windows=lined)


def _reconcile_windows(
    hierarchy: Hierarchy, history: Array, base: _Base, h: int
) -> list[tuple[int, Array]]:
    """Each backtest window's reconciled forecasts, reconciled with the errors of the windows
    before it only (what was known at its origin)."""
    reconciled: list[tuple[int, Array]] = []
    for k, (origin, forecast) in enumerate(base.windows):
        past = base.windows[:k]
        actual = np.hstack([history[:, o : o + h] for o, _ in past]) if past else None
        fitted = np.hstack([f for _, f in past]) if past else None
        reconciled.append((origin, reconcile_hierarchy(hierarchy, forecast, actual, fitted)[0]))
    return reconciled


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _score_node(
    y: Array, start: int, windows: list[tuple[int, Array]], *, h: int, season: int
) -> tuple[float, float]:
    """Mean MASE over the windows and weighted MAPE over all of them, of one node."""
    if not windows:
        return math.nan, math.nan
    values = [
        mase(
            y[origin : origin + h],
            forecast,
            mase_scale(y[start:origin], season) if origin > start else math.nan,
        )
        for origin, forecast in windows
    ]
    actual = np.concatenate([y[o : o + h] for o, _ in windows])
    return _nanmean(values), wmape(actual, np.concatenate([f for _, f in windows]))


def _pooled(history: Array, rows: list[int], windows: list[tuple[int, Array]], h: int) -> float:
    """Weighted MAPE of the `rows` nodes over every window together."""
    if not windows:
        return math.nan
    actual = np.concatenate([history[rows, o : o + h] for o, _ in windows], axis=1)
    forecast = np.concatenate([f[rows] for _, f in windows], axis=1)
    return wmape(actual.ravel(), forecast.ravel())


def _level_scores(
    hierarchy: Hierarchy,
    history: Array,
    scores: list[Score],
    base: list[tuple[int, Array]],
    reconciled: list[tuple[int, Array]],
    h: int,
) -> list[LevelScore]:
    """Per level: mean MASE of its nodes, weighted MAPE over all of them, base and reconciled."""
    found = []
    for level in LEVELS:
        rows = [i for i, n in enumerate(hierarchy.nodes) if n.level == level]
        if rows:
            found.append(
                LevelScore(
                    level=level,
                    nodes=len(rows),
                    base_mase=_nanmean([scores[i].base_mase for i in rows]),
                    base_wmape=_pooled(history, rows, base, h),
                    mase=_nanmean([scores[i].mase for i in rows]),
                    wmape=_pooled(history, rows, reconciled, h),
                )
            )
    return found


def get_hierarchy_forecast(
    *,
    bottom: Mapping[SeriesKey, Array],
    forecasts: Mapping[SeriesKey, SeriesForecast],
    families: Mapping[str, str],
    h: int,
    season: int,
    level: int = 80,
    windows: int = 3,
    methods: tuple[str, ...] | None = None,
) -> HierarchyForecast:
    """Forecast the families and materials too (with `methods`, else the engine's candidates),
    reconcile every level, and score base against reconciled on the backtest windows.
    `forecasts` are the engine's bottom ones, reused."""
    if not bottom:
        return HierarchyForecast(nodes=[], levels=[], method=STRUCTURAL, windows=0)
    hierarchy = build_hierarchy(bottom, families)
    history, starts = stack_series(hierarchy, bottom)
    offset = len(hierarchy.nodes) - len(bottom)
    known = {
        offset + i: forecasts[(n.material_code or "", n.customer_id or "")]
        for i, n in enumerate(hierarchy.nodes[offset:])
        if (n.material_code or "", n.customer_id or "") in forecasts
    }
    base = _base_forecasts(
        history, starts, known, h=h, season=season, level=level, windows=windows, methods=methods
    )
    recon_windows = _reconcile_windows(hierarchy, history, base, h)
    actual = np.hstack([history[:, o : o + h] for o, _ in base.windows]) if base.windows else None
    fitted = np.hstack([f for _, f in base.windows]) if base.windows else None
    future, method = reconcile_hierarchy(
        hierarchy, np.stack([r.mean for r in base.future]), actual, fitted
    )
    scores: list[Score] = []
    nodes: list[NodeForecast] = []
    for i, node in enumerate(hierarchy.nodes):
        start = int(starts[i])
        b = _score_node(history[i], start, [(o, f[i]) for o, f in base.windows], h=h, season=season)
        r = _score_node(
            history[i], start, [(o, f[i]) for o, f in recon_windows], h=h, season=season
        )
        scores.append(Score(base_mase=b[0], base_wmape=b[1], mase=r[0], wmape=r[1]))
        result = base.future[i]
        # The interval moves with the reconciled mean; its width stays the base model's.
        shift = future[i] - result.mean
        nodes.append(
            NodeForecast(
                node=node,
                method=result.method,
                base=result.mean,
                mean=future[i],
                lo=None if result.lo is None else np.maximum(result.lo + shift, 0.0),
                hi=None if result.hi is None else np.maximum(result.hi + shift, 0.0),
                score=scores[-1],
            )
        )
    levels = _level_scores(hierarchy, history, scores, base.windows, recon_windows, h)
    return HierarchyForecast(nodes=nodes, levels=levels, method=method, windows=len(base.windows))
