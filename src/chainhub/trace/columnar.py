"""Texts of a whole captured document, canonicalised as columns rather than one by one.

The common shapes (EPC URIs of the usual schemes with plain characters, ISO 8601 times with an
offset) are converted by column expressions; any other text goes through the per-value function
the column stands for, so the result is always that function's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any, Final

import numpy as np
import polars as pl

from chainhub.trace.digital_link import CANONICAL, normalise
from chainhub.trace.identifiers import PRIVATE_PREFIXES

# EPC URIs whose digital link needs no escaping: the company prefix, the rest of the key and an
# alphanumeric serial, location extension or lot (the converters' patterns allow more).
# ([0-9] rather than \d: ASCII digits only, and a faster pattern.)
_PREFIX: Final = r"([0-9]{6,12})"
_ALNUM: Final = r"([0-9A-Za-z]{1,20})"
_FEW_LINKS: Final = 32  # texts linked one by one: the expressions cost ~1 ms whatever their input
_SGTIN: Final = ("urn:epc:id:sgtin:", rf"{_PREFIX}\.([0-9]{{1,7}})\.{_ALNUM}$")
_LGTIN: Final = ("urn:epc:class:lgtin:", rf"{_PREFIX}\.([0-9]{{1,7}})\.{_ALNUM}$")
_SSCC: Final = ("urn:epc:id:sscc:", rf"{_PREFIX}\.([0-9]{{5,11}})$")
_SGLN: Final = ("urn:epc:id:sgln:", rf"{_PREFIX}\.([0-9]{{0,6}})\.{_ALNUM}$")
_PGLN: Final = ("urn:epc:id:pgln:", rf"{_PREFIX}\.([0-9]{{0,6}})$")
# An ISO 8601 time with seconds and an offset; its fraction is read as Python reads it (up to
# microseconds), longer ones are left to Python.
_TIME: Final = (
    "",
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])"
    r"(?:\.([0-9]{1,6}))?([Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$",
)


class Shared:
    """What one document's checks, hashes and rows each compute column-wise from the same
    texts (the digital links of its EPC URIs, the instants of its times), kept per kind of
    result and distinct text: a text's is computed by whichever asks for it first."""

    def __init__(self) -> None:
        self._known: dict[str, pl.DataFrame] = {}

    def found(
        self, kind: str, values: pl.Series, compute: Callable[[pl.Series], Any]
    ) -> pl.DataFrame:
        """`compute` of each value (a Series, or a frame of columns), as columns beside the
        values' `value`, computed only for texts not seen before (null for a null value)."""
        known = self._known.get(kind)
        new = values.drop_nulls().unique().rename("value")
        if known is None and len(new) == len(values):
            # The first ask, of distinct texts: kept in their order, which is the answer's.
            new = values.rename("value")
            self._known[kind] = _frame(kind, new, compute(new))
            return self._known[kind]
        if known is not None:
            new = new.filter(~new.is_in(known["value"].implode()))
        if known is None or len(new):
            frame = _frame(kind, new, compute(new))
            known = frame if known is None else pl.concat([known, frame])
            self._known[kind] = known
        given = pl.DataFrame({"value": values}, schema={"value": pl.String})
        return given.join(known, on="value", how="left", maintain_order="left")


def _frame(kind: str, values: pl.Series, done: Any) -> pl.DataFrame:
    """The values and what was computed of them (a Series named `kind`, or a frame)."""
    frame = done.rename(kind).to_frame() if isinstance(done, pl.Series) else done
    return frame.with_columns(value=values)


def _check_digits(keys: pl.Series) -> pl.Series:
    """The GS1 check digit of each key of digits (weights 3, 1, 3, ... from the right, so a
    key's leading zeros change nothing); null where it is not a number of 64 bits (a key has
    at most 17 digits)."""
    number = keys.cast(pl.Int64, strict=False)
    # By numpy: a sum of one term per digit is tens of column operations, which cost less as
    # arrays than as expressions.
    rest = number.fill_null(0).to_numpy().copy()
    total = np.zeros(len(rest), dtype=np.int64)
    weight = 3
    while rest.any():
        total += rest % 10 * weight
        rest //= 10
        weight = 4 - weight
    checks = pl.Series(keys.name, (10 - total % 10) % 10).cast(pl.String)
    return pl.select(pl.when(number.is_not_null()).then(checks)).to_series().alias(keys.name)


def _with_check(name: str, length: int) -> pl.Expr:
    """The key in column `name` with its check digit (column `check`), when it has `length`
    digits."""
    raw = pl.col(name)
    return pl.when(raw.str.len_chars() == length).then(raw + pl.col("check"))


Shape = tuple[str, str]  # a prefix, and the pattern of the rest after it
_SHAPES: Final = (_SGTIN, _LGTIN, _SSCC, _SGLN, _PGLN)
# The digits of each shape's key without its check digit: its first two groups' (`_with_check`).
_KEY_DIGITS: Final = {_SGTIN: 13, _LGTIN: 13, _SSCC: 17, _SGLN: 12, _PGLN: 12}


