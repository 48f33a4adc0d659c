"""Bilingual messages of validation rules, with {placeholders} filled per field."""

from __future__ import annotations

from typing import Final

RULE_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "required": ("{field} is required", "{field} 为必填项"),
    "number": ("{field} is not a number", "{field} 不是有效数字"),
    "integer": ("{field} is not a whole number", "{field} 不是整数"),
    "precision": (
        "{field} has more than {detail} digits",
        "{field} 位数超过 {detail}",
    ),
    "date": ("{field} is not a date in the form {detail}", "{field} 不是格式为 {detail} 的日期"),
    "datetime": (
        "{field} is not a timestamp in the form {detail}",
        "{field} 不是格式为 {detail} 的时间",
    ),
    "pattern": ("{field} does not match {detail}", "{field} 不符合格式 {detail}"),
    "length": ("{field} must have {detail} characters", "{field} 长度须为 {detail} 个字符"),
    "code_list": ("{field} must be one of {detail}", "{field} 须为以下值之一：{detail}"),
    "range": ("{field} must be {detail}", "{field} 须满足 {detail}"),
    "check_digit": (
        "{field} has an invalid check digit ({detail})",
        "{field} 校验位错误（{detail}）",
    ),
    "crosswalk": (
        "{field}: the partner's code has no crosswalk to a golden material",
        "{field}：该伙伴物料编码没有对应的标准物料编码",
    ),
    "cross_field": ("{detail}", "{detail_zh}"),
    "header_mismatch": (
        "{field} differs between lines of the same document",
        "同一单据的不同行中 {field} 不一致",
    ),
    "duplicate": (
        "line appears more than once in the file ({detail})",
        "该行在文件中重复出现（{detail}）",
    ),
    "unknown_reference": (
        "{field}: no {detail} with this code is registered in the hub",
        "{field}：枢纽中没有登记此编码的{detail_zh}",
    ),
    "not_a_party": (
        "{detail} is not a party to this document ({field})",
        "{detail} 不是该单据的当事方（{field}）",
    ),
}


def malformed_message(rule: str, found: int | None, expected: int) -> tuple[str, str]:
    """English and Chinese message of a row that cannot be split into fields."""
    if rule == "broken_quote":
        return (
            "a quoted field on this row is never closed, or text follows its closing quote; "
            "the row cannot be split into fields",
            "该行有未闭合的引号字段，或引号闭合后紧跟其他文字，无法拆分为各个字段",
        )
    if found is None:
        return (
            f"the row has more fields than the header's {expected}",
            f"该行的字段多于表头的 {expected} 个",
        )
    return (
        f"the row has {found} fields where the header has {expected}",
        f"该行有 {found} 个字段，而表头有 {expected} 个",
    )
