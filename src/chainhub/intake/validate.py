"""Apply a mapping profile to a partner's file and check every row, vectorized.

Each standard field becomes one Polars expression (text → transform → typed value) plus one
boolean expression per rule; all are evaluated in a single pass and every failing cell is
reported with its source row and column, never just the first.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.messages import RULE_MESSAGES, malformed_message
from chainhub.intake.readers import BLOCK_BYTES, LINE, SOURCE_ROW, CsvFile
from chainhub.intake.rules import CROSS_FIELD_RULES, reference_fields
from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.intake.spec import FieldSpec, record_specs
from chainhub.standard.fields import USCC_CHARSET
from chainhub.standard.registry import DocumentType, get_document_type

DTYPES: dict[str, pl.DataType] = {
    "str": pl.Utf8(),
    "enum": pl.Utf8(),
    "enum_list": pl.List(pl.Utf8()),
    "int": pl.Int64(),
    "decimal": pl.Decimal(18, 6),
    "date": pl.Date(),
    "datetime": pl.Datetime("us", "UTC"),
}
_REFERENCE_ZH: Final = {"partner": "合作伙伴", "site": "场所", "material": "物料"}
ROW_FIELD: Final = "_row"
"""The field named by errors of a whole row that could not be split into fields."""
ERROR_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "column": pl.Utf8(),
    "field": pl.Utf8(),
    "value": pl.Utf8(),
    "rule": pl.Utf8(),
    "message_en": pl.Utf8(),
    "message_zh": pl.Utf8(),
}


def source_column(column: str) -> str:
    """Name under which a source column is kept, apart from the standard field names."""
    return f"__src:{column}"


@dataclass(frozen=True)
class _Check:
    field: str
    column: str | None
    rule: str
    fails: pl.Expr
    detail: str = ""
    detail_zh: str = ""


def _text(mapping: FieldMapping | None, spec: FieldSpec) -> pl.Expr:
    """The field's value as trimmed text after value maps and defaults; null when empty."""
    if mapping is None:
        expr = pl.lit(None, dtype=pl.Utf8)
    elif mapping.column is not None:
        expr = (
            pl.col(source_column(mapping.column)).cast(pl.Utf8).str.strip_chars().replace("", None)
        )
    else:
        expr = pl.lit(str(mapping.value), dtype=pl.Utf8)
    if mapping is not None and mapping.map:
        expr = expr.replace({str(k): str(v) for k, v in mapping.map.items()})
    for default in (mapping.default if mapping else None, spec.default):
        if default is not None:
            expr = expr.fill_null(pl.lit(str(default)))
    return expr


def _number_text(text: pl.Expr, source: SourceFormat) -> pl.Expr:
    if source.thousands_separator:
        text = text.str.replace_all(source.thousands_separator, "", literal=True)
    if source.decimal_comma:
        text = text.str.replace(",", ".", literal=True)
    return text


def _parse_datetime(text: pl.Expr, mapping: FieldMapping | None) -> pl.Expr:
    tz = mapping.timezone if mapping else "+08:00"
    fmt = mapping.date_format if mapping else None
    if fmt is not None and re.search(r"%[:#]?z", fmt):
        # The text carries its own offset (%z, %:z): the profile's time zone does not apply.
        return text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
    if fmt is not None:
        naive = text.str.to_datetime(fmt, strict=False, time_unit="us")
        return naive.dt.replace_time_zone(tz).dt.convert_time_zone("UTC")
    aware = text.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC"
    )
    naive = pl.coalesce(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us"),
    )
    return pl.coalesce(aware, naive.dt.replace_time_zone(tz).dt.convert_time_zone("UTC"))


def gs1_fails(text: pl.Expr, lengths: tuple[int, ...]) -> pl.Expr:
    padded = text.str.zfill(18)
    total = pl.lit(0, dtype=pl.Int32)
    for i in range(17):
        digit = padded.str.slice(i, 1).cast(pl.Int32, strict=False)
        total = total + digit * (3 if (16 - i) % 2 == 0 else 1)
    check = padded.str.slice(17, 1).cast(pl.Int32, strict=False)
    ok = (
        text.str.contains(r"^\d+$")
        & text.str.len_chars().is_in(list(lengths))
        & (((10 - total % 10) % 10) == check)
    )
    return ~ok


