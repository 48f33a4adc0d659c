"""Storing submissions append-only with provenance, and reading current documents and history."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np
import polars as pl
import sqlalchemy as sa

from chainhub.errors import ChainhubError
from chainhub.standard.registry import DOCUMENT_TYPES, get_document_type
from chainhub.storage.engine import get_driver_connection
from chainhub.storage.models import (
    CURRENT_FLAG,
    KEY_SEPARATOR,
    LIST_SEPARATOR,
    current_view,
    doc_table,
    polars_type,
    record_field_defaults,
    submissions,
)
from chainhub.storage.schemas import StoreResult, SubmissionRead

STATUS_STORED: Final = "stored"
# The one type whose events depend on a field: a failed inspection raises an alert.
INSPECTION: Final = "quality_inspection"
_COPY_CHUNK_ROWS: Final = 50_000
# Bound parameters of one look-up stay well under every driver's limit.
_KEYS_PER_QUERY: Final = 5_000
# A batch writes what it holds once it holds this many document rows, bounding its memory.
_BATCH_ROWS: Final = 200_000
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# The system columns a stored submission's rows share (set when it is stored).
_SUBMISSION_COLUMNS: Final = frozenset(
    ("_submission_id", "_submitted_by", "_received_at", "_standard_version", "_source_file")
)


@dataclass
class StoreBatch:
    """Submissions stored in one transaction whose rows are written together: one bulk insert
    per document table and per table of other rows (`add_rows`: the attempt log) for many
    files, rather than a few statements per file. Their versions, current flags and the
    stored versions they supersede are settled when the batch is written, for all of a
    table's pending files at once, as storing them one by one would have settled them.

    Precondition: nothing reads the pending rows before `flush` but through
    `list_latest_rows` (a new version's predecessors); the caller flushes before reading what
    else they may change, and nothing else writes the batch's document tables in its
    transaction.
    """

    # Per document table, its pending files' rows (record columns and `_doc_key`, typed as
    # the table's) and their system columns, in the order given.
    documents: dict[str, list[pl.DataFrame]] = field(default_factory=dict)
    systems: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    # How many documents each pending file holds: more in all than the pending keys when
    # a document is in two of the files.
    file_keys: dict[str, list[int]] = field(default_factory=dict)
    # Each pending document key, with the index of the last of its type's frames holding it
    # (whose highest revision of it is the newest: a later frame's versions follow it).
    keys: dict[str, dict[str, int]] = field(default_factory=dict)
    # Every document key the batch has written, and whether each document table held any row
    # when the batch first read it.
    written: dict[str, set[str]] = field(default_factory=dict)
    held_rows: dict[str, bool] = field(default_factory=dict)
    # Other tables' rows, written after the documents in the order first added.
    rows: dict[sa.Table, list[dict[str, Any]]] = field(default_factory=dict)
    pending_rows: int = 0

    def add_rows(self, table: sa.Table, rows: Iterable[Mapping[str, Any]]) -> None:
        """Rows of `table` to insert with the batch."""
        added = [dict(r) for r in rows]
        if added:
            self.rows.setdefault(table, []).extend(added)

    def add_documents(
        self,
        *,
        conn: sa.Connection,
        document_type: str,
        frame: pl.DataFrame,
        system: Mapping[str, object],
        keys: list[str],
    ) -> None:
        """A submission's document rows (record columns and `_doc_key`, typed as its table's),
        its `system` columns but the version and flag, and its document `keys` (each once)."""
        frames = self.documents.setdefault(document_type, [])
        frames.append(frame)
        self.systems.setdefault(document_type, []).append(dict(system))
        self.file_keys.setdefault(document_type, []).append(len(keys))
        self.keys.setdefault(document_type, {}).update(dict.fromkeys(keys, len(frames) - 1))
        self.pending_rows += frame.height
        if self.pending_rows >= _BATCH_ROWS:
            self.flush(conn=conn)

    def _may_be_written(
        self, *, conn: sa.Connection, document_type: str, keys: Collection[str]
    ) -> bool:
        """Whether a version of any of `keys` may be in the table: none can be when it held no
        row as the batch first read it and the batch has written none of them since."""
        return self._held(conn=conn, document_type=document_type) or not self.written.get(
            document_type, set()
        ).isdisjoint(keys)

    def _held(self, *, conn: sa.Connection, document_type: str) -> bool:
        """Whether the table held a row when the batch first read it."""
        if document_type not in self.held_rows:
            table = doc_table(document_type)
            first = conn.execute(sa.select(table.c._doc_key).limit(1)).first()
            self.held_rows[document_type] = first is not None
        return self.held_rows[document_type]

    def list_latest_rows(
        self, *, conn: sa.Connection, document_type: str, keys: list[str], columns: list[str]
    ) -> pl.DataFrame:
        """`list_latest_rows` in the batch's transaction, without writing what is pending and
        without `_doc_version` (the batch numbers the versions when it writes them): the
        current version of a document pending in the batch is read from its rows, the others
        from the table (when it may hold them)."""
        # Set operations: most keys are in neither the batch nor the table.
        pending = self.keys.get(document_type, {})
        in_batch = pending.keys() & keys
        written = [k for k in keys if k not in in_batch] if in_batch else keys
        parts = []
        if written and self._may_be_written(conn=conn, document_type=document_type, keys=written):
            found = list_latest_rows(
                conn=conn, document_type=document_type, keys=written, columns=columns
            )
            parts.append(found.drop("_doc_version"))
        by_frame: dict[int, list[str]] = {}
        for key in keys if in_batch else ():
            if key in in_batch:
                by_frame.setdefault(pending[key], []).append(key)
        named = list(dict.fromkeys(("_doc_key", *columns)))
        if not by_frame:
            # Mostly new documents: nothing read, no frame but an empty one.
            return parts[0] if parts else pl.DataFrame(schema=dict.fromkeys(named, pl.String))
        frames = [self.documents[document_type][index] for index in by_frame]
        # Each key from its last frame only: its newest revision there is its newest version.
        # One query over the frames put together (a filter per frame costs ~60 us to plan,
        # and a document revised in many files of a load is read from many frames).
        at = np.arange(len(frames), dtype=np.int32)
        wanted = pl.DataFrame(
            {
                "_doc_key": [key for of in by_frame.values() for key in of],
                "_frame": np.repeat(at, [len(of) for of in by_frame.values()]),
            }
        )
        held = (
            pl.concat(frames)
            .with_columns(_frame=np.repeat(at, [frame.height for frame in frames]))
            .lazy()
            .join(wanted.lazy(), on=["_doc_key", "_frame"], how="semi")
        )
        step = _revision_step(document_type, "_doc_key")
        newest = held.filter(step == step.max().over("_doc_key"))
        rows = newest.select(pl.col(c).cast(pl.String) for c in named)
        return pl.concat([*parts, rows.collect()])

    def flush(self, *, conn: sa.Connection) -> None:
        """Write every pending row, in the caller's transaction."""
        for document_type in self.documents:
            table = doc_table(document_type)
            frame, superseded = self._numbered(conn=conn, document_type=document_type)
            do_supersede(conn=conn, table=table, keys=superseded)
            do_bulk_insert(conn=conn, table=table, frame=frame)
            self.written.setdefault(document_type, set()).update(self.keys[document_type])
        for table, rows in self.rows.items():
            schema = {c.name: polars_type(c.type) for c in table.columns}
            frame = pl.DataFrame(rows, schema=schema, orient="row")
            do_bulk_insert(conn=conn, table=table, frame=frame)
        self.documents.clear()
        self.systems.clear()
        self.file_keys.clear()
        self.keys.clear()
        self.rows.clear()
        self.pending_rows = 0

    def _numbered(
        self, *, conn: sa.Connection, document_type: str
    ) -> tuple[pl.DataFrame, list[str]]:
        """A table's pending rows as its columns, versioned and flagged as storing their files
        one by one would (each file's revisions of a document follow the highest version
        stored or sent before it; the highest of all is current), and the stored documents
        they supersede."""
        table = doc_table(document_type)
        frames = self.documents[document_type]
        schema = {name: polars_type(table.c[name].type) for name in self.systems[document_type][0]}
        heights = [frame.height for frame in frames]
        files = pl.Series("_file", np.repeat(np.arange(len(frames), dtype=np.int32), heights))
        # Each row's file's system columns, by position.
        system = pl.DataFrame(self.systems[document_type], schema=schema, orient="row").select(
            pl.all().gather(files)
        )
        keys = list(self.keys[document_type])
        if not self._held(conn=conn, document_type=document_type):
            written = self.written.get(document_type, set())
            keys = [k for k in keys if k in written]
        stored = _latest_versions(conn=conn, table=table, keys=keys)
        revised = get_document_type(document_type).revision_field is not None
        step = _revision_step(document_type, "_doc_key", "_file")
        rows = pl.concat([pl.concat(frames), files.to_frame(), system], how="horizontal").lazy()
        rows = rows.with_columns(step.alias("_doc_version"))
        # Most documents of a load come in one file and were never stored: their first
        # version needs neither what files before it nor the table hold.
        repeated = sum(self.file_keys[document_type]) > len(self.keys[document_type])
        if repeated:
            # What each file adds to a document's versions, and what the files before it added.
            spans = (
                rows.group_by("_doc_key", "_file")
                .agg(pl.col("_doc_version").max().alias("_span"))
                .sort("_file")
                .select(
                    "_doc_key",
                    "_file",
                    (pl.col("_span").cum_sum().over("_doc_key") - pl.col("_span")).alias("_before"),
                )
            )
            rows = rows.join(
                spans, on=["_doc_key", "_file"], how="left", maintain_order="left"
            ).with_columns(pl.col("_doc_version") + pl.col("_before"))
        if stored.height:
            rows = rows.join(
                stored.lazy(), on="_doc_key", how="left", maintain_order="left"
            ).with_columns(pl.col("_doc_version") + pl.col("_latest").fill_null(0))
        # One version of each document among the rows: every row is current.
        current = _is_latest() if repeated or revised else pl.lit(True).alias(CURRENT_FLAG)
        frame = (
            rows.with_columns(pl.col("_doc_version").cast(pl.Int32))
            .with_columns(current)
            .select(table.columns.keys())
            .collect()
        )
        return frame, stored.get_column("_doc_key").to_list()


