"""Apply a mapping profile to a partner's file and check every row, vectorized.

Each standard field becomes one Polars expression (text → transform → typed value) plus one
boolean expression per rule; all are evaluated in a single pass and every failing cell is
reported with its source row and column, never just the first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.messages import RULE_MESSAGES, malformed_message
from chainhub.intake.readers import SOURCE_ROW
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


@dataclass(frozen=True)
class ValidationResult:
    """Typed records of every row, and every error found, by source row."""

    document_type: str
    records: pl.DataFrame
    errors: pl.DataFrame
    source: pl.DataFrame
    malformed_rows: int = 0

    @property
    def rows(self) -> int:
        """Data rows read, with those that could not be split into fields."""
        return self.records.height + self.malformed_rows

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
        typed = text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
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


def _document_column(rule: str, name: str) -> str:
    return f"__doc:{rule}:{name}"


def _document_checks(doc_type: DocumentType, profile: MappingProfile) -> list[_Check]:
    """Header fields agree across the lines of one document version; no line appears twice."""
    checks = [
        _Check(
            name,
            _column(profile, name),
            "header_mismatch",
            pl.col(_document_column("header_mismatch", name)),
        )
        for name in _header_fields(doc_type)
    ]
    first = _line_field(doc_type)
    unique_by = ", ".join((*doc_type.version_key, *doc_type.line_key))
    repeat = pl.col(_document_column("duplicate", first))
    checks.append(_Check(first, _column(profile, first), "duplicate", repeat, unique_by))
    return checks


def _document_flags(frame: pl.DataFrame, doc_type: DocumentType) -> list[pl.Series]:
    """Per row: each header field that differs within its document version; a repeated line.

    Hashes of the keys find the few candidate rows in one pass; the exact windows run on those
    rows only, so a hash collision costs time, never a false error.
    """
    version_key = list(doc_type.version_key)
    headers = _header_fields(doc_type)
    unique_by = version_key + list(doc_type.line_key)
    hashed = frame.select(
        pl.struct(version_key).hash().alias("key"),
        (pl.struct(headers).hash() if headers else pl.lit(0, pl.UInt64)).alias("header"),
        pl.struct(unique_by).hash().alias("line"),
    )
    mixed = (
        hashed.group_by("key")
        .agg(pl.col("header").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .get_column("key")
    )
    suspects = {
        "header_mismatch": hashed.get_column("key").is_in(mixed.implode()).arg_true(),
        "duplicate": hashed.get_column("line").is_duplicated().arg_true(),
    }
    exact = {
        "header_mismatch": {n: pl.col(n).n_unique().over(version_key) > 1 for n in headers},
        "duplicate": {_line_field(doc_type): pl.int_range(pl.len()).over(unique_by) > 0},
    }
    flags = []
    for rule, expressions in exact.items():
        rows = suspects[rule]
        found = frame.select(pl.all().gather(rows)).select(**expressions) if rows.len() else None
        for name in expressions:
            flag = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True)
            if found is not None:
                flag = flag.scatter(rows, found.get_column(name))
            flags.append(flag.alias(_document_column(rule, name)))
    return flags


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
    doc_type = get_document_type(profile.document_type)
    _check_profile(doc_type, profile, [c for c in frame.columns if c != SOURCE_ROW])
    fields = [
        _field(spec, profile.fields.get(name), profile.source, crosswalk)
        for name, spec in record_specs(doc_type.name).items()
    ]
    checks = [c for f in fields for c in f.checks]
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
    checks.extend(_document_checks(doc_type, profile))
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

    flags = [c.fails.fill_null(False).alias(f"__c{i}") for i, c in enumerate(checks)]
    # Eager stages: Polars' lazy common-subexpression search costs more than the work here.
    typed = (
        frame.rename({c: source_column(c) for c in frame.columns if c != SOURCE_ROW})
        .with_columns(f.text for f in fields)
        .with_columns(e for f in fields for e in f.typed)
    )
    evaluated = typed.with_columns(_document_flags(typed, doc_type)).with_columns(flags)
    records = evaluated.select(SOURCE_ROW, *record_specs(doc_type.name))
    hits = evaluated.select(pl.col(f"__c{i}").sum() for i in range(len(checks))).row(0)
    failing = [i for i in range(len(checks)) if hits[i]]
    parts = [_malformed_errors(malformed)] if malformed is not None else []
    if failing:
        # Only the failing rows, few, are kept before the report is built check by check.
        sources = {c.field: _source_text(profile, c.field) for c in checks}
        rows = evaluated.select(
            SOURCE_ROW,
            *(e.alias(f"__v:{name}") for name, e in sources.items()),
            *(f"__c{i}" for i in failing),
        ).filter(pl.any_horizontal(f"__c{i}" for i in failing))
        for i in failing:
            c = checks[i]
            parts.append(
                rows.filter(pl.col(f"__c{i}")).select(
                    pl.col(SOURCE_ROW).alias("row"),
                    pl.lit(c.column, dtype=pl.Utf8).alias("column"),
                    pl.lit(c.field).alias("field"),
                    pl.col(f"__v:{c.field}").alias("value"),
                    pl.lit(c.rule).alias("rule"),
                    pl.lit(_message(c, "en")).alias("message_en"),
                    pl.lit(_message(c, "zh")).alias("message_zh"),
                )
            )
    errors = pl.concat(parts).sort("row", "field", maintain_order=True) if parts else None
    return ValidationResult(
        document_type=doc_type.name,
        records=records,
        errors=errors if errors is not None else pl.DataFrame(schema=ERROR_SCHEMA),
        source=frame,
        malformed_rows=malformed.height if malformed is not None else 0,
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
