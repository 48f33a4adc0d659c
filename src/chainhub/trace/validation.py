"""Checks of a captured EPCIS document: the GS1 JSON Schema, the XSD, and rules no schema states.

Every problem is reported with the event it is in and the path of the field, in English and
Chinese, so a partner can correct a whole document in one go.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, Final

import jsonschema
import jsonschema_rs
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from chainhub.errors import ChainhubError
from chainhub.trace import vocabulary
from chainhub.trace.columnar import Shared, utc_times
from chainhub.trace.gs1_schemas import SCHEMA_DIR, epcis_schema
from chainhub.trace.plain_columns import as_type
from chainhub.trace.xsd_form import AS_WRITTEN, EPCIS_NS, in_xsd_form

_OFFSET: Final = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
_TIME_FIELDS: Final = ("time", "startTime", "endTime")
_CBV_URNS: Final = {
    "bizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    "disposition": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
}
_FEW_TIMES: Final = 2_000  # distinct times checked one by one rather than column-wise
_FEW_SHARED: Final = 128  # the same, when the capture reads the times column-wise anyway
_WORDS: Final = {"bizStep": vocabulary.BIZ_STEPS, "disposition": vocabulary.DISPOSITIONS}
_TIMES: Final = ("eventTime", "recordTime")
_NESTED: Final = ("sensorElementList", "errorDeclaration")  # fields holding times of their own
_DATA: Final = frozenset(("enum", "const", "default", "examples"))
_SEMANTIC_TYPE: Final = pa.struct([(name, pa.string()) for name in (*_TIMES, *_WORDS)])


@dataclass(frozen=True)
class Problem:
    """One problem of a document: where (event index, field path) and what, in both languages."""

    event: int | None
    field: str
    message_en: str
    message_zh: str
    rule: str = "semantic"

    def as_dict(self, lang: str) -> dict[str, Any]:
        """The problem as the error body lists it."""
        return {
            "event": self.event,
            "field": self.field,
            "message": self.message_zh if lang == "zh" else self.message_en,
        }


class DocumentInvalidError(ChainhubError):
    """A captured document that breaks the schema or the standard's rules, with every problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(
            "epcis_invalid",
            f"the EPCIS document has {len(problems)} problem(s); first: {first.message_en}",
            f"EPCIS 文档有 {len(problems)} 个问题；第一个：{first.message_zh}",
            {"field": first.field, **({"event": first.event} if first.event is not None else {})},
            400,
        )
        self.problems = list(problems)


@cache
def _json_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(
        epcis_schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@cache
def _fast_json_validator() -> jsonschema_rs.Draft7Validator:
    return jsonschema_rs.Draft7Validator(epcis_schema(), validate_formats=True)


@cache
def _verdict_validator() -> jsonschema_rs.Draft7Validator:
    """The compiled validator of the schema with each `anyOf`'s word lists tried first: a
    document's verdict is the same (an `anyOf` holds if any branch does, in whatever order),
    and most values are words, which an enum accepts before a URI's format and pattern are
    tried (a quarter less CPU on documents of thousands of events)."""
    return jsonschema_rs.Draft7Validator(_enums_first(epcis_schema()), validate_formats=True)


def _enums_first(schema: Any) -> Any:
    """The (sub)schema with the branches of each `anyOf` in it that are an `enum` first."""
    if isinstance(schema, list):
        return [_enums_first(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    # Values (an enum's, a const) are data, not schemas: kept as they are.
    found = {k: v if k in _DATA else _enums_first(v) for k, v in schema.items()}
    if isinstance(branches := found.get("anyOf"), list):
        found["anyOf"] = sorted(branches, key=lambda b: not (isinstance(b, dict) and "enum" in b))
    return found


_EPCIS_2_ROOT: Final = f"{{{EPCIS_NS}}}EPCISDocument"


@cache
def _xml_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "EPCglobal-epcis-2_0.xsd"), parser))


def _locate(path: Sequence[Any]) -> tuple[int | None, str]:
    """The event index and the field path within it, of a JSON path in a document."""
    parts = list(path)
    if parts[:2] == ["epcisBody", "eventList"] and len(parts) > 2 and isinstance(parts[2], int):
        rest = parts[3:]
        return parts[2], ".".join(str(p) for p in rest) or "$"
    return None, ".".join(str(p) for p in parts) or "$"


