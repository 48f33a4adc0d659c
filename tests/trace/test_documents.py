"""Every GS1 example and OpenEPCIS capture document is valid; XML and JSON twins hash alike;
XML read and written back loses no field; a bad document names each of its problems."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from lxml import etree

from chainhub.trace import validation
from chainhub.trace.columnar import Shared
from chainhub.trace.gs1_schemas import epcis_schema
from chainhub.trace.hashing import (
    document_hashes,
    event_hashes,
    json_event_trees,
    plain_event_hashes,
    xml_event_trees,
)
from chainhub.trace.plain_columns import as_type, event_array
from chainhub.trace.prepare import prepared_capture
from chainhub.trace.results import _nested_namespaces
from chainhub.trace.rows import ROW_TYPE
from chainhub.trace.validation import (
    DocumentInvalidError,
    _xml_schema,
    check_document,
    check_xml_schema,
)
from chainhub.trace.xml_binding import parse_xml, read_xml, write_xml
from chainhub.trace.xsd_form import event_orders
from tests.trace.reference import GOLDEN, GS1, OPENEPCIS, require


def _documents(pattern_root: Path, patterns: tuple[str, ...]) -> list[Path]:
    if not pattern_root.exists():
        return []
    return sorted(p for pattern in patterns for p in pattern_root.glob(pattern))


JSON_DOCS = [
    p
    for p in _documents(GS1 / "JSON", ("**/*.json", "**/*.jsonld"))
    + _documents(OPENEPCIS / "JSON" / "Capture" / "Documents", ("*.json",))
    if json.loads(p.read_text(encoding="utf-8")).get("type") == "EPCISDocument"
]
XML_DOCS = [
    p
    for p in _documents(GS1 / "XML", ("**/*.xml",))
    + _documents(OPENEPCIS / "XML" / "Capture" / "Documents", ("*.xml",))
    if b"EPCISDocument" in p.read_bytes()[:2000]
    and b"EPCISMasterDataDocument" not in p.read_bytes()[:2000]
]
TWINS = [
    (p, OPENEPCIS / "JSON" / "Capture" / "Documents" / (p.stem + ".json"))
    for p in _documents(OPENEPCIS / "XML" / "Capture" / "Documents", ("*.xml",))
    if (OPENEPCIS / "JSON" / "Capture" / "Documents" / (p.stem + ".json")).exists()
]


def _context(document: dict[str, Any]) -> dict[str, str]:
    return {k: v for c in document["@context"] if isinstance(c, dict) for k, v in c.items()}


def test_the_reference_documents_are_there() -> None:
    require(GS1)
    require(OPENEPCIS)
    assert len(JSON_DOCS) == 84
    assert len(XML_DOCS) == 68
    assert len(TWINS) >= 30


@pytest.mark.parametrize("path", JSON_DOCS, ids=lambda p: p.name)
def test_json_documents_are_valid(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    check_document(document)
    check_document(document, columns=event_array(document["epcisBody"]["eventList"]))


def test_event_columns_cast_as_their_events_convert() -> None:
    """The events' columns, cast to the rows' and the checks' types, are what converting the
    events to those types gives, for every reference document Arrow reads; a field of
    another type, or a whole number too large for a double, is left to the conversion."""
    cast = 0
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in JSON_DOCS]
    documents += [parse_xml(p.read_bytes()) for p in XML_DOCS]
    for document in documents:
        events = document["epcisBody"]["eventList"]
        for kind in (ROW_TYPE, validation._SEMANTIC_TYPE):
            read = as_type(event_array(events), kind)
            if read is not None:
                assert read.equals(pa.array(events, type=kind))
                cast += 1
    assert cast >= 250  # 136 of the 152 documents, both types
    time = {"eventTime": "2024-01-01T10:00:00Z"}
    for events in ([{"eventTime": 1}], [{**time, "quantityList": [{"quantity": 2**60 + 1}]}]):
        assert as_type(event_array(events), ROW_TYPE) is None
    counted = [{**time, "quantityList": [{"epcClass": "x", "quantity": 3}]}]
    assert as_type(event_array(counted), ROW_TYPE) == pa.array(counted, type=ROW_TYPE)


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_xml_documents_are_valid_and_round_trip(path: Path) -> None:
    body = path.read_bytes()
    document = parse_xml(body)
    check_document(document, from_xml=True)
    events = document["epcisBody"]["eventList"]
    again = parse_xml(write_xml(events=events, context=_context(document)))
    assert again["epcisBody"]["eventList"] == events
    assert event_hashes(json_event_trees(document)) == event_hashes(xml_event_trees(body))


@pytest.mark.parametrize("pair", TWINS, ids=lambda p: p[0].stem)
def test_xml_and_json_twins_hash_alike(pair: tuple[Path, Path]) -> None:
    xml, jsn = pair
    from_xml = event_hashes(xml_event_trees(xml.read_bytes()))
    from_json = event_hashes(json_event_trees(json.loads(jsn.read_text(encoding="utf-8"))))
    assert from_xml == from_json


@pytest.mark.parametrize("checked", ["one by one", "column-wise", "shared"])
def test_a_bad_document_names_each_problem(checked: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Times are checked one by one in a small document, column-wise in a large one (here, in
    this one), or from the times a capture reads column-wise anyway: all name the same
    problems."""
    if checked == "column-wise":
        monkeypatch.setattr(validation, "_FEW_TIMES", 0)
    if checked == "shared":
        monkeypatch.setattr(validation, "_FEW_SHARED", 0)
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2024-01-01T10:00:00",
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
                    "action": "OBSERVE",
                    "bizStep": "shiping",
                },
                {"type": "ObjectEvent", "eventTimeZoneOffset": "+08:00", "action": "SEEN"},
                {
                    "type": "ObjectEvent",
                    "eventTime": "2024-01-01T10:00:00z",
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": [],
                    "action": "OBSERVE",
                    "bizStep": "shiping",
                },
            ]
        },
    }
    events = document["epcisBody"]["eventList"]
    read = event_array(events) if checked == "shared" else None
    with pytest.raises(DocumentInvalidError) as caught:
        check_document(document, columns=read, shared=Shared() if read else None)
    where = {(p.event, p.field) for p in caught.value.problems}
    assert (0, "eventTime") in where
    assert (0, "bizStep") in where
    assert any(event == 1 for event, _ in where)
    # The same wrong word and a lowercase z, named in the event they are in.
    assert {(2, "bizStep"), (2, "eventTime")} <= where
    zh = [p.as_dict("zh")["message"] for p in caught.value.problems if p.field == "bizStep"]
    assert zh and "CBV" in zh[0]