def uscc_fails(text: pl.Expr) -> pl.Expr:
    index = {c: i for i, c in enumerate(USCC_CHARSET)}
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(weights):
        value = text.str.slice(i, 1).replace_strict(index, default=None, return_dtype=pl.Int64)
        total = total + value * w
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_CHARSET)), default=None, return_dtype=pl.Utf8
    )
    ok = (text.str.len_chars() == 18) & (text.str.slice(17, 1) == expected)
    return ~ok.fill_null(False)


def _choices_detail(choices: tuple[str, ...]) -> str:
    shown = ", ".join(choices[:8])
    return f"{shown}, … ({len(choices)} codes)" if len(choices) > 8 else shown


def _range_detail(spec: FieldSpec) -> str:
    parts = [
        f"{op} {value}"
        for op, value in ((">", spec.gt), (">=", spec.ge), ("<", spec.lt), ("<=", spec.le))
        if value is not None
    ]
    return " and ".join(parts)


def text_column(name: str) -> str:
    """Name of the column holding a field's mapped text, before typing."""
    return f"__text:{name}"


def precision_column(name: str) -> str:
    """Name of the column flagging a number with more digits than its field allows."""
    return f"__precision:{name}"


@dataclass(frozen=True)
class _Field:
    text: pl.Expr
    typed: list[pl.Expr]
    checks: list[_Check]


def _field(
    spec: FieldSpec,
    mapping: FieldMapping | None,
    source: SourceFormat,
    crosswalk: dict[str, str] | None,
) -> _Field:
    """One field's mapped text, its typed value (from the text column) and the checks on it.

    The three are evaluated in stages, text then typed then checks, so each check reads
    materialized columns instead of recomputing the transforms.
    """
    column = mapping.column if mapping else None
    text = pl.col(text_column(spec.name))
    present = text.is_not_null()
    value = pl.col(spec.name)
    checks: list[_Check] = []
    helpers: list[pl.Expr] = []

    def check(rule: str, fails: pl.Expr, detail: str = "", detail_zh: str = "") -> None:
        checks.append(_Check(spec.name, column, rule, fails, detail, detail_zh or detail))

    if spec.required:
        check("required", ~present)
    if mapping is not None and mapping.crosswalk:
        if crosswalk is None:
            raise ChainhubError(
                "crosswalk_needed",
                f"field {spec.name} is translated through the partner's material crosswalk: "
                "give a database that holds it (--db)",
                f"字段 {spec.name} 需要通过伙伴物料编码对照表转换："
                "请指定包含对照表的数据库（--db）",
            )
        text = text.replace_strict(crosswalk, default=None, return_dtype=pl.Utf8)
        check("crosswalk", present & value.is_null())
        present = value.is_not_null()
        literal = value
    else:
        literal = text

    typed: pl.Expr
    if spec.kind in ("str", "enum"):
        typed = text
        if spec.pattern:
            check("pattern", present & ~literal.str.contains(spec.pattern), spec.pattern)
        if spec.max_length is not None or spec.min_length is not None:
            low, high = spec.min_length or 0, spec.max_length or 10**9
            length = literal.str.len_chars()
            detail = f"{low}..{high}" if spec.max_length is not None else f">= {low}"
            check("length", present & ((length < low) | (length > high)), detail)
        if spec.choices:
            check(
                "code_list",
                present & ~literal.is_in(list(spec.choices)),
                _choices_detail(spec.choices),
            )
        if spec.check == "uscc":
            check("check_digit", present & uscc_fails(literal), "GB 32100-2015")
        elif spec.check == "gtin":
            check("check_digit", present & gs1_fails(literal, (8, 12, 13, 14)), "GTIN")
        elif spec.check == "gln":
            check("check_digit", present & gs1_fails(literal, (13,)), "GLN")
    elif spec.kind == "enum_list":
        typed = text.str.replace_all(r"[;|、，\s]+", ",").str.split(",")
        ok = value.list.eval(pl.element().is_in(list(spec.choices))).list.all()
        check("code_list", present & ~ok, _choices_detail(spec.choices))
    elif spec.kind == "int":
        plain = text.cast(pl.Int64, strict=False)
        # A spreadsheet's "12.0" is parsed only where the plain cast failed: a regex over
        # every row costs several times the cast.
        spreadsheet = pl.when(plain.is_null()).then(text).str.replace(r"\.0+$", "")
        typed = pl.coalesce(plain, spreadsheet.cast(pl.Int64, strict=False))
        check("integer", present & value.is_null())
    elif spec.kind == "decimal":
        cleaned = _number_text(text, source)
        typed = cleaned.cast(pl.Decimal(18, 6), strict=False)
        places = spec.decimal_places if spec.decimal_places is not None else 6
        whole = (spec.max_digits or 18) - places
        # More whole digits, or a non-zero digit beyond the last decimal place: one regex,
        # evaluated once with the typed values and read by both checks.
        pattern = rf"^[+-]?(\d{{{whole + 1},}}(\.0*)?|\d*\.\d{{{places}}}\d*[1-9]0*)$"
        helpers.append(cleaned.str.contains(pattern).alias(precision_column(spec.name)))
        too_long = pl.col(precision_column(spec.name))
        check("precision", present & too_long, f"{whole}.{places}")
        check("number", present & value.is_null() & ~too_long)
    elif spec.kind == "date":
        fmt = (mapping.date_format if mapping else None) or "%Y-%m-%d"
        typed = text.str.to_date(fmt, strict=False)
        check("date", present & value.is_null(), fmt)
    else:
        typed = _parse_datetime(text, mapping)
        fmt = (mapping.date_format if mapping else None) or "ISO 8601"
        check("datetime", present & value.is_null(), fmt)
    if spec.kind in ("int", "decimal") and _range_detail(spec):
        out = pl.lit(False)
        for op, bound in (("gt", spec.gt), ("ge", spec.ge), ("lt", spec.lt), ("le", spec.le)):
            if bound is not None:
                limit = pl.lit(bound) if spec.kind == "decimal" else pl.lit(int(bound))
                fails = {
                    "gt": value <= limit,
                    "ge": value < limit,
                    "lt": value >= limit,
                    "le": value > limit,
                }[op]
                out = out | fails
        check("range", out.fill_null(False), _range_detail(spec))
    text_expr = _text(mapping, spec).alias(text_column(spec.name))
    return _Field(text_expr, [typed.cast(DTYPES[spec.kind]).alias(spec.name), *helpers], checks)


