"""The reader finds the table wherever it is in a file, and says what it chose."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter

from chainhub.intake.readers import read_rows
from chainhub.intake.schemas import SourceFormat

CSV = SourceFormat(format="csv")
KINGDEE = (
    "采购订单列表\n"
    "\n"
    "导出时间：2026-03-02 10:15\n"
    "单据编号,日期,供应商,物料编码,物料名称,采购数量,单位,,\n"
    "CGDD000123,2026/3/2,华东精密,1.01.001,轴承,1200,个,,\n"
    "CGDD000123,2026/3/2,华东精密,1.01.002,垫圈,300,千个,,\n"
    "合计,,,,,1500,,,\n"
)


def _read(path: Path, source: SourceFormat = CSV) -> tuple[list[tuple[object, ...]], list[str]]:
    rows = read_rows(path=path, source=source)
    return rows.frame.rows(), [en for en, _zh in rows.notes]


def test_title_blank_and_note_lines_above_the_header_are_skipped_and_reported(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kingdee.csv"
    path.write_text(KINGDEE, encoding="utf-8")
    rows, notes = _read(path)
    assert rows == [
        (1, "CGDD000123", "2026/3/2", "华东精密", "1.01.001", "轴承", "1200", "个"),
        (2, "CGDD000123", "2026/3/2", "华东精密", "1.01.002", "垫圈", "300", "千个"),
    ]
    assert notes[0].startswith("header found on line 4")
    assert notes[-1].startswith("the last row is a totals row, skipped")


def test_a_pinned_header_row_and_kept_totals_are_honoured(tmp_path: Path) -> None:
    path = tmp_path / "kingdee.csv"
    path.write_text(KINGDEE, encoding="utf-8")
    rows, _ = _read(path, SourceFormat(format="csv", header_row=4, skip_totals=False))
    assert rows[-1][:2] == (3, "合计")


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("gbk", "GBK"),
        ("gb18030", "GB18030"),
        ("big5", "BIG5"),
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16-LE"),
        ("utf-8-sig", "UTF-8-SIG"),
    ],
)
def test_encodings_are_detected_and_reported(tmp_path: Path, encoding: str, detected: str) -> None:
    name = "䶮" if encoding == "gb18030" else "轴承" if encoding != "big5" else "軸承"
    text = f"物料编码\t物料名称\t数量\r\nM-1\t{name}\t5\r\nM-2\t{name}\t7\r\n"
    if encoding == "big5":
        text = text.replace("编码", "編碼").replace("名称", "名稱").replace("数量", "數量")
    path = tmp_path / "export.txt"
    path.write_bytes(text.encode(encoding))
    rows, notes = _read(path, SourceFormat(format="csv", delimiter="\t"))
    assert [r[2] for r in rows] == [name, name]
    assert f"encoding detected: {detected} (pin it with source.encoding)" in notes


def test_empty_repeated_and_trailing_empty_header_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,a,,b,\n1,2,3,4,\n", encoding="utf-8")
    read = read_rows(path=path, source=CSV)
    assert read.frame.columns == ["_source_row", "a", "a_2", "column_3", "b"]
    assert read.frame.rows() == [(1, "1", "2", "3", "4")]
    assert len(read.notes) == 3


def test_header_names_of_the_readers_own_columns_are_numbered(tmp_path: Path) -> None:
    # They were a Polars DuplicateError traceback, even in a file of plain lines.
    path = tmp_path / "own.csv"
    path.write_text('_line,_source_row\n1,2\n"x\n",3\n', encoding="utf-8")
    read = read_rows(path=path, source=CSV)
    assert read.frame.columns == ["_source_row", "_line_2", "_source_row_2"]
    assert read.frame.rows() == [(1, "1", "2"), (2, "x\n", "3")]
    assert [en for en, _zh in read.notes] == [
        "header name '_line' is the reader's own; column 1 is named _line_2",
        "header name '_source_row' is the reader's own; column 2 is named _source_row_2",
    ]


def test_json_fields_named_as_the_readers_own_columns_are_numbered(tmp_path: Path) -> None:
    path = tmp_path / "own.json"
    path.write_text(json.dumps([{"_source_row": "7", "_source_row_2": "8", "a": "9"}]))
    read = read_rows(path=path, source=SourceFormat(format="json"))
    assert read.frame.columns == ["_source_row", "_source_row_3", "_source_row_2", "a"]
    assert read.frame.rows() == [(1, "7", "8", "9")]
    assert [en for en, _zh in read.notes] == [
        "field '_source_row' is the reader's own; its column is named _source_row_3"
    ]


def test_cr_only_line_ends_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a,b\r1,2\r3,4\r")
    assert _read(path)[0] == [(1, "1", "2"), (2, "3", "4")]


def test_xlsx_title_rows_merged_title_totals_and_date_cells(tmp_path: Path) -> None:
    path = tmp_path / "u8.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    date = book.add_format({"num_format": "yyyy/m/d"})
    sheet.merge_range(0, 0, 0, 3, "采购入库单列表")
    sheet.write_row(2, 0, ["入库单号", "入库日期", "存货编码", "数量"])
    sheet.write_row(3, 0, ["RK0001"])
    sheet.write_datetime(3, 1, datetime(2026, 3, 2), date)  # noqa: DTZ001 - a spreadsheet cell
    sheet.write_row(3, 2, ["01001", 12])
    sheet.write_row(4, 0, ["小计", None, None, 12])
    book.close()
    rows, notes = _read(path, SourceFormat(format="xlsx"))
    assert rows == [(1, "RK0001", "2026-03-02", "01001", "12")]
    assert notes[0].startswith("header found on line 3")


def test_xlsx_totals_rows_anywhere_are_skipped_beside_midnight_dates(tmp_path: Path) -> None:
    """The totals rows of a sheet, found in the pass that finds its date columns, are its own:
    a subtotal between rows and a total at the end, below a title, beside a midnight
    timestamp and an empty column."""
    path = tmp_path / "rk.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["入库单列表"])
        sheet.write_row(1, 0, ["入库单号", "入库日期", "数量", None])
        sheet.write_row(2, 0, ["RK1", "2026-03-02 00:00:00", "1"])
        sheet.write_row(3, 0, ["小计", None, "1"])
        sheet.write_row(4, 0, ["RK2", "2026-03-03 08:00:00", "2"])
        sheet.write_row(5, 0, ["RK3", "2026-03-04", "4"])
        sheet.write_row(6, 0, ["合计", None, "7"])
    rows, notes = _read(path, SourceFormat(format="xlsx"))
    assert rows == [
        (1, "RK1", "2026-03-02", "1"),
        (3, "RK2", "2026-03-03 08:00:00", "2"),
        (4, "RK3", "2026-03-04", "4"),
    ]
    assert "totals or subtotal rows skipped: 2, 5" in " ".join(notes)


@pytest.mark.parametrize(
    "body",
    [
        [{"po": "P1", "qty": 2}],
        {"code": 0, "data": {"records": [{"po": "P1", "qty": 2}], "total": 1, "page": 1}},
        {"content": [{"po": "P1", "qty": 2}], "totalElements": 1, "number": 0},
        {"items": [{"po": "P1", "qty": 2}], "next": None},
        [{"po": "P1", "lines": [{"qty": 2}]}],
    ],
)
def test_json_in_the_shapes_real_systems_send(tmp_path: Path, body: object) -> None:
    path = tmp_path / "srm.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    rows, _ = _read(path, SourceFormat(format="json"))
    assert rows == [(1, "P1", "2")]
