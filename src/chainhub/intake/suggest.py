"""Draft a mapping profile from a partner's file: sniff the source, place columns, pick transforms.

Columns are placed on fields by a score that multiplies header evidence (the bilingual
lexicon, the standard's own names, fuzzy matching for unseen variants) by value evidence
(dates, numbers, unit and code words compatible with the field's kind); the best pairs are
taken one-to-one. The partner's own description of the material competes for a column too,
as the profile's `material_description`. Value maps are drafted only from knowledge: the
code-word vocabulary, the unit normalizer and, with a database, the hub's partner and site
directory; every value the suggestion cannot place is reported for review instead of guessed.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Final

import fastexcel
import polars as pl
from rapidfuzz import fuzz, process
from sqlalchemy import Connection

from chainhub.errors import ChainhubError
from chainhub.intake.lexicon import (
    COMPANY_SUFFIXES,
    DESCRIPTION_TERMS,
    ENUM_WORDS,
    FIELD_TERMS,
    TYPE_TERMS,
)
from chainhub.intake.readers import SOURCE_ROW, read_source
from chainhub.intake.rules import reference_fields
from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.intake.service import get_crosswalk
from chainhub.intake.spec import FieldSpec, record_specs
from chainhub.standard import fields as standard_fields
from chainhub.standard.fields import ID_PATTERN
from chainhub.standard.registry import get_document_type
from chainhub.standard.unit_words import normalize_unit
from chainhub.standard.units import UNIT_CODES
from chainhub.storage.service import list_current_records

THRESHOLD: Final = 0.5
DESCRIPTION: Final = "material_description"
SAMPLE_ROWS: Final = 5000
DATE_FORMATS: Final = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%Y%m%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
)
_TIMES: Final = (" %H:%M:%S", " %H:%M", "T%H:%M:%S%z", "T%H:%M:%S", " %H:%M:%S%z")
TIMESTAMP_FORMATS: Final = (
    *(d + t for d in DATE_FORMATS for t in _TIMES),
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    *DATE_FORMATS,
)
_DELIMITERS: Final = (",", ";", "\t", "|")
_INT: Final = r"^[+-]?\d+(\.0+)?$"
_NUMBER: Final = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_COMMA_NUMBER: Final = r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$"
_GROUPED_NUMBER: Final = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_CJK: Final = r"\u3400-\u4dbf\u4e00-\u9fff"
# Free text: two Chinese characters, or two words of which one has letters.
_FREE_TEXT: Final = rf"[{_CJK}].*[{_CJK}]|[^\W\d_]{{2}}.*\s\S|\S\s.*[^\W\d_]{{2}}"
_SHAPE_RULES: Final = ((rf"[{_CJK}]+", "字"), (r"[^\W\d_]+", "a"), (r"\d+", "9"), (r"\s+", " "))


@dataclass(frozen=True)
class Placement:
    """One field drawn from one column, with how sure the suggestion is and why."""

    field: str
    column: str
    confidence: float
    evidence: str


@dataclass(frozen=True)
class ValueReview:
    """Values of a column the suggestion could not map: a person must supply them."""

    field: str
    column: str
    reason: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ProfileSuggestion:
    """A drafted profile and the evidence a reviewer needs to accept or correct it."""

    profile: MappingProfile
    placements: tuple[Placement, ...]
    unplaced: tuple[str, ...]
    missing: tuple[str, ...]
    reviews: tuple[ValueReview, ...]
    notes: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Every column placed and every required field covered."""
        return not self.unplaced and not self.missing


def fold(text: str) -> str:
    """A header or word folded for comparison: half-width, lower case, no punctuation or notes."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    bare = re.sub(r"\([^)]*\)", "", folded)
    return re.sub(r"[\W_]+", "", bare or folded)


# Source sniffing


def _decode(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and the profile's name of its encoding."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ChainhubError(
        "file_unreadable",
        "not UTF-8, GBK or GB18030 text",
        "不是 UTF-8、GBK 或 GB18030 编码的文本",
    )


def _csv_layout(text: str) -> tuple[str, int]:
    """Delimiter (the one that splits the first lines into a steady count) and header row."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best: tuple[int, int, str, int] | None = None
    for rank, delimiter in enumerate(_DELIMITERS):
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        modal, hits = Counter(counts).most_common(1)[0]
        if modal < 2 or hits < 0.8 * len(counts):
            continue
        header = counts.index(modal) + 1
        candidate = (modal, -rank, delimiter, header)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return (best[2], best[3]) if best else (",", 1)


