"""Kept answers: computed once per query text and submission count, computed again once a
submission arrives, once while many requests ask for it at the same time, and each
transaction's own count once per read-only request."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainhub.access.audit import end_request_state
from chainhub.storage.answers import get_generation, get_kept_answer, get_statement_text
from chainhub.storage.engine import create_engine_for, start_read_cache
from chainhub.storage.migrate import do_upgrade
from chainhub.storage.models import submissions


def _submit(conn: sa.Connection) -> None:
    conn.execute(
        submissions.insert().values(
            submission_id=str(uuid.uuid4()), partner_id="haichuan", document_type="site",
            content_hash=uuid.uuid4().hex, source_file="sites.csv",
            received_at=datetime.now(UTC), standard_version="1.0", row_count=1,
            document_count=1, status="stored",
        )
    )  # fmt: skip


def test_an_answer_is_kept_until_the_next_submission(engine: sa.Engine) -> None:
    calls: list[str] = []
    query = f"answers test {uuid.uuid4()}"  # a text no other test keeps an answer under

    def compute() -> int:
        calls.append(query)
        return len(calls)

    with engine.connect() as conn:
        assert get_kept_answer(conn=conn, query=query, compute=compute) == 1
        assert get_kept_answer(conn=conn, query=query, compute=compute) == 1
        assert get_kept_answer(conn=conn, query=query + " other", compute=compute) == 2
    with engine.begin() as conn:
        _submit(conn)
    with engine.connect() as conn:
        assert get_kept_answer(conn=conn, query=query, compute=compute) == 3
    assert len(calls) == 3


def test_two_databases_with_as_many_submissions_keep_their_own_answers(tmp_path: Path) -> None:
    query = f"answers test {uuid.uuid4()}"
    answers = []
    for name in ("a", "b"):
        engine = create_engine_for(f"duckdb:///{tmp_path / name}.duckdb")
        do_upgrade(engine=engine)
        with engine.connect() as conn:
            answers.append(get_kept_answer(conn=conn, query=query, compute=lambda n=name: n))
        engine.dispose()
    assert answers == ["a", "b"]


def test_a_read_only_request_counts_submissions_once(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        start_read_cache(conn=conn)
        before = get_generation(conn=conn)
        _submit(conn)
        assert get_generation(conn=conn) == before  # the request's count, taken once
        conn.commit()
        end_request_state(conn=conn)  # as the request's edge does
    with engine.connect() as conn:
        assert get_generation(conn=conn) == before + 1


def test_the_key_holds_the_parameters_written_in(engine: sa.Engine) -> None:
    table = submissions
    with engine.connect() as conn:
        one = get_statement_text(
            conn=conn, statement=sa.select(table).where(table.c.partner_id == "haichuan")
        )
        other = get_statement_text(
            conn=conn, statement=sa.select(table).where(table.c.partner_id == "jinli-motor")
        )
    assert "'haichuan'" in one and "'jinli-motor'" in other


def test_texts_of_one_shape_differ_by_their_values(engine: sa.Engine) -> None:
    table = submissions
    with engine.connect() as conn:
        texts = [
            get_statement_text(
                conn=conn, statement=sa.select(table).where(table.c.partner_id.in_(partners))
            )
            for partners in (["haichuan"], ["haichuan", "jinli-motor"], ["haichuan"])
        ]
    assert "'jinli-motor'" not in texts[0] and "'jinli-motor'" in texts[1]
    assert texts[2] == texts[0]


def test_requests_asking_at_once_wait_for_one_computing(tmp_path: Path) -> None:
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub'}.duckdb")
    with engine.begin() as conn:
        submissions.create(conn)
    query = f"answers test {uuid.uuid4()}"
    calls: list[int] = []
    clients = 4
    ready = threading.Barrier(clients)
    answers: list[int] = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.3)  # long enough for the other requests to ask meanwhile
        return 42

    def request() -> None:
        with engine.connect() as conn:
            start_read_cache(conn=conn)
            get_generation(conn=conn)  # counted before, so that all ask at the same moment
            ready.wait(timeout=10)
            answers.append(get_kept_answer(conn=conn, query=query, compute=compute))
            end_request_state(conn=conn)

    threads = [threading.Thread(target=request) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    engine.dispose()
    assert answers == [42] * clients
    assert len(calls) == 1


def test_a_failed_computing_leaves_the_answer_to_the_next_request(tmp_path: Path) -> None:
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub'}.duckdb")
    query = f"answers test {uuid.uuid4()}"

    def fail() -> int:
        raise RuntimeError("the database went away")

    with engine.begin() as conn:
        submissions.create(conn)
        with pytest.raises(RuntimeError):
            get_kept_answer(conn=conn, query=query, compute=fail)
        assert get_kept_answer(conn=conn, query=query, compute=lambda: 7) == 7
    engine.dispose()
