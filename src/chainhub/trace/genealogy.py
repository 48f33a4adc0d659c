"""The lot graph: nodes are a lot held by a partner (material, lot number, holder), edges are
production orders (input lot → output lot), shipments and receipts (a lot moving from shipper to
receiver) and EPCIS events (transformation, aggregation, shipping and receiving). Kept as numpy
CSR adjacency arrays for breadth-first search; rebuilt when new submissions or captures arrive.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Set
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.storage.frames import list_frame
from chainhub.storage.models import current_view, submissions
from chainhub.trace.digital_link import normalise
from chainhub.trace.models import (
    trace_captures,
    trace_event_epcs,
    trace_event_parties,
    trace_events,
)

IntArray = npt.NDArray[np.int64]
EDGE_COLUMNS: Final = (
    "src_material",
    "src_lot",
    "src_holder",
    "dst_material",
    "dst_lot",
    "dst_holder",
    "kind",
    "document",
    "date",
    "quantity",
    "unit",
    "site",
)
_EDGE_SCHEMA: Final = {
    **dict.fromkeys(EDGE_COLUMNS, pl.String),
    "quantity": pl.Float64,
}
_DL_LOT: Final = "https://id.gs1.org/01/"
_NODE_KEY: Final = ("material", "lot", "holder")
# Lots of nodes added to a graph (`LotGraph.extended`) kept apart at most, before it indexes
# its lots anew.
_ADDED_LOTS: Final = 10_000
# New captures a graph is extended by at most (their ids one list of a statement's parameters,
# well within PostgreSQL's 65,535); beyond, it is built whole.
_NEW_CAPTURES: Final = 10_000
_INPUT_ROLES: Final = {"input", "inputQuantity"}
_OUTPUT_ROLES: Final = {"output", "outputQuantity"}
_CHILD_ROLES: Final = {"child", "childQuantity"}
_OBJECT_ROLES: Final = {"epc", "quantity"}


def lot_uri(gtin: str, lot: str) -> str:
    """The class-level GS1 Digital Link URI of a lot of a material with a GTIN."""
    return f"{_DL_LOT}{gtin.zfill(14)}/10/{lot}"


def split_lot_uri(epc: str) -> tuple[str, str] | None:
    """(GTIN-14, lot) of an LGTIN EPC class URI or Digital Link URI naming a lot, else None."""
    canonical = normalise(epc)
    if canonical is None or not canonical.startswith(_DL_LOT):
        return None
    parts = canonical[len(_DL_LOT) :].split("/")
    if len(parts) >= 3 and parts[1] == "10":
        return parts[0], parts[2]
    return None


def _frame(rows: Any) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=_EDGE_SCHEMA, orient="row") if rows else _empty()


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_EDGE_SCHEMA)


def _text(column: Any) -> Any:
    return sa.cast(column, sa.String)


def _production_edges(conn: Connection) -> pl.DataFrame:
    """Each consumed lot to each lot the same production order made."""
    po = current_view("production_order")
    rows = conn.execute(
        sa.select(
            po.c.order_number,
            po.c.manufacturer_id,
            po.c.site_id,
            _text(po.c.actual_end).label("date"),
            po.c.direction,
            po.c.material_code,
            po.c.lot_number,
            sa.cast(po.c.quantity, sa.Float).label("quantity"),
            po.c.unit,
        ).where(po.c.lot_number.is_not(None))
    ).all()
    lines = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "document": pl.String,
            "holder": pl.String,
            "site": pl.String,
            "date": pl.String,
            "direction": pl.String,
            "material": pl.String,
            "lot": pl.String,
            "quantity": pl.Float64,
            "unit": pl.String,
        },
        orient="row",
    )
    inputs = lines.filter(pl.col("direction") == "input")
    outputs = lines.filter(pl.col("direction") == "output").select(
        "document", "holder", dst_material="material", dst_lot="lot"
    )
    return inputs.join(outputs, on=["document", "holder"]).select(
        src_material="material",
        src_lot="lot",
        src_holder="holder",
        dst_material="dst_material",
        dst_lot="dst_lot",
        dst_holder="holder",
        kind=pl.lit("production"),
        document="document",
        date="date",
        quantity="quantity",
        unit="unit",
        site="site",
    )


def _movement_edges(conn: Connection) -> pl.DataFrame:
    """Shipments (shipper → receiver), and receipts no shipment of the same lot accounts for."""
    sh = current_view("shipment")
    gr = current_view("goods_receipt")
    shipped = conn.execute(
        sa.select(
            sh.c.material_code,
            sh.c.lot_number,
            sh.c.shipper_id,
            sh.c.receiver_id,
            sh.c.shipment_number,
            _text(sh.c.ship_date),
            sa.cast(sh.c.quantity, sa.Float),
            sh.c.unit,
            sh.c.ship_to_site,
        ).where(sh.c.lot_number.is_not(None), sh.c.status != "cancelled")
    ).all()
    received = conn.execute(
        sa.select(
            gr.c.material_code,
            gr.c.lot_number,
            gr.c.supplier_id,
            gr.c.receiver_id,
            gr.c.receipt_number,
            _text(gr.c.receipt_date),
            sa.cast(gr.c.received_quantity, sa.Float),
            gr.c.unit,
            gr.c.site_id,
        ).where(gr.c.lot_number.is_not(None))
    ).all()

    def moves(rows: Any, kind: str) -> pl.DataFrame:
        return _frame(
            [
                (m, lot, a, m, lot, b, kind, doc, d, q, u, s)
                for m, lot, a, b, doc, d, q, u, s in rows
            ]
        )

    ships, receipts = moves(shipped, "shipment"), moves(received, "receipt")
    keys = ["src_material", "src_lot", "src_holder", "dst_holder"]
    return pl.concat([ships, receipts.join(ships, on=keys, how="anti")])


def _epcis_edges(
    conn: Connection, gtins: dict[str, str], captures: Collection[str] | None
) -> tuple[pl.DataFrame, frozenset[str]]:
    """Edges of EPCIS events (of `captures` only, when given): transformation inputs →
    outputs, aggregation children → parent, shipping (capturer → destinations) and receiving
    (sources → capturer); and the captures whose events were read. Column-wise, as one frame
    of every event's EPCs: a store of millions of events is read in seconds."""
    ev, ep, pa = trace_events, trace_event_epcs, trace_event_parties
    rows = list_frame(
        conn=conn,
        query=sa.select(
            ev.c.capture_id,
            ev.c.event_hash,
            ev.c.captured_by,
            ev.c.event_type,
            ev.c.biz_step,
            ev.c.event_time,
            ep.c.role,
            ep.c.epc,
            ep.c.quantity,
            ep.c.uom,
        )
        .join(ep, ep.c.event_hash == ev.c.event_hash)
        .where(*_of_captures(captures))
        .order_by(ev.c.event_hash, ep.c.role, ep.c.position),
    )
    read = frozenset(rows.get_column("capture_id").unique().to_list())
    if rows.is_empty():
        return _empty(), read
    parties = list_frame(
        conn=conn,
        query=sa.select(pa.c.event_hash, pa.c.kind, pa.c.party)
        .join(ev, ev.c.event_hash == pa.c.event_hash)
        .where(pa.c.kind.in_(("source", "destination")), *_of_captures(captures))
        .order_by(pa.c.event_hash, pa.c.kind, pa.c.position),
    )
    # Lazily from here: each part's plan reads only the columns and rows it needs of `rows`,
    # where eager frames copied all of them for each (a peak of ten times the edges' size).
    lazy = (
        _with_lots(rows, gtins)
        .lazy()
        .with_row_index("at")
        .with_columns(
            step=pl.col("biz_step")
            .fill_null("")
            .str.split("-")
            .list.last()
            .str.split(":")
            .list.last(),
            date=_isoformat(pl.col("event_time")),
        )
    )
    del rows
    kind, step, role = pl.col("event_type"), pl.col("step"), pl.col("role")
    by_event = ["event_hash"]
    inputs = lazy.filter(kind == "TransformationEvent", role.is_in(_INPUT_ROLES))
    outputs = lazy.filter(kind == "TransformationEvent", role.is_in(_OUTPUT_ROLES))
    parents = lazy.filter(kind == "AggregationEvent", role == "parent")
    children = lazy.filter(kind == "AggregationEvent", role.is_in(_CHILD_ROLES))
    moved = lazy.filter(
        ~kind.is_in(("TransformationEvent", "AggregationEvent")), role.is_in(_OBJECT_ROLES)
    )
    # Each event's edges in the order of its nested loops: outer rows, then inner rows.
    parts = [
        _edge(inputs.join(outputs, on=by_event, suffix="_b"), "transformation", b="_b"),
        _edge(parents.join(children, on=by_event, suffix="_b"), "aggregation", a="_b"),
        _moves(moved.filter(step == "shipping"), parties.lazy(), "destination", "shipping"),
        _moves(moved.filter(step == "receiving"), parties.lazy(), "source", "receiving"),
    ]
    return pl.concat(parts).sort("outer", "inner").select(EDGE_COLUMNS).collect(), read


