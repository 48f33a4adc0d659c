"""Shared fixtures: an `engine` on each backend, migrated, with a fresh database per test.

PostgreSQL comes from $CHAINHUB_TEST_POSTGRES_URL (a server where the user may CREATE
DATABASE), or else a throwaway server started once per session from the PostgreSQL
binaries (/usr/lib/postgresql/<version>/bin, or $CHAINHUB_TEST_POSTGRES_BIN): initdb and
pg_ctl run as the `postgres` user when the tests run as root, since PostgreSQL refuses root.
Without binaries the postgresql parameters are skipped, except when CI=true.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from chainhub.sim.service import do_simulate
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from tests.support import SIM_SEED, SmallChain

BACKENDS = ("duckdb", pytest.param("postgresql", marks=pytest.mark.postgresql))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against a PostgreSQL server")
    # pytest-xdist hands each worker the controller's COLUMNS; a Rich console created with it
    # in the environment keeps that width for good, so the CLI tests that give one run a wide
    # COLUMNS would see their tables cut. Without it, width is read at each print, as in one
    # process (the CLI's consoles are created when the test modules import it, after this).
    os.environ.pop("COLUMNS", None)


def _postgres_bin_dir() -> Path | None:
    configured = os.environ.get("CHAINHUB_TEST_POSTGRES_BIN")
    candidates = (
        [Path(configured)]
        if configured
        else sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
    )
    return next((p for p in candidates if (p / "pg_ctl").exists()), None)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL database on a server where tests may create databases."""
    external = os.environ.get("CHAINHUB_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        _unavailable(
            "no PostgreSQL binaries in /usr/lib/postgresql/*/bin: install postgresql, "
            "or set CHAINHUB_TEST_POSTGRES_BIN or CHAINHUB_TEST_POSTGRES_URL"
        )
    run_as: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="chainhub-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            _unavailable("running as root and there is no `postgres` user to run the server")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data, log = base / "data", base / "server.log"
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "chainhub",
         "--auth=trust", "-E", "UTF8", "--no-locale"],
        check=True, capture_output=True,
    )  # fmt: skip
    started = subprocess.run(
        [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start",
         "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off"],
        capture_output=True, text=True,
    )  # fmt: skip
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log.read_text()}")
    try:
        yield f"postgresql://chainhub@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_url(postgres_admin_url).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a new, empty database on each backend."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'hub.duckdb'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on a new database migrated to head, on each backend."""
    engine = create_engine_for(database_url)
    do_upgrade(engine=engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def small_chain(tmp_path_factory: pytest.TempPathFactory) -> SmallChain:
    """The small simulated chain (seed 7), generated once per test session."""
    root = tmp_path_factory.mktemp("sim") / "chain"
    summary = do_simulate(out=root, scale="small", seed=SIM_SEED)
    return SmallChain(root, summary)


@pytest.fixture
def held_duckdb_file(tmp_path: Path) -> Iterator[Path]:
    """A DuckDB file held open by another process, as a running server holds it."""
    path = tmp_path / "hub.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; db = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    yield path
    holder.kill()
    holder.wait()