def test_the_schema_verdict_is_the_schema_s_with_enums_tried_first() -> None:
    """The compiled schema whose `anyOf` branches try word lists first accepts and refuses
    what the schema as published does: each reference document, and each with a field of
    text turned into another word, a URI, a CBV URN or a number."""
    require(GS1)
    schema = epcis_schema()
    reordered = validation._enums_first(schema)
    assert reordered != schema
    words = schema["definitions"]["bizStep"]["anyOf"]
    assert reordered["definitions"]["bizStep"]["anyOf"] == [words[1], words[0]]
    assert reordered["definitions"]["action"] == schema["definitions"]["action"]
    verdicts = []
    for path in JSON_DOCS:
        document = json.loads(path.read_text(encoding="utf-8"))
        for other in (None, "shiping", "in_transit", "urn:epcglobal:cbv:bizstep:x", "x:y", 5):
            changed = document if other is None else _with_texts(document, other)
            verdict = validation._verdict_validator().is_valid(changed)
            assert verdict == validation._fast_json_validator().is_valid(changed), path.name
            verdicts.append(verdict)
    assert True in verdicts and False in verdicts


def _with_texts(node: Any, other: object, at: list[int] | None = None) -> Any:
    """The document with every third field of text (in document order) set to `other`."""
    at = [0] if at is None else at
    if isinstance(node, list):
        return [_with_texts(item, other, at) for item in node]
    if not isinstance(node, dict):
        return node
    changed = {}
    for key, value in node.items():
        if isinstance(value, str) and key != "type":
            at[0] += 1
            changed[key] = other if at[0] % 3 == 0 else value
        else:
            changed[key] = _with_texts(value, other, at)
    return changed


