"""Any page table as XLSX or CSV: numbers as numbers, codes as text, formulas neutralised,
only for a signed-in caller."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import polars as pl

from tests.api.hub import JINLI, OEM, Hub

TABLE: dict[str, Any] = {
    "name": "供应商 OTIF",
    "header": ["Supplier", "PO", "Lines", "OTIF %", "Note"],
    "rows": [
        ["jinli-motor Co.", "4500000004", "1,234", "87.5", "=cmd|' /C calc'!A0"],
        ["Supplier A", "000123", "12", "—", "+1 ok"],
    ],
}


def test_a_table_comes_back_as_a_workbook(hub: Hub) -> None:
    response = hub.post(OEM, "/export/table.xlsx", json=TABLE)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert unquote(disposition.split("UTF-8''")[1]).startswith("供应商-OTIF-")
    sheet = pl.read_excel(io.BytesIO(response.content))
    assert sheet.columns == TABLE["header"]
    assert sheet["Lines"].to_list() == [1234, 12]
    assert sheet["OTIF %"].to_list() == ["87.5", "—"]  # one text cell makes the column text
    assert sheet["PO"].to_list() == ["4500000004", "000123"]  # codes stay text
    assert sheet["Note"].to_list() == ["'=cmd|' /C calc'!A0", "'+1 ok"]


def test_a_table_comes_back_as_csv_for_excel(hub: Hub) -> None:
    response = hub.post(JINLI, "/export/table.csv", json=TABLE)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "jinli-motor Co.,4500000004,1234,87.5,'=cmd|' /C calc'!A0"
    assert lines[2] == "Supplier A,000123,12,—,'+1 ok"


def test_only_a_signed_in_caller_exports(hub: Hub) -> None:
    assert hub.client.post("/export/table.xlsx", json=TABLE).status_code == 401


def test_a_table_too_wide_is_refused_by_name(hub: Hub) -> None:
    wide = {**TABLE, "header": [f"c{i}" for i in range(201)]}
    response = hub.post(OEM, "/export/table.csv", json=wide)
    assert response.status_code == 422
    assert "header" in response.text
    assert hub.post(OEM, "/export/table.pdf", json=TABLE).status_code == 422
