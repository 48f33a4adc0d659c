"""Trace latency: backward and forward lot traces through chainhub's lot graph (breadth-first
search over numpy CSR arrays) next to a plain recursive SQL CTE over the same edges in the same
DuckDB database, p50 / p99 over random lots of a synthetic 5-tier chain (raw-material suppliers →
component makers → OEM plants → finished lots → distributors).

Then capture throughput, JSON and XML: through the bulk import on every core
(`trace.bulk.do_import_captures`, what `chainhub epcis import` runs: worker processes read the
files, check, hash and build rows, this process stores them in order, in one transaction, its
commit included), through `do_capture` called document after document in one process (schema
and semantic checks, CBV 2.0 hash IDs, idempotence, audit, one bulk insert per table; a
scripted load that announces only to webhook subscribers, of which it has none; XML parse
included, JSON parse not) and through the HTTP interface (POST /epcis/capture to the hub app,
called in-process by ASGI, several requests at a time, with the app's capture worker processes,
one per core, and without any): EPCIS documents of commissioning, packing (units into an SSCC),
shipping and receiving events, each way into a fresh migrated DuckDB hub, events/s against the
target of 50,000, beside a bare Arrow insert of the same stored rows into tables without keys
or indexes (the storage floor). CPU is told apart: this process's, and its children's (the bulk
import's workers, the app's capture workers, do_capture's hash worker).

    python bench/trace.py [--smoke] [--lots N] [--samples K] [--events N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import polars as pl
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chainhub.access.schemas import Principal, Role
from chainhub.access.tokens import do_create_token
from chainhub.app import create_app
from chainhub.settings import Settings
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from chainhub.storage.service import do_bulk_insert
from chainhub.trace.bulk import ImportSource, default_workers, do_import_captures
from chainhub.trace.genealogy import GRAPH_CACHE, LotGraph
from chainhub.trace.models import trace_event_epcs, trace_event_parties, trace_events
from chainhub.trace.service import do_capture
from chainhub.trace.tracing import access_trace
from chainhub.trace.xml_binding import parse_xml, write_xml

FULL_LOTS: Final = 1_000_000
SMOKE_LOTS: Final = 5_000
FULL_EVENTS: Final = 200_000
SMOKE_EVENTS: Final = 7_200
BATCH: Final = 10_000  # events per captured document
# The smoke's: a few documents, so the bulk pipeline shows, each of more than 1 MB, so that the
# HTTP capture's workers prepare them.
SMOKE_BATCH: Final = 2_400
_CLIENTS: Final = 4  # HTTP captures at a time
_EXTENSION_EVENTS: Final = 1_000  # events of the capture after the hub's graph is built
TARGET: Final = 50_000  # events/s, bulk capture (issue 10)
SAMPLES: Final = 1_000  # random lots traced each way (issue 10)
_CONTEXT: Final = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
_NAMESPACES: Final = {"cbvmda": "urn:epcglobal:cbv:mda"}  # of the XML twins' lot numbers
_CREATED: Final = "2026-03-01T00:00:00+08:00"


def _edges(lots: int, seed: int = 7) -> pl.DataFrame:
    """Edges of a 5-tier chain with about `lots` lots: raw lots shipped to component makers,
    each component lot made from 3 raw lots, shipped to the OEM; each finished lot made from 4
    component lots and shipped to 2 of 50 distributors."""
    rng = np.random.default_rng(seed)
    n_raw, n_comp = lots // 2, lots // 3
    n_fin = max(1, lots - n_raw - n_comp)
    raw = [f"R{i}" for i in range(n_raw)]
    comp = [f"C{i}" for i in range(n_comp)]
    fin = [f"F{i}" for i in range(n_fin)]
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    for lot in raw:
        rows.append(("R", lot, "tier2", "R", lot, "tier1", "shipment"))
    comp_inputs = rng.integers(0, n_raw, size=(n_comp, 3))
    for i, lot in enumerate(comp):
        rows.extend(("R", raw[j], "tier1", "C", lot, "tier1", "production") for j in comp_inputs[i])
        rows.append(("C", lot, "tier1", "C", lot, "oem", "shipment"))
    fin_inputs = rng.integers(0, n_comp, size=(n_fin, 4))
    dists = rng.integers(0, 50, size=(n_fin, 2))
    for i, lot in enumerate(fin):
        rows.extend(("C", comp[j], "oem", "F", lot, "oem", "production") for j in fin_inputs[i])
        rows.extend(("F", lot, "oem", "F", lot, f"dist{d}", "shipment") for d in set(dists[i]))
    frame = pl.DataFrame(
        rows,
        schema=["src_material", "src_lot", "src_holder", "dst_material", "dst_lot", "dst_holder"]
        + ["kind"],
        orient="row",
    )
    return frame.with_columns(
        document=pl.lit("doc"),
        date=pl.lit("2026-01-01"),
        quantity=pl.lit(1.0),
        unit=pl.lit("H87"),
        site=pl.lit(None, dtype=pl.String),
    )


def _percentiles(samples: list[float]) -> tuple[float, float]:
    arr = np.array(samples) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


def _time(fn: Callable[[int], int], starts: list[int]) -> tuple[float, float, float]:
    for s in starts[:10]:  # warm: the first calls fill caches and plan the query
        fn(s)
    took, reached = [], 0
    for s in starts:
        t = time.perf_counter()
        reached += fn(s)
        took.append(time.perf_counter() - t)
    p50, p99 = _percentiles(took)
    return p50, p99, reached / len(starts)


def _capture_event(i: int) -> dict[str, object]:
    """Event i of a packing line: every 4 events, 4 units commissioned into lot L<i // 400>,
    packed into a pallet, shipped and received."""
    clock = f"{i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}.{i % 1000:03d}"
    when = f"2026-03-{1 + i % 28:02d}T{clock}+08:00"
    base = {"eventTime": when, "eventTimeZoneOffset": "+08:00",
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"}}  # fmt: skip
    pallet = f"urn:epc:id:sscc:6901234.{i // 4:010d}"
    units = [f"urn:epc:id:sgtin:6901234.000001.{i // 4 * 4 + k}" for k in range(4)]
    step = i % 4
    if step == 0:
        return {"type": "ObjectEvent", **base, "epcList": units, "action": "ADD",
                "bizStep": "commissioning", "disposition": "active",
                "ilmd": {"cbvmda:lotNumber": f"L{i // 400}"}}  # fmt: skip
    if step == 1:
        return {"type": "AggregationEvent", **base, "parentID": pallet, "childEPCs": units,
                "action": "ADD", "bizStep": "packing", "disposition": "in_progress"}  # fmt: skip
    asn = f"urn:epcglobal:cbv:bt:6901234000004:A{i // 4}"
    parties = [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}]
    to = [{"type": "owning_party", "destination": "urn:epc:id:pgln:6909999.00000"}]
    return {"type": "ObjectEvent", **base, "epcList": [pallet], "action": "OBSERVE",
            "bizStep": "shipping" if step == 2 else "receiving",
            "disposition": "in_transit" if step == 2 else "in_progress",
            "bizTransactionList": [{"type": "desadv", "bizTransaction": asn}],
            "sourceList": parties, "destinationList": to}  # fmt: skip


def _children_cpu() -> float:
    """CPU seconds of this process's running children (the bulk import's workers, the hash
    worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == os.getpid():  # the parent's pid; then utime and stime
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _cpu() -> float:
    """CPU seconds of this process (all its threads) and of its children."""
    return time.process_time() + _children_cpu()


