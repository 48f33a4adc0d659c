"""The user commands: add (prompted, from stdin or generated), list, passwd, disable; usage
errors exit 2 before the database is opened, refusals exit 1, never a traceback."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainhub.access.audit import list_audit
from chainhub.access.passwords import SignedIn, access_sign_in
from chainhub.cli import audit, user
from tests.api.hub import JINLI, running_hub

PASSWORD = "a long enough password"


def _app() -> typer.Typer:
    app = typer.Typer()
    for module in (user, audit):
        module.register(app)
    return app


def _signs_in(url: str, name: str, password: str) -> str:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        signed = access_sign_in(
            conn=conn, name=name, password=password, session_lifetime=timedelta(hours=1)
        )
    engine.dispose()
    return "ok" if isinstance(signed, SignedIn) else signed.code


def test_users_are_added_listed_given_passwords_and_disabled(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    with running_hub(url):
        pass
    run = CliRunner()
    add = ["user", "add", "wang.li", "--partner", JINLI, "--role", "partner_admin", "--db", url]
    typed = run.invoke(_app(), add, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert typed.exit_code == 0, typed.output
    assert "user wang.li added (jinli-motor, partner_admin)" in typed.stdout
    assert PASSWORD not in typed.output
    piped = ["user", "add", "admin.zhang", "--role", "hub_admin", "--password-stdin", "--db", url]
    assert run.invoke(_app(), piped, input=f"{PASSWORD}\n").exit_code == 0
    generated = run.invoke(_app(), ["user", "add", "li.gong", "--partner", JINLI, "--generate",
                                    "--db", url])  # fmt: skip
    assert generated.exit_code == 0, generated.output
    password = generated.stdout.strip()
    assert len(password) == 16 and "\n" not in password and "li.gong" in generated.stderr
    assert _signs_in(url, "wang.li", PASSWORD) == "ok"
    assert _signs_in(url, "admin.zhang", PASSWORD) == "ok"
    assert _signs_in(url, "li.gong", password) == "ok"

    listed = json.loads(
        run.invoke(
            _app(), ["user", "list", "--partner", JINLI, "--format", "json", "--db", url]
        ).stdout
    )
    assert [(u["name"], u["role"], u["has_password"]) for u in listed] == [
        ("li.gong", "partner_member", True),
        ("wang.li", "partner_admin", True),
        ("李工", None, False),
        ("王分析", None, False),
    ]
    table = run.invoke(_app(), ["user", "list", "--db", url], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "admin.zhang" in table.stdout and "token only" in table.stdout

    changed = run.invoke(
        _app(), ["user", "passwd", "WANG.LI", "--password-stdin", "--db", url],
        input="another long password\n",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "password of wang.li set; 1 web session(s) ended" in changed.stdout
    assert _signs_in(url, "wang.li", PASSWORD) == "bad_credentials"
    disabled = run.invoke(_app(), ["user", "disable", "wang.li", "--db", url])
    assert (
        disabled.exit_code == 0 and "user wang.li disabled; 0 token(s) revoked" in disabled.stdout
    )
    assert _signs_in(url, "wang.li", "another long password") == "account_disabled"
    log = json.loads(
        run.invoke(
            _app(), ["audit", "log", "--limit", "20", "--format", "json", "--db", url]
        ).stdout
    )
    cli_actions = [e["action"] for e in log if e["action"].startswith("CLI user")]
    assert cli_actions == ["CLI user disable", "CLI user passwd", *["CLI user add"] * 3]


def test_bad_input_is_a_usage_error_and_a_refusal_exits_1(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    with running_hub(url):
        pass
    run = CliRunner()
    base = ["user", "add", "chen", "--db", url]
    for args, stdin, message in (
        (["--partner", JINLI, "--password-stdin"], "short\n", "10 to 256 characters"),
        (["--partner", JINLI, "--password-stdin"], "\n", "10 to 256 characters"),
        (["--partner", JINLI, "--password-stdin", "--generate"], "", "not both"),
        (["--role", "analyst", "--generate"], "", "users of other roles need one"),
        (["--partner", JINLI, "--role", "hub_admin", "--generate"], "", "has no partner"),
        (["--partner", JINLI, "--role", "boss", "--generate"], "", "boss"),
    ):
        refused = run.invoke(_app(), base + args, input=stdin)
        assert refused.exit_code == 2, (args, refused.output)
        assert message in refused.output and "Traceback" not in refused.output
    spaced = run.invoke(_app(), ["user", "add", "two words", "--partner", JINLI, "--db", url])
    assert spaced.exit_code == 2 and "without spaces" in spaced.output
    ok = run.invoke(_app(), [*base, "--partner", JINLI, "--generate"])
    assert ok.exit_code == 0, ok.output
    for args, message in (
        ([*base, "--partner", JINLI, "--generate"], "'chen' is taken (by 'chen')"),
        (["user", "add", "x.y", "--partner", "nobody", "--generate", "--db", url],
         "not in the directory"),
        (["user", "passwd", "nobody", "--generate", "--db", url], "no user 'nobody'"),
        (["user", "disable", "nobody", "--db", url], "no user 'nobody'"),
    ):  # fmt: skip
        refused = run.invoke(_app(), args)
        assert refused.exit_code == 1, (args, refused.output)
        assert message in refused.output and "Traceback" not in refused.output
    assert run.invoke(_app(), ["user", "disable", "chen", "--db", url]).exit_code == 0
    again = run.invoke(_app(), ["user", "disable", "chen", "--db", url])
    assert again.exit_code == 1 and "already disabled" in again.output
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert [e.action for e in list_audit(conn=conn, limit=2)] == [
            "CLI user disable", "CLI user add"
        ]  # fmt: skip
    engine.dispose()
