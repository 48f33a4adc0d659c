"""JSON Schema (Draft 2020-12) of the standard's models, with bilingual annotations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from chainhub.standard.codelists import CODE_LISTS_BY_ENUM
from chainhub.standard.version import STANDARD_VERSION

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
BASE_URL: Final = "https://chainhub.dev/standard"


class StandardSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, tuned for a published standard.

    Field titles are dropped (descriptions carry the meaning), code lists carry Chinese labels,
    and decimal strings are held to the sign their range allows.
    """

    def field_title_should_be_set(self, schema: Any) -> bool:  # noqa: ARG002 - hook signature
        """Never: pydantic's titles only echo the field name."""
        return False

    def enum_schema(self, schema: core_schema.EnumSchema) -> JsonSchemaValue:
        """The code list with its Chinese title and a Chinese label per code."""
        result = super().enum_schema(schema)
        code_list = CODE_LISTS_BY_ENUM.get(schema["cls"])
        if code_list is not None:
            result["x-title-zh"] = code_list.title_zh
            result["x-enum-labels-zh"] = dict(code_list.labels_zh)
        return result

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        """A number or a decimal string in plain notation that keeps the digit and sign limits."""
        # Pydantic's own string pattern has an unanchored first branch and accepts any text.
        result = super().decimal_schema(schema)
        pattern = _decimal_pattern(schema)
        for branch in result.get("anyOf", [result]):
            if branch.get("type") == "string":
                branch["pattern"] = pattern
            elif branch.get("type") == "number":
                branch.update(_number_limits(schema, branch))
        for key, value in (
            ("x-max-digits", schema.get("max_digits")),
            ("x-decimal-places", schema.get("decimal_places")),
        ):
            if value is not None:
                result[key] = value
        return result


def _number_limits(schema: core_schema.DecimalSchema, branch: dict[str, Any]) -> dict[str, Any]:
    """What the digit limits mean for a JSON number: a multiple of the smallest decimal place
    and fewer integer digits than the limit allows, unless a tighter bound is already given."""
    max_digits, places = schema.get("max_digits"), schema.get("decimal_places")
    limits: dict[str, Any] = {}
    if places is not None:
        limits["multipleOf"] = float(Decimal(1).scaleb(-places))
    if max_digits is not None:
        bound = 10 ** (max_digits - (places or 0))
        if "maximum" not in branch and "exclusiveMaximum" not in branch:
            limits["exclusiveMaximum"] = bound
        if "minimum" not in branch and "exclusiveMinimum" not in branch:
            limits["exclusiveMinimum"] = -bound
    return limits


def _decimal_pattern(schema: core_schema.DecimalSchema) -> str:
    """A regular expression for decimal strings within the schema's digits and sign.

    A lower bound of zero is expressed (no minus sign; no zero value for `gt=0`), and so is a
    whole upper bound of a non-negative decimal (24 hours, a rate below 1); other bounds are
    left to the number branch and to the model.
    """
    max_digits, places = schema.get("max_digits"), schema.get("decimal_places")
    ge, gt = schema.get("ge"), schema.get("gt")
    non_negative = (ge is not None and ge >= 0) or (gt is not None and gt >= 0)
    positive = gt is not None and gt >= 0
    integer_digits = max_digits - (places or 0) if max_digits is not None else None
    integer = r"\d+" if integer_digits is None else rf"\d{{1,{max(integer_digits, 1)}}}"
    fraction = r"\d*" if places is None else rf"\d{{0,{places}}}0*"
    top = schema.get("le", schema.get("lt"))
    at_top = ""
    if non_negative and top is not None and top == int(top) and top >= 1:
        integer = _integers_up_to(int(top) - 1)
        at_top = rf"|{int(top)}(?:\.0*)?" if "le" in schema else ""
    sign = r"\+?" if non_negative else "[+-]?"
    not_zero = r"(?![+-]?0*\.?0*$)" if positive else ""
    return (
        rf"^{not_zero}{sign}0*(?:{integer}(?:\.{fraction})?{at_top}"
        rf"|\.{fraction.replace('0,', '1,', 1)})$"
    )


def _integers_up_to(n: int) -> str:
    """A regular expression for the whole numbers 0 to `n` written without leading zeros."""
    text = str(n)
    options = ["0", rf"[1-9]\d{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        low = 1 if i == 0 and len(text) > 1 else 0
        if int(digit) > low:
            rest = len(text) - i - 1
            options.append(
                f"{text[:i]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else "")
            )
    options.append(text)
    return f"(?:{'|'.join(options)})"


def schema_url(*, file_name: str) -> str:
    """The `$id` of a published schema file of this version of the standard."""
    return f"{BASE_URL}/{STANDARD_VERSION}/{file_name}"


def get_model_schema(
    *,
    model: type[BaseModel],
    file_name: str,
    title_en: str,
    title_zh: str,
    description_en: str,
    description_zh: str,
    annotations: dict[str, Any],
    examples: list[dict[str, Any]],
) -> dict[str, Any]:
    """The published schema of `model`: a self-describing Draft 2020-12 document."""
    body = model.model_json_schema(schema_generator=StandardSchemaGenerator)
    for key in ("title", "description", "x-description-zh"):
        body.pop(key, None)
    return {
        "$schema": DIALECT,
        "$id": schema_url(file_name=file_name),
        "title": title_en,
        "x-title-zh": title_zh,
        "description": description_en,
        "x-description-zh": description_zh,
        "x-standard-version": STANDARD_VERSION,
        **annotations,
        **body,
        "examples": examples,
    }