@dataclass
class _Run:
    """What capturing the documents one way took: wall and CPU seconds inside the capture
    calls (`cpu`, of which `own` this process's), and wall seconds of the commits after them
    (inside the request, over HTTP; inside the import, in bulk)."""

    took: float = 0.0
    cpu: float = 0.0
    committed: float = 0.0
    own: float | None = None


def _fresh_hub(work: Path, name: str) -> sa.Engine:
    """A migrated, empty DuckDB hub in `work`."""
    engine = create_engine_for(f"duckdb:///{work / f'{name}.duckdb'}", must_exist=False)
    do_upgrade(engine=engine)
    return engine


def _capture_direct(engine: sa.Engine, documents: list[dict[str, Any]],
                    xmls: list[bytes] | None) -> _Run:  # fmt: skip
    """Capture each document through do_capture in its own transaction (read from its XML
    twin, parse included, when `xmls` is given)."""
    run = _Run()
    for at, document in enumerate(documents):
        with engine.begin() as conn:
            start, start_cpu = time.perf_counter(), _cpu()
            xml = None if xmls is None else xmls[at]
            read = document if xml is None else parse_xml(xml)
            # A scripted load, as `hub load` is: nothing to publish to live streams.
            capture = do_capture(conn=conn, document=read, partner_id="bench", xml=xml,
                                 publish=False)  # fmt: skip
            run.took += time.perf_counter() - start
            run.cpu += _cpu() - start_cpu
            start = time.perf_counter()
        run.committed += time.perf_counter() - start
        assert capture.stored_count == capture.event_count, capture
    return run


