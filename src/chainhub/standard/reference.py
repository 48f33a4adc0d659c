"""The bilingual Markdown reference and changelog of the standard, rendered from its schemas."""

from __future__ import annotations

import json
from typing import Any

from chainhub.standard.codelists import CODE_LISTS
from chainhub.standard.fields import NOT_BLANK_PATTERN
from chainhub.standard.units import UNITS
from chainhub.standard.version import CHANGELOG, STANDARD_VERSION

_UNIT_CODE = "UnitCode"


def render_changelog() -> str:
    """CHANGELOG.md of the standard, newest version first."""
    parts = ["# Changelog · 变更记录\n", "chainhub data standard · chainhub 数据标准\n"]
    for version, released, text in CHANGELOG:
        parts.append(f"## {version} — {released}\n\n{text}\n")
    return "\n".join(parts)


def render_reference(*, schemas: dict[str, dict[str, Any]]) -> str:
    """reference.md: every document type with its fields, then the code lists and the units."""
    out = [
        f"# chainhub data standard {STANDARD_VERSION} · chainhub 数据标准 {STANDARD_VERSION}",
        "",
        "Generated from the models of the standard; do not edit by hand. "
        "本文件由数据标准模型生成，请勿手工修改。",
        "",
        "Every document type has a JSON Schema for its nested document and one for its flat record "
        "(one row per line, header fields repeated), the form exchanged as CSV or XLSX. "
        "每种文档类型各有一个嵌套文档 JSON Schema 和一个扁平记录 JSON Schema（每条明细一行，"
        "表头字段重复），后者即以 CSV 或 XLSX 交换的形式。",
        "",
    ]
    for kind, heading in (
        ("master", "Master data · 主数据"),
        ("transaction", "Transactions · 业务单据"),
    ):
        out.append(f"## {heading}")
        out.append("")
        out.extend(
            f"- [{s['title']} · {s['x-title-zh']}](#{name}) `{name}`"
            for name, s in schemas.items()
            if s["x-kind"] == kind
        )
        out.append("")
    out.append("- [Code lists · 代码表](#code-lists)")
    out.append("- [Units of measure · 计量单位](#units)")
    out.append("")
    for name, schema in schemas.items():
        out.extend(_document_section(name=name, schema=schema))
    out.extend(_code_list_section())
    out.extend(_unit_section())
    return "\n".join(out)


def _document_section(*, name: str, schema: dict[str, Any]) -> list[str]:
    kind = "master data · 主数据" if schema["x-kind"] == "master" else "transaction · 业务单据"
    out = [
        f'<a id="{name}"></a>',
        "",
        f"## {schema['title']} · {schema['x-title-zh']} (`{name}`)",
        "",
        schema["description"],
        "",
        schema["x-description-zh"],
        "",
        "| | |",
        "|---|---|",
        f"| Kind · 类别 | {kind} |",
        f"| Key · 键 | {_codes(schema['x-key'])} |",
        f"| Parties · 参与方 | {_codes(schema['x-parties']) or '—'} |",
        f"| Schema | [{name}.schema.json]({name}.schema.json) |",
        f"| Flat record · 扁平记录 | [{name}.record.schema.json]({name}.record.schema.json) |",
        "",
        "### Fields · 字段",
        "",
    ]
    defs = schema.get("$defs", {})
    out.extend(_field_table(schema=schema, defs=defs))
    lines_field = schema.get("x-lines-field")
    if lines_field is not None:
        line_name = schema["properties"][lines_field]["items"]["$ref"].rsplit("/", 1)[-1]
        line = defs[line_name]
        out.extend(
            [
                f"### Lines · 明细: `{lines_field}` ({line_name})",
                "",
                f"{line['description']} {line['x-description-zh']}",
                "",
                f"Line key · 明细键: {_codes(schema['x-line-key'])}",
                "",
            ]
        )
        out.extend(_field_table(schema=line, defs=defs))
    example = json.dumps(schema["examples"][0], indent=2, ensure_ascii=False)
    out.extend(["### Example · 示例", "", "```json", example, "```", ""])
    return out


