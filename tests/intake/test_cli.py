"""`chainhub conform`, `ingest` and `scorecard` as a partner's IT person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainhub.cli.main import _register, app
from chainhub.intake.schemas import FieldMapping
from chainhub.standard.version import STANDARD_VERSION
from tests.intake.shipments import SHIPMENT_PROFILE, shipment_file

runner = CliRunner()
_register()


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "jinli-shipment.yaml"
    path.write_text(SHIPMENT_PROFILE.to_yaml(), encoding="utf-8")
    return path


def _db(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_conform_reports_every_bad_row_as_json_and_exits_1(
    with_crosswalk: sa.Engine, tmp_path: Path, profile_file: Path
) -> None:
    path = shipment_file(
        tmp_path,
        "ASN-1,20260305,20260308,10,MAT01,0,件,L1\nASN-1,20260305,20260308,20,MAT99,1,件,L2\n",
    )
    out = runner.invoke(
        app,
        [
            "conform",
            str(path),
            "--type",
            "shipment",
            "--profile",
            str(profile_file),
            "--db",
            _db(with_crosswalk),
            "--format",
            "json",
            "--lang",
            "zh",
        ],
    )
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert {k: report[k] for k in ("type", "rows", "valid_rows", "standard_version")} == {
        "type": "shipment",
        "rows": 2,
        "valid_rows": 0,
        "standard_version": STANDARD_VERSION,
    }
    assert [(e["row"], e["column"], e["rule"]) for e in report["errors"]] == [
        (1, "数量", "range"),
        (2, "物料编码", "crosswalk"),
    ]
    assert report["errors"][0]["message"] == "quantity 须满足 > 0"


def test_conform_exit_0_and_the_report_file(
    with_crosswalk: sa.Engine, tmp_path: Path, profile_file: Path
) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,3,件,L1\n")
    report = tmp_path / "report.json"
    out = runner.invoke(
        app,
        [
            "conform",
            str(path),
            "--type",
            "shipment",
            "--profile",
            str(profile_file),
            "--db",
            _db(with_crosswalk),
            "--report",
            str(report),
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(report.read_text("utf-8"))["errors"] == []


def test_conform_without_a_hub_checks_partner_codes_as_they_stand_and_says_so(
    tmp_path: Path, profile_file: Path
) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,3,件,L1\n")
    argv = ["conform", str(path), "--type", "shipment", "--profile", str(profile_file)]
    out = runner.invoke(app, argv, env={"CHAINHUB_LANGUAGE": "en", "COLUMNS": "300"})
    assert out.exit_code == 0, out.output
    assert "not translated through the material crosswalk" in out.stderr
    assert "material_code" in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conform", "missing.csv", "--type", "shipment"], "file not found: missing.csv"),
        (["conform", "{file}", "--type", "invoice"], "unknown document type 'invoice'"),
        # A GBK file is read without a profile (its encoding detected), but its names are
        # not the standard's.
        (["conform", "{file}", "--type", "shipment"], "does not use the standard's field"),
        (["conform", "{plain}", "--type", "shipment"], "does not use the standard's field"),
        (
            ["conform", "{file}", "--type", "purchase_order", "--profile", "{profile}"],
            "maps shipment, not purchase_order",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, profile_file: Path, args: list[str], message: str
) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,3,件,L1\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n", encoding="utf-8")
    argv = [a.format(file=path, profile=profile_file, plain=plain) for a in args]
    out = runner.invoke(app, argv, env={"CHAINHUB_LANGUAGE": "en", "COLUMNS": "300"})
    assert out.exit_code == 2
    assert message in out.stderr
    assert "Traceback" not in out.output + out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_ingest_stores_once_then_says_duplicate_and_scorecard_counts(
    with_crosswalk: sa.Engine, tmp_path: Path, profile_file: Path
) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,3,件,L1\n")
    args = [
        "ingest",
        str(path),
        "--partner",
        "jinli-motor",
        "--type",
        "shipment",
        "--profile",
        str(profile_file),
        "--db",
        _db(with_crosswalk),
        "--format",
        "json",
    ]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    stored, again = json.loads(first.stdout), json.loads(second.stdout)
    assert (stored["status"], stored["stored_rows"], stored["documents"]) == ("stored", 1, 1)
    assert (again["status"], again["submission_id"]) == ("duplicate", stored["submission_id"])
    card = runner.invoke(
        app,
        ["scorecard", "--partner", "jinli-motor", "--db", _db(with_crosswalk), "--format", "json"],
    )
    assert card.exit_code == 0, card.output
    (row,) = json.loads(card.stdout)
    assert (row["attempts"], row["stored"], row["duplicates"], row["rows_accepted"]) == (2, 1, 1, 1)


def test_ingest_rejects_a_bad_file_whole_with_exit_1(
    with_crosswalk: sa.Engine, tmp_path: Path, profile_file: Path
) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,-3,件,L1\n")
    out = runner.invoke(
        app,
        [
            "ingest",
            str(path),
            "--partner",
            "jinli-motor",
            "--type",
            "shipment",
            "--profile",
            str(profile_file),
            "--db",
            _db(with_crosswalk),
            "--lang",
            "en",
        ],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 1
    assert "rejected: the file has errors, nothing was stored" in out.stdout
    assert "quantity must be > 0" in out.stdout


def test_version() -> None:
    from chainhub import __version__

    out = runner.invoke(app, ["--version"])
    assert (out.exit_code, out.stdout) == (0, f"chainhub {__version__}\n")


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ("no/such/dir/r.json", "does not exist"),
        ("r.txt", "write one of .json, .csv, .xlsx"),
    ],
)
def test_a_bad_report_path_is_refused_before_the_check(
    tmp_path: Path, report: str, message: str
) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,3,件,L1\n")
    out = runner.invoke(
        app,
        ["conform", str(path), "--type", "shipment", "--report", str(tmp_path / report)],
        env={"CHAINHUB_LANGUAGE": "en"},
    )
    assert out.exit_code == 2 and message in out.stderr


def test_the_report_is_written_in_the_format_its_suffix_names(tmp_path: Path) -> None:
    import polars as pl

    path = tmp_path / "po.csv"
    head = "po_number,line_no,buyer_id,supplier_id,ship_to_site,order_date,material_code,"
    path.write_text(
        head + "unit,requested_date,quantity\n"
        "PO1,1,haichuan,jinli-motor,haichuan-foshan,2026-03-02,M1,H87,2026-03-09,=HYPERLINK(1)\n",
        encoding="utf-8",
    )
    for suffix in (".csv", ".xlsx"):
        report = tmp_path / f"r{suffix}"
        out = runner.invoke(
            app, ["conform", str(path), "--type", "purchase_order", "--report", str(report)]
        )
        assert out.exit_code == 1, out.output
        frame = pl.read_csv(report) if suffix == ".csv" else pl.read_excel(report, sheet_id=2)
        assert frame.columns == ["rule", "row", "column", "field", "value", "message"]
        assert "=HYPERLINK(1)" not in frame.get_column("value").to_list()


def test_file_level_errors_follow_lang_zh(tmp_path: Path) -> None:
    out = runner.invoke(app, ["conform", "missing.csv", "--type", "shipment", "--lang", "zh"])
    assert out.exit_code == 2 and "找不到文件" in out.stderr
    bad = tmp_path / "text.xlsx"
    bad.write_text("a,b\n", encoding="utf-8")
    out = runner.invoke(app, ["conform", str(bad), "--type", "shipment", "--lang", "zh"])
    assert out.exit_code == 2 and "无法读取 XLSX" in out.stderr and "EOCD" not in out.stderr


def test_profile_suggest_refuses_an_unwritable_out_before_the_work(tmp_path: Path) -> None:
    path = shipment_file(tmp_path, "ASN-1,20260305,20260308,10,MAT01,3,件,L1\n")
    out = runner.invoke(
        app,
        ["profile", "suggest", str(path), "--type", "shipment", "--out", "/no/such/dir/x.yaml"],
        env={"CHAINHUB_LANGUAGE": "en"},
    )
    assert out.exit_code == 2 and "does not exist" in out.stderr


def test_conform_with_a_profile_short_of_a_required_field_checks_every_row_and_exits_2(
    tmp_path: Path,
) -> None:
    fields = dict(SHIPMENT_PROFILE.fields)
    del fields["ship_to_site"]
    del fields["line_no"]
    fields["line_no"] = FieldMapping(number_lines=True)
    profile = tmp_path / "incomplete.yaml"
    profile.write_text(
        SHIPMENT_PROFILE.model_copy(update={"fields": fields}).to_yaml(), encoding="utf-8"
    )
    path = shipment_file(
        tmp_path,
        "ASN-1,20260305,20260308,10,MAT01,3,件,L1\nASN-1,20260305,20260308,20,MAT02,-1,件,L2\n",
    )
    argv = ["conform", str(path), "--type", "shipment", "--profile", str(profile)]
    out = runner.invoke(
        app, [*argv, "--format", "json"], env={"CHAINHUB_LANGUAGE": "en", "COLUMNS": "300"}
    )
    assert out.exit_code == 2, out.output
    report = json.loads(out.stdout)
    assert report["unmapped"] == ["ship_to_site"]
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "quantity")]
    assert "does not map required fields of shipment: ship_to_site" in out.stderr
    assert "every other check ran" in out.stderr