def _import_bulk(engine: sa.Engine, files: list[Path]) -> _Run:
    """Import the files through the bulk import, in one transaction, its commit included (the
    worker processes already started, as a running hub's would be: `_bench_capture`)."""
    sources = [ImportSource(str(f), f) for f in files]
    start, own, children = time.perf_counter(), time.process_time(), _children_cpu()
    with engine.begin() as conn:
        report = do_import_captures(conn=conn, sources=sources, partner_id="bench")
    run = _Run(took=time.perf_counter() - start)
    run.own = time.process_time() - own
    run.cpu = run.own + _children_cpu() - children
    assert report.stored == report.events and not report.rejected, report.rejected
    return run


def _capture_http(
    work: Path, batches: dict[str, list[tuple[bytes, str]]], workers: int, warm: int
) -> dict[str, _Run]:
    """POST each batch's bodies to /epcis/capture of one hub app with `workers` capture worker
    processes, called in-process (ASGI through Starlette's TestClient: no socket, the app's
    whole request path otherwise, its runtime started), `_CLIENTS` requests at a time; the
    first `warm` bodies of each batch untimed."""
    _fresh_hub(work, f"http{workers}").dispose()
    # Requests queue for their turn to write for as long as it takes: throughput, not admission.
    settings = Settings(database_url=f"duckdb:///{work / f'http{workers}.duckdb'}",
                        data_dir=work, capture_workers=workers, queue_timeout=600)  # fmt: skip
    app = create_app(settings)
    runs: dict[str, _Run] = {}
    with TestClient(app) as client:
        with app.state.engine.begin() as conn:
            token = do_create_token(conn=conn, partner_id="bench", role=Role.PARTNER_ADMIN,
                                    label="bench")  # fmt: skip

        def post(given: tuple[bytes, str]) -> None:
            body, media = given
            headers = {"Authorization": f"Bearer {token}", "Content-Type": media}
            answer = client.post("/epcis/capture", content=body, headers=headers)
            assert answer.status_code == 202, answer.text
            job = answer.json()
            assert job["storedCount"] == job["eventCount"] > 0, answer.text

        # A served hub starts its workers with it; here they are started, untimed.
        app.state.runtime.preparers.warm()
        with ThreadPoolExecutor(max_workers=_CLIENTS) as clients:
            for name, bodies in batches.items():
                # Untimed: the first requests of a kind (one per worker) build what the server
                # and each worker keep for the next.
                list(clients.map(post, bodies[:warm]))
                start, own, children = time.perf_counter(), time.process_time(), _children_cpu()
                list(clients.map(post, bodies[warm:]))
                run = runs[name] = _Run(took=time.perf_counter() - start)
                run.own = time.process_time() - own
                run.cpu = run.own + _children_cpu() - children
    return runs


def _bare_rate(engine: sa.Engine, events: int) -> tuple[float, int]:
    """Events/s of a bare Arrow insert of the rows `engine` stores into tables without keys or
    indexes (the storage floor), and how many rows that is."""
    tables = (trace_events, trace_event_epcs, trace_event_parties)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        frames = {t.name: raw.sql(f"SELECT * FROM {t.name}").pl() for t in tables}
        for t in tables:
            conn.exec_driver_sql(f"CREATE TABLE bare_{t.name} AS SELECT * FROM {t.name} LIMIT 0")
    bare_tables = [
        sa.Table(f"bare_{t.name}", sa.MetaData(), *(sa.Column(c.name, c.type) for c in t.columns))
        for t in tables
    ]
    with engine.begin() as conn:
        start = time.perf_counter()
        for t, bare in zip(tables, bare_tables, strict=True):
            do_bulk_insert(conn=conn, table=bare, frame=frames[t.name])
        took = time.perf_counter() - start
    return events / took, sum(f.height for f in frames.values())


