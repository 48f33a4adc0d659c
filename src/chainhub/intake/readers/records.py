"""JSON exports in the shapes real systems send, read as rows of text: a bare list, records under
a wrapper key beside paging fields, lines nested under a header object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import polars as pl

from chainhub.intake.readers.errors import unreadable
from chainhub.intake.readers.rows import Note
from chainhub.intake.readers.table import RESERVED, numbered
from chainhub.intake.schemas import MAX_COLUMNS

WRAPPERS: Final = ("records", "data", "rows", "content", "items", "list", "result", "results")
"""Keys under which systems put their records, looked for in this order, two levels deep."""
_MAX_DEPTH: Final = 4
"""Levels of nested objects flattened into columns; deeper values are kept as JSON text."""


def read_json(path: Path) -> tuple[pl.DataFrame, list[Note]]:
    """The file's records as text columns, nested objects flattened to `a.b` columns, and notes
    on where the records were found."""
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise unreadable(path, f"not valid JSON: {exc}", f"不是有效的 JSON：{exc}") from None
    except RecursionError:
        raise unreadable(path, "JSON nested too deeply", "JSON 嵌套层数过多") from None
    notes: list[Note] = []
    records, where = _records(data)
    if records is None:
        raise unreadable(
            path,
            'JSON must be a list of records, or hold one under a key such as "records", '
            '"data", "rows", "content" or "items"',
            'JSON 必须是记录列表，或在 "records"、"data"、"rows"、"content"、"items" 等键下'
            "包含记录列表",
        )
    if where:
        notes.append((f"records found under {where}", f"记录位于 {where}"))
    rows: list[dict[str, str | None]] = []
    nested: set[str] = set()
    for record in records:
        rows.extend(_lines(record, nested))
    if nested:
        shown = ", ".join(sorted(nested))
        notes.append(
            (
                f"lines nested under {shown}: one row per line, with its header's fields",
                f"明细嵌套于 {shown}：每条明细一行，附带表头字段",
            )  # fmt: skip
        )
    columns = list(dict.fromkeys(k for r in rows for k in r))
    if len(columns) > MAX_COLUMNS:
        raise unreadable(
            path,
            f"the records have {len(columns)} fields; at most {MAX_COLUMNS} are read",
            f"记录有 {len(columns)} 个字段；最多读取 {MAX_COLUMNS} 个",
        )
    names = {c: numbered(c, {*columns, *RESERVED}) if c in RESERVED else c for c in columns}
    notes.extend(
        (
            f"field {c!r} is the reader's own; its column is named {names[c]}",
            f"字段 {c!r} 为读取器保留；其列命名为 {names[c]}",
        )
        for c in columns
        if c in RESERVED
    )
    frame = pl.DataFrame(
        {names[c]: [r.get(c) for r in rows] for c in columns},
        schema=dict.fromkeys(names.values(), pl.Utf8),
    )
    return frame, notes


def _records(data: Any) -> tuple[list[dict[str, Any]] | None, str]:
    """The list of records in `data`, and the path of keys it was found under."""
    if _is_records(data):
        return data, ""
    if not isinstance(data, dict):
        return None, ""
    for key in WRAPPERS:
        value = data.get(key)
        if _is_records(value):
            return value, _described(key, data)
        if isinstance(value, dict):
            for inner in WRAPPERS:
                if _is_records(value.get(inner)):
                    return value[inner], _described(f"{key}.{inner}", value)
    lists = [k for k, v in data.items() if _is_records(v) and v]
    if len(lists) == 1:
        return data[lists[0]], _described(lists[0], data)
    return None, ""


def _described(where: str, holder: dict[str, Any]) -> str:
    last = where.rsplit(".", 1)[-1]
    beside = [k for k, v in holder.items() if k != last and not isinstance(v, list | dict)]
    return where + (f" (beside: {', '.join(beside[:6])})" if beside else "")


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)


def _lines(record: dict[str, Any], nested: set[str]) -> list[dict[str, str | None]]:
    """One row per line nested in the record (its one list of objects), else the record."""
    lists = [k for k, v in record.items() if _is_records(v) and v]
    head = _flat({k: v for k, v in record.items() if k not in lists[:1]}, "", 0)
    if len(lists) != 1:
        return [head]
    nested.add(lists[0])
    rows = []
    for line in record[lists[0]]:
        row = dict(head)
        for key, value in _flat(line, "", 0).items():
            row[f"{lists[0]}.{key}" if key in head else key] = value
        rows.append(row)
    return rows


def _flat(record: dict[str, Any], prefix: str, depth: int) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in record.items():
        name = _text(f"{prefix}{key}")
        if isinstance(value, dict) and depth < _MAX_DEPTH:
            out.update(_flat(value, f"{name}.", depth + 1))
        else:
            out[name] = _value(value)
    return out


def _value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _text(json.dumps(value, ensure_ascii=False))


def _text(value: str) -> str:
    """The text with any lone surrogate (which no file encoding can hold) replaced."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value
