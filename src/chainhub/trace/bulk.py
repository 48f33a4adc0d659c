"""Bulk import of EPCIS documents as one partner, on every core.

Each document is captured as `do_capture` captures one, through the same two halves: worker
processes prepare documents ahead (`prepare.prepared_capture`: read, checks, hash IDs, rows,
the party rows from the directory's site owners read once) and hand them back as Arrow IPC
buffers, while this process stores them in order (`service.do_store_capture`: duplicates, bulk
insert, job, audit, announcements). Each document is stored whole or not at all; a refused one
(unreadable, malformed or invalid) is reported by name with its located problems, and the
others are stored, unless the import is all or nothing.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_log_audit
from chainhub.errors import ChainhubError
from chainhub.partners.webhooks import list_live_subscriptions
from chainhub.trace.parties import list_site_owners
from chainhub.trace.prepare import (
    Format,
    Packed,
    Prepared,
    ReadBody,
    capture_document,
    collector_paused,
    packed,
    parsed_document,
    prepared_capture,
    unpacked,
)
from chainhub.trace.service import Capture, do_store_capture
from chainhub.trace.validation import DocumentInvalidError, Problem

SourceFormat = Literal["json", "xml", "auto"]
_AHEAD: Final = 2  # documents prepared ahead per worker: enough to keep each busy
# Bytes of documents from which an import starts worker processes (about 2,000 events), and
# about what an event takes in a document.
_WORKERS_FROM: Final = 1_000_000
_EVENT_BYTES: Final = 500
_BROKEN: Final[set[bool]] = set()  # {True} once a worker process has failed


@dataclass(frozen=True)
class ImportSource:
    """One document to import, named for the report: a file, a body, or a parsed JSON document;
    its format from the file's suffix or its first character, unless given."""

    name: str
    body: Path | bytes | Mapping[str, Any]
    format: SourceFormat = "auto"


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one document: its capture, or why it was refused."""

    name: str
    capture: Capture | None = None
    error: ChainhubError | None = None


@dataclass(frozen=True)
class ImportReport:
    """Every document's outcome, in the order given."""

    outcomes: tuple[ImportOutcome, ...]

    @property
    def rejected(self) -> tuple[ImportOutcome, ...]:
        """The documents refused."""
        return tuple(o for o in self.outcomes if o.error is not None)

    @property
    def events(self) -> int:
        """Events of the documents captured."""
        return sum(o.capture.event_count for o in self.outcomes if o.capture is not None)

    @property
    def stored(self) -> int:
        """Events stored (not stored before)."""
        return sum(o.capture.stored_count for o in self.outcomes if o.capture is not None)


class ImportRejectedError(ChainhubError):
    """An all-or-nothing import with an invalid document: nothing is to be stored."""

    def __init__(self, report: ImportReport) -> None:
        bad = report.rejected
        names = ", ".join(o.name for o in bad[:3]) + (" …" if len(bad) > 3 else "")
        super().__init__(
            "epcis_import_rejected",
            f"{len(bad)} of {len(report.outcomes)} documents are invalid ({names}); "
            "nothing was stored",
            f"{len(report.outcomes)} 个文档中有 {len(bad)} 个无效（{names}）；未存储任何内容",
            {"document": bad[0].name},
            400,
        )
        self.report = report


# ---------------------------------------------------------------- the workers' side

# A document as a worker takes it: its name, how it is given (a file's path, its bytes, or a
# parsed document marshalled) and its format.
_Given = tuple[str, Literal["path", "bytes", "marshal"], bytes, SourceFormat]
# A document refused in a worker: its error's fields and problems, rebuilt in the parent (sent
# as plain values: whether an exception pickles whole depends on how it was raised).
Refused = tuple[str, str, str, dict[str, str | int], int, list[Problem]]


def _format(name: str, body: bytes, given: SourceFormat) -> Format:
    """The format given, else the one the name's suffix says, else the first character's."""
    if given != "auto":
        return given
    suffix = Path(name).suffix.lower()
    if suffix in (".xml", ".json", ".jsonld"):
        return "xml" if suffix == ".xml" else "json"
    return "xml" if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" else "json"


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ChainhubError(
            "file_unreadable",
            f"cannot read {name}: {exc.strerror}",
            f"无法读取 {name}：{exc.strerror}",
            {"document": name},
        ) from exc


