"""CBV 2.0 event hash IDs: the canonical pre-hash string of an EPCIS event, its sha-256 `ni:` URI.

Both syntaxes are brought to one tree of (name, value, children) nodes, shaped as the XML
binding shapes an event, then concatenated in the canonical property order. The steps follow
the reference implementation (github.com/RalphTro/epcis-event-hash-generator, MIT licence),
whose goldens the tests reproduce, with one change: bare CBV words in JSON are expanded from
the vocabularies of the EPCIS context (`vocabulary`) rather than by a JSON-LD processor, so
nothing is fetched.
"""

from __future__ import annotations

import hashlib
import marshal
import math
import multiprocessing
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow as pa
from lxml import etree

from chainhub.trace import vocabulary
from chainhub.trace.columnar import Shared, cbv_texts, completed, utc_millis
from chainhub.trace.digital_link import normalise
from chainhub.trace.plain_columns import (
    PLAIN_AFTER,
    PLAIN_KEYS,
    PLAIN_LISTS,
    PLAIN_PAIRED,
    PLAIN_PLACES,
    PLAIN_TEXT,
    UNHASHED,
    PlainColumns,
    distinct_words,
    ilmd_names,
    is_ilmd_name,
    of_plain_kinds,
    plain_columns,
    plain_prehashes,
)
from chainhub.trace.xsd_form import STANDARD_PREFIXES, local_tag

# A node is (name, value, children); a business transaction, source or destination is the pair
# (type node, value node). Plain tuples keep the reference implementation's ordering rules.
Node = Any

_QUANTITY: Final = [("epcClass", None), ("quantity", None), ("uom", None)]
PROP_ORDER: Final[list[tuple[Any, Any]]] = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", [("epc", None)]),
    ("inputEPCList", [("epc", None)]),
    ("childEPCs", [("epc", None)]),
    ("quantityList", [("quantityElement", _QUANTITY)]),
    ("childQuantityList", [("quantityElement", _QUANTITY)]),
    ("inputQuantityList", [("quantityElement", _QUANTITY)]),
    ("outputEPCList", [("epc", None)]),
    ("outputQuantityList", [("quantityElement", _QUANTITY)]),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("bizTransactionList", [(("type", None), ("bizTransaction", None))]),
    ("sourceList", [(("type", None), ("source", None))]),
    ("destinationList", [(("type", None), ("destination", None))]),
    (
        "sensorElementList",
        [
            (
                "sensorElement",
                [
                    (
                        "sensorMetadata",
                        [
                            (name, None)
                            for name in (
                                "time startTime endTime deviceID deviceMetadata rawData"
                                " dataProcessingMethod bizRules"
                            ).split()
                        ],
                    ),
                    (
                        "sensorReport",
                        [
                            (name, None)
                            for name in (
                                "type exception deviceID deviceMetadata rawData"
                                " dataProcessingMethod time microorganism chemicalSubstance"
                                " value component stringValue booleanValue hexBinaryValue"
                                " uriValue minValue maxValue meanValue sDev percRank percValue"
                                " uom coordinateReferenceSystem"
                            ).split()
                        ],
                    ),
                ],
            )
        ],
    ),
]
# Not part of the hash: set by the repository, or declared later.
_IGNORED: Final = ("recordTime", "eventID", "type", "errorDeclaration")
_PAIRED: Final = ("bizTransaction", "source", "destination")
_CBV_URNS: Final = (
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
)
_XML_CURIES: Final = (("gs1:", "https://gs1.org/voc/"), ("cbv:", "https://ref.gs1.org/cbv/"))
# Fields a repository declares its own (not hashed) through `ignoreFields` in this namespace.
_IGNORE_NS: Final = "https://repository-x.example.com/"
_XSI_NIL: Final = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_GS1_VOC: Final = "https://gs1.org/voc/"
_XSI_TYPE: Final = "{http://www.w3.org/2001/XMLSchema-instance}type"
# Attributes of the XML binding only: xsi:nil marks an element without a value and xsi:type
# the data type of an extension's value, which the JSON binding leaves out or types natively.
_XSI_ONLY: Final = frozenset((_XSI_NIL, _XSI_TYPE))
# A note on the event, not part of it: its hash leaves it out in either binding (the JSON
# binding's "rdfs:comment" key, the XML binding's element of this name).
_RDFS_COMMENT: Final = "{http://www.w3.org/2000/01/rdf-schema#}comment"
_SECONDS_FRACTION: Final = re.compile(r"(\.\d+)")


# ---------------------------------------------------------------- values


