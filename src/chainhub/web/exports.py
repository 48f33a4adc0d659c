"""Any table a page shows, as XLSX or CSV: the page's script sends the table's cells as shown,
and the hub returns them as a file, numbers as numbers and formulas neutralised.

The file holds only what the page already showed the caller, so it needs no visibility rule of
its own; it still needs a signed-in caller, so the hub is no anonymous spreadsheet service.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Annotated, Final, Literal
from urllib.parse import quote

import xlsxwriter
from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from chainhub.api.deps import PrincipalDep
from chainhub.standard.cells import neutralise_cell

router = APIRouter(include_in_schema=False)
MAX_ROWS: Final = 100_000
MAX_COLUMNS: Final = 200
# Shown with separators or decimals, or a short plain integer: a number. Long digit strings
# and ones with leading zeros are codes (PO 4500000004, material 000123) and stay text.
_NUMBER: Final = re.compile(
    r"^-?(\d{1,3}(,\d{3})+|\d+)\.\d+$|^-?\d{1,3}(,\d{3})+$|^-?([1-9]\d{0,5}|0)$"
)
_DASHES: Final = frozenset({"-", "–", "—"})
_SHEET_UNSAFE: Final = str.maketrans("[]:*?/\\", "_______")
_UNSAFE_NAME: Final = re.compile(r"[^\w\u4e00-\u9fff.-]+")
Cell = Annotated[str, Field(max_length=4000)]


class TableExport(BaseModel):
    """A table's header and rows, each cell as the page showed it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="The table's title")
    header: list[Cell] = Field(max_length=MAX_COLUMNS)
    rows: list[Annotated[list[Cell], Field(max_length=MAX_COLUMNS)]] = Field(max_length=MAX_ROWS)


def _value(cell: str) -> float | str | None:
    """A number shown with thousands separators becomes a number; other text stays text,
    neutralised so no spreadsheet runs it."""
    text = cell.strip()
    if not text:
        return None
    if text in _DASHES:  # "no value": nothing a spreadsheet could run
        return text
    if _NUMBER.match(text):
        return float(text.replace(",", ""))
    return neutralise_cell(text)


def _file_name(name: str, suffix: str) -> str:
    base = _UNSAFE_NAME.sub("-", name).strip("-.")[:80] or "table"
    return f"{base}-{datetime.now(UTC).date().isoformat()}.{suffix}"


def _csv_cell(value: float | str | None) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value or ""


def _xlsx(table: TableExport) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet(
            table.name[:31].translate(str.maketrans("[]:*?/\\", "_______"))
        )
        bold = workbook.add_format({"bold": True})
        number = workbook.add_format({"num_format": "#,##0.####"})
        for col, title in enumerate(table.header):
            sheet.write_string(0, col, neutralise_cell(title) or "", bold)
        for r, row in enumerate(table.rows, start=1):
            for col, cell in enumerate(row):
                value = _value(cell)
                if isinstance(value, float):
                    sheet.write_number(r, col, value, number)
                elif value is not None:
                    sheet.write_string(r, col, value)
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()


def _csv(table: TableExport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise_cell(title) for title in table.header])
    for row in table.rows:
        values = (_value(cell) for cell in row)
        writer.writerow(
            ["" if v is None else f"{v:g}" if isinstance(v, float) else v for v in values]
        )
    # With a BOM, so Excel opens Chinese text as UTF-8.
    return out.getvalue().encode("utf-8-sig")


@router.post("/export/table.{suffix}")
def export_table(
    suffix: Literal["xlsx", "csv"],
    table: TableExport,
    principal: PrincipalDep,  # noqa: ARG001 - only a signed-in caller may export
) -> Response:
    """The posted table as an XLSX workbook or a CSV file, for download."""
    return table_file(table, suffix)


def table_file(table: TableExport, suffix: Literal["xlsx", "csv"]) -> Response:
    """A table as an XLSX workbook or a CSV file, for download (a page's whole table too, when
    the page shows it a page at a time)."""
    name = _file_name(table.name, suffix)
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if suffix == "xlsx"
        else "text/csv; charset=utf-8"
    )
    body = _xlsx(table) if suffix == "xlsx" else _csv(table)
    disposition = f"attachment; filename=\"table.{suffix}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