def _is_label(value: object) -> bool:
    text = "" if value is None else str(value).strip()
    return bool(text) and re.fullmatch(r"[+-]?[\d.,:/\- ]+", text) is None


def _xlsx_layout(path: Path, document_type: str) -> tuple[str | None, int]:
    """Sheet (None for a one-sheet book) and the header row below any title rows."""
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
        doc = get_document_type(document_type)
        wanted = {fold(doc.title_zh), fold(doc.title_en), fold(doc.name)}
        sheet = next((n for n in names if fold(n) in wanted), names[0])
        top = reader.load_sheet(sheet, header_row=None, n_rows=8, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of bad file
        first = str(exc).splitlines()[0]
        raise ChainhubError(
            "file_unreadable", f"cannot read XLSX: {first}", f"无法读取 XLSX：{first}"
        ) from None
    scores = []
    for row in top.head(5).rows():
        labels = [str(v).strip() for v in row if _is_label(v)]
        scores.append(len(set(labels)))
    header_row = scores.index(max(scores)) + 1 if scores else 1
    return (sheet if len(names) > 1 else None), header_row


def _number_style(frame: pl.DataFrame, delimiter: str) -> tuple[bool, str | None]:
    """Whether numbers use a decimal comma, and the thousands separator if any.

    Without a decimal in sight, a semicolon-separated file is taken to use the decimal comma:
    that is why European spreadsheets separate fields with semicolons.
    """
    comma_columns = []
    grouped_columns = []
    dot_decimals = False
    for name in frame.columns:
        values = _distinct(frame.get_column(name))
        if values.len() == 0:
            continue
        if values.str.contains(_COMMA_NUMBER).all() and values.str.contains(",").any():
            comma_columns.append(values)
        elif values.str.contains(f"{_GROUPED_NUMBER}|{_NUMBER}").all():
            dot_decimals = dot_decimals or values.str.contains(r"\d\.\d").any()
            if values.str.contains(r"^[+-]?\d{1,3}(,\d{3}){2,}|,\d{3}\.\d").any():
                grouped_columns.append(values)
    if comma_columns:
        dotted = any(v.str.contains(r"\d\.\d{3}(,|$)").any() for v in comma_columns)
        return True, "." if dotted else None
    if delimiter == ";" and not dot_decimals:
        return True, None
    return False, "," if grouped_columns else None


def sniff_source(path: Path, document_type: str) -> SourceFormat:
    """How a file is written: format from its extension, then encoding, layout and numbers."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet, header_row = _xlsx_layout(path, document_type)
        source = SourceFormat(format="xlsx", sheet=sheet, header_row=header_row)
    elif suffix == ".json":
        return SourceFormat(format="json")
    else:
        text, encoding = _decode(path.read_bytes())
        delimiter, header_row = _csv_layout(text)
        source = SourceFormat(
            format="csv", encoding=encoding, delimiter=delimiter, header_row=header_row
        )
    frame = read_source(path, source).drop(SOURCE_ROW).head(SAMPLE_ROWS)
    decimal_comma, thousands = _number_style(frame, source.delimiter)
    return source.model_copy(
        update={"decimal_comma": decimal_comma, "thousands_separator": thousands}
    )


# Column evidence


def _distinct(column: pl.Series) -> pl.Series:
    text = column.cast(pl.Utf8).str.strip_chars()
    return text.filter(text.is_not_null() & (text != "")).unique(maintain_order=True)


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
        return _share(text.str.contains(_NUMBER))

    def best_format(self, *, timestamp: bool) -> tuple[str | None, float]:
        """The date or timestamp format under which most values parse, and that share."""
        return self._timestamp_format if timestamp else self._date_format

    @cached_property
    def _date_format(self) -> tuple[str | None, float]:
        return self._pick(DATE_FORMATS, timestamp=False)

    @cached_property
    def _timestamp_format(self) -> tuple[str | None, float]:
        return self._pick(TIMESTAMP_FORMATS, timestamp=True)

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
    def unit_codes(self) -> dict[str, str | None]:
        """Each value's Rec 20 unit code, None where the word is unknown."""
        return {v: normalize_unit(v) for v in self.values.to_list()}

    @cached_property
    def unit_share(self) -> float:
        """Share of values that are known unit words."""
        codes = self.unit_codes
        return sum(c is not None for c in codes.values()) / len(codes) if codes else 0.0

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

    def word_share(self, enum_name: str, choices: tuple[str, ...]) -> float:
        """Share of values that are a known word (or code) of an enumeration."""
        if self.values.len() == 0:
            return 0.0
        words = enum_words(enum_name)
        known = [v in choices or fold(v) in words for v in self.values.to_list()]
        return sum(known) / len(known)


@cache
def enum_words(enum_name: str) -> dict[str, str]:
    """Folded words of one enumeration → its standard values (the values themselves included)."""
    table: dict[str, str] = {}
    for value, words in ENUM_WORDS.get(enum_name, {}).items():
        table[fold(value)] = value
        for word in words:
            table.setdefault(fold(word), value)
    return table


@cache
def _enum_names() -> dict[tuple[str, ...], str]:
    enums = (
        v
        for v in vars(standard_fields).values()
        if isinstance(v, type) and issubclass(v, Enum) and v.__module__ == standard_fields.__name__
    )
    return {tuple(e.value for e in cls): cls.__name__ for cls in enums}


def _enum_name(spec: FieldSpec) -> str | None:
    if spec.choices == UNIT_CODES:
        return "UnitCode"
    return _enum_names().get(spec.choices)


# Header evidence


@cache
def _field_terms(document_type: str) -> dict[str, dict[str, float]]:
    """Per field of a type: folded header terms and their weight (own names beat shared ones)."""
    doc = get_document_type(document_type)
    terms: dict[str, dict[str, float]] = {}
    for name, info in doc.record_fields.items():
        weights = {fold(t): 0.95 for t in FIELD_TERMS.get(name, ())}
        own = [name, *TYPE_TERMS.get((document_type, name), ())]
        extra = info.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("x-description-zh"), str):
            own.append(str(extra["x-description-zh"]))
        weights.update({fold(t): 1.0 for t in own})
        terms[name] = {t: w for t, w in weights.items() if t}
    return terms