def _of_captures(captures: Collection[str] | None) -> list[sa.ColumnElement[bool]]:
    """The condition on `trace_events` that keeps the events of `captures` (all, if None)."""
    return [] if captures is None else [trace_events.c.capture_id.in_(sorted(captures))]


def _with_lots(rows: pl.DataFrame, gtins: dict[str, str]) -> pl.DataFrame:
    """`rows` with each EPC's (material, lot) (see `_lot_of`), worked out once per EPC, and
    only for an EPC that can name a lot: an LGTIN, or a Digital Link with a lot (`/10/`, or
    its short name `/lot/`); any other is its own node."""
    epcs = rows.select(pl.col("epc").unique())
    maybe = epcs.filter(pl.col("epc").str.contains("(?i)lgtin|/10/|/lot/")).get_column("epc")
    lots = [_lot_of(epc, gtins) for epc in maybe.to_list()]
    found = pl.DataFrame(
        {"epc": maybe, "material": [m for m, _ in lots], "lot": [lot for _, lot in lots]},
        schema={"epc": pl.String, "material": pl.String, "lot": pl.String},
    )
    return rows.join(found, on="epc", how="left", maintain_order="left").with_columns(
        material=pl.col("material").fill_null(""), lot=pl.coalesce("lot", "epc")
    )