def _check_profile(doc_type: DocumentType, profile: MappingProfile, columns: list[str]) -> None:
    specs = record_specs(doc_type.name)
    unknown = sorted(set(profile.fields) - set(specs))
    if unknown:
        raise ChainhubError(
            "profile_unknown_field",
            f"profile maps fields that {doc_type.name} does not have: {', '.join(unknown)}",
            f"映射配置包含 {doc_type.name} 中不存在的字段：{', '.join(unknown)}",
        )
    unmapped = [
        n for n, s in specs.items() if s.required and s.default is None and n not in profile.fields
    ]
    if unmapped:
        raise ChainhubError(
            "profile_missing_field",
            f"profile does not map required fields of {doc_type.name}: {', '.join(unmapped)}",
            f"映射配置缺少 {doc_type.name} 的必填字段：{', '.join(unmapped)}",
        )
    missing = [
        m.column
        for m in profile.fields.values()
        if m.column is not None and m.column not in columns
    ]
    if missing:
        raise ChainhubError(
            "column_missing",
            f"the file has no column {', '.join(missing)}; it has: {', '.join(columns)}",
            f"文件缺少列 {', '.join(missing)}；文件中的列为：{', '.join(columns)}",
            {"column": missing[0]},
        )


def _header_fields(doc_type: DocumentType) -> list[str]:
    """Header fields repeated on every line of a document, which must agree."""
    if doc_type.lines_field is None:
        return []
    return [n for n in doc_type.header_fields if n not in doc_type.version_key]


def _line_field(doc_type: DocumentType) -> str:
    return doc_type.line_key[0] if doc_type.line_key else doc_type.key[-1]