def header_score(header: str, terms: dict[str, float]) -> tuple[float, str]:
    """How well a header names a field: exact term, fuzzy match or containment."""
    key = fold(header)
    if not key:
        return 0.0, ""
    if key in terms:
        return terms[key], f"header '{header}'"
    best, why = 0.0, ""
    for term, weight in terms.items():
        ratio = fuzz.ratio(key, term) / 100
        if ratio >= 0.75 and ratio * 0.85 * weight > best:
            best, why = ratio * 0.85 * weight, f"header '{header}' ≈ '{term}' ({ratio:.0%})"
        if len(term) >= 2 and term in key:
            score = (0.55 + 0.3 * len(term) / len(key)) * weight
            if score > best:
                best, why = score, f"header '{header}' contains '{term}'"
    return best, why


def value_fit(spec: FieldSpec, column: ColumnValues) -> tuple[float, str]:
    """Factor in (0, 1] for how well a column's values suit a field's kind, and why."""
    if column.values.len() == 0:
        return 0.9, "column empty"
    if spec.kind in ("date", "datetime"):
        fmt, share = column.best_format(timestamp=spec.kind == "datetime")
        return 0.3 + 0.7 * share, f"{share:.0%} parse as {fmt}"
    if spec.kind == "int":
        return 0.3 + 0.7 * column.int_share, f"{column.int_share:.0%} whole numbers"
    if spec.kind == "decimal":
        return 0.3 + 0.7 * column.number_share, f"{column.number_share:.0%} numbers"
    enum_name = _enum_name(spec)
    if enum_name == "UnitCode":
        return 0.3 + 0.7 * column.unit_share, f"{column.unit_share:.0%} unit words"
    if enum_name is not None:
        share = column.word_share(enum_name, spec.choices)
        return 0.6 + 0.4 * share, f"{share:.0%} known {enum_name} words"
    return 1.0, ""


