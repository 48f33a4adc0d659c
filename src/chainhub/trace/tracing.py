"""Forward and backward lot traces over the lot graph, as the caller may see them."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import get_trace_visible_nodes
from chainhub.storage.models import current_view
from chainhub.trace.genealogy import (
    GRAPH_CACHE,
    IntArray,
    LotGraph,
    Reach,
    lot_uri,
    split_lot_uri,
)
from chainhub.trace.identifiers import canonical_epc
from chainhub.trace.prepare import collector_paused
from chainhub.trace.schemas import (
    HiddenPartner,
    TraceDirection,
    TraceEdge,
    TraceNode,
    TraceResult,
    TraceStep,
    TraceSummary,
)

CUSTOMER_ROLES = frozenset({"distributor", "customer", "retailer"})
# The directory each graph of the cache was traced with.
_DIRECTORIES: Final[weakref.WeakKeyDictionary[LotGraph, Directory]] = weakref.WeakKeyDictionary()
_NODE_COLUMNS: Final = ("holder", "material", "lot")
_STEP_COLUMNS: Final = ("kind", "document", "date", "quantity", "unit")


@dataclass(frozen=True)
class Directory:
    """What a trace needs of the directory: materials' category and GTIN, partners' roles."""

    finished: frozenset[str]
    gtins: dict[str, str]
    customers: frozenset[str]


def get_directory(*, conn: Connection) -> Directory:
    """Finished materials, material GTINs and the partners that are customers."""
    m, p = current_view("material"), current_view("partner")
    materials = conn.execute(sa.select(m.c.material_code, m.c.category, m.c.gtin)).all()
    partners = conn.execute(sa.select(p.c.partner_id, p.c.roles)).all()
    return Directory(
        finished=frozenset(code for code, category, _ in materials if category == "finished"),
        gtins={code: str(gtin).zfill(14) for code, _, gtin in materials if gtin},
        customers=frozenset(pid for pid, roles in partners if CUSTOMER_ROLES & set(_roles(roles))),
    )


def _graph_and_directory(*, conn: Connection, graph: LotGraph | None) -> tuple[LotGraph, Directory]:
    """The given graph and the directory read now; else the hub's graph and its directory,
    read once per graph (both come of the documents: a submission, which may change materials
    or partners, makes the cache's next graph a new one)."""
    if graph is not None:
        return graph, get_directory(conn=conn)
    graph = GRAPH_CACHE.get(conn=conn)
    directory = _DIRECTORIES.get(graph)
    if directory is None:
        directory = _DIRECTORIES[graph] = get_directory(conn=conn)
    return graph, directory


def _roles(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [r.strip(' "[]') for r in value.split(",")]
    return [str(r) for r in value]


def resolve_lot(
    *, query: str, material: str | None, directory: Directory
) -> tuple[str, str | None]:
    """(lot number, material) named by a lot number or an LGTIN / GS1 Digital Link URI."""
    split = split_lot_uri(query)
    if split is None:
        return query, material
    by_gtin = {g: code for code, g in directory.gtins.items()}
    return split[1], by_gtin.get(split[0], material)


def _not_found(query: str) -> ChainhubError:
    return ChainhubError(
        "lot_not_found",
        f"No lot {query!r} that you may see is in the hub's documents or events",
        f"枢纽的单据和事件中没有您可查看的批次 {query!r}",
        {"field": "lot"},
        404,
    )


def access_trace(
    *,
    conn: Connection,
    principal: Principal,
    query: str,
    material: str | None = None,
    direction: TraceDirection = "both",
    graph: LotGraph | None = None,
) -> TraceResult:
    """Trace a lot (every holder of it) backward, forward or both, as the caller may see it."""
    started = time.perf_counter()
    graph, directory = _graph_and_directory(conn=conn, graph=graph)
    lot, material = resolve_lot(query=query, material=material, directory=directory)
    # A lot number first; else the query as an identifier (an SSCC, a case's 箱码, a unit's
    # drug code...), which the graph holds in its canonical form.
    starts = graph.find(lot, material) or graph.find(canonical_epc(query), material)
    if not starts:
        raise _not_found(query)
    walks: list[tuple[str, Reach]] = []
    if direction in ("backward", "both"):
        walks.append(("backward", graph.walk(starts, forward=False)))
    if direction in ("forward", "both"):
        walks.append(("forward", graph.walk(starts, forward=True)))
    # A trace of hundreds of lots builds thousands of objects that form no cycle: the
    # collector's walks over them, a full one now and then, took a tenth of its time and
    # doubled its p99 (bench/trace.py).
    with collector_paused():
        result = _assemble(
            graph=graph,
            directory=directory,
            principal=principal,
            walks=walks,
            starts=set(starts),
        )
    if not any(n.direction == "start" for n in result[0]):
        raise _not_found(query)
    nodes, edges, hidden, summary = result
    return TraceResult(
        query=query,
        material_code=material,
        direction=direction,
        nodes=nodes,
        edges=edges,
        hidden_partners=hidden,
        summary=summary,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
    )


def _step(row: tuple[Any, ...], *, hide_document: bool = False) -> TraceStep:
    """The step of an edge's `_STEP_COLUMNS` row."""
    kind, document, date, quantity, unit = row
    return TraceStep(
        kind=kind,
        document=None if hide_document else document,
        date=date,
        quantity=quantity,
        unit=unit,
    )


def _merge(
    walks: list[tuple[str, Reach]], starts: set[int]
) -> tuple[dict[int, tuple[str, int, int]], set[int]]:
    """Node → (direction, depth, edge that reached it) over the walks, and the edges walked."""
    reached: dict[int, tuple[str, int, int]] = dict.fromkeys(starts, ("start", 0, -1))
    edge_ids: set[int] = set()
    for name, reach in walks:
        for node, depth, via in zip(
            reach.nodes.tolist(), reach.depth.tolist(), reach.via.tolist(), strict=True
        ):
            reached.setdefault(node, (name, depth, via))
        edge_ids.update(reach.edges.tolist())
    return reached, edge_ids


def _summary(
    holders: set[str], lots: set[tuple[str, str]], directory: Directory, hidden: int
) -> TraceSummary:
    return TraceSummary(
        lots=len(lots),
        finished_lots=sum(1 for m, _ in lots if m in directory.finished),
        partners=len(holders),
        customers=len(holders & directory.customers),
        hidden_partners=hidden,
    )


def _rows(frame: pl.DataFrame, columns: tuple[str, ...], at: IntArray) -> list[tuple[Any, ...]]:
    """Rows `at` of the frame's `columns`, as tuples: gathered column by column, in half what
    a select (a query to plan) and its rows took."""
    return list(zip(*(frame.get_column(c).gather(at).to_list() for c in columns), strict=True))


def _assemble(
    *,
    graph: LotGraph,
    directory: Directory,
    principal: Principal,
    walks: list[tuple[str, Reach]],
    starts: set[int],
) -> tuple[list[TraceNode], list[TraceEdge], list[HiddenPartner], TraceSummary]:
    reached, edge_ids = _merge(walks, starts)
    order = sorted(reached, key=lambda n: (reached[n][0] != "start", reached[n][1], n))
    # Only the columns a trace shows, as tuples: a trace of hundreds of lots gathers them
    # in a fraction of what whole rows as dicts took.
    at = np.asarray(order, dtype=np.int64)
    info = dict(zip(order, _rows(graph.nodes, _NODE_COLUMNS, at), strict=True))
    walked = sorted(edge_ids)
    edges = sorted(edge_ids.union(via for _, _, via in reached.values() if via >= 0))
    picked = np.asarray(edges, dtype=np.int64)
    pairs = zip(graph.src[picked].tolist(), graph.dst[picked].tolist(), strict=True)
    ends = dict(zip(edges, pairs, strict=True))
    edge_rows = dict(zip(edges, _rows(graph.edges, _STEP_COLUMNS, picked), strict=True))
    position = {n: i for i, n in enumerate(order)}
    links = [
        (position[a], position[b], edge_rows[e][0])
        for e in walked
        for a, b in [ends[e]]
        if a in position and b in position
    ]
    holders = [info[n][0] for n in order]
    seen = get_trace_visible_nodes(principal=principal, holders=holders, links=links)
    labels: dict[str, str] = {}
    hidden_lots: dict[str, set[tuple[str, str]]] = {}
    # Each node's name in the trace: its id, or its hidden partner's label.
    names: dict[int, str] = {}

    paths: dict[int, list[str]] = {}

    def path(node: int) -> list[str]:
        if node not in paths:
            via = reached[node][2]
            if via < 0:
                paths[node] = []
            else:
                kind, document, *_ = edge_rows[via]
                back = ends[via][0] if reached[node][0] == "forward" else ends[via][1]
                shown = seen[position[node]] and seen[position[back]]
                step = (document or kind) if shown else "hidden"
                paths[node] = [*path(back), step]
        return paths[node]

    # One step per edge shown whole, for the edge and the node it reached alike.
    steps: dict[int, TraceStep] = {}

    def whole(edge: int) -> TraceStep:
        if edge not in steps:
            steps[edge] = _step(edge_rows[edge])
        return steps[edge]

    nodes: list[TraceNode] = []
    for node in order:
        name, depth, via = reached[node]
        holder, material, lot = info[node]
        if not seen[position[node]]:
            hidden_as = names[node] = labels.setdefault(holder, f"hidden partner {len(labels) + 1}")
            hidden_lots.setdefault(hidden_as, set()).add((material, lot))
            continue
        gtin = directory.gtins.get(material)
        names[node] = f"n{node}"
        nodes.append(
            TraceNode(
                id=names[node],
                direction=name,
                depth=depth,
                partner_id=holder,
                material_code=material,
                lot_number=lot,
                epc=lot_uri(gtin, lot) if gtin else None,
                finished=material in directory.finished,
                customer=holder in directory.customers,
                via=whole(via) if via >= 0 else None,
                path=path(node),
            )
        )
    trace_edges: dict[tuple[str, str, str | None], TraceEdge] = {}
    for e in walked:
        a, b = ends[e]
        if a not in reached or b not in reached:
            continue
        la, lb = names[a], names[b]
        if la == lb and la.startswith("hidden"):
            continue
        hide = not (seen[position[a]] and seen[position[b]])
        kind, document, *_ = edge_rows[e]
        key = (la, lb, (None if hide else document) or kind)
        if key not in trace_edges:
            step = _step(edge_rows[e], hide_document=True) if hide else whole(e)
            trace_edges[key] = TraceEdge(source=la, target=lb, step=step)
    hidden = [
        HiddenPartner(
            label=lab, lots=len(hidden_lots.get(lab, ())), customer=holder in directory.customers
        )
        for holder, lab in labels.items()
    ]
    lots = {(material, lot) for _, material, lot in info.values()}
    summary = _summary(set(holders), lots, directory, len(labels))
    return nodes, list(trace_edges.values()), hidden, summary
