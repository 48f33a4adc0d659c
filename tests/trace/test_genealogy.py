"""Lot genealogy against the simulator's truth: every injected defective lot traced forward
reaches exactly the lots and customers `ground_truth/defects.json` lists, and back again."""

from __future__ import annotations

import io
import json
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from chainhub.access.schemas import Principal, Role
from chainhub.trace import genealogy, tracing
from chainhub.trace.genealogy import GRAPH_CACHE, LotGraph, list_edges
from chainhub.trace.recall import access_recall_report, export_recall_report
from chainhub.trace.schemas import TraceResult
from chainhub.trace.service import do_capture
from chainhub.trace.tracing import access_trace
from tests.support import SmallChain

ADMIN = Principal(token_id="t", partner_id=None, role=Role.HUB_ADMIN)


def _made(result: TraceResult, defect: dict[str, Any]) -> set[str]:
    return {
        n.lot_number
        for n in result.nodes
        if n.direction == "forward" and n.lot_number != defect["lot_number"]
    }


def test_defective_lots_trace_to_the_truth(engine: sa.Engine, small_chain: SmallChain) -> None:
    small_chain.load(engine)
    defects = json.loads((small_chain.root / "ground_truth" / "defects.json").read_text("utf-8"))
    assert len(defects) == 3
    with engine.connect() as conn:
        for defect in defects:
            forward = access_trace(
                conn=conn,
                principal=ADMIN,
                query=defect["lot_number"],
                material=defect["material_code"],
                direction="forward",
            )
            assert _made(forward, defect) == set(defect["lots"]), defect["defect_id"]
            customers = {n.partner_id for n in forward.nodes if n.customer}
            assert customers == set(defect["customers"]), defect["defect_id"]
            reached = {n.partner_id for n in forward.nodes} - {defect["supplier_id"]}
            assert reached == set(defect["partners_reached"])
            documents = {e.step.document for e in forward.edges}
            assert set(defect["shipments"]) <= documents
            assert set(defect["production_orders"]) <= documents
            finished = sorted(n.lot_number for n in forward.nodes if n.finished)
            backward = access_trace(
                conn=conn, principal=ADMIN, query=finished[0], direction="backward"
            )
            upstream = {(n.material_code, n.lot_number, n.partner_id) for n in backward.nodes}
            assert (
                defect["material_code"],
                defect["lot_number"],
                defect["supplier_id"],
            ) in upstream

            supplier = Principal(
                token_id="s", partner_id=defect["supplier_id"], role=Role.PARTNER_MEMBER
            )
            seen = access_trace(
                conn=conn,
                principal=supplier,
                query=defect["lot_number"],
                material=defect["material_code"],
                direction="forward",
            )
            # The supplier sees its lot and that lot at its customer, nothing of anyone else's.
            holders = {n.partner_id for n in forward.nodes if n.lot_number == defect["lot_number"]}
            assert {n.partner_id for n in seen.nodes} == holders
            assert len(holders) == 2
            assert {n.lot_number for n in seen.nodes} == {defect["lot_number"]}
            hidden_customers = [h for h in seen.hidden_partners if h.customer]
            assert len(hidden_customers) == len(defect["customers"])
            assert seen.summary.customers == len(defect["customers"])
            assert all(e.step.document is None for e in seen.edges if "hidden" in e.target)
            dumped = seen.model_dump_json()
            assert not any(c in dumped for c in defect["customers"])

            report = access_recall_report(
                conn=conn,
                principal=ADMIN,
                query=defect["lot_number"],
                material=defect["material_code"],
            )
            assert report.affected_lots == len(set(finished))
            shipped = {x.partner for x in report.lines if x.status == "shipped"}
            assert shipped == set(defect["customers"])
            assert {x.lot_number for x in report.lines} <= set(finished)
            csv = pl.read_csv(io.BytesIO(export_recall_report(report, "csv")))
            assert csv.height == len(report.lines)
            assert set(csv["partner"]) == {x.partner for x in report.lines}
            assert (
                pl.read_excel(io.BytesIO(export_recall_report(report, "xlsx"))).height == csv.height
            )


def test_the_graph_is_rebuilt_when_submissions_arrive(
    engine: sa.Engine, small_chain: SmallChain
) -> None:
    with engine.connect() as conn:
        empty = GRAPH_CACHE.get(conn=conn)
        assert GRAPH_CACHE.get(conn=conn) is empty
    small_chain.store(engine, small_chain.manifest["submissions"][0])
    with engine.connect() as conn:
        graph = GRAPH_CACHE.get(conn=conn)
        assert graph is not empty
        assert graph.size == LotGraph(list_edges(conn=conn)).size