def _isoformat(moment: pl.Expr) -> pl.Expr:
    """A UTC moment as Python's `datetime.isoformat` writes it: microseconds only when any."""
    whole = moment.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    fraction = moment.dt.strftime("%Y-%m-%dT%H:%M:%S.%6f+00:00")
    return pl.when(moment.dt.microsecond() == 0).then(whole).otherwise(fraction)


def _edge(pairs: pl.LazyFrame, kind: str, a: str = "", b: str = "") -> pl.LazyFrame:
    """Edges from the lot of each pair's `a` side (its columns suffixed `a`) to its `b` side's,
    both held by the event's capturer; the quantity is the `a` side's."""
    return pairs.select(
        src_material=f"material{a}",
        src_lot=f"lot{a}",
        src_holder="captured_by",
        dst_material=f"material{b}",
        dst_lot=f"lot{b}",
        dst_holder="captured_by",
        kind=pl.lit(kind),
        document="event_hash",
        date="date",
        quantity=f"quantity{a}",
        unit=f"uom{a}",
        site=pl.lit(None, dtype=pl.String),
        outer="at",
        inner="at_b",
    )


def _moves(moved: pl.LazyFrame, parties: pl.LazyFrame, named: str, step: str) -> pl.LazyFrame:
    """A lot moving between the capturer and each party the event names as `named`
    (destinations of a shipping, sources of a receiving); none to the capturer itself."""
    other = parties.filter(pl.col("kind") == named).select(
        "event_hash", "party", inner=pl.int_range(pl.len()).cast(pl.UInt32)
    )
    pairs = moved.join(other, on="event_hash").filter(pl.col("party") != pl.col("captured_by"))
    ship = named == "destination"
    return pairs.select(
        src_material="material",
        src_lot="lot",
        src_holder="captured_by" if ship else "party",
        dst_material="material",
        dst_lot="lot",
        dst_holder="party" if ship else "captured_by",
        kind=pl.lit(step),
        document="event_hash",
        date="date",
        quantity="quantity",
        unit="uom",
        site=pl.lit(None, dtype=pl.String),
        outer="at",
        inner="inner",
    )


