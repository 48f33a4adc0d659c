"""Reading partner CSV files: rows that cannot be split into fields are reported, row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainhub.errors import ChainhubError
from chainhub.intake.readers import read_rows, read_source
from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.intake.service import check_file
from tests.intake.test_validate import HEADER, PO_FIELDS

CSV = SourceFormat(format="csv")


def _rows(tmp_path: Path, text: str, source: SourceFormat = CSV) -> tuple[list[tuple], list[tuple]]:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    read = read_rows(path=path, source=source)
    return read.frame.rows(), read.malformed.select("row", "rule", "found").rows()


def test_ragged_rows_are_reported_with_their_row_and_field_count(tmp_path: Path) -> None:
    rows, malformed = _rows(tmp_path, "a,b,c\n1,2\n3,4,5\n6,7,8,9\n1,2,3,4,5,6\n10,11,12\n")
    assert rows == [(2, "3", "4", "5"), (5, "10", "11", "12")]
    assert malformed == [(1, "ragged_row", 2), (3, "ragged_row", 4), (4, "ragged_row", None)]


def test_an_unclosed_quote_is_one_broken_row_and_swallows_nothing(tmp_path: Path) -> None:
    rows, malformed = _rows(tmp_path, 'a,b,c\n1,2,3\n4,"five,6\n7,8,9\n10,"x,y",12\n')
    assert rows == [(1, "1", "2", "3"), (3, "7", "8", "9"), (4, "10", "x,y", "12")]
    assert malformed == [(2, "broken_quote", None)]


def test_legal_quoting_spans_lines_and_keeps_excel_row_numbers(tmp_path: Path) -> None:
    text = 'a,b,c\r\n1,"say ""hi""",3\r\n2,"two\r\nlines",3\r\n3,12" pipe,3\r\n\r\n4,"a,b,c",3\r\n'
    rows, malformed = _rows(tmp_path, text)
    assert rows == [
        (1, "1", 'say "hi"', "3"),
        (2, "2", "two\nlines", "3"),
        (3, "3", '12" pipe', "3"),
        (4, None, None, None),
        (5, "4", "a,b,c", "3"),
    ]
    assert malformed == []


def test_a_broken_quote_does_not_pair_with_a_later_quote(tmp_path: Path) -> None:
    text = 'a,b,c\n1,"x,3\n2,2,2\n3,"y,3\n4,"z\nw",4\n'
    rows, malformed = _rows(tmp_path, text)
    assert rows == [(2, "2", "2", "2"), (4, "4", "z\nw", "4")]
    assert malformed == [(1, "broken_quote", None), (3, "broken_quote", None)]


def test_records_of_two_and_more_lines_whose_later_lines_open_quotes(tmp_path: Path) -> None:
    # Row 1 spans three lines; row 2's second line opens a quote of its own, which its
    # record closes; row 3 is a two-line record with a delimiter on each line.
    text = 'a,b,c\n1,"one\ntwo\nthree",3\n2,"x\n",2\n3,"p,\nq,",3\n4,5,6\n'
    rows, malformed = _rows(tmp_path, text)
    assert rows == [
        (1, "1", "one\ntwo\nthree", "3"),
        (2, "2", "x\n", "2"),
        (3, "3", "p,\nq,", "3"),
        (4, "4", "5", "6"),
    ]
    assert malformed == []


def test_text_after_a_closing_quote_is_a_broken_row_with_its_place(tmp_path: Path) -> None:
    # Fuzz seed 14's file, and a row of two fields like it: a quoted field runs into text
    # (`","1"`), which Polars' reader was asked to split and refused with a traceback.
    rows, malformed = _rows(tmp_path, '"1\n",""\n"\n","1"')
    assert rows == [(1, ',"\n')]
    assert malformed == [(2, "broken_quote", None)]
    rows, malformed = _rows(tmp_path, 'a,b\n"x"y,1\n2,3\n')
    assert rows == [(2, "2", "3")]
    assert malformed == [(1, "broken_quote", None)]
    with pytest.raises(ChainhubError) as caught:
        read_source(tmp_path / "export.csv", CSV)
    assert caught.value.message_en.endswith(
        "row 1: a quoted field on this row is never closed, or text follows its closing quote; "
        "the row cannot be split into fields"
    )


def test_a_stray_quote_in_a_plain_field_of_a_quoted_row_is_kept(tmp_path: Path) -> None:
    # An odd count of quotes on a row with a quoted field made Polars' reader read on over
    # the record's end: the whole file was refused, not even naming a row.
    text = 'a,b\n"x",3/4" pipe\nk"g,"y"\n"z\n",1"\n'
    rows, malformed = _rows(tmp_path, text)
    assert rows == [(1, "x", '3/4" pipe'), (2, 'k"g', "y"), (3, "z\n", '1"')]
    assert malformed == []


def test_rows_are_numbered_below_a_title_line_and_a_semicolon_header(tmp_path: Path) -> None:
    source = SourceFormat(format="csv", delimiter=";", header_row=2)
    rows, malformed = _rows(tmp_path, "导出 2026-03\na;b\n1;2\n3\n4;5\n", source)
    assert rows == [(1, "1", "2"), (3, "4", "5")]
    assert malformed == [(2, "ragged_row", 1)]


def test_read_source_refuses_a_file_with_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(ChainhubError) as caught:
        read_source(path, CSV)
    assert caught.value.message_en.endswith("row 2: the row has 1 fields where the header has 2")


def test_check_file_reports_malformed_rows_and_checks_every_other_row(tmp_path: Path) -> None:
    profile = MappingProfile(
        partner_id="jinli-motor",
        document_type="purchase_order",
        source=SourceFormat(format="csv", delimiter=";"),
        fields={**PO_FIELDS, "material_code": FieldMapping(column="物料")},
    )
    path = tmp_path / "po.csv"
    path.write_text(
        HEADER
        + "4500001;10;M001;1;件;2026/3/5;2026/3/9;1\n"
        + '4500001;20;"M002;1;件;2026/3/5;2026/3/9;1\n'
        + "4500001;30;M002;1;件;2026/3/5;2026/3/9\n"
        + "4500001;40;M002;-1;件;2026/3/5;2026/3/9;1\n",
        encoding="utf-8",
    )
    result = check_file(conn=None, path=path, profile=profile)
    found = {(r["row"], r["field"], r["rule"]) for r in result.errors.to_dicts()}
    assert found == {
        (2, "_row", "broken_quote"),
        (3, "_row", "ragged_row"),
        (4, "quantity", "range"),
    }
    ragged = result.errors.filter(result.errors["rule"] == "ragged_row").row(0, named=True)
    assert ragged["value"] == "4500001;30;M002;1;件;2026/3/5;2026/3/9"
    assert ragged["message_zh"] == "该行有 7 个字段，而表头有 8 个"
    assert (result.rows, result.valid_rows) == (4, 1)
