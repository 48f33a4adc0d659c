"""CBV 2.0 event hash IDs reproduce the reference implementation's goldens, from XML and JSON."""

from __future__ import annotations

import json
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import SimpleNamespace

import pytest

from chainhub.trace import hashing
from chainhub.trace.digital_link import check_digit, normalise
from chainhub.trace.hashing import (
    WORKER_FROM,
    event_hashes,
    hash_id,
    hashes_begun,
    is_plain_event,
    json_event_hashes,
    json_event_trees,
    prehash,
    xml_event_trees,
)
from chainhub.trace.plain_columns import event_array, of_plain_kinds, plain_columns
from chainhub.trace.xml_binding import parse_xml
from tests.trace.reference import GOLDEN, GS1, require

SOURCES = (".xml", ".json", ".jsonld")
# Upstream .prehashes files that do not hash to their own .hashes (left stale upstream, whose
# tests check only .hashes): here too the .hashes are the golden.
STALE_PREHASHES = {
    "epcisDocWithAllGS1Keys",
    "epcisDocWithCustomSchemaInContext",
    "epcisDocWithDefaultSchemaInContext",
}


def _trees(path: Path) -> list[object]:
    if path.suffix == ".xml":
        return xml_event_trees(path.read_bytes())
    return json_event_trees(json.loads(path.read_text(encoding="utf-8")))


def _examples() -> list[Path]:
    folder = GOLDEN / "examples"
    return sorted(p for p in folder.glob("*") if p.suffix in SOURCES) if folder.exists() else []


def _equal_sets() -> list[Path]:
    folder = GOLDEN / "expected_equal"
    return sorted(p for p in folder.glob("*") if p.suffix in SOURCES) if folder.exists() else []


def test_reference_material_is_there() -> None:
    require(GOLDEN)
    assert len(_examples()) == 39
    assert len(_equal_sets()) == 11


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_hashes_reproduce_the_golden(path: Path) -> None:
    expected = path.with_suffix(".hashes").read_text(encoding="utf-8").splitlines()
    assert [hash_id(prehash(t)) for t in _trees(path)] == expected


@pytest.mark.parametrize(
    "path",
    [p for p in _examples() if p.with_suffix(".prehashes").exists()],
    ids=lambda p: p.name,
)
def test_prehashes_reproduce_the_golden(path: Path) -> None:
    lines = path.with_suffix(".prehashes").read_text(encoding="utf-8").splitlines()
    expected = [line for line in lines if line]
    hashes = path.with_suffix(".hashes").read_text(encoding="utf-8").splitlines()
    got = [prehash(t) for t in _trees(path)]
    if path.stem in STALE_PREHASHES:
        assert [hash_id(p) for p in expected] != hashes
        assert [hash_id(p) for p in got] == hashes
    else:
        assert got == expected


@pytest.mark.parametrize("path", _equal_sets(), ids=lambda p: p.name)
def test_representations_of_one_event_hash_equal(path: Path) -> None:
    trees = _trees(path)
    assert len(trees) >= 2
    assert len({hash_id(prehash(t)) for t in trees}) == 1


def test_all_examples_hash_distinct_events_apart() -> None:
    hashes = [hash_id(prehash(t)) for p in _examples() if p.suffix == ".xml" for t in _trees(p)]
    assert hashes and len(hashes) == len(set(hashes))


def test_epc_uris_become_canonical_digital_link() -> None:
    assert check_digit("061414112345") == 2
    assert normalise("urn:epc:id:sgtin:0614141.112345.400") == (
        "https://id.gs1.org/01/10614141123459/21/400"
    )
    assert (
        normalise("urn:epc:id:sscc:0614141.1234567890")
        == "https://id.gs1.org/00/106141412345678908"
    )
    assert normalise("urn:epc:id:sgln:0614141.00777.0") == "https://id.gs1.org/414/0614141007776"
    assert normalise("urn:epc:class:lgtin:4012345.012345.998877") == (
        "https://id.gs1.org/01/04012345123456/10/998877"
    )
    assert normalise("https://example.com/gtin/9520123456788/lot/A1/ser/12?x=1") == (
        "https://id.gs1.org/01/09520123456788/21/12"
    )
    assert normalise("shipping") is None


def _reference_json() -> list[dict[str, object]]:
    folders = [GOLDEN / "examples", GS1 / "JSON", GS1 / "JSON-simple-context"]
    documents = []
    for folder in folders:
        for path in sorted(folder.glob("**/*.json*")) if folder.exists() else []:
            document = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(document, dict) and "eventList" in document.get("epcisBody", {}):
                documents.append(document)
    return documents


