"""Reading and checking a file in a sandboxed worker: the same result as in the server's
process, its errors passed through, and a file that needs too much memory refused by name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Hashable, Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chainhub.api.sandbox import Budget, Sandbox
from chainhub.errors import ChainhubError
from chainhub.intake.checking import (
    PRELOAD,
    PathToCheck,
    check_path,
    check_path_within,
    check_paths,
)
from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.intake.service import get_file_profile
from chainhub.intake.validate import ValidationResult
from chainhub.intake.validate.plan import Plan
from tests.intake.test_validate import HEADER, PO_FIELDS

MEMORY_MB = 1536


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One worker with 1536 MB of address space (about 1 GB is the reader's own)."""
    pool = Sandbox(workers=1, budget=Budget(seconds=60, memory_mb=MEMORY_MB), preload=PRELOAD)
    yield pool
    pool.close()


def test_a_sandboxed_check_gives_what_the_server_would(sandbox: Sandbox, tmp_path: Path) -> None:
    profile = MappingProfile(
        partner_id="jinli-motor",
        document_type="purchase_order",
        source=SourceFormat(format="csv", delimiter=";"),
        fields={**PO_FIELDS, "material_code": FieldMapping(column="物料", crosswalk=True)},
    )
    path = tmp_path / "po.csv"
    path.write_text(
        HEADER
        + "4500001;10;MAT01;1;件;2026/3/5;2026/3/9;1\n"
        + "4500001;20;MAT02;1;件;2026/3/5;2026/3/9;1\n"
        + '4500002;10;"MAT01;1;件;2026/3/5;2026/3/9;1\n'
        + "4500003;10;MAT01;2;件;2026/3/5;2026/3/9;1\n",
        encoding="utf-8",
    )
    given = {"crosswalk": {"MAT01": "M001"}, "submitted_by": None, "references": None}
    here = check_path(path=path, profile=profile, **given)
    there = check_path_within(sandbox=sandbox, path=path, profile=profile, name="po.csv", **given)
    assert (there.document_type, there.rows, there.malformed_rows) == (
        here.document_type,
        here.rows,
        here.malformed_rows,
    )
    assert_frame_equal(there.records, here.records)
    assert_frame_equal(there.errors, here.errors)
    assert there.errors.get_column("row").unique().sort().to_list() == [2, 3]
    # Rows as written, for the unknown code (row 2) and its document's other line (row 1).
    wanted = pl.Series([1, 2, 3])
    assert_frame_equal(there.source_of(wanted), here.source_of(wanted))
    assert there.source_of(wanted).height == 3


