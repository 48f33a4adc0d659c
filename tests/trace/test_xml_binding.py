"""The XML binding's reader: the standard's fields however a document writes them (qualified,
in 1.x wrappers, between processing instructions or comments, indented or not), extensions under
the prefixes they are written with, CBV URNs as the JSON binding's words; and its writer: query
results valid against the query XSD, read back as they were written."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

import pytest
from lxml import etree

from chainhub.trace.gs1_schemas import SCHEMA_DIR
from chainhub.trace.hashing import event_hashes, json_event_trees, xml_event_trees
from chainhub.trace.results import query_document_xml
from chainhub.trace.xml_binding import EPCIS_NS, EVENT_TYPES, parse_xml
from tests.trace.reference import GOLDEN, GS1, OPENEPCIS, require
from tests.trace.test_documents import JSON_DOCS, XML_DOCS

_DOCUMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:a="urn:example:x"
    xmlns:b="urn:example:x" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2024-01-01T08:00:00+08:00</eventTime>
        <eventTimeZoneOffset> +08:00
        </eventTimeZoneOffset>
        <epcList>
          <epc>urn:epc:id:sgtin:0614141.107346.1</epc><?mark?>
          <epc> urn:epc:id:sgtin:0614141.107346.2 </epc>
        </epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
        <persistentDisposition>
          <set>urn:epcglobal:cbv:disp:completeness_verified</set>
          <unset>urn:example:disp:own</unset>
        </persistentDisposition>
        <readPoint><id> urn:epc:id:sgln:0614141.00777.0 </id></readPoint>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:po"
            >urn:epcglobal:cbv:bt:0614141073467:1</bizTransaction>
        </bizTransactionList>
        <sourceList>
          <source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:0614141.00001</source>
        </sourceList>
        <a:temperature>12</a:temperature>
        <b:humidity b:unit="%">40</b:humidity>
        <extension><ilmd><a:lot>L1</a:lot></ilmd></extension>
      </ObjectEvent>
      <epcis:AggregationEvent>
        <epcis:eventTime>2024-01-01T09:00:00+08:00</epcis:eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <parentID>urn:epc:id:sscc:0614141.1234567890</parentID>
        <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.1</epc></childEPCs>
        <epcis:action>ADD</epcis:action>
        <readPoint xmlns:c="urn:example:y">
          <id>urn:epc:id:sgln:0614141.00777.0</id><c:door>3</c:door>
        </readPoint>
        <a:temperature>13</a:temperature>
        <b:temperature>14</b:temperature>
        <note xmlns="urn:example:y">default</note>
        <errorDeclaration>
          <declarationTime>2024-01-02T00:00:00Z</declarationTime>
          <reason>urn:epcglobal:cbv:er:incorrect_data</reason>
        </errorDeclaration>
      </epcis:AggregationEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>
"""


def test_a_document_reads_as_the_json_binding_writes_it() -> None:
    """Fields qualified or not, EPCs around an instruction, words for CBV URNs (and a URI of
    one's own kept), a place of an id alone or with an extension, extensions named with the
    prefix each is written with (the first prefix of its namespace for an attribute, a new
    one for a default namespace), a 1.x wrapper opened where it stands."""
    assert parse_xml(_DOCUMENT) == {
        "@context": [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {
                "a": "urn:example:x",
                "b": "urn:example:x",
                "c": "urn:example:y",
                "ns4": "urn:example:y",
            },
        ],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2024-01-01T08:00:00+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": [
                        "urn:epc:id:sgtin:0614141.107346.1",
                        "urn:epc:id:sgtin:0614141.107346.2",
                    ],
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "disposition": "in_transit",
                    "persistentDisposition": {
                        "set": ["completeness_verified"],
                        "unset": ["urn:example:disp:own"],
                    },
                    "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
                    "bizTransactionList": [
                        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1"}
                    ],
                    "sourceList": [
                        {"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"}
                    ],
                    "a:temperature": "12",
                    "b:humidity": {"a:unit": "%", "#text": "40"},
                    "ilmd": {"a:lot": "L1"},
                },
                {
                    "type": "AggregationEvent",
                    "eventTime": "2024-01-01T09:00:00+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "parentID": "urn:epc:id:sscc:0614141.1234567890",
                    "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"],
                    "action": "ADD",
                    "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0", "c:door": "3"},
                    "a:temperature": "13",
                    "b:temperature": "14",
                    "ns4:note": "default",
                    "errorDeclaration": {
                        "declarationTime": "2024-01-02T00:00:00Z",
                        "reason": "incorrect_data",
                    },
                },
            ]
        },
    }


def _events(root: Any) -> list[Any]:
    return list(root.iter(*EVENT_TYPES, *(f"{{{EPCIS_NS}}}{t}" for t in EVENT_TYPES)))


