"""The one write path: every document enters the hub through `do_submit`, whoever sends it.

A file is read through its profile and checked; its documents are stored whole or not at all
(or, with `accept_valid`, the valid documents are stored and the others quarantined), once per
content; unknown partner codes are recorded for review; the attempt is logged and audited; the
events of stored documents are queued for webhooks and returned, for the caller to publish
after it commits; the reactions the edge put on the connection (`events.reactions`) run on
what was stored, in the same transaction. Entries (API batches and uploads, CLI, demo,
master-data decisions) differ only in how they build the `Submitter`.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.audit import AuditRecord, do_log_audit
from chainhub.access.tokens import get_chain_leader_flag
from chainhub.api.sandbox import Sandbox
from chainhub.errors import ChainhubError
from chainhub.events.reactions import do_react
from chainhub.events.schemas import HubEvent
from chainhub.intake.attempts import Attempt, IngestResult
from chainhub.intake.checking import (
    PathToCheck,
    check_path,
    check_path_within,
    check_paths,
    read_columns,
    run_within,
)
from chainhub.intake.formats import check_file_format
from chainhub.intake.quarantine import do_quarantine, split_by_document
from chainhub.intake.readers import SOURCE_ROW, file_hash
from chainhub.intake.schemas import MappingProfile, SourceFormat, standard_profile
from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.intake.validate import ValidationResult
from chainhub.intake.validate.plan import Plan, PlanCache
from chainhub.partners.visibility import (
    check_master_parties,
    check_may_replace,
    check_may_send,
    list_replaced_versions,
    party_rule_applies,
)
from chainhub.partners.webhooks import (
    LiveSubscription,
    do_enqueue_deliveries,
    get_event_kinds,
    list_live_subscriptions,
    list_submission_event_kinds,
    list_submission_events,
)
from chainhub.standard import STANDARD_VERSION
from chainhub.standard.registry import REFERENCES, get_document_type
from chainhub.storage import service as storage
from chainhub.storage.models import current_view, doc_table
from chainhub.storage.schemas import StoreResult, SubmissionRead

# The HTTP status an outcome answers with, recorded in the audit log whatever the entry.
OUTCOME_STATUS: Final = {"stored": 201, "partial": 201, "duplicate": 200, "rejected": 422}
# Rules that hold or fail by what the hub holds (master data, crosswalks) or by who sends (a
# party to each document): the same documents pass once that changes, so a rejection by these
# alone is no invalid request (422): one only by who sends is forbidden (403), as master data of
# another partner is; any other conflicts with the hub's current state (409).
STATE_RULES: Final = frozenset({"unknown_reference", "crosswalk", "not_a_party"})
NOT_A_PARTY_STATUS: Final = 403
STATE_CONFLICT_STATUS: Final = 409


def get_outcome_status(result: IngestResult) -> int:
    """The HTTP status of an ingest's outcome (see STATE_RULES)."""
    validation = result.validation
    if result.status == "rejected" and validation is not None and validation.errors.height:
        rules = set(validation.errors.get_column("rule").unique())
        if rules == {"not_a_party"}:
            return NOT_A_PARTY_STATUS
        if rules <= STATE_RULES:
            return STATE_CONFLICT_STATUS
    return OUTCOME_STATUS[result.status]


CROSSWALK_TYPE: Final = "material_crosswalk"


@dataclass(frozen=True)
class Submitter:
    """Who submits: the partner the documents come from, who acted for it, through which entry."""

    partner_id: str
    chain_leader: bool = False
    user_id: str | None = None
    token_id: str | None = None
    channel: str = "api"


def get_submitter(
    *, conn: Connection, partner_id: str, channel: str, context: IntakeContext | None = None
) -> Submitter:
    """The submitter for an operator's load on a partner's behalf (CLI, demo)."""
    leaders = context.leaders if context is not None else {}
    if partner_id not in leaders:
        leaders[partner_id] = get_chain_leader_flag(conn=conn, partner_id=partner_id)
    return Submitter(partner_id=partner_id, chain_leader=leaders[partner_id], channel=channel)