def _written(work: Path, name: str, bodies: list[bytes], suffix: str) -> list[Path]:
    """The bodies as files in a folder of `work`, as `chainhub epcis import` reads them."""
    folder = work / name
    folder.mkdir(exist_ok=True)
    files = [folder / f"{at:05d}{suffix}" for at in range(len(bodies))]
    for path, body in zip(files, bodies, strict=True):
        path.write_bytes(body)
    return files


def _bench_capture(events: int, batch: int, work: Path) -> None:
    """Capture `events` events in documents of `batch`: as JSON and as their XML twins, through
    the bulk import (from files), through do_capture document after document and through POST
    /epcis/capture, each into a fresh hub; then insert the stored rows into empty copies of the
    tables by Arrow; print every rate beside that floor."""

    def batches(first: int) -> list[list[dict[str, object]]]:
        return [[_capture_event(i) for i in range(lo, min(lo + batch, first + events))]
                for lo in range(first, first + events, batch)]  # fmt: skip

    def document(events: list[dict[str, object]]) -> dict[str, Any]:
        return {"@context": _CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
                "creationDate": _CREATED, "epcisBody": {"eventList": events}}  # fmt: skip

    def xml(events: list[dict[str, object]]) -> bytes:
        return write_xml(events=events, context=_NAMESPACES, attributes={"creationDate": _CREATED})

    documents = [document(events) for events in batches(0)]
    xmls = [xml(d["epcisBody"]["eventList"]) for d in documents]
    json_files = _written(work, "json", [json.dumps(d).encode() for d in documents], ".json")
    xml_files = _written(work, "xml", xmls, ".xml")
    workers = default_workers([ImportSource(str(f), f) for f in json_files])
    runs: dict[str, _Run] = {}
    for name, files in (("JSON", json_files), ("XML ", xml_files)):
        engine = _fresh_hub(work, f"bulk_{name.strip().lower()}")
        # A hub keeps its worker processes running once started (their start, spawning and
        # importing, is timed here apart), and its first capture of a kind builds what it
        # keeps for the next: both by an import that is rolled back, rather than in the timed
        # one.
        start = time.perf_counter()
        with engine.connect() as conn:
            sources = [ImportSource(str(f), f) for f in files[:workers]]
            do_import_captures(conn=conn, sources=sources, partner_id="bench")
            conn.rollback()
        started = time.perf_counter() - start
        runs[f"{name}  bulk import, {workers} workers "] = _import_bulk(engine, files)
        engine.dispose()
    engine = _fresh_hub(work, "capture")
    # A server keeps its hash worker process (hashing.hashes_begun) running and its first
    # capture of a kind builds what it keeps for the next: started here, by captures that are
    # rolled back, rather than inside the first timed one.
    with engine.connect() as conn:
        do_capture(conn=conn, document=documents[0], partner_id="bench")
        conn.rollback()
        do_capture(conn=conn, document=parse_xml(xmls[0]), partner_id="bench", xml=xmls[0])
        conn.rollback()
    runs["JSON  do_capture, one process    "] = _capture_direct(engine, documents, None)
    bare_rate, rows = _bare_rate(engine, events)
    engine.dispose()
    xml_engine = _fresh_hub(work, "capture_xml")
    runs["XML   parse_xml + do_capture     "] = _capture_direct(xml_engine, documents, xmls)
    xml_engine.dispose()
    # One app for both (its start costs seconds), so the XML twins are of other events: the
    # same events would have the same hash IDs and be stored once. Each way's first requests,
    # of yet other events, are not timed.
    cores = len(os.sched_getaffinity(0))
    http: dict[str, _Run] = {}
    for count in (cores, 0):
        http.update(_capture_http(work, {
            f"JSON  POST /epcis/capture, {count} workers*": [
                (json.dumps(document(b)).encode(), "application/json")
                for b in [*batches(3 * events)[:cores], *batches(0)]],
            f"XML   POST /epcis/capture, {count} workers*": [
                (xml(b), "application/xml") for b in [*batches(2 * events)[:cores],
                                                      *batches(events)]],
        }, count, cores))  # fmt: skip
    runs.update(http)
    # The machine may be shared: its load says how far the figures are from an idle one's.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"capture   {events:,} events ({rows:,} rows), {len(documents)} documents of {batch:,};"
        f" wall-clock figures on a machine with load average {load} ({os.cpu_count()} cores);"
        f" bare Arrow insert of the same rows into tables without keys {bare_rate:10,.0f}"
        f" events/s (the floor); the bulk import's {workers} workers started in {started:.1f} s"
    )
    for name, run in runs.items():
        rate = events / run.took
        split = (
            ""
            if run.own is None
            else f"   CPU µs/event: this process {run.own / events * 1e6:4.1f},"
            f" workers {(run.cpu - run.own) / events * 1e6:4.1f}"
        )
        print(
            f"  {name} {rate:9,.0f} events/s ({rate / TARGET:4.0%} of the {TARGET:,} target,"
            f" {rate / bare_rate:5.1%} of bare)   {events / run.cpu:9,.0f} per CPU second"
            f"   {events / (run.took + run.committed):9,.0f} events/s with commits{split}"
        )
    # CPU time moves less with the machine's load than wall time; a request's commit is inside
    # it (the transaction ends at the edge).
    print(
        f"  * in-process ASGI (Starlette TestClient, no socket), {_CLIENTS} requests at a time,"
        " the app's runtime started: with workers, bodies of 1 MB or more are prepared in its"
        " capture worker processes, stored by the server; with 0, all in the server process;"
        " CPU is every process's (the hash worker's, the bulk import's and the app's workers');"
        " commits apart for do_capture (DuckDB merging rows into the tables and their indexes),"
        " inside the bulk import's and the HTTP figures (one transaction per import or"
        " request); JSON parse inside the bulk import's and the HTTP figures, not do_capture's"
    )


