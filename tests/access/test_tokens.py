"""A fresh hub's first hub admin token, and demo reruns replacing the tokens they printed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainhub.access.schemas import Role
from chainhub.access.tokens import (
    access_principal,
    do_create_first_admin_token,
    do_create_token,
    do_revoke_token,
    do_set_chain_leader,
    get_token_id,
    list_tokens,
)
from chainhub.errors import ChainhubError
from chainhub.partners.service import do_issue_demo_tokens


def test_a_hub_without_an_admin_gets_one_first_admin_token(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        first = do_create_first_admin_token(conn=conn)
        assert first is not None
        assert access_principal(conn=conn, token=first).role is Role.HUB_ADMIN
        # While an admin token is active, no other one is minted.
        assert do_create_first_admin_token(conn=conn) is None
        do_revoke_token(conn=conn, token_id=str(get_token_id(first)))
        again = do_create_first_admin_token(conn=conn)
    assert again is not None and again != first


def test_a_demo_run_again_revokes_the_tokens_it_printed_before(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        earlier = do_issue_demo_tokens(conn=conn)
        later = do_issue_demo_tokens(conn=conn)
        for issued in earlier:
            try:
                access_principal(conn=conn, token=issued.token)
            except ChainhubError as error:
                assert error.code == "invalid_token"
            else:
                raise AssertionError(f"{issued.label} of the first run still works")
        assert all(access_principal(conn=conn, token=t.token) for t in later)
        active = [t for t in list_tokens(conn=conn) if t.revoked_at is None]
    assert len(active) == len(later) == 4


def _refused(conn: sa.Connection, token: str, now: datetime | None = None) -> bool:
    with pytest.raises(ChainhubError) as refused:
        access_principal(conn=conn, token=token, now=now)
    return refused.value.code == "invalid_token"


def test_a_token_seen_before_follows_revocation_expiry_rollback_and_leadership(
    engine: sa.Engine,
) -> None:
    # Each token is used once before its change, so that a process keeping rows has kept it.
    now = datetime.now(UTC)
    with engine.begin() as conn:
        kept = do_create_token(conn=conn, partner_id="jinli-motor", role=Role.PARTNER_MEMBER,
                               label="kept", expires_in=timedelta(hours=1))  # fmt: skip
        assert not access_principal(conn=conn, token=kept).chain_leader
    with engine.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id="jinli-motor")
    with engine.begin() as conn:
        assert access_principal(conn=conn, token=kept).chain_leader
        assert _refused(conn, kept, now=now + timedelta(hours=2))
        assert _refused(conn, kept.rsplit("_", 1)[0] + "_wrong")
    with engine.connect() as conn, conn.begin() as transaction:
        gone = do_create_token(conn=conn, partner_id="jinli-motor", role=Role.ANALYST, label="x")
        assert access_principal(conn=conn, token=gone).role is Role.ANALYST
        transaction.rollback()
    with engine.begin() as conn:
        assert _refused(conn, gone)
        do_revoke_token(conn=conn, token_id=str(get_token_id(kept)))
    with engine.begin() as conn:
        assert _refused(conn, kept)


_SERVE = "from chainhub.cli.main import run; run()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_the_first_admin_token_once(tmp_path: Path) -> None:
    db = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    lines = []
    for _ in range(2):
        port = _free_port()
        command = [sys.executable, "-c", _SERVE, "serve", "--db", db]
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"},
        )
        try:
            output = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                line = server.stdout.readline() if server.stdout else ""
                output.append(line)
                if "chainhub serving" in line or not line:
                    break
        finally:
            server.terminate()
            server.wait(timeout=30)
        lines.append("".join(output))
    first, second = lines
    assert "first start: hub admin token" in first, first
    token = next(w for w in first.split() if w.startswith("chk_"))
    assert token not in second and "first start" not in second, second
