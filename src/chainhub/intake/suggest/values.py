"""Evidence from a column's values: dates, numbers, unit words, code words and free text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Final

import polars as pl

from chainhub.intake.adapters import vocabulary
from chainhub.intake.adapters.model import standard_enums
from chainhub.intake.schemas import SourceFormat
from chainhub.intake.spec import FieldSpec
from chainhub.intake.suggest.sniff import NUMBER
from chainhub.intake.suggest.text import fold
from chainhub.standard.unit_words import normalize_unit, unit_key
from chainhub.standard.units import UNIT_CODES

# Shapes of dates any export may write; adapters add their families' own.
_DATES: Final = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y")
_TIMES: Final = (" %H:%M:%S", " %H:%M", "T%H:%M:%S%z", "T%H:%M:%S", " %H:%M:%S%z")
# Times of day a date field may carry and drop; an offset (%z) cannot be dropped by a date
# parser, so the UTC designator is matched as a letter.
_DATE_TIMES: Final = (" %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M:%SZ")
_INT: Final = r"^[+-]?\d+(\.0+)?$"
_CJK: Final = r"\u3400-\u4dbf\u4e00-\u9fff"
# Free text: two Chinese characters, or two words of which one has letters.
_FREE_TEXT: Final = rf"[{_CJK}].*[{_CJK}]|[^\W\d_]{{2}}.*\s\S|\S\s.*[^\W\d_]{{2}}"
_SHAPE_RULES: Final = ((rf"[{_CJK}]+", "字"), (r"[^\W\d_]+", "a"), (r"\d+", "9"), (r"\s+", " "))
UNIT_ENUM: Final = "UnitCode"


@cache
def date_formats() -> tuple[str, ...]:
    """Date formats to try: the common shapes, those adapters add, then the same shapes with a
    time of day, which a date field reads past (data-entity exports and APIs write dates as
    date-times: `2026-03-16T12:00:00Z`, `2026-03-02 08:30:00`)."""
    extra = (f for f in vocabulary().date_formats if "%H" not in f)
    with_times = (d + t for d in _DATES for t in _DATE_TIMES)
    return tuple(dict.fromkeys((*_DATES, *extra, *with_times)))


@cache
def timestamp_formats() -> tuple[str, ...]:
    """Timestamp formats to try: dates with times, adapters' own, and bare dates last."""
    extra = (f for f in vocabulary().date_formats if "%H" in f)
    with_times = (d + t for d in _DATES for t in _TIMES)
    compact = ("%Y%m%d%H%M%S", "%Y%m%d%H%M")
    return tuple(dict.fromkeys((*with_times, *compact, *extra, *date_formats())))


def unit_code(word: str) -> tuple[bool, str | None]:
    """Whether a unit word is known, and the standard's Rec 20 code for it if it has one.

    The hub's normalizer comes first; an adapter's word may name a Rec 20 code the standard
    does not accept (a box, a thousand pieces): known, but without a code.
    """
    code = normalize_unit(word)
    if code is not None:
        return True, code
    key = unit_key(word)
    units = vocabulary().units
    if key not in units:
        return False, None
    declared = units[key]
    return True, normalize_unit(declared) if declared in UNIT_CODES else None


@cache
def enum_words(enum_name: str) -> dict[str, str]:
    """Folded words of one enumeration → its standard values (the values themselves included)."""
    table: dict[str, str] = {}
    for value, words in vocabulary().codes.get(enum_name, {}).items():
        table[fold(value)] = value
        for word in words:
            table.setdefault(fold(word), value)
    return table


@cache
def _enum_names() -> dict[tuple[str, ...], str]:
    return {values: name for name, values in standard_enums().items()}


def enum_name(spec: FieldSpec) -> str | None:
    """The standard enumeration a field takes its values from, if any."""
    if spec.choices == UNIT_CODES:
        return UNIT_ENUM
    return _enum_names().get(spec.choices)


def _share(flags: pl.Series) -> float:
    return int(flags.sum()) / flags.len() if flags.len() else 0.0


