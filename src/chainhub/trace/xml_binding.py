"""The EPCIS 2.0 XML binding, read into and written from the JSON/JSON-LD event shape.

Events are held as the JSON binding's dicts; this module maps them to and from the XML
binding's elements, extensions (elements and attributes in other namespaces) included, so a
document read from XML and written back, or read from JSON and written as XML, loses no field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

from lxml import etree

from chainhub.errors import ChainhubError
from chainhub.trace.vocabulary import VOCABULARIES
from chainhub.trace.xsd_form import (
    AS_WRITTEN,
    EPCIS_NS,
    STANDARD_PREFIXES,
    event_orders,
    field_orders,
    xsd_time,
)

QUERY_NS: Final = "urn:epcglobal:epcis-query:xsd:2"
EVENT_TYPES: Final = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
_TEXT_FIELDS: Final = frozenset(
    "eventTime recordTime eventTimeZoneOffset eventID action bizStep disposition parentID"
    " transformationID".split()
)
_EPC_LISTS: Final = frozenset("epcList childEPCs inputEPCList outputEPCList".split())
_QUANTITY_LISTS: Final = frozenset(
    "quantityList childQuantityList inputQuantityList outputQuantityList".split()
)
_PARTY_LISTS: Final = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
}
_NUMBERS: Final = frozenset("value minValue maxValue meanValue sDev percRank percValue".split())
# CBV values: URNs in the XML binding, bare words in the JSON binding.
_CBV_URN: Final = {
    "bizStep": "urn:epcglobal:cbv:bizstep:",
    "disposition": "urn:epcglobal:cbv:disp:",
    "set": "urn:epcglobal:cbv:disp:",
    "unset": "urn:epcglobal:cbv:disp:",
    "bizTransaction": "urn:epcglobal:cbv:btt:",
    "source": "urn:epcglobal:cbv:sdt:",
    "destination": "urn:epcglobal:cbv:sdt:",
    "reason": "urn:epcglobal:cbv:er:",
}
# A sensor report's values that the EPCIS context's vocabularies compact: bare words in the JSON
# binding, the terms GS1's XML examples write in the XML binding (gs1:Temperature, cbv:Comp-x).
# Any bare type is a gs1: term (as the event hash expands it); an exception or a component only
# when its vocabulary has the word (None: any word). A term that JSON spells as such is written
# as its full URI, to read back as it was sent: each form of a word has its own in XML.
_SENSOR_TERMS: Final[dict[str, tuple[str, str, frozenset[str] | None]]] = {
    "type": ("gs1:", VOCABULARIES["measurement_types"][0], None),
    "exception": ("gs1:", *VOCABULARIES["sensor_alert_types"]),
    "component": ("cbv:Comp-", *VOCABULARIES["components"]),
}
# Without the blank text between elements of an indented document (a tenth of its reading):
# every text the reader takes is stripped, and it reads no tails.
_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, remove_blank_text=True
)
_XML_NS: Final = "http://www.w3.org/XML/1998/namespace"  # `xml:`'s, bound without a declaration
# How each field of an event is read, by its element's tag (the standard's own elements are
# unqualified or in its namespace): looked up once per element rather than tested in turn.
_KINDS: Final = {
    **dict.fromkeys(_TEXT_FIELDS - {"bizStep", "disposition"}, "text"),
    "bizStep": "word",
    "disposition": "word",
    "certificationInfo": "certificationInfo",
    **dict.fromkeys(_EPC_LISTS, "epcs"),
    **dict.fromkeys(_QUANTITY_LISTS, "quantities"),
    **dict.fromkeys(_PARTY_LISTS, "parties"),
    "readPoint": "place",
    "bizLocation": "place",
    "persistentDisposition": "persistentDisposition",
    "errorDeclaration": "errorDeclaration",
    "sensorElementList": "sensorElementList",
    "ilmd": "ilmd",
}
_FIELDS: Final = {
    tag: (local, kind)
    for local, kind in _KINDS.items()
    for tag in (local, f"{{{EPCIS_NS}}}{local}")
}
# The local names of the tags a document has most, each one string for all its elements.
_LOCALS: Final = {
    tag: local
    for local in (*_KINDS, *EVENT_TYPES, *_PARTY_LISTS.values(), "id", "quantity", "set", "unset")
    for tag in (local, f"{{{EPCIS_NS}}}{local}")
}
_WRAPPERS: Final = ("extension", "baseExtension")  # EPCIS 1.x's, opened where they stand
# The standard's fields of the XSD's DateTimeStamp type, elements or (of sensors) attributes.
_TIMES: Final = frozenset("eventTime recordTime declarationTime time startTime endTime".split())
_XSD_NS: Final = "http://www.w3.org/2001/XMLSchema"
_XSI_TYPE: Final = "{http://www.w3.org/2001/XMLSchema-instance}type"
# An extension's JSON boolean or number is an XML text typed by xsi:type, and back (the GS1
# EPCIS event-hash examples' XML and JSON twins: xsd:integer is 10, xsd:double 20.0).
_TYPE_OF: Final = {bool: "boolean", int: "integer", float: "double"}
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        # The standard's own elements, whether or not a document qualifies them.
        return (None if namespace == EPCIS_NS else namespace), local
    return None, tag


def _local_name(tag: str) -> str:
    return _LOCALS.get(tag) or _local(tag)[1]


def _number(text: str) -> int | float | str:
    try:
        value = float(text)
    except ValueError:
        return text
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def _text(element: Any) -> str:
    return (element.text or "").strip()


def _texts(element: Any) -> list[str]:
    return [_text(c) for c in element if isinstance(c.tag, str)]


class _Reader:
    """Reads events, keeping the namespaces of extensions as JSON-LD context prefixes."""

    def __init__(self) -> None:
        self.context: dict[str, str] = {}
        # The prefixes the event being read binds otherwise than `context` (its first binding).
        self.own: dict[str, str] = {}
        self._names: dict[tuple[str, str], str] = {}  # by tag and prefix (`_named`)

    def name(self, tag: str, element: Any) -> str:
        namespace, local = _local(tag)
        if namespace is None:
            return local
        prefix = None
        if tag == element.tag and element.prefix and element.nsmap.get(element.prefix) == namespace:
            # The prefix the element is written with, of several a namespace may have.
            prefix = element.prefix
        prefix = prefix or next(
            (p for p, ns in element.nsmap.items() if ns == namespace and p), None
        )
        prefix = prefix or f"ns{len(self.context) + 1}"
        if self.context.setdefault(prefix, namespace) != namespace:
            self.own[prefix] = namespace
        return f"{prefix}:{local}"

    def _value_prefix(self, value: str, element: Any) -> None:
        """The binding of a QName value's prefix (an xsi:type's) kept, as writing it needs."""
        prefix, sep, _ = value.strip().partition(":")
        namespace = element.nsmap.get(prefix) if sep else None
        if namespace is not None and self.context.setdefault(prefix, namespace) != namespace:
            self.own[prefix] = namespace

    def _named(self, element: Any) -> str:
        """`name` of an element by its own tag. A parsed element's prefix is bound, where it
        stands, to the element's namespace (bar `xml:`, bound without a declaration), so
        `name` gives elements of the same tag and prefix the same name: found once, not by
        building each one's namespace map again."""
        tag, prefix = element.tag, element.prefix
        if not prefix:
            return self.name(tag, element)
        known = self._names.get((tag, prefix))
        if known is None:
            known = self.name(tag, element)
            namespace = _local(tag)[0]
            # (A name of an event's own binding is found again, for each event to declare it.)
            if namespace != _XML_NS and self.context.get(known.partition(":")[0]) == namespace:
                self._names[tag, prefix] = known
        return known

    def extension(self, element: Any) -> Any:
        if not len(element) and not element.attrib:
            return (element.text or "").strip()
        typed = _typed(element)
        if typed is not None:
            return typed
        children = [c for c in element if isinstance(c.tag, str)]
        attributes = {self.name(k, element): v for k, v in element.attrib.items()}
        if not children and not attributes:
            return (element.text or "").strip()
        if _XSI_TYPE in element.attrib:
            self._value_prefix(element.attrib[_XSI_TYPE], element)
        value: dict[str, Any] = dict(attributes)
        for child in children:
            key = self._named(child)
            item = self.extension(child)
            if key in value:
                existing = value[key]
                value[key] = [*existing, item] if isinstance(existing, list) else [existing, item]
            else:
                value[key] = item
        text = (element.text or "").strip()
        if text:
            value["#text"] = text
        return value

    def flat(self, element: Any) -> list[Any]:
        """Children, with the 1.x `extension` and `baseExtension` wrappers opened."""
        out = []
        for child in element:
            tag = child.tag
            if tag in _WRAPPERS:
                out.extend(self.flat(child))
            elif isinstance(tag, str):
                out.append(child)
        return out

    def _with_extensions(self, element: Any, known: Mapping[str, Any]) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for key, attr in element.attrib.items():
            name = self.name(key, element)
            value[name] = _number(attr) if name in _NUMBERS else attr
            if name == "booleanValue":
                value[name] = attr.strip().lower() == "true"
        for child in self.flat(element):
            namespace, local = _local(child.tag)
            if namespace is None and local in known:
                value[local] = known[local](child)
            else:
                self._put(value, self._named(child), self.extension(child))
        return value

    @staticmethod
    def _put(value: dict[str, Any], key: str, item: Any) -> None:
        if key in value:
            existing = value[key]
            value[key] = [*existing, item] if isinstance(existing, list) else [existing, item]
        else:
            value[key] = item

    def event(self, element: Any) -> dict[str, Any]:
        """An event in the JSON binding's shape, its CBV URNs as the JSON binding's words, with
        its own @context where it binds a prefix otherwise than an earlier event."""
        self.own = {}
        event: dict[str, Any] = {"type": _local_name(element.tag)}
        self._fields(event, element)
        return {"@context": [self.own], **event} if self.own else event

    def _fields(self, event: dict[str, Any], element: Any) -> None:
        """The fields of an event's element (or of a wrapper in it) put into `event`."""
        for child in element:
            found = _FIELDS.get(child.tag)
            if found is None:
                self._other(event, child)
                continue
            local, kind = found
            if kind == "text":
                event[local] = (child.text or "").strip()
            elif kind == "word":
                text = (child.text or "").strip()
                urn = _CBV_URN[local]
                event[local] = text[len(urn) :] if text.startswith(urn) else text
            elif kind == "epcs":
                event[local] = [(c.text or "").strip() for c in child if isinstance(c.tag, str)]
            elif kind == "parties":
                event[local] = self._parties(child, _PARTY_LISTS[local])
            elif kind == "place":
                event[local] = self._place(child)
            else:
                self._field(event, local, kind, child)

    def _other(self, event: dict[str, Any], child: Any) -> None:
        """A child of an event that is no field of the standard's: a wrapper opened, an
        extension (or an unknown element) kept as it is."""
        tag = child.tag
        if tag in _WRAPPERS:
            self._fields(event, child)
        elif isinstance(tag, str):
            namespace, local = _local(tag)
            if namespace is not None:
                self._put(event, self._named(child), self.extension(child))
            else:
                self._put(event, local, self.extension(child))

    def _field(self, event: dict[str, Any], local: str, kind: str, child: Any) -> None:
        """The fields of the standard that events hold less often."""
        if kind == "certificationInfo":
            self._put(event, local, (child.text or "").strip())
        elif kind == "quantities":
            event[local] = [self._quantity(c) for c in child if isinstance(c.tag, str)]
        elif kind == "persistentDisposition":
            event[local] = self._persistent(child)
        elif kind == "errorDeclaration":
            declaration = self._with_extensions(child, _DECLARATION)
            if "reason" in declaration:
                declaration["reason"] = _to_word("reason", declaration["reason"])
            event[local] = declaration
        elif kind == "sensorElementList":
            event[local] = [self._sensor(c) for c in child if isinstance(c.tag, str)]
        else:
            event[local] = self._with_extensions(child, {})

    def _place(self, element: Any) -> dict[str, Any]:
        """A read point or business location: most are an id alone, read as such."""
        if len(element) == 1 and not element.attrib:
            only = element[0]  # (an iterator costs more)
            if _LOCALS.get(only.tag) == "id":
                return {"id": (only.text or "").strip()}
        return self._with_extensions(element, _PLACE)

    def _quantity(self, element: Any) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for child in element:
            if isinstance(child.tag, str):
                text = (child.text or "").strip()
                local = _local_name(child.tag)
                if local == "quantity" and not text:
                    continue  # xsi:nil: no quantity stated
                value[local] = _number(text) if local == "quantity" else text
        return value

    @staticmethod
    def _parties(element: Any, name: str) -> list[dict[str, Any]]:
        """A list of business transactions, sources or destinations (`name`), their types
        as words."""
        urn = _CBV_URN[name]
        parties = []
        for child in element[:]:  # a list of its few children costs less than an iterator
            tag = child.tag
            if not isinstance(tag, str):
                continue
            value = {}
            kind = child.get("type")
            if kind is not None:
                value["type"] = kind
            # (An element named `type` gives the type instead of the attribute.)
            value[_LOCALS.get(tag) or _local(tag)[1]] = (child.text or "").strip()
            kind = value.get("type")
            if kind is not None and kind.startswith(urn):
                value["type"] = kind[len(urn) :]
            parties.append(value)
        return parties

    @staticmethod
    def _persistent(element: Any) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for child in element:
            if isinstance(child.tag, str):
                value.setdefault(_local_name(child.tag), []).append((child.text or "").strip())
        for field in ("set", "unset"):
            if field in value:
                value[field] = [_to_word(field, v) for v in value[field]]
        return value

    def _sensor(self, element: Any) -> dict[str, Any]:
        sensor: dict[str, Any] = {}
        for child in self.flat(element):
            namespace, local = _local(child.tag)
            if namespace is None and local == "sensorMetadata":
                sensor[local] = self._with_extensions(child, {})
            elif namespace is None and local == "sensorReport":
                report = self._with_extensions(child, {})
                words = {k: _sensor_word(k, v) for k, v in report.items()}
                sensor.setdefault(local, []).append(words)
            else:
                self._put(sensor, self._named(child), self.extension(child))
        return sensor


