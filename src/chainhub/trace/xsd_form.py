"""An EPCIS 2.0 XML document put in the XSD's form: event fields unqualified and in sequence order.

OpenEPCIS and others send events whose fields come in another order than the XSD's xs:sequence,
or qualified by the EPCIS namespace where the XSD declares them unqualified; the fields are
the same, so a capture judges such a document by this copy of it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final

from lxml import etree

from chainhub.trace.gs1_schemas import SCHEMA_DIR

_XS: Final = "{http://www.w3.org/2001/XMLSchema}"
EPCIS_NS: Final = "urn:epcglobal:epcis:xsd:2"
# Prefixes the GS1 EPCIS JSON-LD context declares, which a JSON document may use undeclared.
STANDARD_PREFIXES: Final = {"cbvmda": "urn:epcglobal:cbv:mda"}
# An XML body read as written (its blank text and comments kept), as the XSD checks it.
AS_WRITTEN: Final = etree.XMLParser(resolve_entities=False, no_network=True)

# The XSD's DateTimeStamp (eventTime, recordTime, declarationTime, sensor times): RFC 3339's
# date-time with seconds, a capital T and an offset within ±14:00.
_STAMP: Final = re.compile(
    r"[0-9]{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12][0-9])T(2[0-3]|[01][0-9]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_FRACTION: Final = re.compile(r"[0-9][.,]([0-9]+)")
_MOST_OFFSET: Final = timedelta(hours=14)

# A complex type's fields in sequence order, each with its type (None: a simple or foreign type).
Fields = tuple[tuple[str, str | None], ...]


@cache
def _types() -> Mapping[str, Fields]:
    """Every complex type of the EPCIS 2.0 XSD with the fields of its xs:sequence, base first."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    xsd = etree.parse(str(SCHEMA_DIR / "EPCglobal-epcis-2_0.xsd"), parser).getroot()
    nodes = {node.get("name"): node for node in xsd.iterfind(f"{_XS}complexType")}

    def own(node: Any) -> list[tuple[str, str | None]]:
        found = []
        for element in node.iter(f"{_XS}element"):
            kind = element.get("type", "")
            local = kind.removeprefix("epcis:")
            found.append((element.get("name"), local if local in nodes and kind != local else None))
        return found

    def fields(name: str) -> list[tuple[str, str | None]]:
        node = nodes.get(name)
        if node is None:  # a base of another namespace's schema (SBDH's Document): no fields here
            return []
        extension = node.find(f"{_XS}complexContent/{_XS}extension")
        if extension is None:
            return own(node)
        return fields(extension.get("base").removeprefix("epcis:")) + own(extension)

    return {name: tuple(fields(name)) for name in nodes}


@cache
def event_orders() -> Mapping[str, tuple[str, ...]]:
    """Each event element's field names in the order of its type's xs:sequence in the XSD."""
    types = _types()
    return {
        name: tuple(field for field, _ in types[kind])
        for name, kind in types["EventListType"]
        if name != "extension" and kind is not None
    }


@cache
def field_orders() -> Mapping[str, tuple[str, ...]]:
    """Each complex field of the events (readPoint, errorDeclaration, ...) with its type's fields
    in sequence order."""
    types = _types()
    found: dict[str, tuple[str, ...]] = {}
    for name, kind in types["EventListType"]:
        if name == "extension" or kind is None:
            continue
        for field, field_kind in types[kind]:
            if field_kind is not None:
                found.setdefault(field, tuple(inner for inner, _ in types[field_kind]))
    return found


def xsd_time(text: str) -> str:
    """A date-time as the XSD's DateTimeStamp takes it: the same instant with seconds, a capital
    T, its offset (in UTC when beyond ±14:00) and all its fraction digits; as it is when it is
    no date-time with an offset."""
    if _STAMP.fullmatch(text):
        return text
    utc = text.endswith(("Z", "z"))
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if utc else text)
    except ValueError:
        return text
    offset = moment.utcoffset()
    if offset is None:
        return text
    if abs(offset) > _MOST_OFFSET or offset % timedelta(minutes=1):
        moment, utc = moment.astimezone(UTC), True
    # (fromisoformat keeps six digits of a fraction: the text's own are written.)
    fraction = _FRACTION.search(text)
    written = moment.replace(microsecond=0).isoformat()
    zone = "Z" if utc else written[19:]
    return written[:19] + (f".{fraction.group(1)}" if fraction else "") + zone


def local_tag(tag: str) -> str:
    """The tag, unqualified when it is of the EPCIS namespace (the standard's, qualified or not)."""
    return tag[len(EPCIS_NS) + 2 :] if tag.startswith(f"{{{EPCIS_NS}}}") else tag


def _unqualified(element: Any) -> None:
    """Every EPCIS-namespace element under `element` renamed to its local name."""
    for node in element.iter():
        if isinstance(node.tag, str):
            node.tag = local_tag(node.tag)


def _sort_fields(element: Any, kind: str) -> None:
    """The element's children in its type's sequence order, other namespaces' after, recursively."""
    fields = _types()[kind]
    rank = {name: at for at, (name, _) in enumerate(fields)}
    inner = dict(fields)
    children = [child for child in element if isinstance(child.tag, str)]
    # sorted() is stable: repeated or unknown fields keep their relative place for the XSD to judge.
    for child in sorted(children, key=lambda child: rank.get(child.tag, len(fields))):
        element.append(child)
        if (kind_of_child := inner.get(child.tag)) is not None:
            _sort_fields(child, kind_of_child)


def in_xsd_form(document: Any) -> Any:
    """A copy of an EPCISDocument tree with each event's fields put in the XSD's form."""
    # deepcopy keeps each node's source line, so what the XSD still finds is located in the body.
    formed = copy.deepcopy(document)
    for body in formed:
        if isinstance(body.tag, str) and etree.QName(body).localname == "EPCISBody":
            _unqualified(body)
            # Events stay in their order (the list is an xs:choice); each event's fields are sorted.
            kinds = dict(_types()["EventListType"])
            for event in body.iterfind("EventList/*"):
                if (kind := kinds.get(event.tag)) is not None:
                    _sort_fields(event, kind)
    return formed