def get_crosswalk(*, conn: Connection, partner_id: str) -> dict[str, str]:
    """The partner's own material codes mapped to golden codes (current versions)."""
    view = current_view(CROSSWALK_TYPE)
    rows = conn.execute(
        sa.select(view.c.partner_material_code, view.c.material_code).where(
            view.c.partner_id == partner_id
        )
    ).all()
    return dict(rows)


def list_reference_codes(
    *, conn: Connection, kinds: Collection[str] = tuple(REFERENCES)
) -> dict[str, Collection[str]]:
    """Codes of every registered partner, site and material (or of `kinds`), in one query."""
    # Keys never change between versions, so each table answers without the view's window.
    parts = [
        sa.select(sa.literal(kind).label("kind"), doc_table(defining).c[key].label("code"))
        for kind, (defining, key, _fields) in REFERENCES.items()
        if kind in kinds
    ]
    found = pl.DataFrame(
        conn.execute(sa.union(*parts)).all(),
        schema={"kind": pl.String, "code": pl.String},
        orient="row",
    )
    return {
        kind: frozenset(found.filter(pl.col("kind") == kind).get_column("code")) for kind in kinds
    }


@dataclass
class IntakeContext:
    """What the files of one load share, read once: reference codes, partners' crosswalks,
    chain-leader flags, live webhook subscriptions, the checks built from them, and whether
    the load's files were stored before it. Storing a file drops what it may change (master
    data, a crosswalk), so the next file reads that afresh, and records its content. With a
    `batch`, stored rows and the attempt log are written together when the load flushes it
    (master data and crosswalks at once, since the next file reads them).

    Precondition: one context serves one transaction (the load's): what other transactions
    commit meanwhile is not seen. An API request uses a fresh one.
    """

    references: dict[str, Collection[str]] = field(default_factory=dict)
    crosswalks: dict[str, dict[str, str]] = field(default_factory=dict)
    leaders: dict[str, bool] = field(default_factory=dict)
    subscriptions: list[LiveSubscription] | None = None
    # Checks built from the references and crosswalks above, by profile, columns, submitter.
    plans: dict[Hashable, Plan] = field(default_factory=dict)
    # Duplicate look-ups answered ahead for the load's files (None: not stored before).
    contents: dict[storage.ContentKey, SubmissionRead | None] = field(default_factory=dict)
    batch: storage.StoreBatch | None = None
    # Submissions stored through the batch, whose reactions wait for it to be flushed.
    unreacted: list[SubmissionRead] = field(default_factory=list)
    # Content hashes of the load's files, taken as it looks them up (by path).
    hashes: dict[Path, str] = field(default_factory=dict)
    # Checks of files still to be submitted, started ahead (by path, profile, submitter).
    ahead: dict[Hashable, Future[ValidationResult]] = field(default_factory=dict)
    # Whether the caller publishes each result's events to live streams (a load's caller,
    # the CLI, has none): when not, only events a webhook subscription wants are built.
    publish: bool = True

    def expect_contents(self, *, conn: Connection, keys: Collection[storage.ContentKey]) -> None:
        """Look up in one query which of the load's files were stored before it."""
        found = storage.list_submissions_by_content(conn=conn, keys=keys)
        self.contents.update({key: found.get(key) for key in keys})

    def find_submission(
        self, *, conn: Connection, key: storage.ContentKey
    ) -> SubmissionRead | None:
        """The submission stored with this content, if any."""
        if key in self.contents:
            return self.contents[key]
        partner_id, document_type, content_hash = key
        return storage.find_submission(
            conn=conn, partner_id=partner_id, document_type=document_type, content_hash=content_hash
        )

    def get_references(self, *, conn: Connection) -> dict[str, Collection[str]]:
        """Codes of registered partners, sites and materials, read once per kind."""
        missing = [kind for kind in REFERENCES if kind not in self.references]
        if missing:
            self.references.update(list_reference_codes(conn=conn, kinds=missing))
        return self.references

    def get_crosswalk(self, *, conn: Connection, partner_id: str) -> dict[str, str]:
        """The partner's crosswalk, read once."""
        if partner_id not in self.crosswalks:
            self.crosswalks[partner_id] = get_crosswalk(conn=conn, partner_id=partner_id)
        return self.crosswalks[partner_id]

    def get_subscriptions(self, *, conn: Connection) -> list[LiveSubscription]:
        """Live webhook subscriptions (a load does not change them), read once."""
        if self.subscriptions is None:
            self.subscriptions = list_live_subscriptions(conn=conn)
        return self.subscriptions

    def check_ahead(
        self,
        *,
        conn: Connection,
        pool: Executor,
        files: Sequence[tuple[Path, MappingProfile, Submitter]],
    ) -> list[Hashable]:
        """Start checking files `do_submit` is given later on this context, together (see
        `check_paths`), in `pool`, with the crosswalks and codes read now (on `conn`, in this
        thread); the checks' keys, for the caller to drop each once its file is submitted (a
        duplicate is not checked).

        Precondition: nothing stored before those files are submitted changes the checks
        (`changes_checks` is false of every file submitted meanwhile).
        """
        keys: list[Hashable] = []
        wanted: list[PathToCheck] = []
        references = self.get_references(conn=conn)
        for path, profile, submitter in files:
            sent = as_sent(profile, submitter)
            submitted_by = checked_as(sent.document_type, submitter)
            crosswalk = _check_inputs(conn=conn, profile=sent, context=self)[0]
            keys.append((path, sent.model_dump_json(), submitted_by))
            wanted.append(PathToCheck(path, sent, crosswalk, submitted_by))
        futures: list[Future[ValidationResult]] = [Future() for _ in keys]
        self.ahead.update(zip(keys, futures, strict=True))
        pool.submit(_check_into, futures, wanted, references, self.plans)
        return keys

    def take_checked(
        self, *, path: Path, profile: MappingProfile, submitted_by: str | None
    ) -> ValidationResult | None:
        """The check of a file started ahead (`check_ahead`), once it ends, if one was."""
        if not self.ahead:
            return None
        future = self.ahead.pop((path, profile.model_dump_json(), submitted_by), None)
        return None if future is None else future.result()

    def forget_stored(
        self, *, conn: Connection, stored: SubmissionRead, content: storage.ContentKey
    ) -> None:
        """Drop what a stored submission may have changed; remember its content."""
        self.contents[content] = stored
        document_type = stored.document_type
        changes = [kind for kind, (defining, *_) in REFERENCES.items() if defining == document_type]
        if changes_checks(document_type):
            if self.batch is not None:
                self.batch.flush(conn=conn)
            self.plans.clear()
        for kind in changes:
            self.references.pop(kind, None)
        if document_type == CROSSWALK_TYPE:
            self.crosswalks.clear()