def _typed(element: Any) -> Any:
    """The JSON value of an extension element holding only an xsi:type'd boolean, integer,
    double or string text; None for any other element, or a text its type does not read."""
    kind = element.get(_XSI_TYPE)
    if kind is None or len(element) or len(element.attrib) > 1:
        return None
    prefix, _, local = kind.strip().rpartition(":")
    if element.nsmap.get(prefix or None) != _XSD_NS:
        return None
    text = _text(element)
    if local == "string":
        return text
    if local == "boolean" and text in ("true", "false", "1", "0"):
        return text in ("true", "1")
    if local == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if local == "double":
        try:
            value = float(text)
        except ValueError:
            return None
        return value if math.isfinite(value) else None  # (INF and NaN are no JSON numbers)
    return None


_PLACE: Final = {"id": _text}
_DECLARATION: Final = {"declarationTime": _text, "reason": _text, "correctiveEventIDs": _texts}


def _to_word(field: str, value: Any) -> Any:
    urn = _CBV_URN.get(field)
    if isinstance(value, str) and urn is not None and value.startswith(urn):
        return value[len(urn) :]
    return value


def _sensor_forms(field: str, value: Any) -> tuple[str, ...] | None:
    """A sensor report's value as its vocabulary's word in each form (bare, term, URI); None
    when it is no word of the field's vocabulary."""
    if field not in _SENSOR_TERMS or not isinstance(value, str):
        return None
    term, uri, words = _SENSOR_TERMS[field]
    word = value[len(term) :] if value.startswith(term) else value.removeprefix(uri)
    if (words is None and (not word or ":" in word)) or (words is not None and word not in words):
        return None
    return (word, term + word, uri + word)