def description_fit(column: ColumnValues) -> tuple[float, str]:
    """Factor in (0, 1] for how much a column's values look like descriptions of materials."""
    if column.values.len() == 0:
        return 0.9, "column empty"
    share, variety = column.free_text_share, column.shape_variety
    return (
        0.3 + 0.7 * share * (0.5 + 0.5 * variety),
        f"{share:.0%} free text, {variety:.0%} varied",
    )


@cache
def _description_terms() -> dict[str, float]:
    return {fold(t): 0.95 for t in DESCRIPTION_TERMS}


def _describable(document_type: str) -> bool:
    """Transactions that name materials may carry the partner's own description of them."""
    doc = get_document_type(document_type)
    return not doc.master and "material_code" in doc.record_fields


# Directory of the hub


@dataclass(frozen=True)
class Directory:
    """What the hub knows of partners, sites and materials, for value maps."""

    partner_ids: frozenset[str]
    site_ids: frozenset[str]
    partner_names: dict[str, str]
    site_names: dict[str, str]
    materials: frozenset[str]
    partner_codes: frozenset[str]


def _short(name: str) -> str:
    for suffix in COMPANY_SUFFIXES:
        name = name.replace(suffix, "")
    return name


def _names(frame: pl.DataFrame, key: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in frame.select(key, "name_zh", "name_en").iter_rows():
        for name in row[1:]:
            if name:
                names.setdefault(fold(name), row[0])
                names.setdefault(fold(_short(name)), row[0])
    return names


def get_directory(*, conn: Connection, partner_id: str | None) -> Directory:
    """The hub's current partners, sites, golden materials and the partner's own codes."""
    every = 10**9
    partners = list_current_records(conn=conn, document_type="partner", limit=every)
    sites = list_current_records(conn=conn, document_type="site", limit=every)
    materials = list_current_records(conn=conn, document_type="material", limit=every)
    crosswalk = get_crosswalk(conn=conn, partner_id=partner_id) if partner_id else {}
    return Directory(
        partner_ids=frozenset(partners.get_column("partner_id").to_list()),
        site_ids=frozenset(sites.get_column("site_id").to_list()),
        partner_names=_names(partners, "partner_id"),
        site_names=_names(sites, "site_id"),
        materials=frozenset(materials.get_column("material_code").to_list()),
        partner_codes=frozenset(crosswalk),
    )


def _lookup(value: str, names: dict[str, str]) -> str | None:
    key = fold(value)
    if key in names:
        return names[key]
    found = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=88)
    return names[found[0]] if found else None


# Transforms


@dataclass
class _Draft:
    """The transforms of one placed field, with what is left for review and notes."""

    mapping: dict[str, object] = field(default_factory=dict)
    reviews: list[ValueReview] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _word_map(
    spec: FieldSpec, name: str, column: ColumnValues, enum_name: str, draft: _Draft
) -> None:
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for value in column.values.to_list():
        if enum_name == "UnitCode":
            code = column.unit_codes[value]
        else:
            code = value if value in spec.choices else enum_words(enum_name).get(fold(value))
        if code is None:
            unknown.append(value)
        elif code != value:
            mapping[value] = code
    if mapping:
        draft.mapping["map"] = mapping
    if unknown:
        what = "unit words" if enum_name == "UnitCode" else f"{enum_name} words"
        draft.reviews.append(ValueReview(name, column.name, f"unknown {what}", tuple(unknown)))


