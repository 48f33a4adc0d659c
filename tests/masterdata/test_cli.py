"""chainhub masterdata review and units."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainhub.cli import main
from chainhub.cli.main import app
from chainhub.intake.unknown_codes import do_record_unknown_codes
from chainhub.masterdata import chain_model
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

from .conftest import store_golden
from .test_service import codes

runner = CliRunner()


def _ensure_registered() -> None:
    if not any(group.name == "masterdata" for group in app.registered_groups):
        main._register()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # The review keeps its prepared golden master among the hub's files.
    monkeypatch.setenv("CHAINHUB_DATA_DIR", str(tmp_path))
    url = f"duckdb:///{tmp_path / 'hub.duckdb'}"
    engine = create_engine_for(url)
    do_upgrade(engine=engine)
    store_golden(engine)
    with engine.begin() as conn:
        do_record_unknown_codes(conn=conn, partner_id="huayang-compressor", submission_ref="s1",
                                codes=codes(("MAT01", "压缩机QX-1.5P 1.5匹", "个"),
                                            ("MAT04", "SPCC冷轧板 0.8mm", "千克")))  # fmt: skip
    engine.dispose()
    # A CLI command is a fresh process: no master prepared by an earlier test in this one.
    chain_model._PREPARED.clear()
    _ensure_registered()
    return url


def test_review_lists_then_accepts_and_rejects(db: str, tmp_path: Path) -> None:
    listed = runner.invoke(app, ["masterdata", "review", "--db", db, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert len(list((tmp_path / "masterdata-prepared").glob("*.prepared.pickle"))) == 1
    open_codes = json.loads(listed.output)["open_codes"]
    assert [c["partner_material_code"] for c in open_codes] == ["MAT01", "MAT04"]
    assert open_codes[0]["suggestions"][0]["material_code"] == "M001"
    decided = runner.invoke(app, ["masterdata", "review", "--db", db, "--partner",
                                  "huayang-compressor", "--accept", "MAT01=M001",
                                  "--reject", "MAT04=R102"])  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert "accepted: huayang-compressor MAT01 -> M001" in decided.output
    assert "rejected: huayang-compressor MAT04 -> R102" in decided.output
    assert "1 open unknown codes" in decided.output


def test_usage_errors_exit_2_in_one_line(db: str) -> None:
    bad = runner.invoke(app, ["masterdata", "review", "--db", db, "--partner", "x",
                              "--accept", "MAT01"])  # fmt: skip
    assert bad.exit_code == 2
    assert "--accept takes CODE=GOLDEN, not 'MAT01'" in bad.output
    no_partner = runner.invoke(app, ["masterdata", "review", "--db", db, "--accept", "A=B"])
    assert no_partner.exit_code == 2
    unknown = runner.invoke(app, ["masterdata", "review", "--db", db, "--partner",
                                  "huayang-compressor", "--accept", "NOPE=M001"])  # fmt: skip
    assert unknown.exit_code == 1
    assert "no such unknown partner code" in unknown.output


def test_units_prints_codes_and_words() -> None:
    _ensure_registered()
    result = runner.invoke(app, ["masterdata", "units"])
    assert result.exit_code == 0
    assert "KGM" in result.output and "千克" in result.output
