"""The layer contract in pyproject.toml holds, and breaks when a wrong-way import is added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_RUN = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
)


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package found first on `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [sys.executable, "-c", _RUN, str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_the_layers_hold() -> None:
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_way", "contract"),
    [
        # Storage must know no domain.
        ("storage/service.py", "chainhub.intake.models", "Layers:"),
        # A domain must not reach into the entry points above it.
        ("partners/visibility.py", "chainhub.cli.common", "Layers:"),
        # The simulator must not write its files from the hub's own ERP vocabulary.
        ("sim/dialects.py", "chainhub.intake.adapters", "The simulator"),
    ],
)
def test_a_wrong_way_import_breaks_the_build(
    tmp_path: Path, module: str, wrong_way: str, contract: str
) -> None:
    copy = tmp_path / "chainhub"
    shutil.copytree(ROOT / "src" / "chainhub", copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text() + f"\nimport {wrong_way}  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "1 kept, 1 broken" in result.stdout
    assert f"chainhub.{module[:-3].replace('/', '.')} -> {wrong_way}" in result.stdout
    summary = " ".join(result.stdout.split())
    broken = summary.split(" BROKEN")[0].split(" KEPT ")[-1]
    assert contract in broken