def _check_into(
    futures: list[Future[ValidationResult]],
    files: list[PathToCheck],
    references: Mapping[str, Collection[str]] | None,
    plans: PlanCache,
) -> None:
    """`check_paths` of `files`, each outcome set on its future (a failure on every one left,
    so that no caller waits for ever)."""
    try:
        outcomes = check_paths(files=files, references=references, plans=plans)
    except BaseException as error:
        for future in futures:
            future.set_exception(error)
        raise
    for future, outcome in zip(futures, outcomes, strict=True):
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def changes_checks(document_type: str) -> bool:
    """Whether storing a document of this type may change how later files are checked (the
    codes they may name, the crosswalk they are read through)."""
    defining = {defining for defining, *_ in REFERENCES.values()}
    return document_type in defining or document_type == CROSSWALK_TYPE


def as_sent(profile: MappingProfile, submitter: Submitter) -> MappingProfile:
    """The profile a submitter's file is read with: it speaks for the partner that sends it,
    whatever partner it names."""
    return profile.model_copy(update={"partner_id": submitter.partner_id})


def checked_as(document_type: str, submitter: Submitter) -> str | None:
    """The partner every record must name as a party, when the party rule applies."""
    party = party_rule_applies(document_type=document_type, chain_leader=submitter.chain_leader)
    return submitter.partner_id if party else None