def _ilmd_lot(ilmd: str | None) -> str | None:
    """The lot number an event's instance master data (as JSON) gives (`cbvmda:lotNumber` in
    any spelling of its namespace), else None."""
    try:
        found = json.loads(ilmd) if ilmd is not None else None
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    for key, value in found.items():
        if re.split(r"[:#/]", key)[-1] == "lotNumber" and isinstance(value, str | int):
            return str(value)
    return None


def _commissioning_edges(
    conn: Connection, gtins: dict[str, str], captures: Collection[str] | None, read: Set[str]
) -> pl.DataFrame:
    """A lot to each object an ObjectEvent (ADD) commissioned with that lot number in its
    instance master data: units, cases and codes that carry no lot themselves (SGTINs, NMPA
    drug codes, Handles), so a recall of the lot reaches their cases and pallets. The objects
    are the event's stored EPC rows (canonical already); each distinct ilmd is read once.
    Only events of the captures `read` count (of those `_epcis_edges` read: one stored after
    its statement is left for the next build, with its other edges)."""
    ev, ep = trace_events, trace_event_epcs
    commissioned = (
        ev.c.event_type == "ObjectEvent",
        ev.c.action == "ADD",
        ev.c.event.like("%lotNumber%"),
        *_of_captures(captures),
    )
    events = list_frame(
        conn=conn,
        query=sa.select(
            ev.c.capture_id, ev.c.event_hash, ev.c.captured_by, ev.c.event_time, ev.c.event
        ).where(*commissioned),
    ).filter(pl.col("capture_id").is_in(list(read)))
    if events.is_empty():
        return _empty()
    events = events.select(
        "event_hash",
        "captured_by",
        date=_isoformat(pl.col("event_time")),
        ilmd=pl.col("event").str.json_path_match("$.ilmd"),
    )
    ilmds = events.get_column("ilmd").unique()
    lots = pl.DataFrame(
        {"ilmd": ilmds, "lot": [_ilmd_lot(i) for i in ilmds.to_list()]},
        schema={"ilmd": pl.String, "lot": pl.String},
    )
    epcs = list_frame(
        conn=conn,
        query=sa.select(ep.c.event_hash, ep.c.epc)
        .join(ev, ev.c.event_hash == ep.c.event_hash)
        .where(ep.c.role == "epc", *commissioned)
        .order_by(ep.c.event_hash, ep.c.position),
    )
    known = pl.DataFrame(
        {"gtin": list(gtins), "material": list(gtins.values())},
        schema={"gtin": pl.String, "material": pl.String},
    )
    return (
        events.join(lots, on="ilmd", nulls_equal=True)
        .filter(pl.col("lot").is_not_null())
        .join(epcs, on="event_hash", maintain_order="right")
        .with_columns(
            gtin=pl.when(pl.col("epc").str.starts_with(_DL_LOT)).then(
                pl.col("epc").str.slice(len(_DL_LOT), 14)
            )
        )
        .join(known, on="gtin", how="left", maintain_order="left")
        .select(
            src_material=pl.col("material").fill_null(""),
            src_lot="lot",
            src_holder="captured_by",
            dst_material=pl.lit(""),
            dst_lot="epc",
            dst_holder="captured_by",
            kind=pl.lit("commissioning"),
            document="event_hash",
            date="date",
            quantity=pl.lit(1.0),
            unit=pl.lit(None, dtype=pl.String),
            site=pl.lit(None, dtype=pl.String),
        )
    )


def _lot_of(epc: str, gtins: dict[str, str]) -> tuple[str, str]:
    """(material, lot) of an EPC naming a lot of a known GTIN, else ("", the EPC itself)."""
    split = split_lot_uri(epc)
    if split is not None and split[0] in gtins:
        return gtins[split[0]], split[1]
    return "", epc


