"""POST /epcis/capture of a large document, prepared in the hub's capture worker processes, on
both backends: it stores what a capture in the server process stores and answers alike (the
job, a duplicate, a 400 naming every problem in the caller's language), other requests, writes
too, are answered while it is prepared, and a worker that dies costs the capture nothing."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from chainhub.access.models import audit_log
from chainhub.api.processes import ProcessPool
from chainhub.trace.prepare import prepared_capture
from chainhub.trace.schemas import ProblemRead
from chainhub.trace.service import do_capture
from chainhub.trace.validation import DocumentInvalidError
from chainhub.trace.xml_binding import parse_xml
from tests.api.hub import JINLI, TAIHE, Hub, running_hub
from tests.trace.test_bulk import _document, _event, _rows, _xml

# Events of a document of more than a megabyte: prepared in a worker, not in the server.
LARGE = 2_800
XML = "application/xml"


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    """A seeded hub with one capture worker process."""
    with running_hub(database_url, capture_workers=1) as seeded:
        yield seeded


def _large(first: int) -> bytes:
    body = json.dumps(_document([_event(i) for i in range(first, first + LARGE)])).encode()
    assert len(body) > 1_000_000
    return body


def _post(hub: Hub, body: bytes, media: str = "application/json", lang: str = "en") -> Any:
    headers = {**hub.headers(TAIHE, lang), "Content-Type": media}
    return hub.client.post("/epcis/capture", content=body, headers=headers)


def _preparers(hub: Hub) -> ProcessPool:
    pool: ProcessPool = hub.client.app.state.runtime.preparers  # type: ignore[attr-defined]
    return pool


@contextmanager
def _gated(hub: Hub, folder: Path) -> Iterator[tuple[Callable[[], None], threading.Event]]:
    """The hub's one capture worker held by a job that reads a FIFO, until the `open` given is
    called (or the block ends); the event is set once a capture has handed its job over."""
    gate = folder / "gate"
    os.mkfifo(gate)
    pool = _preparers(hub)
    held = pool.submit(gate.read_bytes)
    assert held is not None
    handed = threading.Event()
    submit = pool.submit

    def noted(job: Any, /, *args: Any) -> Any:
        future = submit(job, *args)
        handed.set()
        return future

    def release() -> None:
        # The worker opens the FIFO only once it starts the job, later on a busy machine: until
        # then no writer can open it, and one that gave up would leave the worker waiting for
        # good (and the hub's shutdown with it). Done once the job is over (read, or its worker
        # killed).
        deadline = time.monotonic() + 60
        while not held.done() and time.monotonic() < deadline:
            try:
                writer = os.open(gate, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader yet
                time.sleep(0.01)
                continue
            os.close(writer)
            return

    pool.submit = noted  # type: ignore[method-assign]
    try:
        yield release, handed
    finally:
        release()
        del pool.submit


def test_a_large_capture_prepared_in_a_worker_stores_what_one_here_stores(hub: Hub) -> None:
    body = _large(0)
    twin = _xml([_event(i) for i in range(LARGE - 400, 2 * LARGE)])
    assert len(twin) > 1_000_000
    # What the server process's own capture stores (rolled back): the expected rows.
    with hub.engine.connect() as conn:
        here = do_capture(conn=conn, document=json.loads(body), partner_id=TAIHE)
        again = do_capture(conn=conn, document=parse_xml(twin), partner_id=TAIHE, xml=twin)
        expected = _rows(conn)
        conn.rollback()
    assert (here.stored_count, again.stored_count) == (LARGE, LARGE)
    answers = [_post(hub, body), _post(hub, twin, XML), _post(hub, body)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    jobs = [a.json() for a in answers]
    assert [(j["eventCount"], j["storedCount"], j["success"]) for j in jobs] == [
        (LARGE, LARGE, True), (LARGE + 400, LARGE, True), (LARGE, 0, True)]  # fmt: skip
    for answer, job in zip(answers, jobs, strict=True):
        assert answer.headers["location"] == f"/epcis/capture/{job['captureID']}"
        assert answer.headers["gs1-epcis-version"] == "2.0.0"
        assert hub.get(TAIHE, answer.headers["location"]).json() == job
    with hub.engine.connect() as conn:
        assert _rows(conn) == expected
        audited = conn.execute(
            sa.select(audit_log.c.outcome, audit_log.c.target)
            .where(audit_log.c.action == "epcis.capture").order_by(audit_log.c.seq)
        ).all()  # fmt: skip
    assert [(outcome, json.loads(target)["stored"]) for outcome, target in audited] == [
        ("stored", LARGE), ("stored", LARGE), ("duplicate", 0)]  # fmt: skip


def test_a_large_invalid_document_is_a_400_naming_each_problem_in_the_callers_language(
    hub: Hub,
) -> None:
    events = [_event(i) for i in range(40)]
    events[3]["eventTime"] = "2026-03-05T10:00:00"  # no offset
    events[30]["action"] = "JUMP"
    document = _document(events)
    with pytest.raises(DocumentInvalidError) as raised:
        prepared_capture(document=document, xml=None, partner_id=TAIHE, capture_id="c",
                         received_at=datetime.now(UTC))  # fmt: skip
    # Large by its white space: a worker prepares it.
    body = json.dumps(document).encode() + b" " * 1_100_000
    for lang in ("en", "zh"):
        answer = _post(hub, body, lang=lang)
        assert answer.status_code == 400, answer.text
        got = answer.json()
        assert got["error"]["code"] == "epcis_invalid"
        assert got["error"]["message"] == raised.value.message(lang)
        assert got["problems"] == [
            ProblemRead(**p.as_dict(lang)).model_dump(mode="json") for p in raised.value.problems
        ]
        assert {(p["event"], p["field"]) for p in got["problems"]} >= {
            (3, "eventTime"), (30, "action")}  # fmt: skip
    broken = _post(hub, b'{"type": "EPCISDocument", ' + b" " * 1_100_000)
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "epcis_malformed"
    assert broken.json()["error"]["location"] == {"field": "body"}
    assert hub.get(TAIHE, "/epcis/capture").json() == []


def test_other_requests_are_answered_while_a_large_capture_is_prepared(
    hub: Hub, tmp_path: Path
) -> None:
    body = _large(0)
    small = _document([_event(LARGE)])
    with ThreadPoolExecutor(max_workers=2) as threads, _gated(hub, tmp_path) as (release, handed):
        capture: Future[httpx.Response] = threads.submit(_post, hub, body)
        # The capture's preparation waits behind the held worker: until the gate opens, the
        # capture cannot be answered, whatever the timing.
        assert handed.wait(timeout=60)
        others = [threads.submit(hub.get, TAIHE, path) for path in
                  ("/epcis/events", "/epcis/capture", "/epcis/eventTypes")]  # fmt: skip
        # A write too: the capture takes its turn to write (DuckDB's write lock) only once
        # it is prepared.
        others.append(threads.submit(hub.post, JINLI, "/epcis/capture", json=small))
        answered = [other.result(timeout=60) for other in others]
        assert [a.status_code for a in answered] == [200, 200, 200, 202]
        assert answered[0].json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
        assert answered[3].json()["storedCount"] == 1
        assert not capture.done()
        release()
        stored = capture.result(timeout=120)
    assert stored.status_code == 202, stored.text
    assert stored.json()["storedCount"] == LARGE


def test_a_capture_whose_worker_dies_is_prepared_here(hub: Hub, tmp_path: Path) -> None:
    pool = _preparers(hub)
    first = pool.submit(os.getpid)
    assert first is not None
    worker = first.result(timeout=60)
    with ThreadPoolExecutor(max_workers=1) as threads, _gated(hub, tmp_path) as (_, handed):
        capture = threads.submit(_post, hub, _large(0))
        assert handed.wait(timeout=60)
        os.kill(worker, signal.SIGKILL)
        answer = capture.result(timeout=120)
    assert answer.status_code == 202, answer.text
    assert answer.json()["storedCount"] == LARGE
    # The next large capture has a new worker.
    assert _post(hub, _large(LARGE)).json()["storedCount"] == LARGE
    again = pool.submit(os.getpid)
    assert again is not None and again.result(timeout=60) != worker


def test_no_worker_prepares_the_body_of_a_caller_who_may_not_capture(
    hub: Hub, tmp_path: Path
) -> None:
    body = _large(0)
    media = {"Content-Type": "application/json"}
    callers = {
        "stranger": {**media, "Authorization": "Bearer chk_0123456789abcdef_nope"},
        "reader": {**media, **hub.headers("jinli-analyst")},
        "text": {**hub.headers(TAIHE), "Content-Type": "text/plain"},
    }
    with ThreadPoolExecutor(max_workers=3) as threads, _gated(hub, tmp_path) as (_, handed):
        # Answered while the only worker is held: none of them waits for a worker.
        answers = {
            who: threads.submit(hub.client.post, "/epcis/capture", content=body, headers=headers)
            for who, headers in callers.items()
        }
        codes = {who: answer.result(timeout=60).status_code for who, answer in answers.items()}
        assert not handed.is_set()
    assert codes == {"stranger": 401, "reader": 403, "text": 415}