def _check_inputs(
    *, conn: Connection | None, profile: MappingProfile, context: IntakeContext
) -> tuple[dict[str, str] | None, Mapping[str, Collection[str]] | None]:
    """The crosswalk (when the profile translates codes) and the registered codes a file is
    checked with, read through `context`."""
    if conn is None:
        return None, None
    needs_crosswalk = any(m.crosswalk for m in profile.fields.values())
    crosswalk = (
        context.get_crosswalk(conn=conn, partner_id=profile.partner_id) if needs_crosswalk else None
    )
    return crosswalk, context.get_references(conn=conn)


def check_file(
    *,
    conn: Connection | None,
    path: Path,
    profile: MappingProfile,
    submitted_by: str | None = None,
    records: bool = True,
    partial: bool = False,
    sandbox: Sandbox | None = None,
    context: IntakeContext | None = None,
) -> ValidationResult:
    """Read and check a file through its profile.

    With a database, partner codes are translated through the crosswalk and references to
    partners, sites and materials must be registered (read through `context` when given).
    Rows of a CSV file that cannot be split into fields are reported among the errors; every
    other row is still checked. A CSV file is checked block by block, so its size is not
    bounded by memory, unless the profile numbers the lines (each document's lines are counted
    over the whole file, read at once); without `records` only the report is kept. With
    `partial` (a check, not a submission), required fields the profile leaves out are listed
    in the result and every other check still runs. With a `sandbox`, the file is read and
    checked in one of its workers, within its time and memory budget.
    """
    context = context if context is not None else IntakeContext()
    if sandbox is None and records and not partial:
        checked = context.take_checked(path=path, profile=profile, submitted_by=submitted_by)
        if checked is not None:
            return checked
    crosswalk, references = _check_inputs(conn=conn, profile=profile, context=context)
    if sandbox is not None:
        return check_path_within(
            sandbox=sandbox,
            path=path,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            name=path.name,
        )
    return check_path(
        path=path,
        profile=profile,
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
        records=records,
        partial=partial,
        plans=context.plans,
    )


def do_submit(
    *,
    conn: Connection,
    path: Path,
    profile: MappingProfile,
    submitter: Submitter,
    accept_valid: bool = False,
    received_at: datetime | None = None,
    source_name: str | None = None,
    sandbox: Sandbox | None = None,
    context: IntakeContext | None = None,
) -> IngestResult:
    """Submit one file of documents; the same content twice is stored once.

    By default a file with any error is rejected whole. With `accept_valid`, documents whose
    rows all pass are stored and the rows of the others are quarantined with their errors; a
    file with a row that cannot be split into fields is still rejected whole, since that
    row's document is unknown. The returned events are queued for webhooks already; publish
    them to live streams after commit. With a `sandbox`, the file is read and checked in one
    of its workers (see `check_file`); it is stored here, in the caller's transaction. A load
    of many files in one transaction passes one `context` to every file, so what they share is
    read once.
    """
    context = context if context is not None else IntakeContext()
    document_type = profile.document_type
    check_may_send(document_type=document_type, chain_leader=submitter.chain_leader)
    profile = as_sent(profile, submitter)
    # Stored in UTC whatever offset the sender's clock gave.
    received_at = (received_at or datetime.now(UTC)).astimezone(UTC)
    attempt = Attempt(
        str(uuid.uuid4()),
        submitter.partner_id,
        document_type,
        source_name or path.name,
        context.hashes.pop(path) if path in context.hashes else file_hash(path),
        received_at,
    )
    result = _store(
        conn=conn,
        path=path,
        profile=profile,
        submitter=submitter,
        attempt=attempt,
        accept_valid=accept_valid,
        sandbox=sandbox,
        context=context,
    )
    if result.status in ("stored", "partial"):
        assert result.submission_id is not None
        stored = SubmissionRead(
            submission_id=result.submission_id,
            partner_id=attempt.partner_id,
            document_type=document_type,
            content_hash=attempt.content_hash,
            source_file=attempt.source_file,
            received_at=attempt.received_at,
            standard_version=STANDARD_VERSION,
            row_count=result.stored_rows,
            document_count=result.documents,
            status=storage.STATUS_STORED,
        )
        context.forget_stored(
            conn=conn,
            stored=stored,
            content=(attempt.partner_id, document_type, attempt.content_hash),
        )
        if context.batch is None:
            result = replace(result, raised=do_react(conn=conn, stored=[stored]))
        else:
            # The reactions read the stored rows, which the load writes when it flushes.
            context.unreacted.append(stored)
    do_log_audit(conn=conn, record=_audit_record(result, attempt, submitter))
    return result