def test_semantic_problems_by_columns_are_those_one_by_one() -> None:
    """Events of text times and words are checked column-wise; each problem is the one the
    event-by-event check names, in its order: times (one given null), words, sensor times."""
    sensor = {"sensorMetadata": {"startTime": "2024-01-02T00:00:00Z", "endTime": "2024-01-01"}}
    events: list[dict[str, Any]] = [
        {"eventTime": "2024-01-01T10:00:00", "recordTime": None, "bizStep": "shiping"},
        {"eventTime": "2024-01-01T10:00:00Z", "disposition": "urn:epcglobal:cbv:disp:gone"},
        {"eventTime": "2024-01-01T10:00:00z", "sensorElementList": [sensor], "bizStep": "shiping"},
        {"eventTime": "2024-01-01T10:00:00+08:00", "bizStep": "receiving"},
        {"errorDeclaration": {"declarationTime": "yesterday"}, "recordTime": "2024-01-01"},
    ]
    read = pa.array(events, type=validation._SEMANTIC_TYPE)
    by_columns = validation._by_columns(events, read)
    assert by_columns == validation._one_by_one(events)
    assert [(p.event, p.field) for p in by_columns] == [
        (0, "eventTime"), (0, "recordTime"), (0, "bizStep"), (1, "disposition"),
        (2, "eventTime"), (2, "bizStep"), (2, "sensorElementList.0.sensorMetadata.endTime"),
        (4, "recordTime"), (4, "errorDeclaration.declarationTime"),
    ]  # fmt: skip
    # Anything but objects of text times and words is checked one by one.
    assert validation.check_semantics([*events, "not an event"]) == by_columns
    # The same from the events' columns, as a capture reads them once for all its steps.
    assert validation.check_semantics(events, event_array(events)) == by_columns
    # Events without a record time or nested times, one with its event time given null.
    plain = [{k: v for k, v in e.items() if k in ("eventTime", "bizStep")} for e in events]
    plain[3]["eventTime"] = None
    found = validation.check_semantics(plain, event_array(plain))
    assert found == validation._one_by_one(plain)
    assert [(p.event, p.field) for p in found] == [
        (0, "eventTime"), (0, "bizStep"), (2, "eventTime"), (2, "bizStep"), (3, "eventTime"),
    ]  # fmt: skip


def test_xml_documents_of_plain_events_hash_from_their_json_form() -> None:
    """A captured XML document of plain events only is hashed from its JSON form, column-wise:
    the XML binding's hash IDs, for every such reference document."""
    hashed = 0
    for path in [*XML_DOCS, *sorted((GOLDEN / "examples").glob("*.xml"))]:
        body = path.read_bytes()
        document = parse_xml(body)
        columns = event_array(document["epcisBody"]["eventList"])
        found = plain_event_hashes(document, columns)
        if found is not None:
            assert found == event_hashes(xml_event_trees(body)), path.name
            assert document_hashes(parse_xml(body), body, columns=columns) == found
            if path.with_suffix(".hashes").exists():
                assert found == path.with_suffix(".hashes").read_text().splitlines()
            hashed += 1
    assert hashed >= 7  # 4 of the GS1 and OpenEPCIS documents, 3 of the goldens


# OpenEPCIS's documents whose faults are of form only: fields in another order than the XSD's
# sequence, and fields qualified by the EPCIS namespace where the XSD declares them unqualified.
FORM_ONLY = ("JumbledFieldsOrder.xml", "Namespace_document.xml")


@pytest.mark.parametrize("name", FORM_ONLY)
def test_a_document_of_form_only_faults_is_accepted(name: str) -> None:
    body = (OPENEPCIS / "XML" / "Capture" / "Documents" / name).read_bytes()
    assert not _xml_schema().validate(etree.fromstring(body))
    assert check_xml_schema(body) == []
    document = parse_xml(body)
    events = [e for e in etree.fromstring(body).iter() if etree.QName(e).localname == "EventList"]
    assert len(document["epcisBody"]["eventList"]) == len(events[0]) > 0
    prepared_capture(document=document, xml=body, partner_id="a", capture_id="c",
                     received_at=datetime.now(UTC))  # fmt: skip