def _timestamp(text: str) -> str:
    """UTC at millisecond precision with a Z, the 4th decimal rounding the 3rd."""
    iso = text.replace("z", "Z")
    micro = 0
    fraction = _SECONDS_FRACTION.search(iso)
    if fraction is not None:
        micro = int((fraction.group(1)[1:] + "000000")[:6])
        iso = iso[: fraction.start()] + iso[fraction.end() :]
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # round() on an int rounds half to even, as the reference implementation does.
    moment = moment.astimezone(UTC) + timedelta(microseconds=round(micro, -3))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _numeric(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return str(int(number)) if number == int(number) else str(number)


def _canonize_value(text: str) -> str:
    for urn, web in _CBV_URNS:
        text = text.replace(urn, web)
    text = _numeric(text)
    return normalise(text) or text


# ---------------------------------------------------------------- pre-hash


class _PreHash:
    def __init__(self, join_by: str) -> None:
        self.join_by = join_by

    def event(self, event: Node) -> str:
        children = list(event[2])
        ordered = self._in_order(children, PROP_ORDER)
        rest = [child for child in children if child[0] not in _IGNORED]
        remaining = self._generic(rest) if rest else ""
        return self.join_by.join(["eventType=" + event[0], ordered, remaining])

    def _child(self, child: Node, sub_order: Any) -> str:
        grand = self._in_order(child[2], sub_order) if sub_order else ""
        text = ""
        if child[1]:
            text = child[1].strip()
            name = child[0].lower()
            text = (
                _timestamp(text)
                if "time" in name and "offset" not in name
                else (_canonize_value(text))
            )
            if text:
                text = "=" + text
        if text or grand:
            return str(child[0]) + text + grand
        return ""

    def _in_order(self, children: list[Node], order: Sequence[tuple[Any, Any]]) -> str:
        """Consume the children named in `order`; what is left is hashed after them."""
        pre_hash = ""
        extensions = _gather_extensions(children)
        for name, sub_order in order:
            values = []
            for child in [x for x in children if x[0] == name]:
                text = self._child(child, sub_order)
                if text:
                    values.append(text)
                if len(child[2]) == 0:
                    children.remove(child)
            values.sort()
            if "".join(values):
                if pre_hash:
                    values.insert(0, pre_hash)
                pre_hash = self.join_by.join(values)
        if extensions:
            pre_hash = pre_hash + self.join_by + self._generic(extensions)
        return pre_hash

    def _generic(self, children: Sequence[Node]) -> str:
        values = []
        for child in children:
            if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], tuple):
                values.append(self._generic(child))
                continue
            text = child[1].strip()
            if text:
                text = "=" + _canonize_value(text)
            values.append(child[0] + text + self._generic(child[2]))
        if len(children) > 1 and not any(
            isinstance(c[0], str) and c[0] in _PAIRED for c in children
        ):
            values.sort()
        return self.join_by.join(values)


def _gather_extensions(children: list[Node]) -> list[Node]:
    """User extensions inside a standard element (not the event's own), taken out to go last."""
    if len(children) <= 1:
        return []
    if any("eventTime" in c[0] or "action" in c[0] for c in children if isinstance(c[0], str)):
        return []
    found = [
        c
        for c in children
        if isinstance(c, tuple) and isinstance(c[0], str) and "{" in c[0] and "/}" in c[0]
    ]
    for child in found:
        children.remove(child)
    return found


def prehash(event: Node, join_by: str = "") -> str:
    """The canonical pre-hash string of one event tree."""
    return _PreHash(join_by).event(_deep_copy(event))