def _qualified(root: Any) -> None:
    """The events and their fields in the EPCIS namespace (not the 1.x wrappers, which are
    opened only unqualified)."""
    for event in _events(root):
        for element in event.iter(etree.Element):
            if not element.tag.startswith("{") and element.tag not in (
                "extension",
                "baseExtension",
            ):
                element.tag = f"{{{EPCIS_NS}}}{element.tag}"


def _instructed(root: Any) -> None:
    """A processing instruction before every element of every event."""
    for event in _events(root):
        for element in list(event.iter(etree.Element)):
            if element is not event:
                element.addprevious(etree.ProcessingInstruction("mark", "x"))


def _wrapped(root: Any) -> None:
    """Each of every other field of the standard's in an event in a 1.x wrapper where it
    stood (extensions stay: moved, they would be written with another prefix)."""
    for event in _events(root):
        fields = [c for c in event if isinstance(c.tag, str) and not c.tag.startswith("{")]
        for at, field in enumerate(fields[::2]):
            wrapper = etree.Element(("extension", "baseExtension")[at % 2])
            field.addprevious(wrapper)
            wrapper.append(field)


def _compact(root: Any) -> None:
    """No text between elements."""
    for element in root.iter():
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None


def _commented(root: Any) -> None:
    """A comment before every element of every event, and one splitting each text in it."""
    for event in _events(root):
        for element in list(event.iter(etree.Element)):
            if element is not event:
                element.addprevious(etree.Comment("before"))
            text = element.text
            if text is not None and len(text.strip()) > 1:
                half = len(text) // 2
                element.text, split = text[:half], etree.Comment("split")
                split.tail = text[half:]
                element.insert(0, split)


def _indented(root: Any) -> None:
    _compact(root)
    etree.indent(root, space="\t")


_XML = [
    p
    for folder in (GS1 / "XML", OPENEPCIS / "XML", GOLDEN)
    if folder.exists()
    for p in sorted(folder.rglob("*.xml"))
]


@pytest.mark.parametrize(
    "change", [_qualified, _instructed, _commented, _wrapped, _compact, _indented]
)
def test_the_fields_read_alike_however_written(change: Callable[[Any], None]) -> None:
    """Every reference XML document reads the same written in each of these ways."""
    require(GS1)
    require(OPENEPCIS)
    read = 0
    for name, body in [*((p.name, p.read_bytes()) for p in _XML), ("_DOCUMENT", _DOCUMENT)]:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
        change(root)
        assert parse_xml(etree.tostring(root)) == parse_xml(body), name
        read += bool(_events(root))
    assert read >= 100


@pytest.mark.parametrize("prefix", ["", "epcis:"])
def test_the_event_list_is_found_qualified_or_not(prefix: str) -> None:
    body = f"""<epcis:EPCISDocument xmlns:epcis="{EPCIS_NS}" schemaVersion="2.0">
      <{prefix}EPCISBody><{prefix}EventList><epcis:ObjectEvent>
        <epcis:eventTime>2024-01-01T00:00:00Z</epcis:eventTime><epcis:action>ADD</epcis:action>
      </epcis:ObjectEvent></{prefix}EventList></{prefix}EPCISBody></epcis:EPCISDocument>"""
    [event] = parse_xml(body.encode())["epcisBody"]["eventList"]
    assert event == {"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "action": "ADD"}


@cache
def _query_xsd() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "EPCglobal-epcis-query-2_0.xsd"), parser))


def query_xsd_faults(body: bytes) -> list[str]:
    """What the query XSD (the packaged file) finds wrong in an XML answer: nothing if valid."""
    schema = _query_xsd()
    if schema.validate(etree.fromstring(body)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _written_back(*events: dict[str, Any]) -> list[dict[str, Any]]:
    """The events through an XML query document and back, which the query XSD must take."""
    body = query_document_xml(list(events))
    assert query_xsd_faults(body) == []
    read: list[dict[str, Any]] = parse_xml(body)["epcisBody"]["eventList"]
    return read


_OBSERVED: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2026-03-05T11:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
    "action": "OBSERVE",
}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))