def _name(shape: Shape) -> str:
    return f"shape{hash(shape)}"


def _group(shape: Shape, index: int) -> pl.Expr:
    return pl.col(_name(shape)).struct.field(str(index))


def _groups(shape: Shape) -> pl.Expr:
    """The numbered groups of the values of a shape (null for the others), as a struct."""
    prefix, pattern = shape
    value = pl.col("value")
    rest = pl.when(value.str.starts_with(prefix)).then(value.str.slice(len(prefix)))
    return rest.str.extract_groups("^" + pattern.lstrip("^")).alias(_name(shape))


@cache
def _link_expressions() -> tuple[list[pl.Expr], dict[str, pl.Expr], pl.Expr]:
    """The groups of each shape, the keys without their check digit, and the digital link
    (of the keys' check digits, `_check_digits`): built once, as building them costs
    milliseconds."""
    sscc = _group(_SSCC, 2)
    keys = {
        "sgtin": _group(_SGTIN, 2).str.slice(0, 1)
        + _group(_SGTIN, 1)
        + _group(_SGTIN, 2).str.slice(1),
        "lgtin": _group(_LGTIN, 2).str.slice(0, 1)
        + _group(_LGTIN, 1)
        + _group(_LGTIN, 2).str.slice(1),
        "sscc": sscc.str.slice(0, 1) + _group(_SSCC, 1) + sscc.str.slice(1),
        "sgln": _group(_SGLN, 1) + _group(_SGLN, 2),
        "pgln": _group(_PGLN, 1) + _group(_PGLN, 2),
    }
    extension = _group(_SGLN, 3)
    link = pl.coalesce(
        pl.lit(CANONICAL + "/01/") + _with_check("sgtin", 13) + "/21/" + _group(_SGTIN, 3),
        pl.lit(CANONICAL + "/00/") + _with_check("sscc", 17),
        pl.lit(CANONICAL + "/414/")
        + _with_check("sgln", 12)
        + pl.when(extension == "0").then(pl.lit("")).otherwise("/254/" + extension),
        pl.lit(CANONICAL + "/417/") + _with_check("pgln", 12),
        pl.lit(CANONICAL + "/01/") + _with_check("lgtin", 13) + "/10/" + _group(_LGTIN, 3),
    )
    return [_groups(s) for s in _SHAPES], keys, link


def digital_links(values: pl.Series, shared: Shared | None = None) -> pl.Series:
    """The constrained canonical GS1 Digital Link (`digital_link.normalise`) of each SGTIN,
    SSCC, SGLN, PGLN and LGTIN URI of plain characters; null for any other text. With
    `shared`, each distinct text's is computed once across its calls."""
    if shared is not None:
        return shared.found("link", values, _links)["link"].alias(values.name)
    return _links(values)


@cache
def _shape_patterns() -> tuple[tuple[str, re.Pattern[str], int], ...]:
    return tuple(
        (prefix, re.compile(pattern.removesuffix("$")), _KEY_DIGITS[prefix, pattern])
        for prefix, pattern in _SHAPES
    )


def _link(value: str | None) -> str | None:
    """`digital_links` of one text: `normalise` of a text of a shape (the whole text, as `$`
    reads it in the column expressions: no newline after it) with a key of its length, else
    None."""
    for prefix, pattern, digits in _shape_patterns():
        if value is not None and value.startswith(prefix):
            found = pattern.fullmatch(value, len(prefix))
            if found is None or len(found[1]) + len(found[2]) != digits:
                return None
            return normalise(value)
    return None


def _links(values: pl.Series) -> pl.Series:
    """`digital_links` of the values, computed (one by one when they are few)."""
    if len(values) <= _FEW_LINKS:
        return pl.Series(values.name, [_link(v) for v in values.to_list()], dtype=pl.String)
    # Only an EPC URI has one: other texts (business transactions, words) skip the expressions.
    uris = values.str.starts_with("urn:epc:")
    if not uris.all():
        at = uris.arg_true()
        none = pl.repeat(None, len(values), dtype=pl.String, eager=True).alias(values.name)
        return none.scatter(at, _links(values.gather(at))) if len(at) else none
    groups, keys, link = _link_expressions()
    # The keys without their check digit first, as columns: each is read many times.
    frame = pl.DataFrame({"value": values}).with_columns(groups).with_columns(**keys)
    # A value is of one shape at most, so has one key at most: one check digit per value.
    check = _check_digits(frame.select(pl.coalesce(list(keys)).alias("check")).to_series())
    frame = frame.with_columns(check)
    return frame.select(link.alias(values.name)).to_series()