def _party_map(
    name: str, kind: str, column: ColumnValues, directory: Directory | None, draft: _Draft
) -> None:
    ids = (directory.partner_ids if kind == "partner" else directory.site_ids) if directory else ()
    names = (
        (directory.partner_names if kind == "partner" else directory.site_names)
        if directory
        else {}
    )
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for value in column.values.to_list():
        if value in ids or (
            directory is None and re.fullmatch(ID_PATTERN, value) and re.search("[a-z]", value)
        ):
            continue
        found = _lookup(value, names) if names else None
        if found is None:
            unknown.append(value)
        else:
            mapping[value] = found
    if mapping:
        draft.mapping["map"] = mapping
    if unknown:
        numbers = all(re.fullmatch(r"[\d-]+", v) for v in unknown)
        reason = (
            f"{kind} numbers of the partner's ERP: needs a value map"
            if numbers
            else f"{kind} names not in the hub's directory: needs a value map"
            if directory
            else f"{kind} names: needs a value map (give --db to map them by name)"
        )
        draft.reviews.append(ValueReview(name, column.name, reason, tuple(unknown)))


def _material(
    name: str,
    document_type: str,
    column: ColumnValues,
    partner_id: str | None,
    directory: Directory | None,
    draft: _Draft,
) -> None:
    if document_type == "material_crosswalk" or column.values.len() == 0:
        return
    values = column.values.to_list()
    if directory is not None:
        golden = sum(v in directory.materials for v in values) / len(values)
        own = sum(v in directory.partner_codes for v in values) / len(values)
        if own > golden and own >= 0.5:
            draft.mapping["crosswalk"] = True
            draft.notes.append(f"{name}: {own:.0%} of codes are in {partner_id}'s crosswalk")
        elif golden < 0.5:
            draft.reviews.append(
                ValueReview(
                    name,
                    column.name,
                    "material codes neither golden nor in the partner's crosswalk",
                    tuple(v for v in values if v not in directory.materials)[:20],
                )
            )
    elif partner_id is not None:
        draft.mapping["crosswalk"] = True
        draft.notes.append(
            f"{name}: assumed to hold {partner_id}'s own codes (crosswalk); "
            "give --db to check them against the golden codes"
        )


def _draft(
    *,
    spec: FieldSpec,
    document_type: str,
    column: ColumnValues,
    partner_id: str | None,
    directory: Directory | None,
) -> _Draft:
    draft = _Draft(mapping={"column": column.name})
    if spec.kind in ("date", "datetime"):
        fmt, share = column.best_format(timestamp=spec.kind == "datetime")
        if fmt is not None:
            draft.mapping["date_format"] = fmt
        if 0 < column.values.len() and share < 1:
            bad = column.unparsed(fmt, timestamp=spec.kind == "datetime")
            draft.reviews.append(
                ValueReview(spec.name, column.name, f"values that do not parse as {fmt}", bad)
            )
    enum_name = _enum_name(spec)
    if enum_name is not None:
        _word_map(spec, spec.name, column, enum_name, draft)
    doc = get_document_type(document_type)
    kind = reference_fields(document_type, doc.key).get(spec.name)
    defines = {"partner": "partner_id", "site": "site_id"}.get(document_type)
    if kind in ("partner", "site"):
        _party_map(spec.name, kind, column, directory, draft)
    elif spec.name == defines:
        bad = tuple(
            v
            for v in column.values.to_list()
            if not (re.fullmatch(ID_PATTERN, v) and re.search("[a-z]", v))
        )
        if bad:
            draft.reviews.append(
                ValueReview(spec.name, column.name, "not hub ids: needs a value map", bad)
            )
    elif kind == "material":
        _material(spec.name, document_type, column, partner_id, directory, draft)
    if (
        column.has_blanks
        and spec.kind in ("int", "decimal")
        and spec.default is not None
        and Decimal(str(spec.default)) == 0
    ):
        draft.mapping["default"] = "0"
    return draft


# The suggestion