def check_json_schema(document: Mapping[str, Any]) -> list[Problem]:
    """Problems the GS1 EPCIS JSON Schema finds, one per failing leaf of the schema."""
    # A compiled validator says yes or no two orders of magnitude faster; only a document it
    # refuses is walked again to locate every problem.
    if _verdict_validator().is_valid(document):
        return []
    found = [
        (error.absolute_path, error.message, str(error.validator))
        for error in _leaves(_json_validator().iter_errors(document))
    ]
    if not found:
        # The compiled validator checks formats (uri) that this one has no checker for.
        found = [
            (error.instance_path, error.message, _keyword(error.kind))
            for error in _fast_json_validator().iter_errors(document)
        ]
    problems = []
    for path, message, rule in found:
        event, field = _locate(path)
        shown = message if len(message) <= 300 else message[:297] + "..."
        problems.append(
            Problem(event, field, f"schema: {shown}", f"不符合 GS1 JSON Schema：{shown}", rule)
        )
    return problems


def _keyword(kind: object) -> str:
    """The schema keyword of a compiled validator's error kind (its class, as `UniqueItems`)."""
    name = type(kind).__name__
    return name[:1].lower() + name[1:]


def _leaves(errors: Iterator[jsonschema.ValidationError]) -> Iterator[jsonschema.ValidationError]:
    for error in errors:
        if error.context:
            # anyOf/oneOf: the branch that went deepest says best what is wrong.
            best = jsonschema.exceptions.best_match(error.context)
            yield best if best is not None else error
        else:
            yield error


def check_xml_schema(body: bytes, tree: Any = None) -> list[Problem]:
    """Problems the EPCIS 2.0 XSD finds in an EPCIS 2.0 XML capture document, each located by
    line and element path; `tree`, when given, is the body's element tree as the binding's
    reader read it (`xml_binding.read_xml`), checked rather than reading the body again when
    read as written (`xsd_form.AS_WRITTEN`).

    Only a root in the 2.0 namespace is the 2.0 XSD's to judge: the reader also takes EPCIS 1.x
    documents (`urn:epcglobal:epcis:xsd:1`), which the 2.0 XSD declares nothing for, and query
    documents, whose events the JSON Schema checks once they are a capture document's.
    """
    document = tree if tree is not None and tree.getroottree().parser is AS_WRITTEN else None
    if document is None:
        try:
            document = etree.fromstring(body, AS_WRITTEN)
        except etree.XMLSyntaxError as exc:
            return [Problem(None, "body", f"not well-formed XML: {exc}", f"XML 格式错误：{exc}")]
    if document.tag != _EPCIS_2_ROOT:
        return []
    schema = _xml_schema()
    # Only a document the XSD refuses pays for the copy in XSD form, which drops faults of form:
    # fields out of sequence order, or qualified where the XSD declares them unqualified.
    if schema.validate(document) or schema.validate(in_xsd_form(document)):
        return []
    return [
        Problem(
            None,
            error.path,
            f"XSD, line {error.line}: {error.message}",
            f"不符合 EPCIS 2.0 XSD（第 {error.line} 行）：{error.message}",
            "xsd",
        )
        for error in schema.error_log
    ]


# Deeper than any EPCIS document needs (an event sits at 3, its extensions a few below), and far
# enough under the interpreter's recursion limit for the checks, hashes and rows that recurse.
MAX_DEPTH: Final = 100


def _too_deep(document: Any, events: pa.StructArray | None) -> bool:
    # Depths only, no paths, exact types: ~1.3 us an event where the located walk costs ~8.
    stack: list[tuple[Any, int]] = [(document, 0)]
    # Events read by Arrow are as deep as their type (a struct per object, a list per array, each
    # type the widest of its values'): they are walked only when that is too deep. They sit at
    # depth 3 (document, epcisBody, eventList), their own fields' containers one below, ...
    skipped = None
    if events is not None and _type_depth(events.type) + 2 <= MAX_DEPTH and type(document) is dict:
        body = document.get("epcisBody")
        skipped = body.get("eventList") if type(body) is dict else None
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if value is skipped:
            continue
        below = depth + 1
        for child in value.values() if type(value) is dict else value:
            if type(child) is dict or type(child) is list:
                stack.append((child, below))
    return False


def _type_depth(kind: pa.DataType) -> int:
    """How many structs and lists an Arrow type nests, at its deepest."""
    deepest, stack = 0, [(kind, 0)]
    while stack:
        kind, depth = stack.pop()
        if pa.types.is_struct(kind):
            inner = [field.type for field in kind]
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            inner = [kind.value_type]
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((each, depth + 1) for each in inner)
    return deepest