def _sensor_word(field: str, value: Any) -> Any:
    """A sensor report's value read from XML: a term as the bare word, a URI as the term."""
    forms = _sensor_forms(field, value)
    return value if forms is None or value == forms[0] else forms[forms.index(value) - 1]


def _sensor_term(field: str, value: Any) -> Any:
    """A sensor report's value written as XML: a bare word as the term, a term as the URI."""
    forms = _sensor_forms(field, value)
    return value if forms is None or value == forms[2] else forms[forms.index(value) + 1]


def _to_urn(field: str, value: Any) -> Any:
    urn = _CBV_URN.get(field)
    if isinstance(value, str) and urn is not None and value and ":" not in value:
        return urn + value
    return value


def _event_list(root: Any) -> Any:
    """The first EventList, unqualified as the XSD declares it or in the EPCIS namespace."""
    return next(root.iter("EventList", f"{{{EPCIS_NS}}}EventList"), None)


def read_xml(body: bytes) -> Any:
    """The element tree of an XML body that the reader reads (`xml_document`), or
    `epcis_malformed` when it is not well-formed: as written (`AS_WRITTEN`, as the XSD checks
    it), unless the body has comments."""
    try:
        root = etree.fromstring(body, AS_WRITTEN)
        # The reader takes every text stripped and reads no tails: the blank text between
        # elements is nothing to it. A comment splits an element's text, which the reader
        # takes whole: such a body is read again without its comments.
        if root.xpath("boolean(//comment())"):
            root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ChainhubError(
            "epcis_malformed",
            f"the body is not well-formed XML: {exc}",
            f"请求体不是格式正确的 XML：{exc}",
            {"field": "body"},
            400,
        ) from exc
    return root