def get_material_gtins(conn: Connection) -> dict[str, str]:
    """GTIN-14 → material code, for the directory's materials that carry one."""
    m = current_view("material")
    rows = conn.execute(sa.select(m.c.gtin, m.c.material_code).where(m.c.gtin.is_not(None)))
    return {str(g).zfill(14): code for g, code in rows}


def list_edges(*, conn: Connection) -> pl.DataFrame:
    """Every edge of the lot graph, from the current documents and the captured EPCIS events."""
    captured, _ = list_capture_edges(conn=conn, gtins=get_material_gtins(conn), captures=None)
    return _with_documents(conn, captured)


def _with_documents(conn: Connection, captured: pl.DataFrame) -> pl.DataFrame:
    """The current documents' edges followed by the captured events' (`captured`)."""
    parts = [_production_edges(conn), _movement_edges(conn)]
    return pl.concat([*(p.select(EDGE_COLUMNS).cast(_EDGE_SCHEMA) for p in parts), captured])  # type: ignore[arg-type]


def list_capture_edges(
    *, conn: Connection, gtins: dict[str, str], captures: Collection[str] | None
) -> tuple[pl.DataFrame, frozenset[str]]:
    """The edges of the EPCIS events of `captures` (of every capture, if None), lots of the
    materials' `gtins` named by material, and the captures whose events they are."""
    edges, read = _epcis_edges(conn, gtins, captures)
    commissioned = _commissioning_edges(conn, gtins, captures, read)
    parts = [edges, commissioned]
    return pl.concat([p.select(EDGE_COLUMNS).cast(_EDGE_SCHEMA) for p in parts]), read  # type: ignore[arg-type]


