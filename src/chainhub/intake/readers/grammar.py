"""The CSV field grammar of one delimiter, for the few lines the fast split cannot read."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Grammar:
    """Regular expressions of one delimiter's CSV fields, quoted ("" inside) or plain."""

    delimiter: str
    field: str
    record: re.Pattern[str]
    open_record: re.Pattern[str]
    field_end: str

    @classmethod
    def of(cls, delimiter: str) -> Grammar:
        """The grammar of files separated by `delimiter`."""
        d = re.escape(delimiter)
        field = f'"(?:[^"]|"")*"|[^{d}"\\n][^{d}\\n]*'
        return cls(
            delimiter,
            field,
            re.compile(f"(?:{field})?(?:{d}(?:{field})?)*"),
            re.compile(f'(?:(?:{field})?{d})*"(?:[^"]|"")*'),
            f"(?:{field})?{d}",
        )

    def split(self, texts: pl.Series, names: list[str]) -> pl.DataFrame:
        """The fields of texts the record grammar matches, each of `len(names)` fields,
        unquoted, as columns `names`."""
        # Each field taken with the delimiter after it, the last given one: so no field is an
        # empty match, which a regex skips right after a match.
        found = (texts + self.delimiter).str.extract_all(self.field_end).explode()
        field = pl.col(found.name).str.strip_suffix(self.delimiter)
        quoted = field.str.strip_prefix('"').str.strip_suffix('"')
        # An empty field unquoted is null, as Polars' reader reads it; a quoted one is "".
        value = (
            pl.when(field.str.starts_with('"'))
            .then(quoted.str.replace_all('""', '"', literal=True))
            .when(field != "")
            .then(field)
        )
        values = found.to_frame().select(value).to_series()
        # Row by row, `len(names)` fields each: every name's fields are one in so many.
        width = len(names)
        return pl.DataFrame([values.gather_every(width, i).alias(n) for i, n in enumerate(names)])

    def is_record(self, text: pl.Expr) -> pl.Expr:
        """Whether each text is whole fields and delimiters, all closed."""
        return text.str.contains(f"^(?:{self.record.pattern})$")

    def rest(self, text: pl.Expr) -> pl.Expr:
        """Each text without its fields: its delimiters, and what the grammar cannot read."""
        return text.str.replace_all(self.field, "")

    def fields(self, text: pl.Expr) -> pl.Expr:
        """Fields of each text, what the grammar cannot read counted as more."""
        return self.rest(text).str.len_chars().cast(pl.Int64) + 1