def parse_xml(body: bytes) -> dict[str, Any]:
    """An EPCIS XML document (capture or query results) as the JSON binding's document."""
    return xml_document(read_xml(body))


def xml_document(root: Any) -> dict[str, Any]:
    """The JSON binding's document of an EPCIS XML document's element tree (`read_xml`)."""
    reader = _Reader()
    event_list = _event_list(root)
    events = []
    if event_list is not None:
        events = [reader.event(element) for element in reader.flat(event_list)]
    document: dict[str, Any] = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": _local(root.tag)[1],
    }
    for key in ("schemaVersion", "creationDate"):
        if key in root.attrib:
            document[key] = root.attrib[key]
    if reader.context:
        document["@context"].append(dict(sorted(reader.context.items())))
    document["epcisBody"] = {"eventList": events}
    return document


def _declared(context: Any) -> dict[str, str]:
    """The prefixes a JSON-LD @context (an object, or a list of them and URLs) binds."""
    items = context if isinstance(context, list) else [context]
    return {
        prefix: namespace
        for item in items
        if isinstance(item, Mapping)
        for prefix, namespace in item.items()
        if isinstance(namespace, str) and not prefix.startswith("@")
    }


def _time_text(key: str, value: Any) -> str:
    """A field's text; the standard's times in the form of the XSD's DateTimeStamp."""
    if key in _TIMES and isinstance(value, str):
        return xsd_time(value)
    return _scalar(_to_urn(key, value))