def _message(check: _Check, lang: str) -> str:
    en, zh = RULE_MESSAGES[check.rule]
    template = zh if lang == "zh" else en
    return template.format(field=check.field, detail=check.detail, detail_zh=check.detail_zh)


def _party_check(doc_type: DocumentType, profile: MappingProfile, submitted_by: str) -> _Check:
    """The submitter must be a party to every document it sends."""
    is_party = pl.any_horizontal([pl.col(p) == submitted_by for p in doc_type.parties])
    first = doc_type.parties[0]
    return _Check(
        first, _column(profile, first), "not_a_party", ~is_party.fill_null(False), submitted_by
    )


SourceLookup = Callable[[pl.Series], pl.DataFrame]
"""Rows as written (`_source_row` and the source columns), by their 1-based data rows."""


@dataclass(frozen=True)
class ValidationResult:
    """Typed records of every row, every error found by source row, and the rows read."""

    document_type: str
    records: pl.DataFrame
    errors: pl.DataFrame
    rows: int
    """Data rows read, with those that could not be split into fields."""
    source_of: SourceLookup
    malformed_rows: int = 0

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one error."""
        return self.errors.get_column("row").n_unique() if self.errors.height else 0

    @property
    def valid_rows(self) -> int:
        """Rows without errors."""
        return self.rows - self.invalid_rows

    def valid_records(self) -> pl.DataFrame:
        """Records of the rows without errors."""
        bad = self.errors.select(pl.col("row").alias(SOURCE_ROW)).unique()
        return self.records.join(bad, on=SOURCE_ROW, how="anti")


@dataclass(frozen=True)
class _Checked:
    """One frame checked row by row: its records, errors, and the keys for document checks."""

    records: pl.DataFrame | None
    errors: list[pl.DataFrame]
    keys: pl.DataFrame


_KEY_HASHES = ("_key", "_header", "_line_key")
_BLOCKS_IN_FLIGHT = 2


class _Plan:
    """A profile's checks, built once and run on every block of a file."""

    def __init__(
        self,
        *,
        profile: MappingProfile,
        columns: list[str],
        crosswalk: dict[str, str] | None,
        submitted_by: str | None,
        references: Mapping[str, Collection[str]] | None,
    ) -> None:
        doc_type = get_document_type(profile.document_type)
        _check_profile(doc_type, profile, columns)
        self.profile = profile
        self.doc_type = doc_type
        self.specs = record_specs(doc_type.name)
        self.fields = [
            _field(spec, profile.fields.get(name), profile.source, crosswalk)
            for name, spec in self.specs.items()
        ]
        checks = [c for f in self.fields for c in f.checks]
        checks.extend(
            _Check(
                rule.field,
                _column(profile, rule.field),
                "cross_field",
                rule.fails,
                rule.message_en,
                rule.message_zh,
            )
            for rule in CROSS_FIELD_RULES.get(doc_type.name, ())
        )
        if submitted_by is not None and not doc_type.master and doc_type.parties:
            checks.append(_party_check(doc_type, profile, submitted_by))
        if references is not None:
            for name, kind in reference_fields(doc_type.name, doc_type.key).items():
                known = pl.Series(list(references.get(kind, ())), dtype=pl.Utf8)
                checks.append(
                    _Check(
                        name,
                        _column(profile, name),
                        "unknown_reference",
                        pl.col(name).is_not_null() & ~pl.col(name).is_in(known.implode()),
                        kind,
                        _REFERENCE_ZH[kind],
                    )
                )
        self.checks = checks
        self.version_key = list(doc_type.version_key)
        self.headers = _header_fields(doc_type)
        self.unique_by = self.version_key + list(doc_type.line_key)

    def _typed(self, frame: pl.DataFrame) -> pl.DataFrame:
        # Eager stages: Polars' lazy common-subexpression search costs more than the work here.
        return (
            frame.rename({c: source_column(c) for c in frame.columns if c != SOURCE_ROW})
            .with_columns(f.text for f in self.fields)
            .with_columns(e for f in self.fields for e in f.typed)
        )

    def check_rows(
        self, frame: pl.DataFrame, *, keep: pl.Series | None = None, records: bool = True
    ) -> _Checked:
        """Every check of one record on each row; rows not in `keep` are skipped."""
        flags = [c.fails.fill_null(False).alias(f"__c{i}") for i, c in enumerate(self.checks)]
        hashes = [
            pl.struct(self.version_key).hash().alias("_key"),
            (pl.struct(self.headers).hash() if self.headers else pl.lit(0, pl.UInt64)).alias(
                "_header"
            ),
            pl.struct(self.unique_by).hash().alias("_line_key"),
        ]
        evaluated = self._typed(frame).with_columns(*flags, *hashes)
        if keep is not None:
            evaluated = evaluated.with_columns(keep.alias("_keep"))
        kept = pl.col("_keep") if keep is not None else pl.lit(True)
        hits = evaluated.select(pl.col(f"__c{i}").sum() for i in range(len(self.checks))).row(0)
        failing = [i for i in range(len(self.checks)) if hits[i]]
        errors = []
        if failing:
            # Only the failing rows, few, are kept before the report is built check by check.
            sources = {c.field: _source_text(self.profile, c.field) for c in self.checks}
            rows = evaluated.filter(pl.any_horizontal(f"__c{i}" for i in failing) & kept).select(
                SOURCE_ROW,
                *(e.alias(f"__v:{name}") for name, e in sources.items()),
                *(f"__c{i}" for i in failing),
            )
            errors = [
                rows.filter(pl.col(f"__c{i}")).select(
                    pl.col(SOURCE_ROW).alias("row"),
                    *self._error_columns(self.checks[i], pl.col(f"__v:{self.checks[i].field}")),
                )
                for i in failing
            ]
        line = self._line_value()
        keys = evaluated.select(SOURCE_ROW, *_KEY_HASHES, line.alias("_line_no"))
        typed = evaluated.select(SOURCE_ROW, *self.specs) if records else None
        if keep is not None:
            keys = keys.filter(keep)
            typed = typed.filter(keep) if typed is not None else None
        return _Checked(typed, errors, keys)

    def _line_value(self) -> pl.Expr:
        """The line key as a number when it is one integer field, else null."""
        line_key = self.doc_type.line_key
        if len(line_key) == 1 and self.specs[line_key[0]].kind == "int":
            return pl.col(line_key[0]).cast(pl.Int64)
        return pl.lit(None, pl.Int64)

    def _error_columns(self, check: _Check, value: pl.Expr) -> list[pl.Expr]:
        return [
            pl.lit(check.column, dtype=pl.Utf8).alias("column"),
            pl.lit(check.field).alias("field"),
            value.alias("value"),
            pl.lit(check.rule).alias("rule"),
            pl.lit(_message(check, "en")).alias("message_en"),
            pl.lit(_message(check, "zh")).alias("message_zh"),
        ]

    def document_errors(self, keys: pl.DataFrame, source_of: SourceLookup) -> list[pl.DataFrame]:
        """Header fields that differ within one document version; lines that appear twice.

        Keys (by hash) find the few candidate rows in one pass; the exact checks then run on
        those rows' documents, read again, so a hash collision costs time, never a false
        error. Lines of one document are usually adjacent, which spares a grouping.
        """
        suspects = self._suspects(keys)
        if suspects.len() == 0:
            return []
        source = source_of(suspects)
        typed = self._typed(source)
        exact = {
            "header_mismatch": {
                n: pl.col(n).n_unique().over(self.version_key) > 1 for n in self.headers
            },
            "duplicate": {
                _line_field(self.doc_type): pl.int_range(pl.len()).over(self.unique_by) > 0
            },
        }
        found = typed.with_columns(
            expr.alias(f"__d:{rule}:{name}")
            for rule, exprs in exact.items()
            for name, expr in exprs.items()
        )
        unique_by = ", ".join(self.unique_by)
        errors = []
        for rule, exprs in exact.items():
            for name in exprs:
                check = _Check(
                    name,
                    _column(self.profile, name),
                    rule,
                    pl.lit(True),
                    unique_by if rule == "duplicate" else "",
                )
                errors.append(
                    found.filter(pl.col(f"__d:{rule}:{name}")).select(
                        pl.col(SOURCE_ROW).alias("row"),
                        *self._error_columns(check, _source_text(self.profile, name)),
                    )
                )
        return errors

    def _suspects(self, keys: pl.DataFrame) -> pl.Series:
        """Rows of every document version whose keys say it may fail a document check."""
        if keys.height == 0:
            return pl.Series(SOURCE_ROW, [], dtype=pl.Int64)
        runs = keys.select(
            SOURCE_ROW,
            "_key",
            (pl.col("_key") != pl.col("_key").shift(1)).fill_null(True).alias("_start"),
            (pl.col("_header") != pl.col("_header").shift(1)).fill_null(True).alias("_new_header"),
            (pl.col("_line_no") > pl.col("_line_no").shift(1)).fill_null(False).alias("_rising"),
        ).with_columns(pl.col("_start").cum_sum().alias("_run"))
        starts = runs.filter(pl.col("_start")).get_column("_key")
        if not starts.is_duplicated().any():
            # Each document version in one run of adjacent lines: a differing header is a
            # change within a run; a repeated line, a line number that does not rise.
            mixed = runs.filter(~pl.col("_start") & pl.col("_new_header"))
            if keys.get_column("_line_no").null_count() == 0:
                repeated = runs.filter(~pl.col("_start") & ~pl.col("_rising"))
            else:
                repeated = runs.filter(keys.get_column("_line_key").is_duplicated())
            bad = pl.concat([mixed.get_column("_run"), repeated.get_column("_run")]).unique()
            return runs.filter(pl.col("_run").is_in(bad.implode())).get_column(SOURCE_ROW)
        mixed_keys = (
            keys.group_by("_key")
            .agg(pl.col("_header").n_unique().alias("n"))
            .filter(pl.col("n") > 1)
            .get_column("_key")
        )
        repeated_keys = keys.filter(pl.col("_line_key").is_duplicated()).get_column("_key")
        bad_keys = pl.concat([mixed_keys, repeated_keys]).unique()
        return keys.filter(pl.col("_key").is_in(bad_keys.implode())).get_column(SOURCE_ROW)


