"""The README documents every command and every setting (after datasette's test_docs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

from chainhub.cli.main import _register, app
from chainhub.settings import Settings

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(command: Any, prefix: list[str]) -> Iterator[str]:
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, [*prefix, name])
    else:
        yield " ".join(prefix)


def test_every_command_is_in_the_readme() -> None:
    _register()
    commands = list(_commands(typer.main.get_command(app), []))
    assert len(commands) > 15
    missing = [c for c in commands if f"`chainhub {c}" not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [n for n in Settings.model_fields if f"CHAINHUB_{n.upper()}" not in README]
    assert missing == []


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "chainhub demo" in first_block
    assert "pytest" in first_block


def test_ci_runs_the_readme_test_command() -> None:
    first_block = README.split("```")[1]
    command = next(line for line in first_block.splitlines() if "pytest" in line)
    pytest_command = command.split("&&")[-1].split("#")[0].strip()
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert pytest_command in ci_script.splitlines()