def _place(document_type: str, columns: list[ColumnValues]) -> list[tuple[Placement, ColumnValues]]:
    """The best one-to-one placement of columns on fields, greedy on descending score."""
    specs = record_specs(document_type)
    terms = _field_terms(document_type)
    described = _describable(document_type)
    order = [*specs, DESCRIPTION] if described else list(specs)
    scored: list[tuple[float, int, int, Placement]] = []
    for ci, column in enumerate(columns):
        for fi, name in enumerate(order):
            header, why = header_score(
                column.name, _description_terms() if name == DESCRIPTION else terms[name]
            )
            if header == 0:
                continue
            fit, fit_why = (
                description_fit(column) if name == DESCRIPTION else value_fit(specs[name], column)
            )
            score = header * fit
            if score >= THRESHOLD:
                evidence = f"{why}; values: {fit_why}" if fit_why else why
                scored.append(
                    (score, ci, fi, Placement(name, column.name, round(score, 3), evidence))
                )
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    taken_columns: set[int] = set()
    taken_fields: set[str] = set()
    placed: list[tuple[Placement, ColumnValues]] = []
    for _score, ci, _fi, placement in scored:
        if ci in taken_columns or placement.field in taken_fields:
            continue
        taken_columns.add(ci)
        taken_fields.add(placement.field)
        placed.append((placement, columns[ci]))
    return sorted(placed, key=lambda p: order.index(p[0].field))


def _fill_empty_dates(fields: dict[str, FieldMapping], specs: dict[str, FieldSpec]) -> None:
    """Empty date columns take the format the file's other dates of their kind are written in."""
    for kind in ("date", "datetime"):
        named = [n for n, m in fields.items() if specs[n].kind == kind]
        used = Counter(fields[n].date_format for n in named if fields[n].date_format)
        if not used:
            continue
        common = used.most_common(1)[0][0]
        for name in named:
            if fields[name].date_format is None:
                fields[name] = fields[name].model_copy(update={"date_format": common})


def suggest_profile(
    *,
    path: Path,
    document_type: str,
    partner_id: str | None = None,
    conn: Connection | None = None,
) -> ProfileSuggestion:
    """Draft the mapping profile of a partner's file of one document type."""
    doc = get_document_type(document_type)
    source = sniff_source(path, document_type)
    frame = read_source(path, source).drop(SOURCE_ROW)
    sample = frame.head(SAMPLE_ROWS)
    columns = [
        ColumnValues(
            name=c,
            values=_distinct(frame.get_column(c)),
            has_blanks=bool(
                sample.get_column(c).cast(pl.Utf8).str.strip_chars().fill_null("").eq("").any()
            ),
            source=source,
        )
        for c in frame.columns
    ]
    directory = get_directory(conn=conn, partner_id=partner_id) if conn is not None else None
    specs = record_specs(document_type)
    placed = _place(document_type, columns)
    fields: dict[str, FieldMapping] = {}
    reviews: list[ValueReview] = []
    notes: list[str] = []
    description = None
    for placement, column in placed:
        if placement.field == DESCRIPTION:
            description = column.name
            continue
        draft = _draft(
            spec=specs[placement.field],
            document_type=document_type,
            column=column,
            partner_id=partner_id,
            directory=directory,
        )
        fields[placement.field] = FieldMapping.model_validate(draft.mapping)
        reviews.extend(draft.reviews)
        notes.extend(draft.notes)
    _fill_empty_dates(fields, specs)
    own_party = doc.parties[0] if doc.parties and not doc.master else None
    if own_party is not None and own_party not in fields and partner_id is not None:
        fields[own_party] = FieldMapping(value=partner_id)
        notes.append(f"{own_party}: not in the file, set to the submitting partner {partner_id}")
    placed_columns = {p.column for p, _ in placed}
    missing = tuple(
        n for n, s in specs.items() if s.required and s.default is None and n not in fields
    )
    if partner_id is None:
        notes.append("partner_id of the profile is a placeholder: give --partner")
    profile = MappingProfile(
        partner_id=partner_id or "unknown",
        document_type=document_type,
        source=source,
        fields={n: fields[n] for n in specs if n in fields},
        material_description=description,
    )
    return ProfileSuggestion(
        profile=profile,
        placements=tuple(p for p, _ in placed),
        unplaced=tuple(c for c in frame.columns if c not in placed_columns),
        missing=missing,
        reviews=tuple(reviews),
        notes=tuple(notes),
    )