def _finish(errors: list[pl.DataFrame]) -> pl.DataFrame:
    """The report, by row and field."""
    if not errors:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    return pl.concat(errors).sort("row", "field", maintain_order=True)


def check_frame(
    *,
    frame: pl.DataFrame,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None = None,
    submitted_by: str | None = None,
    references: Mapping[str, Collection[str]] | None = None,
    malformed: pl.DataFrame | None = None,
) -> ValidationResult:
    """Map a frame of source text columns to standard records and check every row.

    With `submitted_by`, a transaction document the submitter is not a party to is an error;
    with `references` (partner, site, material → known codes), so is an unknown code;
    `malformed` rows (from `read_rows`) are reported as they are.
    """
    plan = _Plan(
        profile=profile,
        columns=[c for c in frame.columns if c != SOURCE_ROW],
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
    )

    def source_of(rows: pl.Series) -> pl.DataFrame:
        return frame.filter(pl.col(SOURCE_ROW).is_in(rows.implode()))

    checked = plan.check_rows(frame)
    errors = [_malformed_errors(malformed)] if malformed is not None else []
    errors.extend(checked.errors)
    errors.extend(plan.document_errors(checked.keys, source_of))
    return ValidationResult(
        document_type=plan.doc_type.name,
        records=checked.records if checked.records is not None else frame.clear(),
        errors=_finish(errors),
        rows=frame.height + (malformed.height if malformed is not None else 0),
        source_of=source_of,
        malformed_rows=malformed.height if malformed is not None else 0,
    )