_EVENT = """<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
 creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
<action>ADD</action>
<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
{fields}
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""
_TIME = "<eventTime>2024-01-01T00:00:00Z</eventTime>"


@pytest.mark.parametrize(
    ("fields", "line", "element"),
    [
        (_TIME + "\n<action>ADD</action>", 6, "ObjectEvent/action[2]"),  # duplicated
        # eventTime missing: found where it should have come, before eventTimeZoneOffset
        ("<bizStep>shipping</bizStep>", 4, "ObjectEvent/eventTimeZoneOffset"),
        (_TIME + "\n<epcis:colour>red</epcis:colour>", 6, "ObjectEvent/colour"),  # unknown
        ("<eventTime>yesterday</eventTime>", 5, "ObjectEvent/eventTime"),  # bad value
    ],
    ids=["duplicated", "missing", "unknown", "bad-value"],
)
def test_a_fault_of_more_than_form_stays_refused_located(
    fields: str, line: int, element: str
) -> None:
    problems = check_xml_schema(_EVENT.format(fields=fields).encode())
    assert [p.field.rsplit("/", 2)[-2:] for p in problems] == [element.split("/")]
    assert all(p.rule == "xsd" and f"line {line}:" in p.message_en
               and f"第 {line} 行" in p.message_zh for p in problems)  # fmt: skip


@pytest.mark.parametrize(
    "action",
    [" <?pi x?>ADD", " <![CDATA[ADD]]>", "  <x/>ADD", "AD<!-- c -->D", " <!-- c -->ADD"],
    ids=["instruction", "cdata", "element", "comment", "blank-comment"],
)
def test_the_xsd_judges_the_reader_s_tree_as_the_body(action: str) -> None:
    """A capture's XSD check reads the reader's tree (`read_xml`), not the body again: the
    same problems, to the value quoted (blank text beside markup counts in a value)."""
    body = _EVENT.replace("<action>ADD</action>", f"<action>{action}</action>")
    body = body.format(fields=_TIME).encode()
    assert check_xml_schema(body, read_xml(body)) == check_xml_schema(body)


def test_the_event_orders_are_the_xsd_s() -> None:
    orders = event_orders()
    assert sorted(orders) == sorted(
        ["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
         "AssociationEvent"]
    )  # fmt: skip
    assert orders["ObjectEvent"][:3] == ("eventTime", "recordTime", "eventTimeZoneOffset")
    assert orders["TransactionEvent"][7:10] == ("bizTransactionList", "parentID", "epcList")
    assert orders["ObjectEvent"][-1] == "extension"


def test_every_reference_xml_document_is_xsd_valid() -> None:
    assert all(check_xml_schema(p.read_bytes()) == [] for p in XML_DOCS)
    # EPCIS 1.x documents are not the 2.0 XSD's to judge.
    one_x = require(GOLDEN) / "expected_equal" / "numberPrecision.xml"
    assert b"urn:epcglobal:epcis:xsd:1" in one_x.read_bytes()
    assert check_xml_schema(one_x.read_bytes()) == []


@pytest.mark.parametrize("path", JSON_DOCS + XML_DOCS, ids=lambda p: p.name)
def test_the_writer_s_document_is_xsd_valid(path: Path) -> None:
    body = path.read_bytes()
    document = parse_xml(body) if path.suffix == ".xml" else json.loads(body)
    # As the query interface answers: the prefixes of every context declared at the root.
    namespaces: dict[str, str] = {}
    bare = _nested_namespaces(document, namespaces)
    written = write_xml(events=bare["epcisBody"]["eventList"], context=namespaces,
                        attributes={"creationDate": "2024-01-01T00:00:00Z"})  # fmt: skip
    assert _xml_schema().validate(etree.fromstring(written)), _xml_schema().error_log
