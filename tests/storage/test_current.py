"""The stored current-version flag: the current views equal each document's highest version, on
DuckDB and PostgreSQL, whatever the order of submissions and resubmissions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainhub.standard.registry import get_document_type
from chainhub.storage import service
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import alembic_config, do_upgrade
from chainhub.storage.models import KEY_SEPARATOR, current_view, doc_table
from chainhub.storage.service import StoreBatch, do_store_submission

from .conftest import make_records

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
# What the views were before the flag: every line of each document's highest version.
GROUPED = (
    "SELECT d.* FROM doc_purchase_order AS d JOIN (SELECT _doc_key, max(_doc_version) AS m "
    "FROM doc_purchase_order GROUP BY _doc_key) AS v "
    "ON d._doc_key = v._doc_key AND d._doc_version = v.m"
)
# A submission: (order, lines, revision) per document revision it holds.
SUBMISSION = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 3), st.integers(0, 2)), min_size=1, max_size=3
)
PoLine = Callable[..., dict[str, Any]]


def _store(
    conn: sa.Connection, po_line: PoLine, submission: list[tuple[int, int, int]], **kwargs: Any
) -> None:
    revisions = {(order, revision): lines for order, lines, revision in submission}
    rows = [
        po_line(f"PO-{order}", line, revision=revision, quantity=Decimal(line + revision))
        for (order, revision), lines in sorted(revisions.items())
        for line in range(1, lines + 1)
    ]
    do_store_submission(
        conn=conn,
        document_type="purchase_order",
        records=make_records("purchase_order", rows),
        submitted_by="haichuan",
        source_file="po.csv",
        content_hash=repr(kwargs.pop("index")),
        standard_version="1.0.0",
        received_at=RECEIVED,
        **kwargs,
    )


def _rows(conn: sa.Connection, query: str) -> list[tuple[Any, ...]]:
    names = ", ".join(current_view("purchase_order").c.keys())
    return sorted(conn.exec_driver_sql(f"SELECT {names} FROM ({query}) AS q").all())


def _both_ways(
    engine: sa.Engine, po_line: PoLine, submissions: list[list[tuple[int, int, int]]], before: int
) -> Iterator[tuple[sa.Connection, StoreBatch]]:
    """The submissions stored one by one, then (the first `before` alone) through a batch, each
    time in a transaction given to the caller and rolled back after."""
    for batched in (False, True):
        with engine.connect() as conn, conn.begin() as transaction:
            batch = StoreBatch()
            for index, submission in enumerate(submissions):
                alone = not batched or index < before
                _store(conn, po_line, submission, index=index, batch=None if alone else batch)
            yield conn, batch
            transaction.rollback()


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    # Each example runs in a transaction rolled back at its end: the database starts empty.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(submissions=st.lists(SUBMISSION, min_size=1, max_size=6), batched=st.booleans())
def test_the_view_is_the_highest_version_of_each_document(
    engine: sa.Engine,
    po_line: PoLine,
    submissions: list[list[tuple[int, int, int]]],
    batched: bool,
) -> None:
    with engine.connect() as conn, conn.begin() as transaction:
        batch = StoreBatch() if batched else None
        for index, submission in enumerate(submissions):
            _store(conn, po_line, submission, index=index, batch=batch)
        if batch is not None:
            batch.flush(conn=conn)
        current = _rows(conn, "SELECT * FROM current_purchase_order")
        assert current == _rows(conn, GROUPED)
        assert current
        transaction.rollback()


def test_the_migration_marks_the_stored_older_versions(database_url: str) -> None:
    engine = create_engine_for(database_url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0018")
        columns = [c.name for c in doc_table("site").columns if c.name != "_current"]
        # Site S1 in versions 1 and 2, S2 in version 1 only, stored before the flag existed.
        for row, (site, version) in enumerate((("S1", 1), ("S1", 2), ("S2", 1)), start=1):
            values = {
                **dict.fromkeys(columns, "x"),
                "site_id": site,
                "_source_row": row,
                "_doc_key": site,
                "_doc_version": version,
                "_submission_id": f"s{row}",
                "_received_at": RECEIVED,
            }
            conn.execute(
                sa.text(
                    f"INSERT INTO doc_site ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)})"
                ),
                values,
            )
    do_upgrade(engine=engine)
    table = doc_table("site")
    with engine.connect() as conn:
        flags = conn.execute(
            sa.select(table.c._submission_id, table.c._current).order_by(table.c._submission_id)
        ).all()
        view = conn.execute(sa.select(current_view("site").c._submission_id)).scalars().all()
        assert "_current" not in conn.exec_driver_sql("SELECT * FROM current_site").keys()
    engine.dispose()
    assert [tuple(f) for f in flags] == [("s1", False), ("s2", True), ("s3", True)]
    assert sorted(view) == ["s2", "s3"]


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    submissions=st.lists(SUBMISSION, min_size=1, max_size=6),
    before=st.integers(0, 2),
    batch_rows=st.integers(1, 12),
)
def test_a_batch_versions_as_submissions_one_by_one_do(
    engine: sa.Engine,
    po_line: PoLine,
    monkeypatch: pytest.MonkeyPatch,
    submissions: list[list[tuple[int, int, int]]],
    before: int,
    batch_rows: int,
) -> None:
    """The same submissions stored one by one and through a batch (after `before` of them
    were stored alone, written every few rows) give the same versions and current flags."""
    monkeypatch.setattr(service, "_BATCH_ROWS", batch_rows)
    table = doc_table("purchase_order")
    names = ", ".join(c for c in table.c.keys() if c != "_submission_id")
    stored = []
    for conn, batch in _both_ways(engine, po_line, submissions, before):
        batch.flush(conn=conn)
        stored.append(sorted(conn.exec_driver_sql(f"SELECT {names} FROM {table.name}").all()))
    assert stored[1] == stored[0]


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(submissions=st.lists(SUBMISSION, min_size=1, max_size=6), before=st.integers(0, 2))
def test_a_batch_reads_pending_current_versions_as_stored_ones(
    engine: sa.Engine,
    po_line: PoLine,
    submissions: list[list[tuple[int, int, int]]],
    before: int,
) -> None:
    """What the replace rule reads of a document's current version (revised in several
    pending files of a batch, or stored before it) equals what the table holds once the same
    submissions are stored one by one."""
    doc_type = get_document_type("purchase_order")
    columns = list(dict.fromkeys((*doc_type.parties, *doc_type.cancel_fields, *doc_type.line_key)))
    keys = [f"haichuan{KEY_SEPARATOR}PO-{order}" for order in range(5)]
    read = []
    for batched, (conn, batch) in enumerate(_both_ways(engine, po_line, submissions, before)):
        found = (
            batch.list_latest_rows(
                conn=conn, document_type="purchase_order", keys=keys, columns=columns
            )
            if batched
            else service.list_latest_rows(
                conn=conn, document_type="purchase_order", keys=keys, columns=columns
            ).drop("_doc_version")
        )
        read.append(sorted(found.rows()))
    assert read[1] == read[0]
    assert read[0]