def _field_table(*, schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    out = [
        "| Field · 字段 | Type · 类型 | Required · 必填 | Constraints · 约束 | Example · 示例 "
        "| Description | 说明 |",
        "|---|---|---|---|---|---|---|",
    ]
    required = set(schema.get("required", []))
    for field_name, prop in schema["properties"].items():
        type_text, constraints = _describe(prop=prop, defs=defs)
        if "default" in prop and prop["default"] is not None:
            constraints.append(f"default `{_scalar(prop['default'])}`")
        example = prop["examples"][0]
        example_text = (
            "see below · 见下"
            if isinstance(example, list) and example and isinstance(example[0], dict)
            else f"`{_scalar(example)}`"
        )
        cells = [
            f"`{field_name}`",
            type_text,
            "yes · 是" if field_name in required else "no · 否",
            "; ".join(constraints) or "—",
            example_text,
            prop["description"],
            prop["x-description-zh"],
        ]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    out.append("")
    return out


def _walk(
    node: dict[str, Any], defs: dict[str, Any], facts: dict[str, Any], types: set[str]
) -> None:
    """Merge the keywords of a property schema and its anyOf branches, noting the types seen."""
    for key, value in node.items():
        if key == "anyOf":
            for branch in value:
                _walk(branch, defs, facts, types)
        elif key == "type":
            types.add(value)
        elif key == "$ref":
            ref_name = value.rsplit("/", 1)[-1]
            types.add(f"ref:{ref_name}")
            facts.setdefault("enum", defs[ref_name].get("enum"))
        elif key not in facts:
            facts[key] = value


def _implied_bound(facts: dict[str, Any]) -> int | None:
    """The bound a decimal's digit limits imply (its number form states it); said as digits."""
    max_digits, places = facts.get("x-max-digits"), facts.get("x-decimal-places")
    return None if max_digits is None else 10 ** (max_digits - (places or 0))


def _limits(facts: dict[str, Any], *, decimal: bool) -> list[str]:
    """Constraint texts of bounds, lengths, digits and pattern."""
    limits: list[str] = []
    implied = _implied_bound(facts) if decimal else None
    for key, label in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in facts and abs(facts[key]) != implied:
            limits.append(f"{label} {_number(facts[key])}")
    for key, label in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("x-max-digits", "max digits"),
        ("x-decimal-places", "max decimals"),
    ):
        if key in facts:
            limits.append(f"{label} {facts[key]}")
    if facts.get("pattern") == NOT_BLANK_PATTERN:
        limits.append("not blank")
    elif "pattern" in facts and not decimal:
        limits.append(f"pattern `{facts['pattern']}`")
    return limits


def _describe(*, prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, list[str]]:
    """Type text and constraint texts of one property schema."""
    facts: dict[str, Any] = {}
    types: set[str] = set()
    _walk(prop, defs, facts, types)
    optional = "null" in types
    types.discard("null")
    constraints: list[str] = []
    refs = sorted(t.removeprefix("ref:") for t in types if t.startswith("ref:"))
    if refs:
        ref = refs[0]
        type_text = f"code · 代码 ([{ref}](#{_code_anchor(ref)}))"
        if ref == _UNIT_CODE:
            constraints.append("UN/ECE Rec 20, see [units](#units)")
        elif facts.get("enum"):
            constraints.append("one of " + ", ".join(f"`{v}`" for v in facts["enum"]))
    elif types == {"number", "string"}:
        type_text = "decimal · 小数"
    elif types == {"array"}:
        item_ref = facts["items"]["$ref"].rsplit("/", 1)[-1]
        item_enum = defs[item_ref].get("enum")
        type_text = f"list of {item_ref}"
        if item_enum:
            type_text = f"list of codes · 代码列表 ([{item_ref}](#{_code_anchor(item_ref)}))"
            constraints.append("each one of " + ", ".join(f"`{v}`" for v in item_enum))
    elif types == {"string"} and facts.get("format") in ("date", "date-time"):
        type_text = (
            "date · 日期" if facts["format"] == "date" else "date-time with offset · 带时区时间"
        )
    else:
        type_text = {"integer": "integer · 整数", "string": "string · 文本"}.get(
            next(iter(types), ""), " / ".join(sorted(types))
        )
    constraints.extend(_limits(facts, decimal=type_text.startswith("decimal")))
    if "x-check-digit" in facts:
        constraints.append(f"check digit {facts['x-check-digit']}")
    if optional:
        type_text += " or null"
    return type_text, constraints


def _code_list_section() -> list[str]:
    out = ['<a id="code-lists"></a>', "", "## Code lists · 代码表", ""]
    for code_list in CODE_LISTS:
        name = code_list.enum.__name__
        out.extend(
            [
                f'<a id="{_code_anchor(name)}"></a>',
                "",
                f"### {name} · {code_list.title_zh}",
                "",
                (code_list.enum.__doc__ or "").strip(),
                "",
            ]
        )
        if name == _UNIT_CODE:
            out.extend(["See [units of measure](#units). 见[计量单位](#units)。", ""])
            continue
        out.extend(["| Code · 代码 | 中文 |", "|---|---|"])
        out.extend(
            f"| `{member.value}` | {code_list.labels_zh[member.value]} |"
            for member in code_list.enum
        )
        out.append("")
    return out


def _unit_section() -> list[str]:
    out = [
        '<a id="units"></a>',
        "",
        "## Units of measure · 计量单位",
        "",
        "UN/ECE Recommendation 20 codes accepted by the standard, with the factor to the base unit "
        "of their dimension. "
        "数据标准接受的 UN/ECE 第 20 号建议书单位代码，及其换算到所属量纲基本单位的系数。",
        "",
        "| Code · 代码 | Name | 中文名称 | Dimension · 量纲 | Factor · 换算系数 |",
        "|---|---|---|---|---|",
    ]
    out.extend(
        f"| `{u.code}` | {u.name_en} | {u.name_zh} | {u.dimension} | {u.factor} |"
        for u in UNITS.values()
    )
    out.append("")
    return out


def _code_anchor(name: str) -> str:
    return f"code-{name.lower()}"


def _codes(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")