def test_a_readers_refusal_comes_back_as_it_is(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "asn.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ChainhubError) as caught:
        get_file_profile(
            path=path,
            document_type="shipment",
            profile=None,
            partner_id="jinli-motor",
            sandbox=sandbox,
        )
    assert caught.value.code == "file_unreadable", caught.value
    assert "no zip archive inside" in caught.value.message_en


def _xlsx_bomb(cells: int, cell_chars: int) -> bytes:
    """A workbook of a few kilobytes whose cells all refer to one shared string of
    `cell_chars` characters: a reader copies it into every cell."""
    ns = "http://schemas.openxmlformats.org/"
    rel = f"{ns}officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}package/2006/relationships">'
        f'<Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{rel}">'
        '<sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}package/2006/relationships">'
        f'<Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="r2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/sharedStrings.xml": f'<sst xmlns="{ns}spreadsheetml/2006/main" count="1" '
        f'uniqueCount="1"><si><t>{"A" * cell_chars}</t></si></sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}spreadsheetml/2006/main"><sheetData>'
        + ("<row>" + '<c t="s"><v>0</v></c>' * 100 + "</row>") * (cells // 100)
        + "</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_at_the_memory_budget(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_xlsx_bomb(cells=40_000, cell_chars=100_000))
    assert path.stat().st_size < 50_000  # 4 GB of cell text once read
    with pytest.raises(ChainhubError) as caught:
        get_file_profile(
            path=path,
            document_type="shipment",
            profile=None,
            partner_id="jinli-motor",
            sandbox=sandbox,
        )
    error = caught.value
    assert (error.code, error.status) == ("file_check_memory", 413)
    assert error.message("en").startswith(
        "checking bomb.xlsx needs more memory than the hub allows (1536 MB); nothing was stored"
    )
    assert error.message("zh").startswith(
        "检查 bomb.xlsx 所需内存超过枢纽允许的上限（1536 MB）；未入库"
    )
    assert error.location == {"file": "bomb.xlsx", "limit_mb": MEMORY_MB}
    # A fresh worker takes the dead one's place.
    small = tmp_path / "asn.csv"
    small.write_text("shipment_number,quantity\nASN-1,5\n", encoding="utf-8")
    drafted = get_file_profile(
        path=small, document_type="shipment", profile=None, partner_id="x", sandbox=sandbox
    )
    assert set(drafted.fields) == {"shipment_number", "quantity"}


def test_files_checked_together_get_what_each_would_alone(tmp_path: Path) -> None:
    """Rows of files read through one plan are checked in one pass, each file's outcome its
    own: its records, its errors by its own rows, and a file that cannot be read its error."""
    profile = MappingProfile(
        partner_id="jinli-motor",
        document_type="purchase_order",
        source=SourceFormat(format="csv", delimiter=";"),
        fields={**PO_FIELDS, "material_code": FieldMapping(column="物料", crosswalk=True)},
    )
    bodies = {
        "clean.csv": "4500001;10;MAT01;1;件;2026/3/5;2026/3/9;1\n"
        "4500001;20;MAT02;1;件;2026/3/5;2026/3/9;1\n",
        # Row 2 names an unknown code, row 3 repeats row 1's line (a document check).
        "faulty.csv": "4500007;10;MAT01;2;件;2026/3/5;2026/3/9;1\n"
        "4500007;20;MAT09;1;件;2026/3/5;2026/3/9;1\n"
        "4500007;10;MAT01;2;件;2026/3/5;2026/3/9;1\n",
        "broken.csv": '4500008;10;"MAT01;1;件;2026/3/5;2026/3/9;1\n'
        "4500009;10;MAT02;3;件;2026/3/5;2026/3/9;1\n",
    }
    for name, body in bodies.items():
        (tmp_path / name).write_text(HEADER + body, encoding="utf-8")
    crosswalk = {"MAT01": "M001", "MAT02": "M002"}
    names = [*bodies, "missing.csv"]
    files = [PathToCheck(tmp_path / n, profile, crosswalk, None) for n in names]
    plans: dict[Hashable, Plan] = {}
    together = check_paths(files=files, references=None, plans=plans)
    assert len(plans) == 1
    for name, outcome in zip(names[:-1], together[:-1], strict=True):
        alone = check_path(
            path=tmp_path / name,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=None,
            references=None,
        )
        assert isinstance(outcome, ValidationResult)
        assert (outcome.rows, outcome.malformed_rows) == (alone.rows, alone.malformed_rows)
        assert_frame_equal(outcome.records, alone.records)
        assert_frame_equal(outcome.errors, alone.errors)
    clean, faulty, broken, missing = together
    assert isinstance(clean, ValidationResult) and clean.errors.height == 0
    assert isinstance(faulty, ValidationResult)
    assert faulty.errors.select("row", "rule").rows() == [(2, "crosswalk"), (3, "duplicate")]
    assert isinstance(broken, ValidationResult) and broken.malformed_rows == 1
    assert isinstance(missing, ChainhubError) and "missing.csv" in str(missing)


def test_two_partners_files_of_a_type_share_one_pass_each_read_as_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files of one document type from two partners, whose profiles differ in column names,
    constants, value maps, crosswalks and sender, are checked in one pass; each file gets what
    it would alone: its own partner's codes, its own sender, its errors named by its columns."""
    jinli = MappingProfile(
        partner_id="jinli-motor",
        document_type="purchase_order",
        source=SourceFormat(format="csv", delimiter=";"),
        fields=PO_FIELDS,
    )
    kaida = MappingProfile(
        partner_id="kaida-valve",
        document_type="purchase_order",
        source=SourceFormat(format="csv"),
        fields={
            **{
                name: FieldMapping(column=column, date_format="%Y/%m/%d")
                for name, column in (("order_date", "Ordered"), ("requested_date", "Due"))
            },
            "po_number": FieldMapping(column="PO"),
            "line_no": FieldMapping(column="Line"),
            "material_code": FieldMapping(column="Item", crosswalk=True),
            "quantity": FieldMapping(column="Qty"),
            "unit": FieldMapping(column="UOM", map={"台": "H87"}),
            "unit_price": FieldMapping(column="Price"),
            "buyer_id": FieldMapping(value="haichuan"),
            "supplier_id": FieldMapping(column="Supplier"),
            "ship_to_site": FieldMapping(value="haichuan-foshan"),
        },
    )
    (tmp_path / "jinli.csv").write_text(
        HEADER
        # 台 is kaida's unit word, not jinli's: an error in column 单位.
        + "4500001;10;MAT02;1;台;2026/3/5;2026/3/9;1\n"
        + "4500001;20;MAT01;1;件;2026/3/5;2026/3/9;1\n",
        encoding="utf-8",
    )
    (tmp_path / "kaida.csv").write_text(
        "PO,Line,Item,Qty,UOM,Ordered,Due,Price,Supplier\n"
        "4600001,10,MAT01,1,台,2026/3/5,2026/3/9,1,kaida-valve\n"
        # MAT02 is in jinli's crosswalk only, 件 in jinli's unit map only.
        "4600001,20,MAT02,1,件,2026/3/5,2026/3/9,1,kaida-valve\n"
        # A document of jinli's, sent by kaida: not a party.
        "4600002,10,MAT01,1,台,2026/3/5,2026/3/9,1,jinli-motor\n",
        encoding="utf-8",
    )
    files = [
        PathToCheck(
            tmp_path / "jinli.csv", jinli, {"MAT01": "M001", "MAT02": "M002"}, "jinli-motor"
        ),
        PathToCheck(tmp_path / "kaida.csv", kaida, {"MAT01": "M777"}, "kaida-valve"),
    ]
    passes: list[int] = []
    check_rows = Plan.check_rows

    def counted(self: Plan, frame: pl.DataFrame, **options: object) -> object:
        passes.append(frame.height)
        return check_rows(self, frame, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(Plan, "check_rows", counted)
    together = check_paths(files=files, references=None, plans={})
    assert passes == [5]
    monkeypatch.undo()
    for file, outcome in zip(files, together, strict=True):
        alone = check_path(
            path=file.path,
            profile=file.profile,
            crosswalk=file.crosswalk,
            submitted_by=file.submitted_by,
            references=None,
        )
        assert isinstance(outcome, ValidationResult)
        assert_frame_equal(outcome.records, alone.records)
        assert_frame_equal(outcome.errors, alone.errors)
    jinli_result, kaida_result = together
    assert isinstance(jinli_result, ValidationResult)
    assert isinstance(kaida_result, ValidationResult)
    assert jinli_result.records.get_column("material_code").to_list() == ["M002", "M001"]
    assert jinli_result.errors.select("row", "column", "rule", "value").rows() == [
        (1, "单位", "code_list", "台")
    ]
    assert kaida_result.records.get_column("material_code").to_list() == ["M777", None, "M777"]
    assert kaida_result.records.get_column("unit").to_list() == ["H87", "件", "H87"]
    assert kaida_result.errors.select("row", "column", "rule", "value").rows() == [
        (2, "Item", "crosswalk", "MAT02"),
        (2, "UOM", "code_list", "件"),
        (3, None, "not_a_party", "haichuan"),
    ]
    not_a_party = kaida_result.errors.filter(pl.col("rule") == "not_a_party").row(0, named=True)
    assert "kaida-valve" in not_a_party["message_en"]
    assert "kaida-valve" in not_a_party["message_zh"]