def _bench_hub_trace(path: Path, samples: int) -> None:
    """Trace through the hub itself on the bulk import's hub (`path`): the lot graph built from
    its stored events (`GRAPH_CACHE`), then extended by one more capture's (what the first
    trace after a capture waits for), then `access_trace` as the capturing partner, forward
    and backward, p50 / p99 over random lots of the packing line, beside a recursive CTE over
    the same graph's edges in the same database, from the same start nodes (the reach of each
    must be equal)."""
    engine = create_engine_for(f"duckdb:///{path}")
    caller = Principal(token_id="bench", partner_id="bench", role=Role.PARTNER_ADMIN)
    try:
        with engine.connect() as conn:
            start, cpu = time.perf_counter(), time.process_time()
            graph = GRAPH_CACHE.get(conn=conn)
            built, built_cpu = time.perf_counter() - start, time.process_time() - cpu
            print(
                f"hub trace {graph.edges.height:,} edges, {graph.size:,} lot nodes from the"
                f" stored events: graph built in {built:.1f} s ({built_cpu:.1f} s CPU)"
            )
        # Then one more capture, of events the store has not seen: the graph is extended by
        # its events, not built anew (what the first trace after each capture waits for).
        more = [_capture_event(i) for i in range(10**9, 10**9 + _EXTENSION_EVENTS)]
        document = {"@context": _CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
                    "creationDate": _CREATED, "epcisBody": {"eventList": more}}  # fmt: skip
        with engine.begin() as conn:
            do_capture(conn=conn, document=document, partner_id="bench", publish=False)
        with engine.connect() as conn:
            start, cpu = time.perf_counter(), time.process_time()
            graph = GRAPH_CACHE.get(conn=conn)
            print(
                f"  after a capture of {_EXTENSION_EVENTS:,} more events: graph extended in"
                f" {time.perf_counter() - start:.2f} s ({time.process_time() - cpu:.2f} s CPU),"
                f" {graph.size:,} lot nodes"
            )
            # What the process holds leaves the collector's walks, as a served hub's warm-up
            # ends (web.warmup): the traces are timed as a server answers them.
            gc.freeze()
            raw = conn.connection.driver_connection
            raw.register("ids", pl.DataFrame({"src": graph.src, "dst": graph.dst}))
            raw.execute("CREATE OR REPLACE TEMP TABLE bench_edges AS SELECT * FROM ids")
            raw.unregister("ids")
            lots = sorted({lot for lot in graph.nodes["lot"].to_list() if lot.startswith("L")})
            rng = np.random.default_rng(13)
            picked = [lots[i] for i in rng.integers(0, len(lots), size=samples)]
            for name, forward in (("backward", False), ("forward", True)):
                direction = "forward" if forward else "backward"
                near, far = ("src", "dst") if forward else ("dst", "src")
                sql = f"""WITH RECURSIVE r(n) AS (SELECT UNNEST(?::BIGINT[]) UNION
                    SELECT e.{far} FROM bench_edges e JOIN r ON e.{near} = r.n)
                    SELECT count(*) FROM r"""  # noqa: S608 - our column names

                def ours(k: int, d: str = direction) -> int:
                    found = access_trace(conn=conn, principal=caller, query=picked[k], direction=d)
                    # Lots of partners the caller may not see are counted, not listed.
                    return len(found.nodes) + sum(h.lots for h in found.hidden_partners)

                def theirs(k: int, query: str = sql) -> int:
                    row = raw.execute(query, [graph.find(picked[k])]).fetchone()
                    return int(row[0]) if row else 0

                hub = _time(ours, list(range(samples)))
                cte = _time(theirs, list(range(samples)))
                assert round(hub[2]) == round(cte[2]), (hub, cte)
                print(
                    f"  {name:8}  access_trace p50 {hub[0]:8.3f} ms  p99 {hub[1]:8.3f} ms   "
                    f"recursive CTE p50 {cte[0]:8.3f} ms  p99 {cte[1]:8.3f} ms   "
                    f"ratio p99 {cte[1] / hub[1]:6.1f}x   ({hub[2]:.1f} lots per trace)"
                )
    finally:
        engine.dispose()