def _store(
    *,
    conn: Connection,
    path: Path,
    profile: MappingProfile,
    submitter: Submitter,
    attempt: Attempt,
    accept_valid: bool,
    sandbox: Sandbox | None,
    context: IntakeContext,
) -> IngestResult:
    existing = context.find_submission(
        conn=conn, key=(attempt.partner_id, attempt.document_type, attempt.content_hash)
    )
    if existing is not None:
        return attempt.log(
            conn,
            "duplicate",
            rows=existing.row_count,
            stored=0,
            documents=existing.document_count,
            submission_id=existing.submission_id,
            result=None,
            batch=context.batch,
        )
    submitted_by = checked_as(attempt.document_type, submitter)
    party = submitted_by is not None
    result = check_file(
        conn=conn,
        path=path,
        profile=profile,
        submitted_by=submitted_by,
        sandbox=sandbox,
        context=context,
    )
    if party and result.errors.height:
        not_party = result.errors.filter(pl.col("rule") == "not_a_party")
        check_master_parties(
            document_type=attempt.document_type,
            partner_id=attempt.partner_id,
            rows=not_party.get_column("row").to_list(),
        )
    _record_unknown_codes(conn=conn, profile=profile, result=result, attempt=attempt)
    if result.errors.height and (not accept_valid or result.malformed_rows):
        return attempt.log(
            conn,
            "rejected",
            rows=result.rows,
            stored=0,
            documents=0,
            submission_id=None,
            result=result,
            batch=context.batch,
        )
    good, bad_rows = split_by_document(result)
    # Typed as stored once, with their document keys, for the rule and for storing.
    rows = storage.get_document_rows(document_type=attempt.document_type, records=good)
    latest = None
    if party:
        # Read once: what the rule compares (pending in the load's batch read from it), and
        # the versions the new ones follow (a batch numbers them as it writes them).
        replaced = list_replaced_versions(
            conn=conn,
            document_type=attempt.document_type,
            keys=rows.get_column("_doc_key"),
            batch=context.batch,
        )
        check_may_replace(
            conn=conn,
            document_type=attempt.document_type,
            partner_id=attempt.partner_id,
            records=good,
            stored=replaced,
        )
        if context.batch is None:
            latest = (
                replaced.group_by("_doc_key").agg(pl.col("_doc_version").max().alias("_latest"))
                if replaced.height
                else pl.DataFrame(schema={"_doc_key": pl.String, "_latest": pl.Int32})
            )
    if bad_rows.height:
        do_quarantine(conn=conn, attempt=attempt, result=result, rows=bad_rows)
    if good.height == 0:
        return attempt.log(
            conn,
            "rejected",
            rows=result.rows,
            stored=0,
            documents=0,
            submission_id=None,
            result=result,
            quarantined=bad_rows.height,
            batch=context.batch,
        )
    stored = storage.do_store_submission(
        conn=conn,
        document_type=attempt.document_type,
        records=good,
        submitted_by=attempt.partner_id,
        source_file=attempt.source_file,
        content_hash=attempt.content_hash,
        standard_version=STANDARD_VERSION,
        received_at=attempt.received_at,
        latest=latest,
        batch=context.batch,
        rows=rows,
    )
    if stored.duplicate_of is not None:
        # Another transaction stored the same content after our check.
        return attempt.log(
            conn,
            "duplicate",
            rows=result.rows,
            stored=0,
            documents=stored.documents,
            submission_id=stored.duplicate_of,
            result=result,
            batch=context.batch,
        )
    logged = attempt.log(
        conn,
        "partial" if bad_rows.height else "stored",
        rows=result.rows,
        stored=stored.rows,
        documents=stored.documents,
        submission_id=stored.submission_id,
        result=result,
        quarantined=bad_rows.height,
        batch=context.batch,
    )
    return replace(
        logged, events=_announce(conn=conn, attempt=attempt, stored=stored, context=context)
    )


