"""Reconciled hierarchies add up at every level, on random hierarchies and the simulated chain."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainhub.forecast import hierarchy as hierarchy_module
from chainhub.forecast.demand import get_demand_series
from chainhub.forecast.engine import forecast_series
from chainhub.forecast.hierarchy import (
    BOTTOM_UP,
    SHRUNK,
    STRUCTURAL,
    HierarchyForecast,
    build_hierarchy,
    get_hierarchy_forecast,
    reconcile_hierarchy,
)
from tests.support import SmallChain

FAST = ("Naive",)


def _check_coherent(found: HierarchyForecast) -> None:
    """Every family is the sum of its materials, every material of its customers."""
    by = {(n.node.level, n.node.key): n.mean for n in found.nodes}
    for n in found.nodes:
        if n.node.level == "customer":
            continue
        child = "material" if n.node.level == "family" else "customer"
        parts = [
            m.mean
            for m in found.nodes
            if m.node.level == child and m.node.key.startswith(n.node.key + "|")
        ]
        assert parts, n.node
        np.testing.assert_allclose(np.sum(parts, axis=0), by[(n.node.level, n.node.key)])
        assert (n.mean >= 0).all()


@st.composite
def _hierarchies(draw: st.DrawFn) -> tuple[list[tuple[str, str]], dict[str, str], int, int]:
    materials = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=5, unique=True))
    keys = [
        (m, c)
        for m in materials
        for c in draw(st.lists(st.sampled_from("xyz"), min_size=1, max_size=3, unique=True))
    ]
    # Some materials have no family in the master: each forms its own.
    families = {m: draw(st.sampled_from(["f", "g"])) for m in materials if draw(st.booleans())}
    return keys, families, draw(st.integers(1, 4)), draw(st.integers(0, 8))


@settings(max_examples=25, deadline=None)
@given(_hierarchies(), st.integers(0, 2**32 - 1))
def test_reconciled_forecasts_add_up_on_random_hierarchies(
    drawn: tuple[list[tuple[str, str]], dict[str, str], int, int], seed: int
) -> None:
    keys, families, h, past = drawn
    hierarchy = build_hierarchy(keys, families)
    rng = np.random.default_rng(seed)
    base = rng.gamma(2.0, 10.0, size=(len(hierarchy.nodes), h)) - 5.0
    actual = rng.gamma(2.0, 10.0, size=(len(hierarchy.nodes), past))
    fitted = actual + rng.normal(0.0, 5.0, size=actual.shape)
    mean, method = reconcile_hierarchy(hierarchy, base, actual, fitted)
    # MinT-shrink needs two past errors; with fewer, or ill-conditioned, WLS on the structure.
    assert set(method.split(" / ")) <= ({SHRUNK, STRUCTURAL} if past >= 2 else {STRUCTURAL})
    assert (mean >= 0).all()
    for row, node in enumerate(hierarchy.nodes):
        members = [
            i
            for i, other in enumerate(hierarchy.nodes)
            if other.level == "customer"
            and other.family == node.family
            and node.material_code in (None, other.material_code)
            and node.customer_id in (None, other.customer_id)
        ]
        np.testing.assert_allclose(mean[row], mean[members].sum(axis=0), atol=1e-9)


def test_a_material_without_a_family_forms_its_own() -> None:
    hierarchy = build_hierarchy([("M1", "a"), ("M2", "a"), ("M2", "b")], {"M1": "finished"})
    assert [(n.level, n.key) for n in hierarchy.nodes] == [
        ("family", "M2"),
        ("family", "finished"),
        ("material", "M2|M2"),
        ("material", "finished|M1"),
        ("customer", "M2|M2|a"),
        ("customer", "M2|M2|b"),
        ("customer", "finished|M1|a"),
    ]


def test_steady_demand_is_left_as_it_is_and_scored_on_held_out_windows() -> None:
    bottom = {("M1", "a"): np.full(12, 10.0), ("M1", "b"): np.full(8, 20.0)}
    forecasts = {k: forecast_series(y, h=2, season=52, windows=3) for k, y in bottom.items()}
    found = get_hierarchy_forecast(
        bottom=bottom, forecasts=forecasts, families={}, h=2, season=52, windows=3
    )
    means = {(n.node.level, n.node.key): n.mean.tolist() for n in found.nodes}
    assert means == {
        ("family", "M1"): [30.0, 30.0],
        ("material", "M1|M1"): [30.0, 30.0],
        ("customer", "M1|M1|a"): [10.0, 10.0],
        ("customer", "M1|M1|b"): [20.0, 20.0],
    }
    assert found.windows == 3
    # b starts 4 weeks late: in the first window (origin 6) it had 2 weeks of history.
    assert [s.level for s in found.levels] == ["family", "material", "customer"]
    assert all(s.base_wmape == pytest.approx(0.0) for s in found.levels)
    assert all(s.wmape == pytest.approx(0.0, abs=1e-9) for s in found.levels)


def test_the_simulated_chain_reconciles_into_its_master_categories(
    small_chain: SmallChain,
) -> None:
    truth = small_chain.root / "ground_truth" / "standard"
    lines = pl.read_parquet(truth / "sales_order.parquet").select(
        "material_code", "customer_id", "requested_date", pl.col("quantity").cast(pl.Float64)
    )
    series = get_demand_series(lines, bucket="week")
    families = dict(
        pl.read_parquet(truth / "material.parquet").select("material_code", "category").iter_rows()
    )
    bottom = {k: y for k, (_, y) in series.items()}
    forecasts = {
        k: forecast_series(y, h=4, season=52, windows=2, methods=FAST) for k, y in bottom.items()
    }
    found = get_hierarchy_forecast(
        bottom=bottom,
        forecasts=forecasts,
        families=families,
        h=4,
        season=52,
        windows=2,
        methods=FAST,
    )
    assert {s.level: s.nodes for s in found.levels} == {
        "family": 2,
        "material": 8,
        "customer": len(bottom),
    }
    assert {n.node.key for n in found.nodes if n.node.level == "family"} == {
        "finished",
        "spare_part",
    }
    assert found.method == SHRUNK and found.windows == 2
    _check_coherent(found)
    assert all(s.wmape == s.wmape and s.base_wmape == s.base_wmape for s in found.levels)


def test_a_family_too_big_for_mint_is_summed_bottom_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hierarchy_module, "MAX_BLOCK", 4)
    # Family f: 1 + 1 + 3 nodes (summed bottom-up); family g: 1 + 1 + 1 (reconciled).
    keys = [("A", "x"), ("A", "y"), ("A", "z"), ("B", "x")]
    hierarchy = build_hierarchy(keys, {"A": "f", "B": "g"})
    # Rows: families f, g; materials A, B; customers A x, y, z; B x.
    base = np.array([[9.0], [1.0], [7.0], [1.0], [2.0], [-3.0], [4.0], [5.0]])
    mean, method = reconcile_hierarchy(hierarchy, base, None, None)
    assert method == f"{STRUCTURAL} / {BOTTOM_UP}"
    assert mean[[0, 2, 4, 5, 6]].ravel().tolist() == [6.0, 6.0, 2.0, 0.0, 4.0]
    assert mean[1, 0] == mean[3, 0] == mean[7, 0] > 1.0
