"""`chainhub serve --workers N`: worker processes on PostgreSQL, each answering with the same
hub; refused on DuckDB, whose file one process owns."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chainhub.cli.serve import worker_settings
from chainhub.settings import Settings

_SERVE = "from chainhub.cli.main import run; run()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_processes_share_the_cores_capture_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    monkeypatch.delenv("CHAINHUB_CAPTURE_WORKERS", raising=False)
    settings = Settings(database_url="postgresql://hub@localhost/hub")
    assert settings.capture_workers == 4
    assert worker_settings(settings, 1).capture_workers == 4
    assert worker_settings(settings, 2).capture_workers == 2
    assert worker_settings(settings, 3).capture_workers == 1
    assert worker_settings(settings, 8).capture_workers == 1
    chosen = Settings(database_url="postgresql://hub@localhost/hub", capture_workers=3)
    assert worker_settings(chosen, 2).capture_workers == 3


def test_workers_on_duckdb_are_refused_before_serving(tmp_path: Path) -> None:
    db = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    done = subprocess.run(
        [sys.executable, "-c", _SERVE, "serve", "--db", db, "--workers", "2"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "--workers 2 needs a PostgreSQL database" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "hub.duckdb").exists()


@pytest.mark.postgresql
def test_two_workers_serve_one_postgresql_hub(postgres_url: str, tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE, "serve", "--db", postgres_url, "--port", str(port),
         "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1",
             "CHAINHUB_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    try:
        token = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.stdout is not None:
            line = server.stdout.readline()
            token = token or next((w for w in line.split() if w.startswith("chk_")), None)
            if "chainhub serving" in line or not line:
                break
        assert token is not None
        headers = {"Authorization": f"Bearer {token}"}
        answered = []
        while time.monotonic() < deadline and len(answered) < 20:
            try:
                answered.append(httpx.get(f"http://127.0.0.1:{port}/api/v1/me", headers=headers))
            except httpx.TransportError:
                time.sleep(0.2)  # the workers are still starting
        assert [r.status_code for r in answered] == [200] * 20
        assert {r.json()["role"] for r in answered} == {"hub_admin"}
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
