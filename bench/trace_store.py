"""CPU of the bulk import's storing side alone (issue 10): what `trace.bulk.do_import_captures`'
parent process spends per event on documents its workers have already prepared.

The bench's documents (`bench/trace.py`'s packing line) are prepared once, as the workers
prepare them, and handed over packed; then each round stores them in one transaction
(`service.do_store_capture`, as the import's parent loop calls it) into one DuckDB hub that
grows round after round, its commit timed apart. Each round after the first is of other
events (their hash IDs changed); the last round stores the first round's events again, all of
them duplicates. Figures are this process's CPU seconds (DuckDB's threads included), which a
shared machine moves less than wall time; compare two checkouts by running this in each, in
turn, in the same sitting.

    python bench/trace_store.py --events 200000 --batch 10000 --rounds 2
    python bench/trace_store.py --smoke
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from chainhub.trace.prepare import Packed, Prepared, collector_paused, packed, prepared_capture
from chainhub.trace.prepare import unpacked as unpack
from chainhub.trace.service import do_store_capture

# bench/trace.py, beside this file, by its path: its name is also the standard library's.
_SPEC = importlib.util.spec_from_file_location("bench_trace", Path(__file__).with_name("trace.py"))
assert _SPEC is not None and _SPEC.loader is not None  # noqa: S101 (the file is beside this one)
_TRACE = sys.modules[_SPEC.name] = importlib.util.module_from_spec(_SPEC)  # its dataclasses ask
_SPEC.loader.exec_module(_TRACE)


def _packs(events: int, batch: int) -> list[Packed]:
    """The documents prepared as the import's workers prepare them (no directory sites)."""
    received = datetime.now(UTC)
    packs = []
    for first in range(0, events, batch):
        document: dict[str, Any] = {
            "@context": _TRACE._CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": _TRACE._CREATED,
            "epcisBody": {"eventList": [_TRACE._capture_event(i)
                                        for i in range(first, min(first + batch, events))]},
        }  # fmt: skip
        prepared = prepared_capture(document=document, xml=None, partner_id="bench",
                                    capture_id=str(uuid.uuid4()), received_at=received,
                                    owners={}, aside=False)  # fmt: skip
        packs.append(packed(prepared))
    return packs


def _round(pack: Packed, round_: int) -> Prepared:
    """A document as the parent unpacks it, under a capture ID of its own; its events' hash
    IDs changed in rounds after the first (other events, as far as storing goes)."""
    prepared = unpack((str(uuid.uuid4()), *pack[1:]))
    if round_ == 0:
        return prepared
    hashes = [h.replace("ni:///", f"ni://{round_}/", 1) for h in prepared.hashes]
    return dataclasses.replace(prepared, hashes=hashes)


def main() -> None:
    """Prepare once, then store round after round into one hub and print CPU µs per event."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000, help="events per document")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of new events")
    parser.add_argument("--smoke", action="store_true", help="4 documents of 1,000 events (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.events, args.batch = 4_000, 1_000
    packs = _packs(args.events, args.batch)
    with tempfile.TemporaryDirectory(prefix="trace_store_") as work:
        engine = create_engine_for(f"duckdb:///{Path(work) / 'hub.duckdb'}", must_exist=False)
        do_upgrade(engine=engine)
        for at, round_ in enumerate([*range(args.rounds), 0]):
            events = stored = 0
            start = time.process_time()
            with engine.begin() as conn, collector_paused():
                for pack in packs:
                    capture = do_store_capture(conn=conn, prepared=_round(pack, round_),
                                               partner_id="bench", publish=False,
                                               subscriptions=[])  # fmt: skip
                    events += capture.event_count
                    stored += capture.stored_count
                stored_at = time.process_time()
            done = time.process_time()
            print(
                f"round {at} ({'duplicates' if at == args.rounds else 'new'}): {events:,} events,"
                f" {stored:,} new; CPU µs/event: store"
                f" {(stored_at - start) / events * 1e6:5.2f}, commit"
                f" {(done - stored_at) / events * 1e6:5.2f}, both"
                f" {(done - start) / events * 1e6:5.2f}",
                flush=True,
            )
        engine.dispose()


if __name__ == "__main__":
    main()
