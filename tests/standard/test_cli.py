"""`chainhub standard`: version, export and show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainhub.cli import main
from chainhub.standard.version import STANDARD_VERSION


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    if not any(group.name == "standard" for group in main.app.registered_groups):
        main._register()
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main.app, ["standard", "version"])
    assert result.exit_code == 0
    assert result.stdout == f"{STANDARD_VERSION}\n"


def test_export_into_a_new_directory(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out" / "standard"
    result = runner.invoke(main.app, ["standard", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "wrote 39 files" in result.stdout
    assert (target / "index.json").is_file()
    assert (target / "purchase_order.record.schema.json").is_file()
    assert (target / "reference.md").read_text(encoding="utf-8").startswith("# chainhub data")


def test_export_to_an_existing_file_is_a_one_line_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("standard.txt").write_text("not a directory", encoding="utf-8")
    result = runner.invoke(main.app, ["standard", "export", "standard.txt"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == "error: standard.txt exists and is not a directory\n"
    assert "Traceback" not in result.output
    assert Path("standard.txt").read_text(encoding="utf-8") == "not a directory"


def test_export_below_an_existing_file_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("f").write_text("", encoding="utf-8")
    result = runner.invoke(main.app, ["standard", "export", "f/sub"])
    assert result.exit_code == 2
    assert result.stderr == "error: f exists and is not a directory (path=f/sub)\n"


def test_show_prints_the_schema(runner: CliRunner) -> None:
    result = runner.invoke(main.app, ["standard", "show", "purchase_order"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$id"].endswith(f"/{STANDARD_VERSION}/purchase_order.schema.json")
    record = json.loads(
        runner.invoke(main.app, ["standard", "show", "bom", "--format", "record"]).stdout
    )
    assert record["$id"].endswith("/bom.record.schema.json")


def test_show_prints_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main.app, ["standard", "show", "shipment", "--format", "example"])
    assert result.exit_code == 0
    example = json.loads(result.stdout)
    assert example["shipment_number"] == "ASN-JL-260305-01"
    assert example["lines"][0]["lot_number"] == "JL260305A"


def test_show_an_unknown_type_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main.app, ["standard", "show", "invoice"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown document type 'invoice'")
    assert "Traceback" not in result.output
