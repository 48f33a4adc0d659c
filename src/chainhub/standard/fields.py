"""Building blocks of the standard: the bilingual field helper, identifier types and code lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chainhub.standard.examples import example_of
from chainhub.standard.units import UNIT_CODES

# What Python's str.strip() removes, spelt out: JSON Schema's \s is ECMA-262's, which differs.
_BLANK = r"\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK_PATTERN = f"[^{_BLANK}]"


def field(
    en: str, zh: str, *, example: Any, schema: dict[str, Any] | None = None, **constraints: Any
) -> Any:
    """A model field with an English and a Chinese description, an example and constraints;
    `schema` adds to its JSON Schema what no constraint says.

    Text is trimmed (`StandardModel`), so required text says in its schema that it is not blank.
    """
    extra: dict[str, Any] = {"x-description-zh": zh, **(schema or {})}
    if constraints.get("min_length") and "pattern" not in constraints:
        extra["pattern"] = NOT_BLANK_PATTERN
    return Field(description=en, examples=[example], json_schema_extra=extra, **constraints)


def lines_field(line_model: type[BaseModel], en: str, zh: str) -> Any:
    """The list-of-lines field of a document, with one full example line."""
    return Field(
        min_length=1,
        description=en,
        examples=[[example_of(line_model)]],
        json_schema_extra={"x-description-zh": zh},
    )


def described_zh(
    zh: str,
    *,
    ordered: tuple[tuple[str, str], ...] = (),
    schema: dict[str, Any] | None = None,
) -> ConfigDict:
    """Model configuration that adds the Chinese description of a model to its JSON Schema.

    `ordered` names (earlier, later) fields whose values do not go backwards; the schema says
    so in its `x-ordered` extension, since JSON Schema alone cannot relate two fields. A later
    field may be `lines/*/field`: that field of every line. `schema` adds what else the model's
    JSON Schema states about its fields together (`oneOf`, `anyOf`, `x-sums`).
    """
    extra: dict[str, Any] = {"x-description-zh": zh, **(schema or {})}
    if ordered:
        extra["x-ordered"] = [{"earlier": a, "later": b, "equal": True} for a, b in ordered]
    return ConfigDict(json_schema_extra=extra)


class StandardModel(BaseModel):
    """Base of every standard model: unknown fields are an error, text is trimmed."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=True,
        validate_default=True,
    )


def gs1_check_digit(body: str) -> str:
    """The mod-10 check digit of a GS1 key (GTIN, GLN) for its other digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gs1_check_digit_ok(digits: str) -> bool:
    """True when the last digit of a GS1 key (GTIN, GLN) is its mod-10 check digit."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    return gs1_check_digit(digits[:-1]) == digits[-1]


def _gtin(value: str) -> str:
    if len(value) not in (8, 12, 13, 14) or not gs1_check_digit_ok(value):
        raise ValueError("GTIN must have 8, 12, 13 or 14 digits ending in a valid check digit")
    return value


def _gln(value: str) -> str:
    if len(value) != 13 or not gs1_check_digit_ok(value):
        raise ValueError("GLN must have 13 digits ending in a valid check digit")
    return value


USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(body: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015) for its first 17."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def _uscc(value: str) -> str:
    if (
        len(value) != 18
        or any(c not in USCC_CHARSET for c in value)
        or uscc_check_char(value[:17]) != value[17]
    ):
        raise ValueError("unified social credit code must be 18 characters with a valid check")
    return value


ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
LOT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"

PartnerId = Annotated[str, Field(pattern=ID_PATTERN, max_length=63)]
SiteId = Annotated[str, Field(pattern=ID_PATTERN, max_length=63)]
Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=40)]
LotNumber = Annotated[str, Field(pattern=LOT_PATTERN, max_length=20)]
# The patterns are published in the JSON Schema only; the validators check length and check
# character themselves so their messages stay specific. Each names its own `format` (gtin, gln,
# uscc): a JSON Schema validator or a test-data generator that knows it checks or makes the
# check digit too.
Gtin = Annotated[
    str,
    Field(
        json_schema_extra={
            "pattern": r"^(\d{8}|\d{12,14})$",
            "format": "gtin",
            "x-check-digit": "GS1 mod 10",
        }
    ),
    AfterValidator(_gtin),
]
Gln = Annotated[
    str,
    Field(
        json_schema_extra={"pattern": r"^\d{13}$", "format": "gln", "x-check-digit": "GS1 mod 10"}
    ),
    AfterValidator(_gln),
]
Uscc = Annotated[
    str,
    Field(
        json_schema_extra={
            "pattern": f"^[{USCC_CHARSET}]{{18}}$",
            "format": "uscc",
            "x-check-digit": "GB 32100-2015 mod 31",
        }
    ),
    AfterValidator(_uscc),
]
# Whole numbers go as far as every JSON reader keeps them exact (2^53 - 1, within the 64-bit
# integers they are stored as); the schema says so.
Whole = Annotated[int, Field(le=2**53 - 1)]
# Every decimal is stored as NUMERIC(18, 6): at most 12 digits before the point.
Quantity = Annotated[Decimal, Field(max_digits=18, decimal_places=6)]
Money = Annotated[Decimal, Field(max_digits=16, decimal_places=4, ge=0)]

UnitCode = StrEnum("UnitCode", {c: c for c in UNIT_CODES})  # type: ignore[misc]
UnitCode.__doc__ = "A UN/ECE Recommendation 20 unit code."


class PartnerRole(StrEnum):
    """What a partner does in the chain."""

    OEM = "oem"
    SUPPLIER = "supplier"
    DISTRIBUTOR = "distributor"
    LOGISTICS = "logistics"


class SiteType(StrEnum):
    """Kind of site."""

    PLANT = "plant"
    WAREHOUSE = "warehouse"
    DISTRIBUTION_CENTRE = "distribution_centre"
    OFFICE = "office"


class MaterialCategory(StrEnum):
    """Where a material sits in the bill of materials."""

    FINISHED = "finished"
    SEMI_FINISHED = "semi_finished"
    COMPONENT = "component"
    RAW = "raw"
    PACKAGING = "packaging"
    SPARE_PART = "spare_part"


class OrderStatus(StrEnum):
    """Status of an order as a whole."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class LineStatus(StrEnum):
    """Status of an order line."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class ShipmentStatus(StrEnum):
    """Status of a shipment."""

    ANNOUNCED = "announced"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class ForecastBucket(StrEnum):
    """Length of a forecast period."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class ProductionStatus(StrEnum):
    """Status of a production order."""

    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class LotDirection(StrEnum):
    """Whether a production-order line consumes or produces a lot."""

    INPUT = "input"
    OUTPUT = "output"


class InspectionType(StrEnum):
    """When an inspection takes place."""

    INCOMING = "incoming"
    IN_PROCESS = "in_process"
    FINAL = "final"
    OUTGOING = "outgoing"


class InspectionResult(StrEnum):
    """Verdict of an inspection or of one characteristic."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    CONDITIONAL = "conditional"


__all__ = [
    "Code",
    "Gln",
    "Gtin",
    "LotNumber",
    "Money",
    "PartnerId",
    "Quantity",
    "SiteId",
    "StandardModel",
    "UnitCode",
    "Uscc",
    "Whole",
    "date",
    "field",
]
