"""A server killed with SIGKILL under load has recorded every request it answered."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from chainhub.access.audit import CHECKPOINT_FILE, check_audit_chain, list_checkpoints
from chainhub.access.models import audit_log
from tests.api.hub import JINLI, OEM, _po, running_hub

SERVE = "from chainhub.cli.main import run; run()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited before listening"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the server did not listen within 60 s")


def test_kill_9_under_load_loses_no_answered_request(tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    with running_hub(f"duckdb:///{db}", data_dir=tmp_path) as hub:
        tokens = hub.tokens
        hub.engine.dispose()
    port = _free_port()
    env = {**os.environ, "CHAINHUB_DATA_DIR": str(tmp_path), "CHAINHUB_AUDIT_CHECKPOINT_EVERY": "7"}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    answered: list[str] = []
    statuses: list[int] = []
    stop = threading.Event()

    def client(number: int) -> None:
        who = (OEM, JINLI)[number % 2]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for i in range(10_000):
                if stop.is_set():
                    return
                probe = f"c{number}-{i}"
                try:
                    if number % 4 == 0:  # OEM writes: a new order each time
                        document = _po(f"PO-KILL-{probe}", JINLI, "M004", "1")
                        response = http.post(
                            "/api/v1/documents/purchase_order",
                            json={"documents": [document]},
                            headers=headers,
                        )
                    else:
                        # A filter is a declared parameter, recorded with the entry.
                        response = http.get(
                            "/api/v1/documents/purchase_order",
                            params={"filter": f"po_number:{probe}"},
                            headers=headers,
                        )
                except httpx.TransportError:
                    return  # killed mid-request: not answered
                assert response.status_code < 500, response.text
                submission = response.json().get("submission_id")
                answered.append(f"submission/{submission}" if submission else probe)
                statuses.append(response.status_code)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    try:
        _wait_listening(port, server)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(answered) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        assert server.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
        for thread in threads:
            thread.join(timeout=60)
    assert len(answered) >= 60 and {200, 201} <= set(statuses)

    engine = sa.create_engine(f"duckdb:///{db}")
    try:
        with engine.connect() as conn:
            targets = conn.execute(sa.select(audit_log.c.target)).scalars().all()
            recorded = {
                tag
                for target in map(json.loads, targets)
                for tag in [
                    *(
                        f.removeprefix("po_number:")
                        for f in target.get("query", {}).get("filter", [])
                    ),
                    *target.get("documents", []),
                ]
            }
            assert set(answered) - recorded == set()
            checkpoints = list_checkpoints(path=tmp_path / CHECKPOINT_FILE)
            assert len(checkpoints) > 1
            verification = check_audit_chain(conn=conn, checkpoints=checkpoints)
            assert verification.ok, verification
    finally:
        engine.dispose()