def _kept(*, unless: tuple[str, ...]) -> pl.Expr:
    """Texts no identifier converter reads: with a colon (so no number either), neither an
    EPC URI nor a web URI, and starting with none of `unless` (lowercased)."""
    value = pl.col("value")
    lowered = value.str.to_lowercase()
    read = value.str.starts_with("urn:epc:") | value.str.starts_with("http")
    for prefix in unless:
        read = read | lowered.str.starts_with(prefix)
    return pl.when(value.str.contains(":", literal=True) & ~read).then(value)


def cbv_texts(
    values: pl.Series, *, rewritten: tuple[str, ...], shared: Shared | None = None
) -> pl.Series:
    """`hashing._canonize_value` of each EPC URI of the common schemes (`digital_links`) and of
    each text it keeps as it is (no colon-free text, which may be a number, and none holding
    one of the `rewritten` CBV URN prefixes); null for any other."""
    kept = _kept(unless=())
    for prefix in rewritten:
        kept = pl.when(~pl.col("value").str.contains(prefix, literal=True)).then(kept)
    links = digital_links(values, shared).alias("link")
    frame = pl.DataFrame({"value": values, "link": links})
    return frame.select(pl.coalesce("link", kept).alias(values.name)).to_series()


def epc_texts(values: pl.Series, shared: Shared | None = None) -> pl.Series:
    """`identifiers.canonical_epc` of each EPC URI of the common schemes and of each text it
    keeps as it is (starting with an ASCII letter, none of the private schemes); null for any
    other."""
    kept = _kept(unless=PRIVATE_PREFIXES)
    kept = pl.when(pl.col("value").str.contains("^[A-Za-z]")).then(kept)
    frame = pl.DataFrame({"value": values, "link": digital_links(values, shared)})
    return frame.select(pl.coalesce("link", kept).alias(values.name)).to_series()


def by_distinct(values: pl.Series, convert: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """`convert` of each value, computed once per distinct value (`convert` keeps null null)."""
    distinct = values.unique()
    if distinct.len() == values.len():
        return convert(values)
    lookup = pl.DataFrame({"value": distinct, "done": convert(distinct)})
    found = pl.DataFrame({"value": values}).join(
        lookup, on="value", how="left", nulls_equal=True, maintain_order="left"
    )
    return found["done"].alias(values.name)


def completed(
    values: pl.Series, *, fast: Callable[[pl.Series], pl.Series], slow: Callable[[Any], Any]
) -> pl.Series:
    """`slow` of each value (null stays null), computed by the column function `fast` where
    that gives a value and by `slow`, once per distinct value, for the rest."""
    found = fast(values)
    missing = found.is_null() & values.is_not_null()
    if not missing.any():
        return found
    rest = values.filter(missing).to_list()
    done = {value: slow(value) for value in set(rest)}
    return found.scatter(missing.arg_true(), pl.Series([done[v] for v in rest], dtype=found.dtype))


def _parsed(values: pl.Series, shared: Shared | None) -> pl.DataFrame:
    """The UTC instant (microseconds, null where the column expressions do not read it) and
    the microseconds of the fraction of each ISO 8601 time (with `shared`, each distinct
    time's computed once across calls)."""
    if shared is None:
        return _parsed_times(values)
    found = shared.found("time", values, _parsed_times)
    return found.select("instant", pl.col("micro").fill_null(0))


def _parsed_times(values: pl.Series) -> pl.DataFrame:
    base, fraction = _group(_TIME, 1), _group(_TIME, 2)
    offset = _group(_TIME, 3).str.replace(r"^[Zz]$", "+00:00")
    instant = (base + offset).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%:z", time_unit="us", time_zone="UTC", strict=False
    )
    micro = (fraction + "000000").str.slice(0, 6).cast(pl.Int64).fill_null(0)
    frame = pl.DataFrame({"value": values}).with_columns(_groups(_TIME))
    return frame.select(instant=instant, micro=micro)


def utc_times(values: pl.Series, shared: Shared | None = None) -> pl.Series:
    """Each ISO 8601 time with an offset as a UTC instant to the microsecond; null for a text
    the column expressions do not read."""
    parsed = _parsed(values, shared)
    instant = pl.col("instant") + pl.duration(microseconds=pl.col("micro"))
    return parsed.select(instant.alias(values.name)).to_series()


def utc_millis(values: pl.Series, shared: Shared | None = None) -> pl.Series:
    """Each ISO 8601 time with an offset in UTC to the millisecond with a Z, as the CBV hash
    writes it (the 4th decimal rounds the 3rd, half to even); null where not read."""
    micro = pl.col("micro")
    below, millis = micro % 1000, micro // 1000
    up = (below > 500) | ((below == 500) & (millis % 2 == 1))
    instant = pl.col("instant") + pl.duration(milliseconds=millis + up.cast(pl.Int64))
    text = instant.dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    return _parsed(values, shared).select(text.alias(values.name)).to_series()