def check_depth(document: Any, events: pa.StructArray | None = None) -> None:
    """Raise `epcis_malformed` (400) naming the first path that nests objects or arrays deeper
    than `MAX_DEPTH` levels, before anything walks the document recursively; `events`, the
    document's eventList read by Arrow (`plain_columns.event_array`), when given, are as deep
    as their type says (a document nested deeper than Arrow's conversion can take is not to
    be given them: see `prepare.prepared_capture`)."""
    if not _too_deep(document, events):
        return
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            where = ".".join(str(p) for p in path[:8]) + ".…"
            raise ChainhubError(
                "epcis_malformed",
                f"the document nests objects or arrays deeper than {MAX_DEPTH} levels at {where}",
                f"文档中对象或数组嵌套超过 {MAX_DEPTH} 层，位于 {where}",
                {"field": where},
                400,
            )
        if isinstance(value, Mapping):
            stack.extend(
                (v, (*path, k)) for k, v in value.items() if isinstance(v, (Mapping, list))
            )
        elif isinstance(value, list):
            stack.extend(
                (v, (*path, i)) for i, v in enumerate(value) if isinstance(v, (Mapping, list))
            )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _check_time(event: int, field: str, value: Any) -> list[Problem]:
    if not isinstance(value, str) or _time(value) is None:
        return [Problem(event, field, "not a date-time", "不是有效的日期时间")]
    if not _OFFSET.search(value):
        return [
            Problem(
                event,
                field,
                f"{value} has no time-zone offset (Z or ±hh:mm)",
                f"{value} 缺少时区偏移（Z 或 ±hh:mm）",
            )
        ]
    return []


def _check_vocabulary(event: int, field: str, value: Any) -> list[Problem]:
    if not isinstance(value, str):
        return []
    urn, _web = _CBV_URNS[field]
    words = _WORDS[field]
    word = value[len(urn) :] if value.startswith(urn) else value
    if value.startswith(urn) or ":" not in value:
        if word not in words:
            return [
                Problem(
                    event,
                    field,
                    f"{value!r} is not a CBV {field} (a CBV word, or a URI of your own)",
                    f"{value!r} 不是 CBV 的 {field}（应为 CBV 词汇或自定义 URI）",
                )
            ]
    return []


def _good_times(values: pl.Series, shared: Shared | None = None) -> pl.Series:
    """Those of the distinct times `values` that `_check_time` passes, found column-wise when
    there are many (a time the columns do not read is checked on its own); `shared` holds the
    times the capture's hashes and rows read column-wise too."""
    # The column expressions cost a millisecond whatever their input: up to a few thousand
    # times (measured break-even), checking each is quicker, unless the columns are read anyway.
    if len(values) <= (_FEW_TIMES if shared is None else _FEW_SHARED):
        good = [not _check_time(0, "", value) for value in values.to_list()]
        return values.filter(pl.Series(good, dtype=pl.Boolean))
    # A lowercase z is read as UTC by the columns but is no offset here.
    read = utc_times(values, shared).is_not_null() & ~values.str.ends_with("z")
    return values.filter(read)


def _time_problems(index: int, event: Mapping[str, Any], good: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for field in _TIMES:
        value = event.get(field)
        if field in event and not (isinstance(value, str) and value in good):
            problems += _check_time(index, field, value)
    return problems


def _word_problems(
    index: int, event: Mapping[str, Any], words: dict[tuple[str, str], list[Problem]]
) -> list[Problem]:
    problems: list[Problem] = []
    for field in _WORDS:
        value = event.get(field)
        if isinstance(value, str):
            if (field, value) not in words:
                words[field, value] = _check_vocabulary(index, field, value)
            problems += [replace(p, event=index) for p in words[field, value]]
    return problems


def _nested_problems(index: int, event: Mapping[str, Any]) -> list[Problem]:
    """Problems of the times in an event's sensor elements and error declaration."""
    problems: list[Problem] = []
    # A field of the wrong kind is the schema's problem, reported already: none here.
    if isinstance(sensors := event.get("sensorElementList"), list):
        for at, sensor in enumerate(sensors):
            problems += _check_sensor(index, at, sensor)
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, Mapping) and "declarationTime" in declaration:
        path = "errorDeclaration.declarationTime"
        problems += _check_time(index, path, declaration["declarationTime"])
    return problems


def _one_by_one(events: Sequence[Any]) -> list[Problem]:
    """`check_semantics`, event by event (events of any kind)."""
    times = {
        event[field]
        for event in events
        if isinstance(event, Mapping)
        for field in _TIMES
        if isinstance(event.get(field), str)
    }
    good = set(_good_times(pl.Series("value", list(times), dtype=pl.String)).to_list())
    words: dict[tuple[str, str], list[Problem]] = {}
    problems: list[Problem] = []
    for index, event in enumerate(events):
        # A JSON object is a dict: checked first, as the abstract Mapping check costs more.
        if type(event) is not dict and not isinstance(event, Mapping):
            continue
        problems += _time_problems(index, event, good)
        problems += _word_problems(index, event, words)
        problems += _nested_problems(index, event)
    return problems