def _announce(
    *, conn: Connection, attempt: Attempt, stored: StoreResult, context: IntakeContext
) -> tuple[HubEvent, ...]:
    """The stored submission's events, queued for webhooks (none returned when the caller
    publishes none and no subscription wants them: a load's documents raise one each)."""
    assert stored.submission_id is not None
    subscriptions = context.get_subscriptions(conn=conn)
    if not (subscriptions or context.publish):
        return ()
    may_raise = get_event_kinds(attempt.document_type)
    if not (context.publish or any(may_raise & s.events for s in subscriptions)):
        return ()
    if stored.versions is None and context.batch is not None:
        # The batch numbers the versions as it writes them: they are read from the table.
        context.batch.flush(conn=conn)
    raised = list_submission_event_kinds(
        conn=conn,
        document_type=attempt.document_type,
        submission_id=stored.submission_id,
        versions=stored.versions,
    )
    if raised.height == 0:
        return ()
    kinds = set(raised.get_column("_event").unique())
    wanted = any(kinds & s.events for s in subscriptions)
    if not (wanted or context.publish):
        return ()
    events = list_submission_events(
        conn=conn,
        document_type=attempt.document_type,
        submission_id=stored.submission_id,
        now=attempt.received_at,
        raised=raised,
    )
    if wanted:
        if context.batch is not None:
            # Whether a subscriber may see a document is read from its stored rows.
            context.batch.flush(conn=conn)
        do_enqueue_deliveries(
            conn=conn,
            events=events,
            today=attempt.received_at.date(),
            now=attempt.received_at,
            subscriptions=subscriptions,
        )
    return tuple(events)


def _audit_record(result: IngestResult, attempt: Attempt, submitter: Submitter) -> AuditRecord:
    target: dict[str, Any] = {
        "document_type": result.document_type,
        "source_file": attempt.source_file,
        "content_hash": attempt.content_hash,
        "channel": submitter.channel,
        "attempt_id": result.attempt_id,
        "rows": result.rows,
        "stored_rows": result.stored_rows,
        "quarantined_rows": result.quarantined_rows,
    }
    if result.submission_id is not None:
        target["submission_id"] = result.submission_id
    return AuditRecord(
        action=f"submit {result.document_type}",
        status=get_outcome_status(result),
        outcome=f"submission_{result.status}",
        partner_id=submitter.partner_id,
        user_id=submitter.user_id,
        token_id=submitter.token_id,
        target=target,
    )