@pytest.mark.parametrize(
    ("sent", "written"),
    [
        ("2006-11-07T13:00Z", "2006-11-07T13:00:00Z"),  # no seconds (OpenEPCIS query examples)
        ("2020-01-14T23:00+01:00", "2020-01-14T23:00:00+01:00"),
        ("2026-03-05t11:00:00+08:00", "2026-03-05T11:00:00+08:00"),  # RFC 3339's small t
        ("2026-03-05T11:00:00.123456789+14:30", "2026-03-04T20:30:00.123456789Z"),  # beyond ±14
        ("2026-03-05T11:00:00.5-00:00", "2026-03-05T11:00:00.5-00:00"),  # the XSD's own, as is
    ],
)
def test_every_time_is_written_as_the_xsd_takes_it_the_same_instant(
    sent: str, written: str
) -> None:
    event = {
        **_OBSERVED,
        "eventTime": sent,
        "recordTime": sent,
        "errorDeclaration": {"declarationTime": sent, "reason": "incorrect_data"},
        "sensorElementList": [
            {
                "sensorMetadata": {"time": sent, "startTime": sent, "endTime": sent},
                "sensorReport": [{"type": "Temperature", "value": 3.5, "time": sent}],
            }
        ],
    }
    [back] = _written_back(event)
    metadata = back["sensorElementList"][0]["sensorMetadata"]
    times = [
        back["eventTime"],
        back["recordTime"],
        back["errorDeclaration"]["declarationTime"],
        *(metadata[k] for k in ("time", "startTime", "endTime")),
        back["sensorElementList"][0]["sensorReport"][0]["time"],
    ]
    assert times == [written] * 7
    assert _instant(written) == _instant(sent)


def test_typed_extension_values_come_back_typed() -> None:
    """A JSON boolean or number of an extension is an xsi:type'd text in XML, and back."""
    extensions = {
        "ex:checked": True,
        "ex:count": 10,
        "ex:ratio": 20.0,
        "ex:label": "true",
        "ex:vehicle": [{"ex:unique": False, "ex:axles": "4"}, {"ex:unique": "false"}],
    }
    event = {"@context": [{"ex": "urn:example:ex:"}], **_OBSERVED, **extensions}
    checked = etree.fromstring(query_document_xml([event])).find(".//{urn:example:ex:}checked")
    assert checked is not None and checked.text == "true"
    kind = checked.get("{http://www.w3.org/2001/XMLSchema-instance}type", "")
    assert checked.nsmap[kind.split(":")[0]] == "http://www.w3.org/2001/XMLSchema"
    assert kind.endswith(":boolean")
    [back] = _written_back(event)
    assert json.dumps(back, sort_keys=True) == json.dumps(
        {**_OBSERVED, **extensions}, sort_keys=True
    )
    # Python's JSON reader takes NaN and Infinity, which are no xsd:double as it writes them.
    odd = {**event, "ex:ratio": math.inf, "ex:count": math.nan}
    assert query_xsd_faults(query_document_xml([odd])) == []


def test_typed_extension_values_read_as_the_gs1_json_twin_holds_them() -> None:
    """GS1's event-hash examples: xsi:type xsd:integer, xsd:double and xsd:string in XML are
    the JSON twin's number, float and string."""
    folder = require(GS1 / "XML" / "WithEventHashID")
    twin = json.loads((folder / "event_with_identical_hash_id_7.json").read_text(encoding="utf-8"))
    [expected] = twin["epcisBody"]["eventList"]
    for name in ("event_with_identical_hash_id_1.xml", "event_with_identical_hash_id_6.xml"):
        [event] = parse_xml((folder / name).read_bytes())["epcisBody"]["eventList"]
        assert event["ilmd"] == expected["ilmd"], name
        for key in ("ext1:default", "ext1:int", "ext1:float"):
            assert event[key] == expected[key], (name, key)
            assert event["sensorElementList"][0][key] == expected["sensorElementList"][0][key]


def test_each_event_keeps_what_its_prefixes_mean() -> None:
    """Two prefixes of one namespace, on elements and on attributes, and a prefix an earlier
    event binds to another namespace, are each written as the event has them."""
    first = {"@context": [{"ex": "urn:example:a:", "example": "urn:example:b:"}], **_OBSERVED,
             "ex:lot": "L1", "example:site": "S1"}  # fmt: skip
    second = {
        "@context": [{"ex": "urn:example:b:"}],
        **_OBSERVED,
        "ex:site": "S2",
        "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 1.0, "ex:part": "lid"}]}],
    }
    body = query_document_xml([first, second])
    assert query_xsd_faults(body) == []
    root = etree.fromstring(body)
    one, two = root.iter("ObjectEvent")
    assert {child.tag for child in one if child.tag.startswith("{")} == {
        "{urn:example:a:}lot", "{urn:example:b:}site"}  # fmt: skip
    assert [child.tag for child in two if child.tag.startswith("{")] == ["{urn:example:b:}site"]
    report = two.find("sensorElementList/sensorElement/sensorReport")
    assert report is not None and report.get("{urn:example:b:}part") == "lid"
    # Read back, the second event binds its prefix in its own @context, as it was sent.
    document = parse_xml(body)
    assert document["@context"][1] == {"ex": "urn:example:a:", "example": "urn:example:b:"}
    assert [e.get("@context") for e in document["epcisBody"]["eventList"]] == [
        None, [{"ex": "urn:example:b:"}]]  # fmt: skip
    sent = [{**e, "@context": None} for e in (first, second)]
    assert [{**e, "@context": None} for e in document["epcisBody"]["eventList"]] == sent