def _by_columns(
    events: Sequence[Mapping[str, Any]],
    read: pa.StructArray,
    shared: Shared | None = None,
    named: Collection[str] | None = None,
) -> list[Problem]:
    """`check_semantics` of objects whose times and words are text (`read`: those fields as
    columns): times and words checked once per distinct value, the events that hold a bad one
    (or a time given null, which reads as none) and nested times one by one. When the fields
    any event has are known (`named`), an event is looked into only for those."""
    found: dict[int, list[Problem]] = {}
    for field in _TIMES:
        if named is not None and field not in named:
            continue  # (no event has it: each would be looked into for a null given)
        column = pl.Series("value", pc.struct_field(read, field), dtype=pl.String)
        good = _good_times(column.drop_nulls().unique(), shared)
        bad = column.is_null() | ~column.is_in(good.implode())
        for index in bad.arg_true().to_list():
            if field in events[index]:
                found.setdefault(index, []).extend(_check_time(index, field, column[index]))
    for field in _WORDS:
        column = pl.Series("value", pc.struct_field(read, field), dtype=pl.String)
        for word in column.drop_nulls().unique().to_list():
            if problems := _check_vocabulary(0, field, word):
                for index in (column == word).arg_true().to_list():
                    found.setdefault(index, []).extend(replace(p, event=index) for p in problems)
    if named is None or not set(_NESTED).isdisjoint(named):
        for index, event in enumerate(events):
            if "sensorElementList" in event or "errorDeclaration" in event:
                found.setdefault(index, []).extend(_nested_problems(index, event))
    # In the order `_one_by_one` lists them: by event, then times, words, nested times.
    return [p for index in sorted(found) for p in sorted(found[index], key=_rank)]


def _rank(problem: Problem) -> int:
    head = problem.field.split(".")[0]
    return (*_TIMES, *_WORDS).index(head) if head in (*_TIMES, *_WORDS) else len(_TIMES) + 2


def check_semantics(
    events: Sequence[Any], columns: pa.StructArray | None = None, shared: Shared | None = None
) -> list[Problem]:
    """Rules of the standard no schema states: offsets, CBV words, sensor time windows; the
    events' `columns` (`plain_columns.event_array`), when given, are read rather than the
    events converted again, and their times read column-wise kept in `shared`."""
    if all(type(event) is dict for event in events):
        read = as_type(columns, _SEMANTIC_TYPE)
        if columns is not None and read is not None:
            return _by_columns(events, read, shared, columns.type.names)
        try:
            read = pa.array(events, type=_SEMANTIC_TYPE)
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            pass  # a time or word of another kind: the schema's problem, reported already
        else:
            return _by_columns(events, read, shared)
    return _one_by_one(events)


def _check_sensor(index: int, at: int, sensor: Any) -> list[Problem]:
    if not isinstance(sensor, Mapping):
        return []
    problems: list[Problem] = []
    metadata = sensor.get("sensorMetadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    base = f"sensorElementList.{at}"
    for field in _TIME_FIELDS:
        if field in metadata:
            problems += _check_time(index, f"{base}.sensorMetadata.{field}", metadata[field])
    start, end = _time(metadata.get("startTime")), _time(metadata.get("endTime"))
    if start is not None and end is not None and start.tzinfo and end.tzinfo and start > end:
        problems.append(
            Problem(
                index,
                f"{base}.sensorMetadata",
                "startTime is after endTime",
                "startTime 晚于 endTime",
            )
        )
    reports = sensor.get("sensorReport")
    for number, report in enumerate(reports if isinstance(reports, list) else []):
        if isinstance(report, Mapping) and "time" in report:
            path = f"{base}.sensorReport.{number}.time"
            problems += _check_time(index, path, report["time"])
    return problems


def check_document(
    document: Mapping[str, Any],
    *,
    from_xml: bool = False,
    columns: pa.StructArray | None = None,
    shared: Shared | None = None,
) -> None:
    """Raise `DocumentInvalidError` listing every problem, when the document has any; its
    events' `columns` and `shared`, when given, as `check_semantics` reads them.

    An XML document is checked in its JSON form against the same JSON Schema (one information
    model, two bindings), less the JSON binding's `uniqueItems`, which the XML binding lacks.
    """
    problems = check_json_schema(document)
    if from_xml:
        problems = [p for p in problems if p.rule != "uniqueItems"]
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, Mapping) else None
    if isinstance(events, list):
        problems += check_semantics(events, columns, shared)
    if problems:
        raise DocumentInvalidError(problems)