def _plain_variants() -> dict[str, object]:
    """Plain events in the spellings a capture meets: bare words, CBV URNs and web URIs, EPC
    URIs and Digital Links, fractions of seconds, several EPCs, typed transactions and parties."""
    epcs = [
        "urn:epc:id:sgtin:0614141.812345.10",
        "https://id.gs1.org/01/80614141123458/21/9",
        "urn:chainhub:nmpa:81234560000000012345",
        "hdl:88.101.5/P100-0001",
    ]
    steps = [
        "shipping",
        "urn:epcglobal:cbv:bizstep:receiving",
        "https://ref.gs1.org/cbv/BizStep-packing",
    ]
    events = []
    for i, step in enumerate(steps * 3):
        event: dict[str, object] = {
            "type": ("ObjectEvent", "AggregationEvent", "TransformationEvent")[i % 3],
            "eventTime": f"2026-03-0{1 + i % 9}T0{i % 10}:00:00.{i * 137 % 10000:04d}+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizStep": step,
            "disposition": ("in_progress", "urn:epcglobal:cbv:disp:in_transit")[i % 2],
            "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
        }
        if event["type"] == "ObjectEvent":
            event |= {
                "epcList": epcs[i % 4 :],
                "ilmd": {"cbvmda:lotNumber": f"L{i}", "example:grade": "A", "x:note": " "},
                "action": "OBSERVE",
                "bizTransactionList": [
                    {"type": "po", "bizTransaction": f"urn:x:po:{i}"},
                    {"type": "desadv", "bizTransaction": "urn:x:a"},
                ],
                "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"}],
                "destinationList": [
                    {"type": "location", "destination": "urn:epc:id:sgln:0614141.00888.0"}
                ],
            }
        elif event["type"] == "AggregationEvent":
            event |= {
                "parentID": "urn:epc:id:sscc:0614141.1234567890",
                "childEPCs": epcs,
                "action": "ADD",
                "bizLocation": {"id": "urn:epc:id:sgln:0614141.00888.0"},
            }
        else:
            event |= {
                "inputEPCList": epcs[:2],
                "outputEPCList": epcs[2:],
                "transformationID": "urn:x:t1",
            }
        events.append(event)
    return {
        "@context": [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {"example": "https://example.com/voc/"},
        ],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


@pytest.mark.parametrize("written", ["one by one", "column-wise"])
def test_plain_events_hash_directly_as_their_trees_do(
    written: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain events' texts are written one by one in a small document, column-wise in a large
    one (here, in every document): both give the trees' hashes."""
    if written == "column-wise":
        monkeypatch.setattr(hashing, "_FEW_TEXTS", 0)
        monkeypatch.setattr(hashing, "_FEW_TIMES", 0)
    documents = [*_reference_json(), _plain_variants()]
    plain = 0
    for document in documents:
        assert json_event_hashes(document) == [
            hash_id(prehash(tree)) for tree in json_event_trees(document)
        ]
        plain += sum(1 for e in document["epcisBody"]["eventList"] if is_plain_event(e))  # type: ignore[index]
    assert plain >= 40


def _doubtful_variants() -> dict[str, object]:
    """Plain events beside others whose kind Arrow cannot tell: ilmd fields that differ from
    event to event (one given null), a blank party, an empty list, a place of no id."""
    document = _plain_variants()
    events: list[dict[str, object]] = document["epcisBody"]["eventList"]  # type: ignore[index]
    events[0]["ilmd"] = {"cbvmda:lotNumber": "L0"}
    events[3]["ilmd"] = {"cbvmda:lotNumber": "L3", "example:grade": None}
    events[6]["sourceList"] = [{"type": "owning_party", "source": " \u3000"}]
    events[1]["childEPCs"] = []
    events[2]["readPoint"] = {}
    return document


def test_plain_events_read_as_columns_hash_as_their_trees_do() -> None:
    """A checked document of plain kinds is read as columns (its events in doubt one by one):
    the same hashes as its trees, and the reference documents' too."""
    columns = [_plain_variants(), _doubtful_variants()]
    for document in columns:
        assert plain_columns(event_array(document["epcisBody"]["eventList"])) is not None  # type: ignore[index]
    for document in [*_reference_json(), *columns]:
        read = event_array(document["epcisBody"]["eventList"])  # type: ignore[index]
        assert json_event_hashes(document, columns=read) == [
            hash_id(prehash(tree)) for tree in json_event_trees(document)
        ]


def test_a_large_document_is_hashed_in_a_worker_as_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker process gives the goldens' hashes, from JSON and XML; a small document is
    hashed in process, only when asked."""
    require(GOLDEN)
    # Whether a core is idle depends on the machine's load at the time: here one is.
    monkeypatch.setattr(hashing, "_core_is_free", lambda: True)
    json_path = GOLDEN / "examples" / "epcisDocWithVariousEventTypes.jsonld"
    xml_path = json_path.with_suffix(".xml")
    expected = json_path.with_suffix(".hashes").read_text(encoding="utf-8").splitlines()
    document = json.loads(json_path.read_text(encoding="utf-8"))
    columns = event_array(document["epcisBody"]["eventList"])
    assert plain_columns(columns) is None  # events of many kinds: hashed through their trees
    # Told it has many events, the document goes to the worker whatever its real size.
    from_json = hashes_begun(document, None, events=WORKER_FROM, columns=columns)
    from_xml = hashes_begun(document, xml_path.read_bytes(), events=WORKER_FROM, columns=columns)
    assert from_json() == expected
    assert from_xml() == expected
    assert hashes_begun(document, None, events=1, columns=columns)() == expected


def test_a_large_document_of_plain_kinds_is_hashed_by_columns_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Events of plain kinds, however many, are hashed from the capture's own columns, never
    handed to the worker; from JSON, and from XML (the goldens')."""
    require(GOLDEN)
    monkeypatch.setattr(hashing, "_core_is_free", lambda: True)
    submitted: list[object] = []
    worker = SimpleNamespace(submit=lambda *args: submitted.append(args))
    monkeypatch.setattr(hashing, "_worker", lambda: worker)
    document = _plain_variants()
    columns = event_array(document["epcisBody"]["eventList"])  # type: ignore[index]
    assert plain_columns(columns) is not None
    expected = [hash_id(prehash(tree)) for tree in json_event_trees(document)]
    assert hashes_begun(document, None, events=WORKER_FROM, columns=columns)() == expected
    from_xml = 0
    for path in sorted((GOLDEN / "examples").glob("*.xml")):
        body = path.read_bytes()
        read = parse_xml(body)
        columns = event_array(read["epcisBody"]["eventList"])
        if of_plain_kinds(columns) and b"repository-x" not in body:
            hashes_of = hashes_begun(read, body, events=WORKER_FROM, columns=columns)
            assert hashes_of() == path.with_suffix(".hashes").read_text().splitlines()
            from_xml += 1
    assert from_xml >= 3
    assert submitted == []


def test_a_worker_that_fails_leaves_the_hashing_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    require(GOLDEN)
    path = GOLDEN / "examples" / "epcisDocWithVariousEventTypes.jsonld"
    expected = path.with_suffix(".hashes").read_text(encoding="utf-8").splitlines()
    document = json.loads(path.read_text(encoding="utf-8"))
    failed: Future[list[str]] = Future()
    failed.set_exception(BrokenProcessPool("the worker could not start"))
    submitted: list[object] = []
    worker = SimpleNamespace(submit=lambda *args: submitted.append(args) or failed)
    monkeypatch.setattr(hashing, "_worker", lambda: worker)
    monkeypatch.setattr(hashing, "_core_is_free", lambda: True)
    monkeypatch.setattr(hashing, "_BROKEN", set())
    many = {"events": WORKER_FROM, "columns": None}
    assert hashes_begun(document, None, **many)() == expected  # type: ignore[arg-type]
    # Not handed to a worker again.
    assert hashes_begun(document, None, **many)() == expected  # type: ignore[arg-type]
    assert len(submitted) == 1


def test_an_extension_wrapper_with_attributes_hashes_as_a_plain_one() -> None:
    # The wrappers are opened on the tree: an attribute or a namespace declaration on the
    # opening tag once left its closing tag alone in the text, which no longer parsed.
    path = require(GOLDEN) / "examples" / "epcisXmlDocHavingEventWithIgnoreFields.xml"
    body = path.read_bytes()
    assert b"<extension>" in body
    dressed = body.replace(b"<extension>", b'<extension xmlns:z="urn:example:z" z:note="1">')
    expected = event_hashes(xml_event_trees(body))
    assert expected and event_hashes(xml_event_trees(dressed)) == expected