def _csr(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Row pointers and edge ids sorted by `keys` (node i's edges: order[ptr[i]:ptr[i + 1]])."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr, order


@dataclass(frozen=True)
class Reach:
    """What a breadth-first search reached: nodes, their depth and the edge that first reached
    each (-1 for a start), and every edge it walked."""

    nodes: IntArray
    depth: IntArray
    via: IntArray
    edges: IntArray


def _ends(edges: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The (material, lot, holder) each edge leaves and reaches."""
    src = edges.select(material="src_material", lot="src_lot", holder="src_holder")
    dst = edges.select(material="dst_material", lot="dst_lot", holder="dst_holder")
    return src, dst


def _ids(ends: pl.DataFrame, nodes: pl.DataFrame) -> IntArray:
    """The node id of each of `ends`, looked up in `nodes`."""
    ids = nodes.select(*_NODE_KEY, pl.col("node").cast(pl.Int64))
    found = ends.join(ids, on=list(_NODE_KEY), how="left", maintain_order="left")
    return found["node"].to_numpy().copy()


class LotGraph:
    """The lot graph as compact adjacency arrays, both ways."""

    def __init__(self, edges: pl.DataFrame) -> None:
        src, dst = _ends(edges)
        nodes = pl.concat([src, dst]).unique(maintain_order=True).with_row_index("node")
        self._assign(edges, nodes, _ids(src, nodes), _ids(dst, nodes))
        self._index_lots()

    def _assign(
        self, edges: pl.DataFrame, nodes: pl.DataFrame, src: IntArray, dst: IntArray
    ) -> None:
        self.nodes, self.edges, self.src, self.dst = nodes, edges, src, dst
        n = nodes.height
        self.fwd = _csr(src, n)
        self.bwd = _csr(dst, n)
        self._material = nodes["material"]
        self._local = threading.local()

    def _index_lots(self) -> None:
        """Nodes by lot number: node ids in lot order, and each lot's first place and count in
        it (and no lots of nodes added since, `extended`)."""
        # Dicts of text to int and numpy arrays only: the collector does not walk them, where
        # a list per lot made each full collection of a large graph a pause of hundreds of
        # milliseconds in the traces that ran into it.
        by_lot = self.nodes.select("lot", pl.col("node").cast(pl.Int64)).sort("lot", "node")
        runs = by_lot.group_by("lot", maintain_order=True).agg(pl.len().alias("count"))
        starts = runs["count"].cum_sum() - runs["count"]
        lot_names = runs["lot"].to_list()
        self._lot_order: IntArray = by_lot["node"].to_numpy().copy()
        self._lot_start = dict(zip(lot_names, starts.to_list(), strict=True))
        self._lot_count = dict(zip(lot_names, runs["count"].to_list(), strict=True))
        self._lot_added: dict[str, tuple[int, ...]] = {}

    def extended(self, edges: pl.DataFrame) -> LotGraph:
        """This graph with `edges` added, as a new graph: this one stays as it is, for the
        traces walking it. Nodes keep their ids; new ones are numbered on."""
        if edges.is_empty():
            return self
        src, dst = _ends(edges)
        ends = pl.concat([src, dst]).unique(maintain_order=True)
        # The nodes the new edges may meet are of their lots: looked up among those only.
        known = self.nodes.filter(pl.col("lot").is_in(ends["lot"].unique().implode()))
        fresh = ends.join(known, on=list(_NODE_KEY), how="anti", maintain_order="left")
        fresh = fresh.with_row_index("node", offset=self.size)
        near = pl.concat([known, fresh])
        graph = LotGraph.__new__(LotGraph)
        graph._assign(
            pl.concat([self.edges, edges]),
            pl.concat([self.nodes, fresh]),
            np.concatenate([self.src, _ids(src, near)]),
            np.concatenate([self.dst, _ids(dst, near)]),
        )
        graph._lot_order, graph._lot_start = self._lot_order, self._lot_start
        graph._lot_count, graph._lot_added = self._lot_count, dict(self._lot_added)
        for lot, node in zip(fresh["lot"].to_list(), fresh["node"].to_list(), strict=True):
            graph._lot_added[lot] = (*graph._lot_added.get(lot, ()), node)
        # Its tuples the collector walks: once they are many, the lots are indexed anew.
        if len(graph._lot_added) > max(_ADDED_LOTS, len(self._lot_start) // 10):
            graph._index_lots()
        return graph

    @property
    def size(self) -> int:
        """Number of nodes."""
        return self.nodes.height

    def find(self, lot: str, material: str | None = None) -> list[int]:
        """Nodes of a lot number (every holder), of one material if given."""
        start = self._lot_start.get(lot)
        found = (
            [] if start is None else self._lot_order[start : start + self._lot_count[lot]].tolist()
        )
        found.extend(self._lot_added.get(lot, ()))
        return [n for n in found if material is None or self._material[n] == material]

    def _marks(self) -> tuple[IntArray, IntArray]:
        """This thread's depth and first-edge arrays, all -1 between walks: a walk marks and
        then clears only the nodes it reaches, rather than filling arrays of the graph's size."""
        marks: tuple[IntArray, IntArray] | None = getattr(self._local, "marks", None)
        if marks is None:
            marks = (np.full(self.size, -1, dtype=np.int64), np.full(self.size, -1, dtype=np.int64))
            self._local.marks = marks
        return marks

    @staticmethod
    def _edges_of(frontier: IntArray, ptr: IntArray, order: IntArray) -> IntArray:
        """The edges leaving the frontier's nodes (CSR rows), node by node."""
        if frontier.size == 1:
            node = int(frontier[0])
            return order[ptr[node] : ptr[node + 1]]
        lo, hi = ptr[frontier], ptr[frontier + 1]
        counts = hi - lo
        total = int(counts.sum())
        offsets = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
        return order[offsets]

    def walk(self, starts: list[int], *, forward: bool) -> Reach:
        """Breadth-first search from the start nodes, level by level over the CSR arrays."""
        ptr, order = self.fwd if forward else self.bwd
        far = self.dst if forward else self.src
        depth, via = self._marks()
        frontier = np.unique(np.asarray(starts, dtype=np.int64))
        reached = [frontier]
        walked: list[IntArray] = []
        try:
            depth[frontier] = 0
            level = 0
            while frontier.size:
                edge = self._edges_of(frontier, ptr, order)
                if edge.size == 0:
                    break
                walked.append(edge)
                nxt = far[edge]
                fresh = depth[nxt] < 0
                nxt, edge = nxt[fresh], edge[fresh]
                # A trace's levels are mostly a few lots: numpy's calls, not their work, cost.
                if nxt.size > 1:
                    nxt, first = np.unique(nxt, return_index=True)
                    edge = edge[first]
                level += 1
                depth[nxt] = level
                via[nxt] = edge
                reached.append(nxt)
                frontier = nxt
            # Each node is reached at one level only.
            nodes = np.sort(np.concatenate(reached))
            edges = np.unique(np.concatenate(walked)) if walked else np.zeros(0, dtype=np.int64)
            return Reach(nodes=nodes, depth=depth[nodes], via=via[nodes], edges=edges)
        finally:
            for marked in reached:
                depth[marked] = -1
                via[marked] = -1


def get_graph_stamp(*, conn: Connection) -> tuple[Any, ...]:
    """What changes when the graph's sources do: submissions and EPCIS captures stored."""
    # One statement, as every trace reads it (0.8 ms on DuckDB, where two took 1.2). A union's
    # rows come in no set order, and ordering them cost as much as a second statement: each
    # is numbered instead.
    counted = conn.execute(
        sa.union_all(
            *(
                sa.select(
                    sa.literal_column(str(at)), sa.func.count(), sa.func.max(table.c.received_at)
                )
                for at, table in enumerate((submissions, trace_captures))
            )
        )
    ).all()
    return tuple(value for row in sorted(counted, key=lambda row: row[0]) for value in row[1:])


@dataclass(frozen=True)
class _Built:
    """A graph, the stamp read before it was built, the captures whose events it holds, those
    events' edges and the material GTINs they were read with."""

    stamp: tuple[Any, ...]
    captures: frozenset[str]
    captured: pl.DataFrame
    gtins: dict[str, str]
    graph: LotGraph


class GraphCache:
    """The last graph built per database, brought up to date as it is asked for: extended by
    the events of the captures stored since when only captures arrived (events are never
    changed or removed); when submissions arrived (a document's new version may take edges
    away), built again from the current documents' edges and the captured events' kept (read
    again only if the materials' GTINs changed)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._graphs: dict[str, _Built] = {}

    def get(self, *, conn: Connection) -> LotGraph:
        """The database's lot graph, brought up to date."""
        key = conn.engine.url.render_as_string(hide_password=True)
        stamp = get_graph_stamp(conn=conn)
        with self._lock:
            cached = self._graphs.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached.graph
        built = None if cached is None else _updated(conn=conn, cached=cached, stamp=stamp)
        if built is None:
            built = _built_whole(conn=conn, stamp=stamp)
        with self._lock:
            self._graphs[key] = built
        return built.graph


def _built_whole(*, conn: Connection, stamp: tuple[Any, ...]) -> _Built:
    """The graph built from every current document and captured event."""
    gtins = get_material_gtins(conn)
    captured, read = list_capture_edges(conn=conn, gtins=gtins, captures=None)
    return _Built(stamp, read, captured, gtins, LotGraph(_with_documents(conn, captured)))


def _updated(*, conn: Connection, cached: _Built, stamp: tuple[Any, ...]) -> _Built | None:
    """`cached` brought up to date (see `GraphCache`); None when it is to be built whole: the
    GTINs changed, or the new captures are too many for one statement's list."""
    documents_changed = cached.stamp[:2] != stamp[:2]
    gtins = get_material_gtins(conn) if documents_changed else cached.gtins
    if gtins != cached.gtins:
        return None
    # Listed first: a capture listed is committed, its events all readable next.
    listed = frozenset(conn.execute(sa.select(trace_captures.c.capture_id)).scalars())
    new = listed - cached.captures
    if len(new) > _NEW_CAPTURES:
        return None
    edges, _ = list_capture_edges(conn=conn, gtins=gtins, captures=new)
    captured = pl.concat([cached.captured, edges])
    if documents_changed:
        graph = LotGraph(_with_documents(conn, captured))
    else:
        graph = cached.graph.extended(edges)
    return _Built(stamp, cached.captures | new, captured, gtins, graph)


GRAPH_CACHE: Final = GraphCache()
