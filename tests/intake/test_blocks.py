"""A CSV file checked block by block says exactly what the whole file checked at once says."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from chainhub.intake.readers import SOURCE_ROW, CsvFile, read_rows, split_together
from chainhub.intake.readers.layout import Layout
from chainhub.intake.readers.table import TOTALS, may_hold_totals
from chainhub.intake.schemas import MappingProfile, SourceFormat
from chainhub.intake.validate import ValidationResult, check_csv, check_frame
from tests.intake.test_validate import CROSSWALK, HEADER, PO_FIELDS

PROFILE = MappingProfile(
    partner_id="jinli-motor",
    document_type="purchase_order",
    source=SourceFormat(format="csv", delimiter=";"),
    fields=PO_FIELDS,
)
LINES = [
    "4500001;10;MAT01;1;件;2026/3/5;2026/3/9;1",
    "4500001;20;MAT02;2;件;2026/3/5;2026/3/9;2",
    # A line break inside a quoted code, then a broken quote, a ragged row and a blank line.
    '4500002;10;"MAT\n01";1;件;2026/3/6;2026/3/9;1',
    '4500002;20;"MAT02;1;件;2026/3/6;2026/3/9;1',
    "4500002;30;MAT02;1;件;2026/3/6",
    "",
    '4500003;10;"MAT01";-1;件;2026/3/7;2026/3/9;1',
    # The same line again, then a differing order date: document checks across blocks.
    "4500003;10;MAT01;1;件;2026/3/7;2026/3/9;1",
    "4500003;20;MAT02;1;PCS;2026/3/8;2026/3/9;1",
    "4500004;10;MAT01;1;件;2026/3/7;2026/3/1;x",
    # A document whose lines are not adjacent.
    "4500001;30;MAT01;1;件;2026/3/9;2026/3/9;1",
    "4500005;10;MAT01;1;件;2026/3/7;2026/3/9;1",
    # A record of three lines whose middle line is a whole quoted row by itself.
    '4500006;10;"MAT\n"";1;件;2026/3/7;2026/3/9;1;x;""\n01";1;件;2026/3/7;2026/3/9;1',
]


def _both(path: Path, block_bytes: int) -> tuple[ValidationResult, ValidationResult]:
    rows = read_rows(path=path, source=PROFILE.source)
    whole = check_frame(
        frame=rows.frame, profile=PROFILE, crosswalk=CROSSWALK, malformed=rows.malformed
    )
    blocks = check_csv(path=path, profile=PROFILE, crosswalk=CROSSWALK, block_bytes=block_bytes)
    return whole, blocks


@pytest.mark.parametrize("block_bytes", [1, 40, 97, 1 << 20])
def test_blocks_of_any_size_give_the_report_and_records_of_the_whole_file(
    tmp_path: Path, block_bytes: int
) -> None:
    path = tmp_path / "po.csv"
    path.write_text(HEADER + "\r\n".join(LINES) + "\r\n", encoding="utf-8")
    whole, blocks = _both(path, block_bytes)
    assert blocks.errors.to_dicts() == whole.errors.to_dicts()
    assert blocks.records.equals(whole.records)
    assert (blocks.rows, blocks.valid_rows) == (whole.rows, whole.valid_rows) == (13, 1)
    rules = {(r["row"], r["rule"]) for r in blocks.errors.to_dicts()}
    assert {(4, "broken_quote"), (5, "ragged_row"), (7, "range"), (8, "duplicate")} <= rules
    assert {(9, "header_mismatch"), (10, "cross_field"), (11, "header_mismatch")} <= rules
    assert {rule for row, rule in rules if row == 13} == {"crosswalk"}
    wanted = pl.Series([3, 8, 11])
    assert blocks.source_of(wanted).equals(whole.source_of(wanted))
    assert blocks.source_of(wanted).get_column("物料").to_list() == ["MAT\n01", "MAT01", "MAT01"]


def test_a_file_without_records_kept_still_counts_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "po.csv"
    path.write_text(HEADER + "\n".join(LINES), encoding="utf-8")
    whole, _ = _both(path, 1 << 20)
    light = check_csv(path=path, profile=PROFILE, crosswalk=CROSSWALK, records=False)
    assert light.records.columns == [SOURCE_ROW]
    assert light.errors.equals(whole.errors)
    assert light.rows == whole.rows


def test_a_gbk_file_split_mid_character_is_decoded_block_by_block(tmp_path: Path) -> None:
    path = tmp_path / "po.csv"
    path.write_bytes((HEADER + "\n".join(LINES[:2]) + "\n").encode("gbk"))
    profile = PROFILE.model_copy(
        update={"source": SourceFormat(format="csv", delimiter=";", encoding="gbk")}
    )
    blocks = check_csv(path=path, profile=profile, crosswalk=CROSSWALK, block_bytes=3)
    assert blocks.errors.height == 0
    assert blocks.records.get_column("unit").to_list() == ["H87", "H87"]


@pytest.mark.parametrize("block_bytes", [40, 1 << 20])
def test_totals_rows_are_skipped_in_every_block_and_only_there(
    tmp_path: Path, block_bytes: int
) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + "\n".join(LINES[:2]) + "\n", encoding="utf-8")
    totals = tmp_path / "totals.csv"
    # A subtotal between the lines and a grand total below them; "计划" names no total.
    body = [LINES[0], "小 计;;;1;;;;", LINES[1].replace("件", "计划件"), "GRAND TOTAL:;;;3;;;;"]
    totals.write_text(HEADER + "\n".join(body) + "\n", encoding="utf-8")
    expected = check_csv(path=plain, profile=PROFILE, crosswalk=CROSSWALK)
    found = check_csv(path=totals, profile=PROFILE, crosswalk=CROSSWALK, block_bytes=block_bytes)
    assert found.records.get_column(SOURCE_ROW).to_list() == [1, 3]
    assert found.records.get_column("line_no").to_list() == [10, 20]
    assert found.records.head(1).equals(expected.records.head(1))
    assert found.errors.select("row", "rule").rows() == [(3, "code_list")]


@pytest.mark.parametrize(
    "label",
    ["合计", "合 计", "小計", "總計", "总  计：", "Sub-Total", "GRAND TOTALS", "Summe", "ſumme",
     "Zwischensumme", "GESAMT"],
)  # fmt: skip
def test_every_totals_label_is_seen_by_the_test_of_a_whole_block(label: str) -> None:
    assert TOTALS.match(label)
    text = f"a;{label};b\n".encode()
    assert may_hold_totals(text)
    assert not may_hold_totals("a;合并;小件;Tot al;Sum;b\n".encode())


def test_files_split_in_one_read_get_the_lines_each_would_alone(tmp_path: Path) -> None:
    """Small CSV files of one layout split in one read each get their own lines, flags and
    rare lines, as read alone: a ragged line, a quoted field, and a file whose text holds the
    first sentinel (so it is marked with another) among them."""
    source = SourceFormat(format="csv", delimiter=";")
    bodies = [
        "4500001;10;MAT01;1;件;2026/3/5;2026/3/9;1\n4500001;20;MAT02;1;件;2026/3/5;2026/3/9\n",
        '4500002;10;"MAT;01";2;件;2026/3/5;2026/3/9;1\n',
        "4500003;10;MAT01;3;件\x01;2026/3/5;2026/3/9;1\n4500003;20;MAT01;3;件;2026/3/5;x;1;9\n",
    ]
    paths = []
    for index, body in enumerate(bodies):
        paths.append(tmp_path / f"po{index}.csv")
        paths[-1].write_text(HEADER + body, encoding="utf-8")
    joint = [CsvFile(p, source) for p in paths]
    reads: list[int] = []
    split = Layout.split

    def counted(self: Layout, data: bytes, columns: list[str], **options: bool) -> pl.DataFrame:
        if not options.get("quoted", True):  # the split of lines, not of a quoted record
            reads.append(len(data))
        return split(self, data, columns, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Layout, "split", counted)
        split_together(joint)
        together = [list(f.blocks()) for f in joint]
    assert len(reads) == 1
    for path, blocks, file in zip(paths, together, joint, strict=True):
        alone_file = CsvFile(path, source)
        alone = list(alone_file.blocks())
        assert len(blocks) == len(alone) == 1
        for field in ("frame", "plain", "rare", "quoted"):
            assert getattr(blocks[0], field).equals(getattr(alone[0], field)), (path, field)
        assert file.resolve().others.equals(alone_file.resolve().others)
    assert [b[0].plain.to_list() for b in together] == [[True, False], [False], [True, False]]