def get_document_rows(*, document_type: str, records: pl.DataFrame) -> pl.DataFrame:
    """`records` as their table's record columns, typed as its, with each row's `_doc_key`
    (the standard's key fields joined): what `do_store_submission` stores of them."""
    columns = _record_columns(document_type, tuple(records.schema.items()), _SUBMISSION_COLUMNS)
    # Column after column: on a file's few hundred rows, spreading its ~20 columns over
    # Polars' threads costs more CPU than it saves (goods receipt 153 -> 72 us).
    return records.select_seq(columns)


def do_store_submission(
    *,
    conn: sa.Connection,
    document_type: str,
    records: pl.DataFrame,
    submitted_by: str,
    source_file: str,
    content_hash: str,
    standard_version: str,
    received_at: datetime,
    latest: pl.DataFrame | None = None,
    batch: StoreBatch | None = None,
    rows: pl.DataFrame | None = None,
) -> StoreResult:
    """Store one submission's records in the caller's transaction, unless its content is known.

    `latest` (`_doc_key`, `_latest`: the highest stored version of each of the records'
    documents already stored), when the caller has read it in this transaction, spares
    reading it again; so does `rows` (`get_document_rows` of `records`) typing them again.
    With a `batch`, the rows are written, versioned and flagged when it flushes (the result
    has no `new_versions` nor `versions` then: read them from the table once written), and
    the caller has looked up the content in this transaction (see
    `list_submissions_by_content`).
    """
    # Precondition: `records` holds record-field columns typed as the standard says, plus
    # `_source_row`; absent optional columns get the field's default or NULL. Two concurrent
    # stores of the same content cannot both succeed: the unique key refuses the second.
    if batch is None:
        existing = conn.execute(
            sa.select(submissions.c.submission_id).where(
                submissions.c.partner_id == submitted_by,
                submissions.c.document_type == document_type,
                submissions.c.content_hash == content_hash,
            )
        ).scalar_one_or_none()
        if existing is not None:
            return StoreResult(
                submission_id=None, rows=0, documents=0, new_versions=0, duplicate_of=existing
            )

    submission_id = str(uuid.uuid4())
    system = {
        "_submission_id": submission_id,
        "_submitted_by": submitted_by,
        "_received_at": received_at,
        "_standard_version": standard_version,
        "_source_file": source_file,
    }
    submission = {
        "submission_id": submission_id,
        "partner_id": submitted_by,
        "document_type": document_type,
        "content_hash": content_hash,
        "source_file": source_file,
        "received_at": received_at,
        "standard_version": standard_version,
        "status": STATUS_STORED,
    }
    if batch is not None:
        typed = (
            rows
            if rows is not None
            else get_document_rows(document_type=document_type, records=records)
        )
        # In Python: a Polars `unique` costs a fixed ~50 us, more than a file's few keys.
        keys = list(dict.fromkeys(typed.get_column("_doc_key").to_list()))
        batch.add_rows(
            submissions, [{**submission, "row_count": typed.height, "document_count": len(keys)}]
        )
        batch.add_documents(
            conn=conn, document_type=document_type, frame=typed, system=system, keys=keys
        )
        return StoreResult(
            submission_id=submission_id, rows=typed.height, documents=len(keys), new_versions=None
        )
    table = doc_table(document_type)
    lazy = _to_table_frame(
        records, table=table, document_type=document_type, system=system, rows=rows
    )
    if latest is None:
        wanted = lazy.select(pl.col("_doc_key").unique()).collect().to_series().to_list()
        latest = _latest_versions(conn=conn, table=table, keys=wanted)
    # New documents only need no join to number their versions.
    stored = latest.height > 0
    if stored:
        lazy = lazy.join(latest.lazy(), on="_doc_key", how="left")
    before = pl.col("_latest").fill_null(0) if stored else pl.lit(0)
    step = _revision_step(document_type, "_doc_key")
    frame = (
        lazy.with_columns((before + step).cast(pl.Int32).alias("_doc_version"))
        .with_columns(_is_latest())
        .select(table.columns.keys())
        .collect()
    )
    documents = frame.get_column("_doc_key").n_unique()
    conn.execute(
        sa.insert(submissions).values(
            **submission, row_count=frame.height, document_count=documents
        )
    )
    # `latest` holds only documents among the records': exactly those the rows supersede.
    do_supersede(conn=conn, table=table, keys=latest.get_column("_doc_key"))
    do_bulk_insert(conn=conn, table=table, frame=frame)
    return StoreResult(
        submission_id=submission_id,
        rows=frame.height,
        documents=documents,
        new_versions=latest.height,
        # One row per stored row: the reader that wants them keeps each once.
        versions=frame.select(
            "_doc_key", "_doc_version", *(["result"] if document_type == INSPECTION else [])
        ),
    )