def _stored_events(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A document's events as the hub stores them: each with the document's prefixes ahead of
    its own context."""
    context = [c for c in document["@context"] if isinstance(c, dict)]
    return [
        {**e, "@context": context + e.get("@context", [])}
        for e in document["epcisBody"]["eventList"]
    ]


def test_every_reference_xml_document_comes_back_as_it_hashes() -> None:
    """Each reference XML capture document's events, stored (sorted keys, the document's
    prefixes) and answered as XML, are valid and hash as the document's own: no element,
    attribute (xsi:type, an extension's own) or namespace lost or moved."""
    require(GS1)
    for path in XML_DOCS:
        body = path.read_bytes()
        events = _stored_events(parse_xml(body))
        written = query_document_xml(json.loads(json.dumps(events, sort_keys=True)))
        assert query_xsd_faults(written) == [], path.name
        hashes = event_hashes(xml_event_trees(body))
        assert event_hashes(xml_event_trees(written)) == hashes, path.name


def test_a_sensor_report_s_vocabulary_words_are_terms_in_xml() -> None:
    """A sensor report's type, exception and component, bare words of the EPCIS context's
    vocabularies in JSON, are the GS1 and CBV terms in XML (as GS1's XML examples write them),
    and terms that JSON spells so are their URIs: the written XML hashes as the JSON event and
    reads back as it was sent. A term of one's own, or an exception no vocabulary has, is
    written as it is."""
    report = {"type": "Temperature", "exception": "ALARM_CONDITION", "component": "x",
              "value": 26.0, "uom": "CEL"}  # fmt: skip
    spelt = {"type": "gs1:Angle", "exception": "gs1:ERROR_CONDITION", "component": "cbv:Comp-y"}
    own = {"type": "example:Abc", "exception": "OWN_CONDITION", "booleanValue": True}
    event = {**_OBSERVED, "sensorElementList": [{"sensorReport": [report, spelt, own]}]}
    body = query_document_xml([event])
    written = etree.fromstring(body).findall(".//sensorReport")
    assert [dict(r.attrib) for r in written] == [
        {"type": "gs1:Temperature", "exception": "gs1:ALARM_CONDITION", "component": "cbv:Comp-x",
         "value": "26.0", "uom": "CEL"},
        {"type": "https://gs1.org/voc/Angle", "exception": "https://gs1.org/voc/ERROR_CONDITION",
         "component": "https://ref.gs1.org/cbv/Comp-y"},
        {"type": "example:Abc", "exception": "OWN_CONDITION", "booleanValue": "true"},
    ]  # fmt: skip
    assert _written_back(event) == [event]
    document = {"epcisBody": {"eventList": [event]}}
    assert event_hashes(xml_event_trees(body)) == event_hashes(json_event_trees(document))


def test_an_rdfs_comment_hashes_as_in_json_and_comes_back() -> None:
    """An rdfs:comment (on the event, or inside one of its fields) is written as an element of
    the rdfs namespace and read back as the key it was; the event hash leaves it out in XML as
    in JSON: the written XML hashes as the JSON event, and as the event without its comments."""
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    place = "urn:epc:id:sgln:6901234.00001.0"
    event = {**_OBSERVED, "rdfs:comment": "Seen at the dock, not yet counted",
             "readPoint": {"id": place, "rdfs:comment": "gate 3"}}  # fmt: skip
    body = query_document_xml([{"@context": [{"rdfs": rdfs}], **event}])
    written = etree.fromstring(body).iterfind(f".//{{{rdfs}}}comment")
    assert [comment.text for comment in written] == ["gate 3", "Seen at the dock, not yet counted"]
    assert _written_back({"@context": [{"rdfs": rdfs}], **event}) == [event]
    uncommented = {**_OBSERVED, "readPoint": {"id": place}}
    hashes = event_hashes(json_event_trees({"epcisBody": {"eventList": [uncommented]}}))
    assert event_hashes(json_event_trees({"epcisBody": {"eventList": [event]}})) == hashes
    assert event_hashes(xml_event_trees(body)) == hashes


def test_every_reference_json_document_comes_back_as_it_hashes() -> None:
    """Each reference JSON capture document's events, answered as XML, are valid and hash as
    the document's own, read from the XML and read back into JSON: the standard's vocabulary
    words (a sensor report's type, exception and component) keep what they mean."""
    require(GS1)
    require(OPENEPCIS)
    for path in JSON_DOCS:
        document = json.loads(path.read_text(encoding="utf-8"))
        written = query_document_xml(_stored_events(document))
        assert query_xsd_faults(written) == [], path.name
        hashes = event_hashes(json_event_trees(document))
        assert event_hashes(json_event_trees(parse_xml(written))) == hashes, path.name
        assert event_hashes(xml_event_trees(written)) == hashes, path.name