def hash_id(pre_hash: str) -> str:
    """The event hash ID (`ni:` URI, sha-256, CBV 2.0) of a pre-hash string."""
    # (`_column_hashes` writes its hash IDs alike, inline.)
    digest = hashlib.sha256(pre_hash.encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def _deep_copy(node: Node) -> Node:
    if isinstance(node, tuple) and len(node) == 3 and isinstance(node[2], list):
        return (node[0], node[1], [_deep_copy(c) for c in node[2]])
    if isinstance(node, tuple):
        return tuple(_deep_copy(c) for c in node)
    return node


# ---------------------------------------------------------------- XML to tree


def _xml_node(element: Any, *, sort: bool = True) -> Node:
    children: list[Node] = [
        (local_tag(name), value, []) for name, value in element.items() if name not in _XSI_ONLY
    ]
    children += [_xml_node(child) for child in element if isinstance(child.tag, str)]
    if sort:
        children.sort()
    paired: list[Node] = [
        (child[2][0], (child[0], child[1], [])) if child[2] else child
        for child in children
        if child[0] in _PAIRED and isinstance(child[2], list)
    ]
    if paired:
        children = paired
    text = element.text.strip() if element.text else ""
    return (local_tag(element.tag), text, children)


def _expand_xml_curies(node: Node) -> Node:
    if isinstance(node, tuple) and len(node) == 2:
        if any(isinstance(c, tuple) and c[0] == "type" for c in node):
            return tuple(
                (c[0], _expand_curie(c[1]), c[2]) if isinstance(c, tuple) and c[0] == "type" else c
                for c in node
            )
        return node
    return (node[0], _expand_curie(node[1]), [_expand_xml_curies(c) for c in node[2]])


def _expand_curie(value: str) -> str:
    for prefix, uri in _XML_CURIES:
        if value.startswith(prefix):
            return value.replace(prefix, uri)
    return value


def _unwrapped(root: Any) -> None:
    """EPCIS 1.x's `extension` and `baseExtension` wrappers replaced by what they hold, and the
    ignore-fields namespace's elements made unqualified, as the hash's reference reads them."""
    for element in list(root.iter("extension", "baseExtension")):
        parent = element.getparent()
        if parent is None:
            continue
        at = parent.index(element)
        parent.remove(element)
        parent[at:at] = list(element)
    for element in list(root.iter(f"{{{_IGNORE_NS}}}*")):
        element.tag = etree.QName(element).localname


def _uncommented(root: Any) -> None:
    """The rdfs:comment elements taken out, as the JSON binding's hash skips the key."""
    for element in list(root.iter(_RDFS_COMMENT)):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def xml_event_trees(text: bytes) -> list[Node]:
    """The event trees of an EPCIS XML document (capture or query), in document order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(text, parser)
    _unwrapped(root)
    _uncommented(root)
    event_list = root.find("*EventList")
    if event_list is None or len(event_list) == 0:
        event_list = root.find(".//*EventList")
    if event_list is None:
        return []
    for ignored in root.findall("ignoreFields/*"):
        for event in event_list:
            found = event.find(ignored.tag)
            if found is not None:
                event.remove(found)
    tree = _expand_xml_curies(_xml_node(event_list, sort=False))
    return list(tree[2])


# ---------------------------------------------------------------- JSON to tree


class _JsonTrees:
    def __init__(self, context: Any) -> None:
        # Prefixes the standard's own JSON-LD context declares, which documents use undeclared.
        self.namespaces: dict[str, str] = {p: f"{{{n}}}" for p, n in STANDARD_PREFIXES.items()}
        if isinstance(context, list):
            for item in context:
                if isinstance(item, str):
                    self.namespaces[item] = "{" + item + "}"
                elif isinstance(item, Mapping):
                    for key, value in item.items():
                        self.namespaces[key] = "{" + str(value) + "}"

    def replace(self, text: Any, *, is_value: bool = False) -> Any:
        if not isinstance(text, str):
            return text
        prefix, sep, rest = text.partition(":")
        if sep and prefix in self.namespaces:
            namespace = self.namespaces[prefix]
            return (namespace.strip("{}") if is_value else namespace) + rest
        return text

    def node(self, value: Any, ignore: Iterable[str] = ()) -> Node:
        node: Node = ("", "", [])
        if isinstance(value, list):
            for child in value:
                node[2].append(self.node(child))
        elif isinstance(value, Mapping):
            if "type" in value:
                node = (value["type"], "", [])
            if "#text" in value:
                node = (node[0], value["#text"], node[2])
            skip = {"#text", "rdfs:comment", "comment", "@context", *ignore}
            # An event's own @context declares prefixes for that event only.
            outer = self.namespaces
            if "@context" in value:
                self.namespaces = {**outer, **_declared(value["@context"])}
            for key, child_value in value.items():
                if key in skip:
                    continue
                if key.startswith("@xmlns"):
                    self.namespaces[key[7:]] = "{" + child_value + "}"
                    node = (self.replace(node[0]), node[1], node[2])
                    continue
                key = self.replace(key)
                if key in _XSI_ONLY:
                    continue
                child = self.node(child_value)
                if isinstance(child_value, list):
                    node[2].extend((key, element[1], element[2]) for element in child[2])
                else:
                    node[2].append((key, child[1], child[2]))
            self.namespaces = outer
        elif isinstance(value, bool):
            # As the XML binding writes it (the reference implementation would hash "True").
            return ("", "true" if value else "false", [])
        else:
            # Values keep a document's own prefixes, as the XML binding's hash keeps them.
            return ("", str(value), [])
        if not (isinstance(value, Mapping) and any(k in value for k in _PAIRED)):
            node[2].sort()
        return node


def _declared(context: Any) -> dict[str, str]:
    """The prefixes a JSON-LD @context (one object, or a list of them and URLs) declares."""
    items = context if isinstance(context, list) else [context]
    return {
        key: "{" + str(value) + "}"
        for item in items
        if isinstance(item, Mapping)
        for key, value in item.items()
    }


def _xml_shape(node: Node) -> Node:
    """Reshape a JSON-made tree as the XML binding nests the same event."""
    children = list(node[2]) if len(node) > 2 else []
    lists: dict[str, list[Node]] = {}
    for element in [e for e in children if isinstance(e[0], str) and e[0].endswith("List")]:
        lists.setdefault(element[0], []).append((element[0][:-4], element[1], element[2]))
        children.remove(element)
    for name, elements in lists.items():
        if name in ("sourceList", "destinationList", "bizTransactionList"):
            # Without a type the pair is the value alone (the reference implementation fails).
            pairs = [(e[2][0], e[2][1]) if len(e[2]) > 1 else e[2][0] for e in elements]
            children.append((name, "", pairs))
        else:
            children.append((name, "", elements))
    child_epcs: list[Node] = [("epc", e[1], []) for e in children if e[0] == "childEPCs"]
    children = [e for e in children if e[0] != "childEPCs"]
    if child_epcs:
        children.append(("childEPCs", "", child_epcs))
    shaped = [
        e if e[0] in ("sourceList", "destinationList", "bizTransactionList") else _xml_shape(e)
        for e in children
    ]
    name = node[0]
    if name == "sensorReport":
        shaped = [_sensor_type(e) for e in shaped]
    if name in ("inputEPC", "outputEPC"):
        name = "epc"
    elif name in ("inputQuantity", "outputQuantity", "childQuantity") or (
        name == "quantity" and shaped
    ):
        name = "quantityElement"
    return (name, node[1], shaped)


def _sensor_type(element: Node) -> Node:
    """A sensor report's bare type word, as the standard context's vocabulary expands it."""
    if element[0] == "type" and ":" not in element[1]:
        return (element[0], _GS1_VOC + element[1], element[2])
    return element


_VOCAB_FIELDS: Final = {
    "bizStep": "biz_steps",
    "disposition": "dispositions",
    "set": "dispositions",
    "unset": "dispositions",
    "reason": "error_reasons",
    "component": "components",
    "exception": "sensor_alert_types",
}


def _expanded_values(value: Any, parent: str = "", found: set[str] | None = None) -> set[str]:
    """The CBV and GS1 web URIs a JSON-LD processor would expand the document's terms to."""
    found = set() if found is None else found
    if isinstance(value, Mapping):
        for key, child in value.items():
            _expanded_values(child, key if not isinstance(child, Mapping) else key, found)
        return found
    if isinstance(value, list):
        for child in value:
            _expanded_values(child, parent, found)
        return found
    if not isinstance(value, str):
        return found
    if value.startswith(("https://ref.gs1.org/cbv", "https://gs1.org/voc")):
        found.add(value)
        return found
    for prefix, uri in _XML_CURIES:
        if value.startswith(prefix):
            found.add(uri + value[len(prefix) :])
            return found
    names = [_VOCAB_FIELDS[parent]] if parent in _VOCAB_FIELDS else []
    if parent == "type":
        names = ["source_dest_types", "biz_transaction_types", "measurement_types"]
    for name in names:
        prefix, words = vocabulary.VOCABULARIES[name]
        if value in words:
            found.add(prefix + value)
    return found


_STANDARD_TERMS: Final = frozenset(
    prefix + word for prefix, words in vocabulary.VOCABULARIES.values() for word in words
)


def _pick(matches: Collection[str]) -> str | None:
    """The term a bare word stands for among those ending in it: the only one, or the only
    standard one (a document may also hold a misspelt URI, `Bizstep-...`, ending alike)."""
    if len(matches) == 1:
        return next(iter(matches))
    standard = [m for m in matches if m in _STANDARD_TERMS]
    return standard[0] if len(standard) == 1 else None


def _replace_bare(value: Any, expanded: set[str]) -> Any:
    if isinstance(value, str):
        matches = [x for x in expanded if x.endswith("-" + value) or x.endswith("/" + value)]
        term = _pick(matches)
        return term if term is not None else _expand_curie(value)
    if isinstance(value, list):
        return [_replace_bare(v, expanded) for v in value]
    if isinstance(value, Mapping):
        return {k: _replace_bare(v, expanded) for k, v in value.items()}
    return value


def _json_events(document: Mapping[str, Any]) -> tuple[_JsonTrees, list[Any], Any]:
    """The document's tree maker (its namespaces), its events and its ignored fields."""
    context = document.get("@context")
    if isinstance(context, list):
        context = [c for c in context if not isinstance(c, Mapping) or c]
    trees = _JsonTrees(context)
    ignore_key = next(
        (k + ":ignoreFields" for k, v in trees.namespaces.items() if v == "{" + _IGNORE_NS + "}"),
        ":ignoreFields",
    )
    body = document["epcisBody"]
    if "eventList" in body:
        events, ignore = body["eventList"], document.get(ignore_key)
    elif "queryResults" in body:
        events = body["queryResults"]["resultsBody"]["eventList"]
        ignore = body["queryResults"].get(ignore_key)
    else:
        events, ignore = [body["event"]], document.get(ignore_key)
    return trees, events, ignore


def json_event_trees(document: Mapping[str, Any]) -> list[Node]:
    """The event trees of an EPCIS JSON/JSON-LD document (capture or query), in order."""
    document = _replace_bare(document, _expanded_values(document))
    trees, events, ignore = _json_events(document)
    return [_xml_shape(trees.node(event, ignore or ())) for event in events]


def event_hashes(trees: Iterable[Node]) -> list[str]:
    """The hash ID of each event tree."""
    return [hash_id(prehash(tree)) for tree in trees]


# ---------------------------------------------------------------- plain events, directly

_canonize_cached = lru_cache(maxsize=1 << 16)(_canonize_value)
# Distinct texts and times of a document's plain events written one by one rather than by
# column expressions (measured break-even: ~2,000 texts, ~250 times).
_FEW_TEXTS: Final = 1_000
_FEW_TIMES: Final = 128


def _is_place(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and type(value.get("id")) is str


def _is_pairs(name: str) -> Callable[[Any], bool]:
    """A list of business transactions, sources or destinations: each a type and its text."""
    keys = {name, "type"}

    def check(value: Any) -> bool:
        if type(value) is not list:
            return False
        for item in value:
            if type(item) is not dict or item.keys() != keys:
                return False
            for text in item.values():
                if type(text) is not str or not text.strip():
                    return False
        return True

    return check


def _is_plain_ilmd(value: Any) -> bool:
    """Instance master data of namespaced fields with text values (a lot number, a date)."""
    if type(value) is not dict or not value:
        return False
    return all(
        type(key) is str and is_ilmd_name(key) and type(text) is str for key, text in value.items()
    )


# Checks of the fields that are not text nor a list of texts, which most fields are and which
# `is_plain_event` checks inline (a function call per field costs more than the check).
_PLAIN_TEXT_KEYS: Final = frozenset((*UNHASHED, *PLAIN_TEXT, *PLAIN_AFTER))
_PLAIN_CHECKS: Final[dict[str, Callable[[Any], bool]]] = {
    **dict.fromkeys(PLAIN_PLACES, _is_place),
    **{key: _is_pairs(name) for key, name in PLAIN_PAIRED.items()},
    "ilmd": _is_plain_ilmd,
}


def is_plain_event(event: Any) -> bool:
    """Whether an event (as JSON reads it: dicts, lists, text) has only text, EPC lists, places
    with only an id, typed business transactions, sources and destinations, and ilmd of text
    (most captured events): those are hashed from their texts, without building their tree."""
    if type(event) is not dict or not PLAIN_KEYS.issuperset(event):
        return False
    for key, value in event.items():
        if key in _PLAIN_TEXT_KEYS:
            if type(value) is not str:
                return False
        elif key in PLAIN_LISTS:
            if type(value) is not list or not set(map(type, value)) <= {str}:
                return False
        elif not _PLAIN_CHECKS[key](value):
            return False
    return True


# The parts of a plain event's pre-hash in their order; the paired lists and ilmd come last,
# ordered among themselves by their text.
_PART_ORDER: Final = {
    key: order for order, key in enumerate((*PLAIN_TEXT, *PLAIN_LISTS, *PLAIN_AFTER, *PLAIN_PLACES))
}
_LAST: Final = len(_PART_ORDER)
_SINGLE_LABELS: Final = {
    key: key + ("id=" if key in PLAIN_PLACES else "=")
    for key in _PART_ORDER
    if key not in PLAIN_LISTS
}
# What each field of a plain event is in its pre-hash: its role, its slot and its label (for
# a list of EPCs, the label of its first EPC; for a paired list, the name of its value).
_SKIP, _SINGLE, _TIME, _PLACE, _LIST, _PAIRS, _ILMD = range(7)
_ROLES: Final[dict[str, tuple[int, int, str]]] = {
    **dict.fromkeys(UNHASHED, (_SKIP, 0, "")),
    **{key: (_SINGLE, _PART_ORDER[key], key + "=") for key in (*PLAIN_TEXT, *PLAIN_AFTER)},
    "eventTime": (_TIME, _PART_ORDER["eventTime"], "eventTime="),
    **{key: (_PLACE, _PART_ORDER[key], key + "id=") for key in PLAIN_PLACES},
    **{key: (_LIST, _PART_ORDER[key], key + "epc=") for key in PLAIN_LISTS},
    **{key: (_PAIRS, 0, name) for key, name in PLAIN_PAIRED.items()},
    "ilmd": (_ILMD, 0, "ilmd"),
}
_EXPANDING: Final = ("https://ref.gs1.org/cbv", "https://gs1.org/voc", "gs1:", "cbv:")


class _PlainTexts:
    """The distinct texts of a document's plain events: times, the other texts (EPCs, words,
    places, business transactions, sources, destinations, their types, ilmd values), the
    (field, word) pairs a vocabulary may expand, and the ilmd field names."""

    def __init__(self) -> None:
        self.times: set[str] = set()
        self.values: set[str] = set()
        self.vocab: set[tuple[str, str]] = set()
        self.ilmd_names: set[str] = set()

    def add(self, event: Any) -> bool:
        """Add the texts of the event and say True if it is plain (`is_plain_event`), checked
        in the same pass. An event found not plain may have added some of its texts first:
        that only costs their conversion, as its terms are gathered from its tree anyway."""
        if type(event) is not dict or not PLAIN_KEYS.issuperset(event):
            return False
        values = self.values
        for key, value in event.items():
            if key in _PLAIN_TEXT_KEYS:
                if type(value) is not str:
                    return False
                if key == "eventTime":
                    self.times.add(value)
                elif key in _SINGLE_LABELS:
                    if key in _VOCAB_FIELDS:
                        self.vocab.add((key, value))
                    values.add(value)
            elif key in PLAIN_LISTS:
                if type(value) is not list or not set(map(type, value)) <= {str}:
                    return False
                values.update(value)
            elif not _PLAIN_CHECKS[key](value):
                return False
            elif key in PLAIN_PLACES:
                values.add(value["id"])
            elif key == "ilmd":
                self.ilmd_names.update(value)
                values.update(value.values())
            else:
                name = PLAIN_PAIRED[key]
                for item in value:
                    self.vocab.add(("type", item["type"]))
                    values.add(item["type"])
                    values.add(item[name])
        return True

    def expanded(self, found: set[str]) -> set[str]:
        """`found` and the terms the texts expand, as `_expanded_values` gathers them."""
        for key, value in self.vocab:
            _expanded_values({key: value}, found=found)
        for value in self.values | self.times:
            if value.startswith(_EXPANDING):
                _expanded_values({"": value}, found=found)
        return found


def _bare_terms(expanded: set[str]) -> dict[str, str | None]:
    """Text → the expanded term ending in "-text" or "/text" it stands for (`_pick`)."""
    ends: dict[str, set[str]] = {}
    for term in expanded:
        for at, char in enumerate(term):
            if char in "-/":
                ends.setdefault(term[at + 1 :], set()).add(term)
    return {end: _pick(terms) for end, terms in ends.items()}


def _cbv_texts(values: pl.Series, shared: Shared | None = None) -> pl.Series:
    return cbv_texts(values, rewritten=tuple(urn for urn, _ in _CBV_URNS), shared=shared)


def _text(value: str, ends: dict[str, str | None], slow: Callable[[str], str]) -> str:
    """A value's text in the pre-hash, one by one: a bare word expanded, stripped, then written
    by `slow` (as a time or canonicalised), as the tree walk writes it."""
    term = ends.get(value)
    text = (term if term is not None else _expand_curie(value)).strip()
    return slow(text) if text else ""


def _texts(
    values: pl.Series, ends: dict[str, str | None], *, time: bool, shared: Shared | None = None
) -> pl.DataFrame:
    """Each distinct value and its text in the pre-hash (`_text`), column-wise where it is kept
    as it is before being written (from what `shared` holds of them)."""
    frame = pl.DataFrame({"value": values}, schema={"value": pl.String})
    value = pl.col("value")
    # Kept as it is by the expansion and the stripping: what no bare word ends with, no CURIE
    # starts with, and what starts and ends with a visible ASCII character.
    kept = (
        ~value.is_in(list(ends))
        & ~value.str.starts_with(_XML_CURIES[0][0])
        & ~value.str.starts_with(_XML_CURIES[1][0])
        & value.str.contains(r"^[!-~]")
        & value.str.contains(r"[!-~]$")
    )
    frame = frame.with_columns(kept=kept)
    fast, slow = (utc_millis, _timestamp) if time else (_cbv_texts, _canonize_cached)
    fast = partial(fast, shared=shared)
    plain = frame.filter("kept")["value"]
    odd = frame.filter(~pl.col("kept"))["value"].to_list()
    done = [_text(text, ends, slow) for text in odd]
    return pl.concat(
        [
            pl.DataFrame({"value": plain, "text": completed(plain, fast=fast, slow=slow)}),
            pl.DataFrame(
                {"value": odd, "text": done}, schema={"value": pl.String, "text": pl.String}
            ),
        ]
    )


def _text_map(values: set[str], ends: dict[str, str | None], *, time: bool) -> dict[str, str]:
    """Each value's text in the pre-hash: one by one for a few, else mostly column-wise."""
    # The column expressions cost milliseconds whatever their input (~8 ms CPU for texts,
    # ~1 ms for times) and then ~1.5 us per text; one by one costs ~5 us per text or time.
    if len(values) <= (_FEW_TIMES if time else _FEW_TEXTS):
        slow = _timestamp if time else _canonize_cached
        return {value: _text(value, ends, slow) for value in values}
    found = _texts(pl.Series(list(values), dtype=pl.String), ends, time=time)
    return dict(zip(found["value"].to_list(), found["text"].to_list(), strict=True))


class _PlainPreHash:
    """The pre-hash of plain events from the texts of their values (`_texts`), in the order and
    with the labels the tree walk gives them."""

    def __init__(self, texts: _PlainTexts, expanded: set[str], trees: _JsonTrees) -> None:
        ends = _bare_terms(expanded)
        self.text = _text_map(texts.values, ends, time=False)
        self.time = _text_map(texts.times, ends, time=True)
        self.ilmd_names = {name: trees.replace(name) for name in texts.ilmd_names}

    def event(self, event: Mapping[str, Any]) -> str:
        """The pre-hash of one plain event."""
        text = self.text
        # A slot per field of a fixed place in the order; the paired lists and ilmd go last.
        slots = [""] * _LAST
        last = []
        for key, value in event.items():
            role, at, label = _ROLES[key]
            if role == _SINGLE:
                found = text[value]
            elif role == _LIST:
                # "epc=" before each text sorts them as the texts alone sort.
                texts = [text[epc] for epc in value]
                if "" in texts:
                    texts = [t for t in texts if t]
                if texts:
                    texts.sort()
                    slots[at] = label + "epc=".join(texts)
                continue
            elif role == _TIME:
                found = self.time[value]
            elif role == _PLACE:
                found = text[value["id"]]
            elif role == _PAIRS:
                pairs = [f"type={text[item['type']]}{label}={text[item[label]]}" for item in value]
                if pairs:
                    pairs.sort()
                    last.append(key + "".join(pairs))
                continue
            elif role == _ILMD:
                fields = []
                for field, field_value in value.items():
                    found = text[field_value]
                    named = self.ilmd_names[field]
                    fields.append(f"{named}={found}" if found else named)
                fields.sort()
                last.append("ilmd" + "".join(fields))
                continue
            else:  # not hashed
                continue
            if found:
                slots[at] = label + found
        last.sort()
        return "eventType=" + str(event["type"]) + "".join(slots) + "".join(last)


def _text_frame(
    values: pl.Series, ends: dict[str, str | None], *, time: bool, shared: Shared | None
) -> pl.DataFrame:
    """Each distinct value and its text in the pre-hash, as `_text_map` writes it."""
    if len(values) <= (_FEW_TIMES if time else _FEW_TEXTS):
        found = _text_map(set(values.to_list()), ends, time=time)
        return pl.DataFrame(
            {"value": list(found), "text": list(found.values())},
            schema={"value": pl.String, "text": pl.String},
        )
    return _texts(values, ends, time=time, shared=shared)


def _column_hashes(
    document: Mapping[str, Any],
    trees: _JsonTrees,
    read: PlainColumns,
    plain: pl.Series,
    shared: Shared | None,
) -> list[str]:
    """The hash ID of each event of a document read as columns (`plain_columns`), those found
    plain (`plain`) from their pre-hash built column-wise (from what `shared` holds of their
    texts), the others through their trees."""
    body = document["epcisBody"]
    events = body["eventList"]
    others_at = (~plain).arg_true().to_list()
    others = [events[at] for at in others_at]
    # The terms the document expands, as `json_event_hashes` gathers them; the texts of the
    # events not plain are among the columns too, which costs only their conversion.
    expanded = _expanded_values({**document, "epcisBody": {**body, "eventList": others}})
    for key, word in distinct_words(read):
        _expanded_values({key: word}, found=expanded)

    def written(texts: pl.Series, times: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
        both = pl.concat([texts, times])
        expanding = pl.any_horizontal(pl.col("value").str.starts_with(p) for p in _EXPANDING)
        for value in both.to_frame().filter(expanding)["value"].to_list():
            _expanded_values({"": value}, found=expanded)
        ends = _bare_terms(expanded)
        return (
            _text_frame(texts, ends, time=False, shared=shared),
            _text_frame(times, ends, time=True, shared=shared),
        )

    names = {name: trees.replace(name) for name in ilmd_names(read)}
    pre = plain_prehashes(read, written=written, names=names).to_list()
    for at, event in zip(others_at, others, strict=True):
        pre[at] = prehash(_xml_shape(trees.node(_replace_bare(event, expanded))))
    sha256 = hashlib.sha256
    return ["ni:///sha-256;" + sha256(text.encode()).hexdigest() + "?ver=CBV2.0" for text in pre]


def _read_plain(
    events: list[Any], columns: pa.StructArray | None
) -> tuple[PlainColumns, pl.Series] | None:
    """The events read as `columns` (`plain_columns`) and which of them are plain."""
    read = plain_columns(columns)
    if read is None:
        return None
    # What the columns leave in doubt (a key missing or given null) is checked one by one.
    doubted = (~read.sure).arg_true().to_list()
    return read, read.sure.scatter(doubted, [is_plain_event(events[at]) for at in doubted])


def plain_event_hashes(
    document: Mapping[str, Any], columns: pa.StructArray | None, shared: Shared | None = None
) -> list[str] | None:
    """The hash IDs of a checked document's events when all of them are plain and read as
    columns (`columns` and `shared`, as `json_event_hashes` reads them); else None."""
    trees, events, ignore = _json_events(document)
    if ignore or "eventList" not in document["epcisBody"]:
        return None
    read = _read_plain(events, columns)
    if read is None or not read[1].all():
        return None
    return _column_hashes(document, trees, *read, shared)


def json_event_hashes(
    document: Mapping[str, Any],
    *,
    columns: pa.StructArray | None = None,
    shared: Shared | None = None,
) -> list[str]:
    """The hash ID of each event of an EPCIS JSON document: plain events from the texts of their
    values, canonicalised column-wise, the others through their trees; the same IDs as
    `event_hashes(json_event_trees(document))`.

    A document whose hashes are kept only once the schema accepts it may give its events as
    columns (`plain_columns.event_array` of its eventList): when they are all of plain kinds
    (`plain_columns`), plain events' pre-hash strings are then built by column expressions too,
    sharing the conversions of their texts with the capture's checks and rows (`shared`).
    """
    trees, events, ignore = _json_events(document)
    body = document["epcisBody"]
    if ignore or "eventList" not in body:
        return event_hashes(json_event_trees(document))
    read = _read_plain(events, columns)
    if read is not None:
        return _column_hashes(document, trees, *read, shared)
    texts, others, plain = _PlainTexts(), [], []
    for event in events:
        is_plain = texts.add(event)
        plain.append(is_plain)
        if not is_plain:
            others.append(event)
    # The terms the document expands: from the distinct texts of its plain events, and from
    # the rest of the document as a whole.
    expanded = _expanded_values({**document, "epcisBody": {**body, "eventList": others}})
    expanded = texts.expanded(expanded)
    direct = _PlainPreHash(texts, expanded, trees)
    hashes = []
    for event, is_plain in zip(events, plain, strict=True):
        if is_plain:
            pre = direct.event(event)
        else:
            pre = prehash(_xml_shape(trees.node(_replace_bare(event, expanded))))
        hashes.append(hash_id(pre))
    return hashes


# ---------------------------------------------------------------- on the other core

# Events from which a document hashed through its trees is hashed in a worker process while
# the capture checks it and builds its rows: below, handing the document over costs more than
# the overlap saves.
WORKER_FROM: Final = 2_000
_BROKEN: Final[set[bool]] = set()  # {True} once the worker process has failed


def document_hashes(
    document: Mapping[str, Any],
    xml: bytes | None,
    *,
    columns: pa.StructArray | None,
    shared: Shared | None = None,
) -> list[str]:
    """The hash ID of each event of a captured document (from its XML when it came as XML),
    its events read as `columns` (`plain_columns.event_array`, or None) when they are all of
    plain kinds (converting their texts once with the capture's checks and rows: `shared`).

    The capture keeps them only once the document is checked (`json_event_hashes`' `columns`).
    An XML document of plain events only (and no fields a repository ignores) is hashed from
    its JSON form, column-wise: for plain events the two bindings give the same hash IDs (the
    reference documents' and their twins' are tested).
    """
    if xml is None:
        return json_event_hashes(document, columns=columns, shared=shared)
    found = None if _IGNORE_NS.encode() in xml else plain_event_hashes(document, columns, shared)
    return found if found is not None else event_hashes(xml_event_trees(xml))


def _by_columns(xml: bytes | None, columns: pa.StructArray | None) -> bool:
    """Whether a document of events read as `columns` is hashed column-wise (`document_hashes`)."""
    return of_plain_kinds(columns) and (xml is None or _IGNORE_NS.encode() not in xml)


def _packed_hashes(packed: bytes, xml: bytes | None) -> list[str]:
    """`document_hashes` of a document packed by `marshal` (the worker's side)."""
    # The bytes are the parent's own marshal.dumps of a parsed document, never a client's. A
    # document is handed over only when it is not hashed by columns: none are read here.
    return document_hashes(marshal.loads(packed), xml, columns=None)  # noqa: S302


@cache
def _worker() -> ProcessPoolExecutor:
    # Spawned, not forked: the parent runs DuckDB's and Polars' threads, which a fork would
    # copy mid-state.
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _core_is_free() -> bool:
    """Whether a core besides the caller's is idle now: fewer tasks are runnable (the caller
    among them, /proc/loadavg) than the process may use cores. On a machine already busy, the
    worker would only queue for a core, and the hand-over would be a cost for nothing."""
    cores = len(os.sched_getaffinity(0))
    try:
        runnable = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):  # not Linux: the count of cores alone
        runnable = 1
    return runnable < cores


def hashes_begun(
    document: Mapping[str, Any],
    xml: bytes | None,
    *,
    events: int,
    columns: pa.StructArray | None,
    aside: bool = True,
    shared: Shared | None = None,
) -> Callable[[], list[str]]:
    """Start hashing a document's `events` events, read as `columns` and `shared`
    (`document_hashes`), and give the function that returns their hash IDs.

    Events hashed column-wise are hashed when asked for: from the columns the capture read
    anyway, for less CPU than handing the document to another process costs. Hashing events
    through their trees holds the interpreter's lock: a document of many is hashed in a worker
    process, on another core that is idle, while the caller goes on; a small one (or when no
    core is free) is hashed when asked for. Without `aside` (a caller that is itself one of
    several workers, each on its core), every document is hashed when asked for."""

    def in_process() -> list[str]:
        return document_hashes(document, xml, columns=columns, shared=shared)

    if (
        not aside
        or events < WORKER_FROM
        or _by_columns(xml, columns)
        or _BROKEN
        or not _core_is_free()
    ):
        return in_process
    try:
        # marshal writes JSON's values (dict, list, str, int, float, bool, None) exactly, NaN
        # included, several times faster than pickle; anything else stays here.
        packed = marshal.dumps(dict(document))
    except ValueError:
        return in_process
    future: Future[list[str]] = _worker().submit(_packed_hashes, packed, xml)

    def result() -> list[str]:
        try:
            return future.result()
        except BrokenProcessPool:
            # The worker died or could not start: hashed here, from now on (a worker that
            # failed once would cost its start again and again).
            _BROKEN.add(True)
            return in_process()

    return result