def check_csv(
    *,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None = None,
    submitted_by: str | None = None,
    references: Mapping[str, Collection[str]] | None = None,
    records: bool = True,
    block_bytes: int = BLOCK_BYTES,
) -> ValidationResult:
    """`check_frame` for a CSV file of any size, block by block, in bounded memory.

    Rows that cannot be split into fields are among the errors; without `records` only the
    report is kept.
    """
    source = CsvFile(path, profile.source, block_bytes=block_bytes)
    names = source.layout.names
    plan = _Plan(
        profile=profile,
        columns=names,
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
    )
    parts: list[_Checked] = []
    lines = 0
    # A block is checked while the next is split: each stage leaves a core idle at times.
    with ThreadPoolExecutor(max_workers=_BLOCKS_IN_FLIGHT) as pool:
        checking: deque[Future[_Checked]] = deque()
        for block in source.blocks():
            frame = block.frame.rename({LINE: SOURCE_ROW})
            checking.append(pool.submit(plan.check_rows, frame, keep=block.plain, records=records))
            lines += block.frame.height
            if len(checking) == _BLOCKS_IN_FLIGHT:
                parts.append(checking.popleft().result())
        parts.extend(f.result() for f in checking)
    resolved = source.resolve()
    others = resolved.others.rename({LINE: SOURCE_ROW})
    parts.append(plan.check_rows(others, records=records))

    def numbered(frame: pl.DataFrame, column: str) -> pl.DataFrame:
        return frame.with_columns(resolved.row(pl.col(column)).alias(column))

    def source_of(rows: pl.Series) -> pl.DataFrame:
        wanted = resolved.lines_of(rows)
        starts = pl.Series([line for _o, _s, line in source.spans], dtype=pl.Int64)
        blocks = (starts.search_sorted(wanted, side="right") - 1).unique().sort()
        found = [
            source.block(index).frame.filter(pl.col(LINE).is_in(wanted.implode()))
            for index in blocks.to_list()
        ]
        found.append(resolved.others.filter(pl.col(LINE).is_in(wanted.implode())))
        # A block's line that is rare there (part of a quoted record) is not a row.
        rows_only = pl.concat(found).unique(LINE, keep="last").sort(LINE)
        return rows_only.select(resolved.row(pl.col(LINE)).alias(SOURCE_ROW), *names)

    errors = [numbered(e, "row") for part in parts for e in part.errors]
    if resolved.malformed.height:
        errors.append(_malformed_errors(resolved.malformed_rows()))
    keys = pl.concat([p.keys for p in parts])
    if others.height:
        keys = keys.sort(SOURCE_ROW)
    errors.extend(plan.document_errors(numbered(keys, SOURCE_ROW), source_of))
    typed = (
        pl.concat([p.records for p in parts if p.records is not None])
        if records
        else pl.DataFrame(schema={SOURCE_ROW: pl.Int64})
    )
    if records:
        typed = numbered(typed.sort(SOURCE_ROW) if others.height else typed, SOURCE_ROW)
    continued = resolved.continued.len()
    return ValidationResult(
        document_type=plan.doc_type.name,
        records=typed,
        errors=_finish(errors),
        rows=lines - continued,
        source_of=source_of,
        malformed_rows=resolved.malformed.height,
    )