def do_submit_records(
    *,
    conn: Connection,
    document_type: str,
    records: Iterable[Mapping[str, str | None]],
    submitter: Submitter,
    accept_valid: bool = False,
    received_at: datetime | None = None,
    source_name: str | None = None,
) -> IngestResult:
    """Submit flat records in the standard's field names, as canonical JSON through `do_submit`.

    The same records twice are stored once: the file's hash is the hash of the canonical body.
    """
    body = json.dumps(
        {"records": list(records)}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    profile = standard_profile(
        partner_id=submitter.partner_id,
        document_type=document_type,
        columns=get_document_type(document_type).record_fields,
        source=SourceFormat(format="json"),
    )
    with tempfile.TemporaryDirectory(prefix="chainhub-records-") as folder:
        path = Path(folder) / f"{submitter.channel}-{document_type}.json"
        path.write_text(body, encoding="utf-8")
        return do_submit(
            conn=conn,
            path=path,
            profile=profile,
            submitter=submitter,
            accept_valid=accept_valid,
            received_at=received_at,
            source_name=source_name,
        )


def get_file_profile(
    *,
    path: Path,
    document_type: str,
    profile: MappingProfile | None,
    partner_id: str,
    sandbox: Sandbox | None = None,
) -> MappingProfile:
    """The profile to read `path` with: the given one, or the standard's flat form by its
    name (its columns read in a worker of the `sandbox`, when given)."""
    get_document_type(document_type)
    if profile is not None:
        if profile.document_type != document_type:
            raise ChainhubError(
                "profile_document_type",
                f"the profile maps {profile.document_type}, not {document_type}",
                f"映射配置对应 {profile.document_type}，而不是 {document_type}",
                {"field": "document_type"},
                422,
            )
        return profile
    source = SourceFormat(format=check_file_format(path))
    columns = (
        read_columns(path=path, source=source)
        if sandbox is None
        else run_within(sandbox, path.name, read_columns, path=path, source=source)
    )
    drafted = standard_profile(
        partner_id=partner_id, document_type=document_type, columns=columns, source=source
    )
    if not drafted.fields:
        raise ChainhubError(
            "profile_needed",
            f"{path.name} does not use the standard's field names; give a mapping profile "
            "(draft one with: chainhub profile suggest)",
            f"{path.name} 的列名不是标准字段名；请提供映射配置"
            "（可用 chainhub profile suggest 生成草稿）",
            {"file": path.name},
            422,
        )
    return drafted


def _record_unknown_codes(
    *, conn: Connection, profile: MappingProfile, result: ValidationResult, attempt: Attempt
) -> None:
    """Partner codes without a crosswalk are never dropped: they wait for review with
    ranked golden suggestions, whatever becomes of the file."""
    if result.errors.height == 0:
        return
    failed = result.errors.filter(pl.col("rule") == "crosswalk").select(
        pl.col("row").alias(SOURCE_ROW),
        pl.col("value").alias("partner_material_code"),
        # The description and unit columns describe the line's material, no other code.
        (pl.col("field") == "material_code").alias("_described"),
    )
    if failed.height == 0:
        return
    extra = {"description": profile.material_description, "unit": _column_of(profile, "unit")}
    source = result.source_of(failed.get_column(SOURCE_ROW).unique())
    context = source.select(
        SOURCE_ROW,
        *(
            (pl.col(column) if column in source.columns else pl.lit(None)).cast(pl.Utf8).alias(name)
            for name, column in extra.items()
        ),
    )
    codes = (
        failed.join(context, on=SOURCE_ROW, how="left")
        .with_columns(
            pl.when(pl.col("_described")).then(pl.col(c)).otherwise(None).alias(c) for c in extra
        )
        .drop(SOURCE_ROW, "_described")
    )
    do_record_unknown_codes(
        conn=conn,
        partner_id=profile.partner_id,
        codes=codes,
        submission_ref=attempt.attempt_id,
        seen_at=attempt.received_at,
    )


def _column_of(profile: MappingProfile, field: str) -> str | None:
    mapping = profile.fields.get(field)
    return mapping.column if mapping else None


def errors_as_records(result: ValidationResult, *, lang: str) -> list[dict[str, object]]:
    """The error report in the standard JSON shape, messages in one language."""
    message = pl.col("message_zh" if lang == "zh" else "message_en").alias("message")
    return result.errors.select("row", "column", "field", "value", "rule", message).to_dicts()
