"""The CSV field grammar of one delimiter, for the few lines the fast split cannot read."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Grammar:
    """Regular expressions of one delimiter's CSV fields, quoted ("" inside) or plain."""

    field: str
    record: re.Pattern[str]
    open_record: re.Pattern[str]
    field_end: re.Pattern[str]

    @classmethod
    def of(cls, delimiter: str) -> Grammar:
        """The grammar of files separated by `delimiter`."""
        d = re.escape(delimiter)
        field = f'"(?:[^"]|"")*"|[^{d}"\\n][^{d}\\n]*'
        return cls(
            field,
            re.compile(f"(?:{field})?(?:{d}(?:{field})?)*"),
            re.compile(f'(?:(?:{field})?{d})*"(?:[^"]|"")*'),
            re.compile(f"((?:{field})?)({d}|\\Z)"),
        )

    def split(self, record: str) -> list[str]:
        """The fields of a text the record grammar matches, unquoted."""
        fields = []
        # Field by field, each followed by a delimiter or, for the last, by the end.
        for found in self.field_end.finditer(record):
            value = found.group(1)
            fields.append(value[1:-1].replace('""', '"') if value[:1] == '"' else value)
            if not found.group(2):
                return fields
        return fields

    def is_record(self, text: pl.Expr) -> pl.Expr:
        """Whether each text is whole fields and delimiters, all closed."""
        return text.str.contains(f"^(?:{self.record.pattern})$")

    def rest(self, text: pl.Expr) -> pl.Expr:
        """Each text without its fields: its delimiters, and what the grammar cannot read."""
        return text.str.replace_all(self.field, "")

    def fields(self, text: pl.Expr) -> pl.Expr:
        """Fields of each text, what the grammar cannot read counted as more."""
        return self.rest(text).str.len_chars().cast(pl.Int64) + 1
