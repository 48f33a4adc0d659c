"""A run's hierarchy stored and read back (each caller seeing only the nodes it may), and the
families the hierarchy groups materials by."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Final

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.forecast.demand import SeriesKey
from chainhub.forecast.hierarchy import LEVELS, HierarchyForecast
from chainhub.forecast.models import forecast_levels, forecast_node_values, forecast_nodes
from chainhub.forecast.schemas import LevelRead, NodePoint, NodeRead
from chainhub.forecast.stored import RunReader, read_points
from chainhub.storage.models import current_view


def get_families(*, conn: Connection, materials: Iterable[str]) -> dict[str, str]:
    """Each material's family: its category in the golden master, else the material itself."""
    wanted = sorted(set(materials))
    golden = current_view("material")
    query = sa.select(golden.c.material_code, golden.c.category).where(
        golden.c.material_code.in_(wanted)
    )
    found = {str(m): str(c) for m, c in conn.execute(query) if c is not None}
    return {m: found.get(m, m) for m in wanted}


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def do_store_hierarchy(
    *, conn: Connection, run_id: str, found: HierarchyForecast, periods: list[date]
) -> None:
    """Store a run's levels, nodes and reconciled values."""
    if not found.nodes:
        return
    conn.execute(
        forecast_levels.insert(),
        [
            {
                "run_id": run_id,
                "level": s.level,
                "nodes": s.nodes,
                "method": found.method,
                "windows": found.windows,
                "base_mase": _finite(s.base_mase),
                "base_wmape": _finite(s.base_wmape),
                "mase": _finite(s.mase),
                "wmape": _finite(s.wmape),
            }
            for s in found.levels
        ],
    )
    conn.execute(
        forecast_nodes.insert(),
        [
            {
                "run_id": run_id,
                "level": f.node.level,
                "node": f.node.key,
                "family": f.node.family,
                "material_code": f.node.material_code,
                "customer_id": f.node.customer_id,
                "method": f.method,
                "base_mase": _finite(f.score.base_mase),
                "base_wmape": _finite(f.score.base_wmape),
                "mase": _finite(f.score.mase),
                "wmape": _finite(f.score.wmape),
            }
            for f in found.nodes
        ],
    )
    conn.execute(
        forecast_node_values.insert(),
        [
            {
                "run_id": run_id,
                "level": f.node.level,
                "node": f.node.key,
                "period_start": period,
                "base": float(f.base[k]),
                "quantity": float(f.mean[k]),
                "lo": None if f.lo is None else float(f.lo[k]),
                "hi": None if f.hi is None else float(f.hi[k]),
            }
            for f in found.nodes
            for k, period in enumerate(periods)
        ],
    )


def _visible_nodes(rows: list[NodeRead], visible: set[SeriesKey]) -> tuple[list[NodeRead], bool]:
    """The nodes the caller may see: a material x customer whose demand it sees; a material or
    a family only when it sees every material x customer in it (never a partial sum, so an
    aggregate tells nothing of rows it cannot see, and is the one number the leader sees).
    Also whether it sees every series of the run."""
    hidden = [
        r for r in rows if r.level == "customer" and (r.material_code, r.customer_id) not in visible
    ]
    families = {r.family for r in hidden}
    materials = {r.material_code for r in hidden}

    def seen(r: NodeRead) -> bool:
        if r.level == "customer":
            return (r.material_code, r.customer_id) in visible
        if r.level == "material":
            return r.material_code not in materials
        return r.family not in families

    return [r for r in rows if seen(r)], not hidden


def list_visible_hierarchy(
    *, conn: Connection, run_id: str, visible: set[SeriesKey]
) -> tuple[list[LevelRead], list[NodeRead]]:
    """A stored run's hierarchy as the caller may see it (`visible`: the material x customer
    series whose demand it sees); the level scores only to who sees every series."""
    rows, levels = _STORED.get(conn, run_id)
    nodes, sees_every = _visible_nodes(list(rows), visible)
    return (list(levels) if sees_every else []), nodes


def _read_hierarchy(
    conn: Connection, run_id: str
) -> tuple[tuple[NodeRead, ...], tuple[LevelRead, ...]]:
    """Every node, with its points, and every level of a stored run."""
    points = read_points(
        conn,
        forecast_node_values,
        run_id,
        ("level", "node"),
        lambda v: NodePoint(
            period_start=v["period_start"],
            base=v["base"],
            quantity=v["quantity"],
            lo=v["lo"],
            hi=v["hi"],
        ),
    )
    rows = tuple(
        NodeRead(
            level=n["level"],
            family=n["family"],
            material_code=n["material_code"],
            customer_id=n["customer_id"],
            method=n["method"],
            base_mase=n["base_mase"],
            base_wmape=n["base_wmape"],
            mase=n["mase"],
            wmape=n["wmape"],
            points=points.get((n["level"], n["node"]), []),
        )
        for n in conn.execute(
            sa.select(forecast_nodes)
            .where(forecast_nodes.c.run_id == run_id)
            .order_by(_level_order(forecast_nodes.c.level), forecast_nodes.c.node)
        ).mappings()
    )
    levels = tuple(
        LevelRead.model_validate(dict(r))
        for r in conn.execute(
            sa.select(forecast_levels)
            .where(forecast_levels.c.run_id == run_id)
            .order_by(_level_order(forecast_levels.c.level))
        ).mappings()
    )
    return rows, levels


def _level_order(column: sa.Column[str]) -> sa.Case[int]:
    return sa.case({level: rank for rank, level in enumerate(LEVELS)}, value=column)


_STORED: Final = RunReader(_read_hierarchy)