@dataclass(frozen=True)
class _Import:
    """What every document of an import is prepared with: its partner, when it was received
    and the owners of every directory site (None: the party rows are left to the store)."""

    partner_id: str
    received_at: datetime
    owners: dict[str, str] | None


def _prepared(source: ImportSource, job: _Import, capture_id: str, *, aside: bool) -> Prepared:
    """A source read, checked and turned into rows (raising the error that refuses it)."""
    body = source.body
    if isinstance(body, Mapping):
        read = ReadBody(capture_document(body))
    else:
        text = _read(body, source.name) if isinstance(body, Path) else body
        read = parsed_document(text, _format(source.name, text, source.format))
    return prepared_capture(
        document=read.document,
        xml=read.xml,
        xml_tree=read.xml_tree,
        parsed=not isinstance(body, Mapping),
        partner_id=job.partner_id,
        capture_id=capture_id,
        received_at=job.received_at,
        owners=job.owners,
        aside=aside,
    )


def _in_worker(given: _Given, job: _Import, capture_id: str) -> Packed | Refused:
    """`_prepared` in a worker process: packed, or the error that refused the document."""
    name, kind, payload, form = given
    body: Path | bytes | Mapping[str, Any] = payload
    if kind == "path":
        body = Path(payload.decode())
    elif kind == "marshal":
        # The bytes are the parent's own marshal.dumps of a parsed document, never a client's.
        body = marshal.loads(payload)  # noqa: S302
    with collector_paused():
        try:
            source = ImportSource(name, body, form)
            return packed(_prepared(source, job, capture_id, aside=False))
        except ChainhubError as error:
            return _refusal(error)


def packed_capture(
    body: bytes, form: Format, partner_id: str, capture_id: str, received_at: datetime
) -> Packed | Refused:
    """A capture request's body prepared in a worker process (the party rows left to the
    store, which reads the site owners): packed, or the error that refused it
    (`prepared_from` tells them apart)."""
    job = _Import(partner_id, received_at, None)
    return _in_worker(("body", "bytes", body, form), job, capture_id)


def prepared_from(result: Packed | Refused) -> Prepared:
    """The prepared capture a worker packed, or else the error that refused it raised."""
    # A packed capture has 4 fields, a refusal 6.
    if len(result) == 4:
        return unpacked(result)
    raise _rebuilt(result)


def _refusal(error: ChainhubError) -> Refused:
    problems = error.problems if isinstance(error, DocumentInvalidError) else []
    return error.code, error.message_en, error.message_zh, error.location, error.status, problems


# ---------------------------------------------------------------- this process's side


@cache
def _pool(workers: int) -> ProcessPoolExecutor:
    # Spawned, not forked: this process runs DuckDB's and Polars' threads, which a fork would
    # copy mid-state. Kept for the process's life, as the hash worker is.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _given(source: ImportSource) -> _Given:
    body = source.body
    if isinstance(body, Mapping):
        # marshal writes JSON's values exactly, several times faster than pickle.
        try:
            return source.name, "marshal", marshal.dumps(dict(body)), source.format
        except ValueError:
            raise ChainhubError(
                "epcis_malformed",
                f"document {source.name} holds values JSON does not have",
                f"文档 {source.name} 含有 JSON 没有的值",
                {"document": source.name},
            ) from None
    if isinstance(body, Path):
        return source.name, "path", str(body).encode(), source.format
    return source.name, "bytes", body, source.format


def _rebuilt(refused: Refused) -> ChainhubError:
    code, en, zh, location, status, problems = refused
    if problems:
        return DocumentInvalidError(problems)
    return ChainhubError(code, en, zh, location, status)


def _size(source: ImportSource) -> int:
    """About how many bytes a source's document is."""
    body = source.body
    if isinstance(body, Mapping):
        events = (body.get("epcisBody") or {}).get("eventList")
        return _EVENT_BYTES * len(events) if isinstance(events, list) else 0
    if isinstance(body, Path):
        try:
            return body.stat().st_size
        except OSError:  # refused when read, by name
            return 0
    return len(body)


