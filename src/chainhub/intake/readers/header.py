"""The header row of a CSV file: its column names, and where the data lines start."""

from __future__ import annotations

import csv
from pathlib import Path

from chainhub.intake.readers.encoding import not_utf8, to_utf8
from chainhub.intake.readers.errors import unreadable
from chainhub.intake.readers.table import Named, name_columns
from chainhub.intake.schemas import MAX_COLUMNS, SourceFormat


def read_header(data: Path, source: SourceFormat, *, shown: Path) -> tuple[Named, int]:
    """The names of the header row's columns, the byte after the header row, and notes on the
    names given to columns without one or with a repeated one.

    `data` is read; `shown` is the partner's file, named in messages.
    """
    header_row = source.header_row or 1
    path = shown
    with data.open("rb") as handle:
        head = handle.read(1 << 16)
        while head.count(b"\n") < header_row:
            more = handle.read(1 << 16)
            if not more:
                break
            head += more
    start = 0
    for _ in range(header_row - 1):
        start = head.find(b"\n", start) + 1 or len(head)
    end = head.find(b"\n", start)
    stop = len(head) if end < 0 else end + 1
    line = to_utf8(head[start:stop], source, path=path, offset=start)
    try:
        header = line.decode("utf-8").lstrip("\ufeff").rstrip("\n")
    except UnicodeDecodeError:
        raise not_utf8(path, line, source, offset=start) from None
    try:
        cells = next(csv.reader([header], delimiter=source.delimiter), [])
    except csv.Error:
        cells = header.split(source.delimiter)
    if not any(c.strip() for c in cells):
        raise unreadable(path, "cannot parse CSV: no header row", "无法解析 CSV：没有表头行")
    named = name_columns(cells)
    if len(cells) > MAX_COLUMNS:
        raise unreadable(
            path,
            f"the header row has {len(cells)} columns; at most {MAX_COLUMNS} are read",
            f"表头行有 {len(cells)} 列；最多读取 {MAX_COLUMNS} 列",
        )
    return named, stop
