"""The XML binding's reader: the standard's fields however a document writes them (qualified,
in 1.x wrappers, between processing instructions or comments, indented or not), extensions under the
prefixes they are written with, CBV URNs as the JSON binding's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree

from chainhub.trace.xml_binding import EPCIS_NS, EVENT_TYPES, parse_xml
from tests.trace.reference import GOLDEN, GS1, OPENEPCIS, require

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
