"""The header row of a CSV file: its column names, and where the data lines start."""

from __future__ import annotations

import csv
from pathlib import Path

from chainhub.intake.readers.encoding import not_utf8, to_utf8
from chainhub.intake.readers.errors import unreadable
from chainhub.intake.schemas import MAX_COLUMNS, SourceFormat


def read_header(path: Path, source: SourceFormat) -> tuple[list[str], int]:
    """The names of the header row's columns, and the byte after the header row."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        while head.count(b"\n") < source.header_row:
            more = handle.read(1 << 16)
            if not more:
                break
            head += more
    start = 0
    for _ in range(source.header_row - 1):
        start = head.find(b"\n", start) + 1 or len(head)
    end = head.find(b"\n", start)
    stop = len(head) if end < 0 else end + 1
    line = to_utf8(head[start:stop], source, path=path, offset=start)
    try:
        header = line.decode("utf-8").lstrip("\ufeff").rstrip("\n")
    except UnicodeDecodeError:
        raise not_utf8(path, line, source, offset=start) from None
    names = [n.strip() for n in next(csv.reader([header], delimiter=source.delimiter), [])]
    if len(names) > MAX_COLUMNS:
        raise unreadable(
            path,
            f"the header row has {len(names)} columns; at most {MAX_COLUMNS} are read",
            f"表头行有 {len(names)} 列；最多读取 {MAX_COLUMNS} 列",
        )
    if not any(names):
        raise unreadable(path, "cannot parse CSV: no header row", "无法解析 CSV：没有表头行")
    return names, stop
