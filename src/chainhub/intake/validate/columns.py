"""Names of the columns a check adds beside the source columns and the standard fields."""

from __future__ import annotations


def source_column(column: str) -> str:
    """Name under which a source column is kept, apart from the standard field names."""
    return f"__src:{column}"


def text_column(name: str) -> str:
    """Name of the column holding a field's mapped text, before typing."""
    return f"__text:{name}"


def precision_column(name: str) -> str:
    """Name of the column flagging a number with more digits than its field allows."""
    return f"__precision:{name}"