def _parsed(values: pl.Series, fmt: str, *, timestamp: bool) -> pl.Series:
    """Values parsed under a date or timestamp format; null where they do not parse."""
    if timestamp:
        zone = "UTC" if "%z" in fmt else None
        return values.str.to_datetime(fmt, strict=False, time_unit="us", time_zone=zone)
    return values.str.to_date(fmt, strict=False)


def _parse_share(values: pl.Series, fmt: str, *, timestamp: bool) -> float:
    return 1 - _parsed(values, fmt, timestamp=timestamp).null_count() / values.len()


@dataclass
class ColumnValues:
    """What the values of one column look like."""

    name: str
    values: pl.Series
    has_blanks: bool
    source: SourceFormat

    @cached_property
    def ascii_header(self) -> bool:
        """The header is written in Latin letters (an English or SAP export)."""
        return self.name.isascii()

    @cached_property
    def int_share(self) -> float:
        """Share of values that are whole numbers."""
        return _share(self.values.str.contains(_INT))

    @cached_property
    def number_share(self) -> float:
        """Share of values that are numbers under the file's number style."""
        text = self.values
        if self.source.thousands_separator:
            text = text.str.replace_all(self.source.thousands_separator, "", literal=True)
        if self.source.decimal_comma:
            text = text.str.replace(",", ".", literal=True)
        return _share(text.str.contains(NUMBER))

    def best_format(self, *, timestamp: bool) -> tuple[str | None, float]:
        """The date or timestamp format under which most values parse, and that share."""
        return self._timestamp_format if timestamp else self._date_format

    @cached_property
    def _date_format(self) -> tuple[str | None, float]:
        return self._pick(date_formats(), timestamp=False)

    @cached_property
    def _timestamp_format(self) -> tuple[str | None, float]:
        return self._pick(timestamp_formats(), timestamp=True)

    def _pick(self, formats: tuple[str, ...], *, timestamp: bool) -> tuple[str | None, float]:
        if self.values.len() == 0:
            return None, 0.0
        shares = {f: _parse_share(self.values, f, timestamp=timestamp) for f in formats}
        best = max(shares.values())
        winners = [f for f in formats if shares[f] == best]
        if best > 0 and len(winners) > 1:
            # Day and month both at most 12 everywhere: English exports write month first.
            us = [f for f in winners if f.startswith("%m/%d")]
            eu = [f for f in winners if f.startswith("%d/%m")]
            if us and eu:
                return (us[0] if self.ascii_header else eu[0]), best
        return (winners[0] if best > 0 else None), best

    def unparsed(self, fmt: str | None, *, timestamp: bool) -> tuple[str, ...]:
        """Values that do not parse under a date or timestamp format."""
        if fmt is None:
            return tuple(self.values.head(20).to_list())
        parsed = _parsed(self.values, fmt, timestamp=timestamp)
        return tuple(self.values.filter(parsed.is_null()).head(20).to_list())

    @cached_property
    def unit_codes(self) -> dict[str, tuple[bool, str | None]]:
        """Each value: whether it is a known unit word, and its standard Rec 20 code."""
        return {v: unit_code(v) for v in self.values.to_list()}

    @cached_property
    def unit_share(self) -> float:
        """Share of values that are known unit words."""
        codes = self.unit_codes
        return sum(known for known, _ in codes.values()) / len(codes) if codes else 0.0

    @cached_property
    def free_text_share(self) -> float:
        """Share of values that are free text: words, mostly not digits."""
        text = self.values.str.normalize("NFKC")
        digits = text.str.count_matches(r"\d") / text.str.len_chars()
        return _share(text.str.contains(_FREE_TEXT) & (digits <= 0.6))

    @cached_property
    def shape_variety(self) -> float:
        """Distinct shapes per distinct value: codes of one scheme share a shape, texts vary."""
        if self.values.len() == 0:
            return 0.0
        shapes = self.values.str.normalize("NFKC")
        for pattern, letter in _SHAPE_RULES:
            shapes = shapes.str.replace_all(pattern, letter)
        return shapes.n_unique() / self.values.len()

    def word_share(self, name: str, choices: tuple[str, ...]) -> float:
        """Share of values that are a known word (or code) of an enumeration."""
        if self.values.len() == 0:
            return 0.0
        words = enum_words(name)
        known = [v in choices or fold(v) in words for v in self.values.to_list()]
        return sum(known) / len(known)