def test_traces_read_the_directory_once_per_graph(
    engine: sa.Engine, small_chain: SmallChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    *first, last = small_chain.manifest["submissions"]
    for sub in first:
        small_chain.store(engine, sub)
    reads: list[int] = []
    read = tracing.get_directory

    def counted(*, conn: sa.Connection) -> tracing.Directory:
        reads.append(1)
        return read(conn=conn)

    monkeypatch.setattr(tracing, "get_directory", counted)

    def trace() -> None:
        with engine.connect() as conn:
            lot = GRAPH_CACHE.get(conn=conn).nodes["lot"][0]
            access_trace(conn=conn, principal=ADMIN, query=lot, direction="both")

    trace()
    trace()
    assert len(reads) == 1
    # A submission may change materials or partners: the next trace reads them again.
    small_chain.store(engine, last)
    trace()
    assert len(reads) == 2


def _diamond() -> LotGraph:
    """Lot A made into B and C, both made into D, D shipped on as E (edges 0 to 4)."""
    pairs = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("D", "E")]
    return LotGraph(
        pl.DataFrame(
            {
                "src_material": ["m"] * 5,
                "src_lot": [a for a, _ in pairs],
                "src_holder": ["p"] * 5,
                "dst_material": ["m"] * 5,
                "dst_lot": [b for _, b in pairs],
                "dst_holder": ["p"] * 5,
                "kind": ["production"] * 4 + ["shipment"],
                "document": ["d"] * 5,
                "date": ["2026-01-01"] * 5,
                "quantity": [1.0] * 5,
                "unit": ["H87"] * 5,
                "site": [None] * 5,
            },
            schema_overrides={"site": pl.String},
        )
    )


def test_walks_give_depths_first_edges_and_walked_edges_whatever_walked_before() -> None:
    graph = _diamond()
    a, d, e = (graph.find(lot)[0] for lot in "ADE")
    assert (a, d, e) == (0, 3, 4)
    for _ in range(2):
        ahead = graph.walk([a], forward=True)
        assert ahead.nodes.tolist() == [0, 1, 2, 3, 4]
        assert ahead.depth.tolist() == [0, 1, 1, 2, 3]
        assert ahead.via.tolist() == [-1, 0, 1, 2, 4]
        assert ahead.edges.tolist() == [0, 1, 2, 3, 4]
        back = graph.walk([e], forward=False)
        assert back.depth.tolist() == [3, 2, 2, 1, 0]
        assert back.via.tolist() == [0, 2, 3, 4, -1]
    # A walk from D sees none of the earlier walks' marks.
    late = graph.walk([d], forward=True)
    assert (late.nodes.tolist(), late.depth.tolist()) == ([3, 4], [0, 1])
    assert (late.via.tolist(), late.edges.tolist()) == ([-1, 4], [4])
    both = graph.walk([d, a], forward=False)
    assert (both.nodes.tolist(), both.depth.tolist()) == ([0, 1, 2, 3], [0, 1, 1, 0])


_LOT_A = "https://id.gs1.org/01/06901234567892/10/A1"
_LOT_B = "https://id.gs1.org/01/06901234567892/10/B2"
_PALLET = "urn:epc:id:sscc:0614141.1234567890"


def _epcis_event(kind: str, step: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "eventTime": "2026-03-01T08:00:00.250+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizStep": step,
        **fields,
    }


def test_epcis_events_of_every_kind_become_their_edges(engine: sa.Engine) -> None:
    """Transformation inputs → outputs, aggregation children → parent, shipping to each
    destination and receiving from each source, on each backend: the lot graph's EPCIS edges
    are what the events' roles say, dated in UTC."""
    ship_to = [{"type": "owning_party", "destination": "urn:example:site:huayang"}]
    also = [{"type": "owning_party", "destination": "urn:example:site:jinli"}]
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": {
            "eventList": [
                _epcis_event(
                    "TransformationEvent",
                    "commissioning",
                    inputQuantityList=[{"epcClass": _LOT_A, "quantity": 10, "uom": "KGM"}],
                    outputQuantityList=[{"epcClass": _LOT_B, "quantity": 4}],
                ),
                _epcis_event(
                    "AggregationEvent",
                    "packing",
                    action="ADD",
                    parentID=_PALLET,
                    childQuantityList=[{"epcClass": _LOT_B, "quantity": 4}],
                ),
                _epcis_event(
                    "ObjectEvent",
                    "shipping",
                    action="OBSERVE",
                    epcList=[_PALLET],
                    destinationList=ship_to + also,
                ),
                _epcis_event(
                    "ObjectEvent",
                    "receiving",
                    action="OBSERVE",
                    epcList=[_PALLET],
                    sourceList=[{"type": "owning_party", "source": "urn:example:site:jinli"}],
                ),
            ]
        },
    }
    with engine.begin() as conn:
        do_capture(conn=conn, document=document, partner_id="haichuan")
    with engine.connect() as conn:
        edges = list_edges(conn=conn)
    pallet = "https://id.gs1.org/00/106141412345678908"
    got = {
        (e["src_lot"], e["src_holder"], e["dst_lot"], e["dst_holder"], e["kind"], e["quantity"])
        for e in edges.iter_rows(named=True)
    }
    assert got == {
        (_LOT_A, "haichuan", _LOT_B, "haichuan", "transformation", 10.0),
        (_LOT_B, "haichuan", pallet, "haichuan", "aggregation", 4.0),
        (pallet, "haichuan", pallet, "urn:example:site:huayang", "shipping", None),
        (pallet, "haichuan", pallet, "urn:example:site:jinli", "shipping", None),
        (pallet, "urn:example:site:jinli", pallet, "haichuan", "receiving", None),
    }
    assert edges.height == 5
    assert set(edges["date"]) == {"2026-03-01T00:00:00.250000+00:00"}