def main() -> None:
    """Build the chain, time both ways, print p50 / p99 and the ratio; then bulk capture."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a small chain, for CI")
    parser.add_argument("--lots", type=int, default=None)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--events", type=int, default=None, help="events to capture")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    lots = args.lots or (SMOKE_LOTS if args.smoke else FULL_LOTS)
    # A p99 needs hundreds of samples to be more than the slowest of a few: 1,000 lots in
    # both sizes (the figure), which the smoke chain's millisecond CTE affords.
    samples = args.samples or SAMPLES
    work = args.workdir or Path(tempfile.mkdtemp(prefix="chainhub-bench-trace-"))
    t = time.perf_counter()
    edges = _edges(lots)
    graph = LotGraph(edges)
    build = time.perf_counter() - t
    con = duckdb.connect(str(work / "trace.duckdb"))
    con.register("ids", pl.DataFrame({"src": graph.src, "dst": graph.dst}))
    con.execute("CREATE OR REPLACE TABLE edges AS SELECT * FROM ids")
    con.execute("CREATE INDEX edges_src ON edges (src)")
    con.execute("CREATE INDEX edges_dst ON edges (dst)")
    rng = np.random.default_rng(11)
    starts = rng.integers(0, graph.size, size=samples).tolist()
    print(f"{graph.size:,} lot nodes, {edges.height:,} edges, graph built in {build:.2f} s")

    def cte(near: str, far: str) -> Callable[[int], int]:
        sql = f"""WITH RECURSIVE r(n) AS (SELECT ?::BIGINT UNION
            SELECT e.{far} FROM edges e JOIN r ON e.{near} = r.n) SELECT count(*) FROM r"""

        def run(start: int) -> int:
            row = con.execute(sql, [start]).fetchone()
            return int(row[0]) if row else 0

        return run

    for name, forward in (("backward", False), ("forward", True)):
        ours = _time(lambda s, f=forward: graph.walk([s], forward=f).nodes.size, starts)
        near, far = ("src", "dst") if forward else ("dst", "src")
        theirs = _time(cte(near, far), starts)
        assert round(ours[2]) == round(theirs[2]), (ours, theirs)
        print(
            f"{name:8}  chainhub p50 {ours[0]:8.3f} ms  p99 {ours[1]:8.3f} ms   "
            f"recursive CTE p50 {theirs[0]:8.3f} ms  p99 {theirs[1]:8.3f} ms   "
            f"ratio p99 {theirs[1] / ours[1]:6.1f}x   ({ours[2]:.1f} lots per trace)"
        )
    con.close()
    events = args.events or (SMOKE_EVENTS if args.smoke else FULL_EVENTS)
    _bench_capture(events, SMOKE_BATCH if args.smoke else BATCH, work)
    _bench_hub_trace(work / "bulk_json.duckdb", samples)


if __name__ == "__main__":
    main()