def default_workers(sources: Sequence[ImportSource]) -> int:
    """Worker processes for an import: one per core this process may use, up to one per
    document; none for a single document or a small import, for which starting them (a
    second or more of CPU each) costs more than they save."""
    if len(sources) < 2 or sum(_size(s) for s in sources) < _WORKERS_FROM:
        return 0
    return min(len(sources), len(os.sched_getaffinity(0)))


def _outcomes_prepared(
    sources: Sequence[ImportSource], job: _Import, workers: int
) -> Iterator[tuple[ImportSource, Prepared | ChainhubError]]:
    """Each source with its prepared capture or the error that refused it, in order: by
    `workers` processes, each a few documents ahead, or here when there are none."""

    def here(source: ImportSource, capture_id: str) -> Prepared | ChainhubError:
        try:
            return _prepared(source, job, capture_id, aside=True)
        except ChainhubError as error:
            return error

    if workers < 1 or _BROKEN:
        for source in sources:
            yield source, here(source, str(uuid.uuid4()))
        return
    pool = _pool(workers)
    waiting: deque[tuple[ImportSource, str, Future[Packed | Refused]]] = deque()
    given = iter(sources)
    while True:
        while len(waiting) < workers * _AHEAD and (ahead := next(given, None)) is not None:
            capture_id = str(uuid.uuid4())
            future: Future[Packed | Refused] = Future()
            try:
                future = pool.submit(_in_worker, _given(ahead), job, capture_id)
            except ChainhubError as error:
                future.set_result(_refusal(error))
            waiting.append((ahead, capture_id, future))
        if not waiting:
            return
        source, capture_id, future = waiting.popleft()
        try:
            result = future.result()
        except BrokenProcessPool:
            # A worker died (or could not start): this document and the rest are prepared
            # here, from now on.
            _BROKEN.add(True)
            yield source, here(source, capture_id)
            for source, capture_id, _ in waiting:
                yield source, here(source, capture_id)
            for source in given:
                yield source, here(source, str(uuid.uuid4()))
            return
        try:
            outcome: Prepared | ChainhubError = prepared_from(result)
        except ChainhubError as error:
            outcome = error
        yield source, outcome


def do_import_captures(
    *,
    conn: Connection,
    sources: Sequence[ImportSource],
    partner_id: str,
    all_or_nothing: bool = False,
    workers: int | None = None,
    progress: Callable[[ImportOutcome], None] | None = None,
) -> ImportReport:
    """Capture each document as `partner_id`, in order, each whole or not at all; an event
    already stored (before, or by an earlier document) is stored once.

    A refused document (unreadable, malformed or invalid: its error names every problem) is
    audited and reported; the others are stored, or, when `all_or_nothing`, none are: every
    document is still checked, then `ImportRejectedError` carries the report. Documents are
    prepared by `workers` processes (`default_workers`); `progress` hears of each outcome.
    A scripted load: the new events are announced to webhook subscribers only.
    """
    # The directory's sites and the subscriptions are read once, at the start, as a capture
    # reads them at its start: the workers build the party rows from the owners.
    job = _Import(partner_id, datetime.now(UTC), list_site_owners(conn=conn))
    subscriptions = list_live_subscriptions(conn=conn)
    count = default_workers(sources) if workers is None else workers
    outcomes: list[ImportOutcome] = []
    refused = False
    with collector_paused():
        for source, result in _outcomes_prepared(sources, job, count):
            if isinstance(result, ChainhubError):
                refused = True
                outcome = ImportOutcome(source.name, error=result)
                problems = len(result.problems) if isinstance(result, DocumentInvalidError) else 1
                do_log_audit(conn=conn, record=AuditRecord(
                    action="epcis.capture", status=result.status, outcome=result.code,
                    partner_id=partner_id,
                    target={"document": source.name, "problems": problems}))  # fmt: skip
            elif refused and all_or_nothing:
                outcome = ImportOutcome(source.name)  # checked, and not to be stored
            else:
                capture = do_store_capture(conn=conn, prepared=result, partner_id=partner_id,
                                           publish=False, subscriptions=subscriptions)  # fmt: skip
                outcome = ImportOutcome(source.name, capture=capture)
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    report = ImportReport(tuple(outcomes))
    if refused and all_or_nothing:
        raise ImportRejectedError(report)
    return report
