"""The partner, token and audit commands."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.cli import audit, partner, token
from tests.api.hub import running_hub


def _app() -> typer.Typer:
    app = typer.Typer()
    for module in (partner, token, audit):
        module.register(app)
    return app


def test_tokens_partners_and_the_audit_chain(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    with running_hub(url):
        pass
    run = CliRunner()
    created = run.invoke(_app(), ["token", "create", "--partner", "jinli-motor", "--db", url])
    assert created.exit_code == 0, created.output
    assert created.output.count("\n") == 1 and created.output.startswith("chk_")
    partners = json.loads(
        run.invoke(_app(), ["partner", "list", "--format", "json", "--db", url]).output
    )
    assert [(p["partner_id"], p["roles"], p["chain_leader"]) for p in partners][:2] == [
        ("haichuan", ["oem"], True), ("huadong-trading", ["distributor"], False)
    ]  # fmt: skip
    unknown = run.invoke(_app(), ["token", "create", "--partner", "nobody", "--db", url])
    assert unknown.exit_code == 1 and "not in the directory" in unknown.output
    both = run.invoke(_app(), ["token", "create", "--admin", "--partner", "x", "--db", url])
    assert both.exit_code == 2
    token_id = created.output.split("_")[1]
    assert run.invoke(_app(), ["token", "revoke", token_id, "--db", url]).exit_code == 0
    log = json.loads(
        run.invoke(_app(), ["audit", "log", "--limit", "2", "--format", "json", "--db", url]).output
    )
    assert [e["action"] for e in log] == ["CLI token revoke", "CLI token create"]
    verified = run.invoke(_app(), ["audit", "verify", "--db", url])
    assert verified.exit_code == 0 and "audit chain intact" in verified.output
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET status = 200 WHERE seq = 7"))
    engine.dispose()
    broken = run.invoke(_app(), ["audit", "verify", "--db", url])
    assert broken.exit_code == 1
    assert "audit chain broken at seq 7 (6 entries before it verified)" in broken.output


def test_an_unknown_leader_is_refused_and_a_whole_token_revokes(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    with running_hub(url):
        pass
    run = CliRunner()
    refused = run.invoke(_app(), ["partner", "leader", "nobody", "--db", url])
    assert refused.exit_code == 2 and "not in the directory" in refused.output
    token = run.invoke(_app(), ["token", "create", "--partner", "jinli-motor", "--db", url])
    revoked = run.invoke(_app(), ["token", "revoke", token.output.strip(), "--db", url])
    assert revoked.exit_code == 0, revoked.output
    assert f"token {token.output.split('_')[1]} revoked" in revoked.output
    log = json.loads(
        run.invoke(_app(), ["audit", "log", "--limit", "5", "--format", "json", "--db", url]).output
    )
    assert "CLI partner leader" not in [e["action"] for e in log]