def _malformed_errors(malformed: pl.DataFrame) -> pl.DataFrame:
    """Errors of the rows a reader could not split into fields, the line as their value."""
    kinds = malformed.select("rule", "found", "expected").unique()
    messages = [
        malformed_message(k["rule"], k["found"], k["expected"]) for k in kinds.iter_rows(named=True)
    ]
    worded = kinds.with_columns(
        pl.Series("message_en", [m[0] for m in messages], dtype=pl.Utf8),
        pl.Series("message_zh", [m[1] for m in messages], dtype=pl.Utf8),
    )
    return malformed.join(
        worded, on=["rule", "found", "expected"], how="left", nulls_equal=True
    ).select(
        pl.col("row"),
        pl.lit(None, dtype=pl.Utf8).alias("column"),
        pl.lit(ROW_FIELD).alias("field"),
        pl.col("line").alias("value"),
        "rule",
        "message_en",
        "message_zh",
    )


def _column(profile: MappingProfile, field: str) -> str | None:
    mapping = profile.fields.get(field)
    return mapping.column if mapping else None


def _source_text(profile: MappingProfile, field: str) -> pl.Expr:
    """The cell as the partner wrote it, for the error report."""
    column = _column(profile, field)
    if column is not None:
        return pl.col(source_column(column)).cast(pl.Utf8)
    mapping: Any = profile.fields.get(field)
    return pl.lit(None if mapping is None else str(mapping.value), dtype=pl.Utf8)
