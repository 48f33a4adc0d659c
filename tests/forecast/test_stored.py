"""A stored run's rows are read once per process, database and run."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.forecast.stored import RunReader


def test_a_run_is_read_once_per_database_and_run(tmp_path: Path) -> None:
    reads: list[str] = []

    def read(conn: Connection, run_id: str) -> tuple[str, ...]:
        reads.append(run_id)
        return (run_id, str(conn.scalar(sa.text("select 1"))))

    reader = RunReader(read, limit=2)
    first = sa.create_engine(f"duckdb:///{tmp_path / 'a.duckdb'}")
    second = sa.create_engine(f"duckdb:///{tmp_path / 'b.duckdb'}")
    with first.connect() as a, second.connect() as b:
        assert reader.get(a, "run-1") == ("run-1", "1")
        assert reader.get(a, "run-1") == ("run-1", "1")
        reader.get(b, "run-1")
        reader.get(a, "run-2")
        # Kept: two runs at most, the least recently used forgotten.
        reader.get(a, "run-1")
    assert reads == ["run-1", "run-1", "run-2", "run-1"]