def list_submissions(
    *,
    conn: sa.Connection,
    partner_id: str | None = None,
    document_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[SubmissionRead]:
    """Submissions, newest first, optionally of one partner and one document type, received
    from `since` and before `until`."""
    query = sa.select(submissions).order_by(
        submissions.c.received_at.desc(), submissions.c.submission_id
    )
    if since is not None:
        query = query.where(submissions.c.received_at >= since)
    if until is not None:
        query = query.where(submissions.c.received_at < until)
    if partner_id is not None:
        query = query.where(submissions.c.partner_id == partner_id)
    if document_type is not None:
        query = query.where(submissions.c.document_type == document_type)
    return [SubmissionRead.model_validate(row) for row in conn.execute(query).mappings()]


def find_submission(
    *, conn: sa.Connection, partner_id: str, document_type: str, content_hash: str
) -> SubmissionRead | None:
    """The submission of this partner and type with this content, if one was stored."""
    row = (
        conn.execute(
            sa.select(submissions).where(
                submissions.c.partner_id == partner_id,
                submissions.c.document_type == document_type,
                submissions.c.content_hash == content_hash,
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else SubmissionRead.model_validate(row)


ContentKey = tuple[str, str, str]
"""(partner, document type, content hash): what makes a submission a duplicate."""


def list_submissions_by_content(
    *, conn: sa.Connection, keys: Collection[ContentKey]
) -> dict[ContentKey, SubmissionRead]:
    """The stored submissions among `keys`, in one query per few thousand keys."""
    found: dict[ContentKey, SubmissionRead] = {}
    wanted = list(dict.fromkeys(keys))
    by_content = sa.tuple_(
        submissions.c.partner_id, submissions.c.document_type, submissions.c.content_hash
    )
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        rows = conn.execute(
            sa.select(submissions).where(by_content.in_(wanted[start : start + _KEYS_PER_QUERY]))
        ).mappings()
        for row in rows:
            read = SubmissionRead.model_validate(row)
            found[(read.partner_id, read.document_type, read.content_hash)] = read
    return found


def count_documents(*, conn: sa.Connection) -> dict[str, tuple[int, int]]:
    """Rows and documents per document type, counting current versions only."""
    query = sa.union_all(
        *(
            sa.select(
                sa.literal(name).label("document_type"),
                sa.func.count().label("rows"),
                sa.func.count(sa.distinct(view.c._doc_key)).label("documents"),
            ).select_from(view)
            for name in DOCUMENT_TYPES
            for view in (current_view(name),)
        )
    )
    return {row.document_type: (row.rows, row.documents) for row in conn.execute(query)}


def list_current_records(
    *,
    conn: sa.Connection,
    document_type: str,
    filters: Mapping[str, object] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> pl.DataFrame:
    """One page of current records of a type, equal to `filters` (None matches NULL)."""
    view = current_view(document_type)
    query = (
        sa.select(view).order_by(view.c._doc_key, view.c._source_row).limit(limit).offset(offset)
    )
    for name, value in (filters or {}).items():
        if name not in view.c:
            raise ChainhubError(
                "unknown_field",
                f"{document_type} has no field {name!r}",
                f"{document_type} 没有字段 {name!r}",
                {"document_type": document_type, "field": name},
            )
        column = view.c[name]
        query = query.where(column.is_(None) if value is None else column == value)
    return _frame(conn.execute(query), view)


def get_document_history(*, conn: sa.Connection, document_type: str, doc_key: str) -> pl.DataFrame:
    """Every stored version of one document, oldest first."""
    table = doc_table(document_type)
    query = (
        sa.select(table)
        .where(table.c._doc_key == doc_key)
        .order_by(table.c._doc_version, table.c._source_row)
    )
    return _frame(conn.execute(query), table)


def _to_table_frame(
    records: pl.DataFrame,
    *,
    table: sa.Table,
    document_type: str,
    system: Mapping[str, object],
    rows: pl.DataFrame | None,
) -> pl.LazyFrame:
    """Records cast to the table's column types (or their `rows` so cast), with system columns
    and the document key (lazy: the caller adds the versions before one collect)."""
    constants = [
        _constant(value, polars_type(table.c[name].type)).alias(name)
        for name, value in system.items()
    ]
    if rows is not None:
        return rows.lazy().with_columns(constants)
    schema = tuple(records.schema.items())
    return records.lazy().select(
        *_record_columns(document_type, schema, frozenset(system)), *constants
    )


@functools.lru_cache(maxsize=256)
def _record_columns(
    document_type: str, schema: tuple[tuple[str, pl.DataType], ...], system: frozenset[str]
) -> tuple[pl.Expr, ...]:
    """The expressions casting records of `schema` to the table's record columns, with the
    document key: built once per document type and schema, the same for every file."""
    table = doc_table(document_type)
    types = dict(schema)
    defaults = record_field_defaults(document_type)
    columns: list[pl.Expr] = []
    for column in table.columns:
        if column.name in system or column.name in ("_doc_key", "_doc_version", CURRENT_FLAG):
            continue
        dtype = polars_type(column.type)
        if column.name not in types:
            columns.append(pl.lit(defaults.get(column.name), dtype=dtype).alias(column.name))
        elif isinstance(types[column.name], pl.List):
            columns.append(pl.col(column.name).list.join(LIST_SEPARATOR).alias(column.name))
        else:
            _check_aware(types[column.name], column.name)
            columns.append(pl.col(column.name).cast(dtype))
    key = get_document_type(document_type).key
    columns.append(
        pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=KEY_SEPARATOR).alias(
            "_doc_key"
        )
    )
    return tuple(columns)


def _constant(value: object, dtype: pl.DataType) -> pl.Expr:
    """A constant column; a timestamp by its microseconds since the epoch, since Polars takes
    a third of a millisecond to convert a datetime object (a store's one fixed cost)."""
    if isinstance(value, datetime) and isinstance(dtype, pl.Datetime):
        micros = (value - _EPOCH) // timedelta(microseconds=1)
        return pl.lit(micros, dtype=pl.Int64).cast(dtype)
    return pl.lit(value, dtype=dtype)


def _check_aware(dtype: pl.DataType, name: str) -> None:
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        raise ValueError(f"column {name} holds timestamps without a time zone")


def _revision_step(document_type: str, *over: str) -> pl.Expr:
    """The version a row's revision adds to its document's before it, within `over`: several
    revisions of one document in a submission become successive versions."""
    revision = get_document_type(document_type).revision_field
    if revision is None:
        return pl.lit(1, dtype=pl.Int32)
    return pl.col(revision).rank("dense").over(*over).cast(pl.Int32)


def _is_latest() -> pl.Expr:
    """The current-version flag of rows holding `_doc_key` and `_doc_version`: true on every
    row of each document's highest version among them."""
    latest = pl.col("_doc_version") == pl.col("_doc_version").max().over("_doc_key")
    return latest.alias(CURRENT_FLAG)


def do_supersede(*, conn: sa.Connection, table: sa.Table, keys: Iterable[str]) -> None:
    """Mark the stored rows of documents `keys` as no longer current: a newer version of each
    is about to be written, in the caller's transaction."""
    wanted = list(keys)
    flag = table.c[CURRENT_FLAG]
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        chunk = sa.bindparam(
            "keys", wanted[start : start + _KEYS_PER_QUERY], type_=sa.ARRAY(sa.String())
        )
        conn.execute(
            sa.update(table).where(table.c._doc_key == sa.any_(chunk), flag).values({flag: False})
        )


def _latest_versions(
    *, conn: sa.Connection, table: sa.Table, keys: Collection[str]
) -> pl.DataFrame:
    """The highest stored version of each of `keys` that is already stored."""
    wanted = list(keys)
    found: list[Any] = []
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        chunk = sa.bindparam(
            "keys", wanted[start : start + _KEYS_PER_QUERY], type_=sa.ARRAY(sa.String())
        )
        query = (
            sa.select(table.c._doc_key, sa.func.max(table.c._doc_version).label("_latest"))
            .where(table.c._doc_key == sa.any_(chunk))
            .group_by(table.c._doc_key)
        )
        found.extend(conn.execute(query).all())
    return pl.DataFrame(found, schema={"_doc_key": pl.String, "_latest": pl.Int32}, orient="row")


def list_latest_rows(
    *, conn: sa.Connection, document_type: str, keys: list[str], columns: list[str]
) -> pl.DataFrame:
    """`columns` (as text) and `_doc_version` of the rows of the current version of each of
    `keys` stored, read through the table's key index."""
    table = doc_table(document_type)
    wanted = list(dict.fromkeys(("_doc_key", *columns)))
    if not keys:
        return pl.DataFrame(schema={**dict.fromkeys(wanted, pl.String), "_doc_version": pl.Int32})
    keys_param = sa.bindparam("keys", keys, type_=sa.ARRAY(sa.String()))
    rows = conn.execute(
        sa.select(
            table.c._doc_version, *(sa.cast(table.c[c], sa.String).label(c) for c in wanted)
        ).where(table.c._doc_key == sa.any_(keys_param), table.c[CURRENT_FLAG])
    ).all()
    found = pl.DataFrame(
        rows, schema={"_doc_version": pl.Int32, **dict.fromkeys(wanted, pl.String)}, orient="row"
    )
    return found.select(*wanted, "_doc_version")


def do_refresh_statistics(*, conn: sa.Connection, document_types: Iterable[str]) -> None:
    """Gather PostgreSQL's planner statistics of the document tables of `document_types` and
    of the submissions, in the caller's transaction (DuckDB keeps its own as it writes).

    After a bulk load the autovacuum daemon has not yet seen the rows; planned on estimates of
    empty tables, the reads over the current views nest loops of whole-table scans (a cold
    supplier overview took ten times as long)."""
    if conn.dialect.name != "postgresql":
        return
    tables = [doc_table(name).name for name in sorted(set(document_types))]
    conn.exec_driver_sql(f"ANALYZE {', '.join([submissions.name, *tables])}")


def do_bulk_insert(*, conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    """Insert a frame whose columns are the table's, by Arrow (DuckDB) or COPY (PostgreSQL)."""
    if conn.dialect.name == "duckdb":
        _load_duckdb(conn=conn, table=table, frame=frame, name=f"chainhub_load_{uuid.uuid4().hex}")
    else:
        _load_postgresql(conn=conn, table=table, frame=frame)


def _load_duckdb(*, conn: sa.Connection, table: sa.Table, frame: pl.DataFrame, name: str) -> None:
    """Bulk insert through Arrow, on the raw connection under the caller's transaction."""
    raw = get_driver_connection(conn=conn)
    columns = _column_list(table)
    raw.register(name, frame.to_arrow())
    try:
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {name}")
    finally:
        raw.unregister(name)


def do_bulk_insert_new(*, conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> pl.Series:
    """Insert the rows of a frame whose columns are the table's but those whose primary key is
    stored already, and return the keys of the rows inserted: DuckDB only, one statement whose
    key check (which any insert makes) is the look-up. Precondition: no key is twice in `frame`.
    """
    if conn.dialect.name != "duckdb":
        raise NotImplementedError(f"do_bulk_insert_new is DuckDB's, not {conn.dialect.name}'s")
    (key,) = table.primary_key.columns
    raw = get_driver_connection(conn=conn)
    columns = _column_list(table)
    name = f"chainhub_load_{uuid.uuid4().hex}"
    raw.register(name, frame.to_arrow())
    try:
        # The keys as one Arrow column (a row object per key costs twice as much), from a
        # relation on the raw connection (in the caller's transaction): Arrow from a DB-API
        # cursor copies the rows once more, and DuckDB warns of it on every insert.
        inserted = raw.sql(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {name} "
            f'ON CONFLICT DO NOTHING RETURNING "{key.name}"'
        )
        keys = inserted.to_arrow_table()[key.name]
        return pl.Series(key.name, keys, dtype=polars_type(key.type))
    finally:
        raw.unregister(name)


def _load_postgresql(*, conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    """Bulk insert with COPY, streamed in CSV chunks on the caller's transaction."""
    raw = get_driver_connection(conn=conn)
    sql = f"COPY {table.name} ({_column_list(table)}) FROM STDIN (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        # Polars writes NULL unquoted and empty text as "", which is how COPY CSV tells them apart.
        for chunk in frame.iter_slices(_COPY_CHUNK_ROWS):
            copy.write(chunk.write_csv(include_header=False).encode())


def _column_list(table: sa.Table) -> str:
    return ", ".join(f'"{name}"' for name in table.columns.keys())


def _frame(result: sa.CursorResult[Any], table: sa.TableClause) -> pl.DataFrame:
    schema = {column.name: polars_type(column.type) for column in table.columns}
    return pl.DataFrame(result.all(), schema=schema, orient="row")
