"""Forward and backward lot traces over the lot graph, as the caller may see them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.errors import ChainhubError
from chainhub.partners.visibility import get_trace_visible_nodes
from chainhub.storage.models import current_view
from chainhub.trace.genealogy import GRAPH_CACHE, LotGraph, Reach, lot_uri, split_lot_uri
from chainhub.trace.identifiers import canonical_epc
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
    graph = graph or GRAPH_CACHE.get(conn=conn)
    directory = get_directory(conn=conn)
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


def _step(edge: dict[str, Any], *, hide_document: bool = False) -> TraceStep:
    return TraceStep(
        kind=edge["kind"],
        document=None if hide_document else edge["document"],
        date=edge["date"],
        quantity=edge["quantity"],
        unit=edge["unit"],
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
    rows = graph.nodes[np.asarray(order, dtype=np.int64)].to_dicts()
    info = dict(zip(order, rows, strict=True))
    edges = sorted(edge_ids)
    edge_rows = dict(
        zip(edges, graph.edges[np.asarray(edges, dtype=np.int64)].to_dicts(), strict=True)
    )
    for _, _, via in reached.values():
        if via >= 0 and via not in edge_rows:
            edge_rows[via] = graph.edges.row(via, named=True)
    position = {n: i for i, n in enumerate(order)}
    links = [
        (position[int(graph.src[e])], position[int(graph.dst[e])], edge_rows[e]["kind"])
        for e in edges
        if int(graph.src[e]) in position and int(graph.dst[e]) in position
    ]
    seen = get_trace_visible_nodes(
        principal=principal, holders=[info[n]["holder"] for n in order], links=links
    )
    labels: dict[str, str] = {}
    hidden_lots: dict[str, set[tuple[str, str]]] = {}

    def label(node: int) -> str:
        if seen[position[node]]:
            return f"n{node}"
        holder = info[node]["holder"]
        labels.setdefault(holder, f"hidden partner {len(labels) + 1}")
        hidden_lots.setdefault(labels[holder], set()).add(
            (info[node]["material"], info[node]["lot"])
        )
        return labels[holder]

    paths: dict[int, list[str]] = {}

    def path(node: int) -> list[str]:
        if node not in paths:
            via = reached[node][2]
            if via < 0:
                paths[node] = []
            else:
                edge = edge_rows[via]
                back = int(graph.src[via] if reached[node][0] == "forward" else graph.dst[via])
                shown = seen[position[node]] and seen[position[back]]
                step = (edge["document"] or edge["kind"]) if shown else "hidden"
                paths[node] = [*path(back), step]
        return paths[node]

    nodes: list[TraceNode] = []
    for node in order:
        name, depth, via = reached[node]
        row = info[node]
        if not seen[position[node]]:
            label(node)
            continue
        gtin = directory.gtins.get(row["material"])
        nodes.append(
            TraceNode(
                id=f"n{node}",
                direction=name,
                depth=depth,
                partner_id=row["holder"],
                material_code=row["material"],
                lot_number=row["lot"],
                epc=lot_uri(gtin, row["lot"]) if gtin else None,
                finished=row["material"] in directory.finished,
                customer=row["holder"] in directory.customers,
                via=_step(edge_rows[via]) if via >= 0 else None,
                path=path(node),
            )
        )
    trace_edges: dict[tuple[str, str, str | None], TraceEdge] = {}
    for e in edges:
        a, b = int(graph.src[e]), int(graph.dst[e])
        if a not in reached or b not in reached:
            continue
        la, lb = label(a), label(b)
        if la == lb and la.startswith("hidden"):
            continue
        hide = not (seen[position[a]] and seen[position[b]])
        step = _step(edge_rows[e], hide_document=hide)
        trace_edges.setdefault(
            (la, lb, step.document or step.kind), TraceEdge(source=la, target=lb, step=step)
        )
    hidden = [
        HiddenPartner(
            label=lab, lots=len(hidden_lots.get(lab, ())), customer=holder in directory.customers
        )
        for holder, lab in labels.items()
    ]
    holders = {info[n]["holder"] for n in order}
    lots = {(info[n]["material"], info[n]["lot"]) for n in order}
    summary = _summary(holders, lots, directory, len(labels))
    return nodes, list(trace_edges.values()), hidden, summary