class _Writer:
    def __init__(self, context: Mapping[str, str]) -> None:
        self.root = dict(context)
        self.context = dict(context)

    def qname(self, key: str) -> str:
        prefix, sep, local = key.partition(":")
        namespace = self.context.get(prefix, STANDARD_PREFIXES.get(prefix)) if sep else None
        return key if namespace is None else f"{{{namespace}}}{local}"

    def nsmap(self, key: str) -> dict[str, str] | None:
        """The key's own prefix, declared on its element when its namespace has others too or
        when only the EPCIS context declares it (the document's context leaving it out)."""
        prefix, sep, _ = key.partition(":")
        if sep and prefix not in self.context and prefix in STANDARD_PREFIXES:
            return {prefix: STANDARD_PREFIXES[prefix]}
        namespace = self.context.get(prefix) if sep else None
        if namespace is None or list(self.context.values()).count(namespace) < 2:
            return None
        return {prefix: namespace}

    def extension(self, parent: Any, key: str, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self.extension(parent, key, item)
            return
        kind = _TYPE_OF.get(type(value))
        if isinstance(value, float) and not math.isfinite(value):
            kind = None  # (a stored NaN or infinity, read by Python's JSON reader: no xsd:double)
        nsmap = self.nsmap(key)
        if kind is not None and _XSD_NS not in self.context.values():
            nsmap = {**(nsmap or {}), "xsd": _XSD_NS}  # for the QName of its xsi:type
        attributes = self._attributes(value) if isinstance(value, Mapping) else {}
        for name, text in attributes.items():
            nsmap = {**(nsmap or {}), **(self.nsmap(name) or {})}
            if self.qname(name) == _XSI_TYPE:  # its QName's prefix, in scope where it stands
                prefix = text.strip().partition(":")[0]
                nsmap[prefix] = self.context[prefix]
        child = etree.SubElement(parent, self.qname(key), nsmap=nsmap)
        if isinstance(value, Mapping):
            for k, v in value.items():
                if k == "#text":
                    child.text = str(v)
                elif k in attributes:
                    child.set(self.qname(k), v)
                elif k.startswith("@"):
                    continue
                else:
                    self.extension(child, k, v)
        else:
            child.text = _scalar(value)
            if kind is not None:
                child.set(_XSI_TYPE, f"{self._xsd_prefix(nsmap)}:{kind}")

    def _attributes(self, value: Mapping[str, Any]) -> dict[str, str]:
        """The string members of an element's value that has a text: its attributes, as the
        reader reads them (an xsi:type only where its QName's prefix is bound to XML Schema:
        the XSD reads it)."""
        if "#text" not in value:
            return {}
        found = {}
        for key, item in value.items():
            if key == "#text" or key.startswith("@") or not isinstance(item, str):
                continue
            if self.qname(key) == _XSI_TYPE:
                prefix, sep, _ = item.strip().partition(":")
                if not sep or self.context.get(prefix) != _XSD_NS:
                    continue
            found[key] = item
        return found

    def _xsd_prefix(self, nsmap: Mapping[str, str] | None) -> str:
        if nsmap and nsmap.get("xsd") == _XSD_NS:
            return "xsd"
        return next(p for p, ns in self.context.items() if ns == _XSD_NS)

    def with_extensions(
        self, parent: Any, tag: str, value: Mapping[str, Any], attributes: bool
    ) -> Any:
        # An extension attribute's prefix is declared on its element where the root's
        # declaration would not give it (as `nsmap` does for elements).
        nsmap: dict[str, str] = {}
        for key, item in value.items() if attributes else ():
            if not isinstance(item, Mapping | list):
                nsmap.update(self.nsmap(key) or {})
        element = etree.SubElement(parent, tag, nsmap=nsmap or None)
        # The standard's fields in their type's sequence order, extensions after (xs:any).
        order = field_orders().get(tag, ())
        for key in [k for k in order if k in value] + [k for k in value if k not in order]:
            item = value[key]
            if attributes and not isinstance(item, Mapping | list):
                element.set(self.qname(key), _time_text(key, item))
            elif key in ("correctiveEventIDs",):
                holder = etree.SubElement(element, key)
                for event_id in item:
                    etree.SubElement(holder, "correctiveEventID").text = event_id
            elif ":" in key:
                self.extension(element, key, item)
            else:
                etree.SubElement(element, key).text = _time_text(key, item)
        return element

    def event(self, parent: Any, event: Mapping[str, Any]) -> None:
        """The event under `parent`, with the prefixes its own @context binds otherwise than the
        root declared on its element (each event keeps what its prefixes mean)."""
        own = {
            prefix: namespace
            for prefix, namespace in _declared(event.get("@context")).items()
            if self.root.get(prefix) != namespace
        }
        self.context = {**self.root, **own}
        element = etree.SubElement(parent, str(event["type"]), nsmap=own or None)
        # Each event type's own xs:sequence, then the extensions where its xs:any puts them.
        order = event_orders().get(str(event["type"]), ())
        keys = [k for k in order if k in event]
        extra = [k for k in event if k not in order and k not in ("type", "@context")]
        for key in keys + extra:
            self._field(element, key, _to_urn(key, event[key]))

    def _list(self, element: Any, key: str, value: Any) -> None:
        if key in _EPC_LISTS:
            holder = etree.SubElement(element, key)
            for epc in value:
                etree.SubElement(holder, "epc").text = epc
        elif key in _QUANTITY_LISTS:
            holder = etree.SubElement(element, key)
            for item in value:
                quantity = etree.SubElement(holder, "quantityElement")
                for field in ("epcClass", "quantity", "uom"):
                    if field in item:
                        etree.SubElement(quantity, field).text = _scalar(item[field])
        else:
            holder = etree.SubElement(element, key)
            name = _PARTY_LISTS[key]
            for item in value:
                party = etree.SubElement(holder, name)
                if "type" in item:
                    party.set("type", _to_urn(name, item["type"]))
                party.text = item[name]

    def _field(self, element: Any, key: str, value: Any) -> None:
        if key in _EPC_LISTS or key in _QUANTITY_LISTS or key in _PARTY_LISTS:
            self._list(element, key, value)
        elif key == "certificationInfo":
            for item in value if isinstance(value, list) else [value]:
                etree.SubElement(element, key).text = item
        elif key in ("readPoint", "bizLocation", "errorDeclaration", "ilmd"):
            self.with_extensions(element, key, value, attributes=False)
        elif key == "persistentDisposition":
            holder = etree.SubElement(element, key)
            for kind in ("unset", "set"):  # the XSD's sequence order
                for item in value.get(kind, []):
                    etree.SubElement(holder, kind).text = _to_urn(kind, item)
        elif key == "sensorElementList":
            holder = etree.SubElement(element, key)
            for sensor in value:
                self._sensor(holder, sensor)
        elif ":" in key:
            self.extension(element, key, value)
        else:
            etree.SubElement(element, key).text = _time_text(key, value)

    def _sensor(self, holder: Any, sensor: Mapping[str, Any]) -> None:
        element = etree.SubElement(holder, "sensorElement")
        if "sensorMetadata" in sensor:
            self.with_extensions(element, "sensorMetadata", sensor["sensorMetadata"], True)
        for report in sensor.get("sensorReport", []):
            terms = {k: _sensor_term(k, v) for k, v in report.items()}
            self.with_extensions(element, "sensorReport", terms, True)
        for key, value in sensor.items():
            if key not in ("sensorMetadata", "sensorReport"):
                self.extension(element, key, value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_xml(
    *,
    events: list[Mapping[str, Any]],
    context: Mapping[str, str],
    root: str = "EPCISDocument",
    attributes: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> bytes:
    """Events as an EPCIS XML document: a capture document, or query results with `query`."""
    nsmap: dict[str | None, str] = {"epcis": EPCIS_NS}
    # One prefix of each namespace at the root: an element or attribute written with another
    # declares it where it stands (`_Writer.nsmap`), since lxml drops a declaration the root
    # already makes and gives an attribute the first prefix of its namespace it finds.
    for prefix, namespace in context.items():
        if namespace not in nsmap.values():
            nsmap[prefix] = namespace
    if query is not None:
        nsmap = {"epcisq": QUERY_NS, **nsmap}
        tag = f"{{{QUERY_NS}}}EPCISQueryDocument"
    else:
        tag = f"{{{EPCIS_NS}}}{root}"
    element = etree.Element(tag, nsmap=nsmap)
    element.set("schemaVersion", "2.0")
    for key, value in (attributes or {}).items():
        element.set(key, value)
    body = etree.SubElement(element, "EPCISBody")
    writer = _Writer(context)
    if query is not None:
        results = etree.SubElement(body, f"{{{QUERY_NS}}}QueryResults")
        for key, value in query.items():
            etree.SubElement(results, key).text = value
        holder = etree.SubElement(etree.SubElement(results, "resultsBody"), "EventList")
    else:
        holder = etree.SubElement(body, "EventList")
    for event in events:
        writer.event(holder, event)
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))