def _edge_set(graph: LotGraph) -> set[tuple[Any, ...]]:
    """The graph's edges by what they join (node ids differ between builds)."""
    nodes = graph.nodes.rows()
    at = {row[0]: row[1:] for row in nodes}
    return {
        (at[a], at[b], kind, doc)
        for a, b, kind, doc in zip(
            graph.src.tolist(), graph.dst.tolist(), graph.edges["kind"], graph.edges["document"],
            strict=True,
        )
    }  # fmt: skip


def _capture_of(lot: str, pallet: str, destination: str) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     {"cbvmda": "urn:epcglobal:cbv:mda"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": {"eventList": [
            _epcis_event("ObjectEvent", "commissioning", action="ADD",
                         epcList=[f"urn:epc:id:sgtin:0614141.812345.{lot}1"],
                         ilmd={"cbvmda:lotNumber": lot}),
            _epcis_event("AggregationEvent", "packing", action="ADD", parentID=pallet,
                         childEPCs=[f"urn:epc:id:sgtin:0614141.812345.{lot}1"]),
            _epcis_event("ObjectEvent", "shipping", action="OBSERVE", epcList=[pallet],
                         destinationList=[{"type": "owning_party", "destination": destination}]),
        ]},
    }  # fmt: skip


def test_the_graph_is_extended_by_new_captures_as_a_new_build_would_be(
    engine: sa.Engine,
) -> None:
    """Captures alone extend the cached graph (its nodes keep their ids, the graph a trace
    holds is left as it was), to the edges a build from scratch finds; a capture that stored
    nothing new leaves it as it is."""
    first = _capture_of("7", "urn:epc:id:sscc:0614141.1234567890", "urn:example:site:huayang")
    with engine.begin() as conn:
        do_capture(conn=conn, document=first, partner_id="haichuan")
    with engine.connect() as conn:
        before = GRAPH_CACHE.get(conn=conn)
    size, edges = before.size, _edge_set(before)
    # A new lot, and the same pallet shipped on from the same lot's unit: new and known nodes.
    second = _capture_of("8", "urn:epc:id:sscc:0614141.1234567890", "urn:example:site:jinli")
    with engine.begin() as conn:
        do_capture(conn=conn, document=second, partner_id="haichuan")
    with engine.connect() as conn:
        after = GRAPH_CACHE.get(conn=conn)
        built = LotGraph(list_edges(conn=conn))
    assert after is not before
    assert (before.size, _edge_set(before)) == (size, edges)
    assert after.nodes.head(size).equals(before.nodes)
    assert _edge_set(after) == _edge_set(built) > edges
    for lot in ("7", "8", "https://id.gs1.org/00/106141412345678908"):
        found = {after.nodes.row(n)[1:] for n in after.find(lot)}
        assert found == {built.nodes.row(n)[1:] for n in built.find(lot)} != set()
        for forward in (True, False):
            reach = after.walk(after.find(lot), forward=forward)
            again = built.walk(built.find(lot), forward=forward)
            assert {after.nodes.row(n)[1:] for n in reach.nodes.tolist()} == {
                built.nodes.row(n)[1:] for n in again.nodes.tolist()
            }
    with engine.begin() as conn:
        do_capture(conn=conn, document=second, partner_id="haichuan")
    with engine.connect() as conn:
        assert GRAPH_CACHE.get(conn=conn) is after


def test_a_submission_rebuilds_the_graph_with_the_captured_edges_kept(
    engine: sa.Engine, small_chain: SmallChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a submission the graph is built again from the current documents, with the
    captured events' edges it read before (not read again), as a build from scratch finds."""
    # The chain's files up to its last production orders', which come after its master data
    # (the GTINs the captured edges were read with stay) and make edges.
    subs = small_chain.manifest["submissions"]
    at = max(i for i, sub in enumerate(subs) if sub["document_type"] == "production_order")
    last = subs[at]
    for sub in subs[:at]:
        small_chain.store(engine, sub)
    first = _capture_of("7", "urn:epc:id:sscc:0614141.1234567890", "urn:example:site:huayang")
    with engine.begin() as conn:
        do_capture(conn=conn, document=first, partner_id="haichuan")
    with engine.connect() as conn:
        before = GRAPH_CACHE.get(conn=conn)
    read: list[object] = []
    epcis_edges = genealogy._epcis_edges

    def reading(conn: sa.Connection, gtins: dict[str, str], captures: Any) -> Any:
        read.append(captures)
        return epcis_edges(conn, gtins, captures)

    monkeypatch.setattr(genealogy, "_epcis_edges", reading)
    small_chain.store(engine, last)
    with engine.connect() as conn:
        after = GRAPH_CACHE.get(conn=conn)
        assert read == [frozenset()]
        built = LotGraph(list_edges(conn=conn))
    assert after is not before
    assert _edge_set(after) == _edge_set(built) > _edge_set(before)
    assert after.size == built.size
