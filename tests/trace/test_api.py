"""The EPCIS REST binding through HTTP, on both backends: every GS1 example and OpenEPCIS capture
document is captured and comes back whole (JSON and XML alike), each event once; a bad document
is a 400 naming each problem; partners see what they captured or what names them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from psycopg import connect
from sqlalchemy.engine import make_url

from chainhub.trace.hashing import event_hashes, json_event_trees, xml_event_trees
from chainhub.trace.identifiers import canonical_epc
from chainhub.trace.validation import check_xml_schema
from chainhub.trace.xml_binding import parse_xml
from chainhub.trace.xsd_form import STANDARD_PREFIXES
from tests.api.hub import HUAYANG, JINLI, OEM, SITES, TAIHE, Hub, running_hub
from tests.conftest import BACKENDS
from tests.trace.test_documents import JSON_DOCS, XML_DOCS
from tests.trace.test_xml_binding import query_xsd_faults

XML = "application/xml"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _event(event_time: str, epc: str, **more: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": "+08:00",
        "epcList": [epc],
        "action": "OBSERVE",
        "bizStep": "shipping",
        **more,
    }


def _document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


# Taihe ships to Huayang's site (Huayang sees it) and observes at home (only Taihe sees it).
TO_HUAYANG = _event(
    "2026-03-05T10:00:00+08:00",
    "urn:epc:id:sgtin:6901234.012345.1001",
    bizLocation={"id": f"urn:example:site:{SITES[HUAYANG]}"},
)
# Its time is RFC 3339's, as the JSON binding takes it, with a small `t` the XSD's does not take.
AT_TAIHE = _event(
    "2026-03-05t11:00:00+08:00",
    "urn:epc:id:sgtin:6901234.012345.1002",
    bizLocation={"id": f"urn:example:site:{SITES[TAIHE]}"},
)


@dataclass
class Captured:
    """A hub holding every reference document, captured by Jinli, plus Taihe's two events."""

    hub: Hub
    answers: list[tuple[str, int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    # hash ID → (document it first came in, its events as the JSON binding reads them)
    expected: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    event_count: int = 0
    subscription: str = ""


def _read(path: Path) -> tuple[bytes, str, dict[str, Any], list[str]]:
    body = path.read_bytes()
    if path.suffix == ".xml":
        return body, XML, parse_xml(body), event_hashes(xml_event_trees(body))
    document = json.loads(body)
    return body, "application/json", document, event_hashes(json_event_trees(document))


def _capture_all(hub: Hub) -> Captured:
    captured = Captured(hub)
    subscription = hub.post(
        HUAYANG,
        "/api/v1/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "events": ["epcis.captured"]},
    )
    captured.subscription = subscription.json()["subscription_id"]
    for path in JSON_DOCS + XML_DOCS:
        body, media, document, hashes = _read(path)
        response = hub.client.post(
            "/epcis/capture",
            content=body,
            headers={**hub.headers(JINLI), "Content-Type": media},
        )
        captured.answers.append((path.name, response.status_code, response.json(),
                                 dict(response.headers)))  # fmt: skip
        events = document["epcisBody"]["eventList"]
        captured.event_count += len(events)
        for event_hash, event in zip(hashes, events, strict=True):
            captured.expected.setdefault(event_hash, (path.stem, event))
    for event in (TO_HUAYANG, AT_TAIHE):
        assert hub.post(TAIHE, "/epcis/capture", json=_document(event)).status_code == 202
    return captured


@pytest.fixture(scope="module", params=BACKENDS)
def captured(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Captured]:
    """One hub per backend for the module; tests only read it (a rejected capture stores none)."""
    if not JSON_DOCS:
        pytest.skip("reference material not present")
    if request.param == "duckdb":
        folder: Path = tmp_path_factory.mktemp("epcis")
        with running_hub(f"duckdb:///{folder / 'hub.duckdb'}") as hub:
            yield _capture_all(hub)
        return
    admin = make_url(request.getfixturevalue("postgres_admin_url")).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        with running_hub(url) as hub:
            yield _capture_all(hub)
    finally:
        with connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _all_events(
    hub: Hub, who: str, path: str = "/epcis/events", per_page: int = 1000, **params: str
) -> tuple[list[dict[str, Any]], list[str], int]:
    """Every event of a query, page by page: the events, their hash IDs, the pages read."""
    events: list[dict[str, Any]] = []
    hashes: list[str] = []
    url: str | None = path
    query: dict[str, str] | None = {"perPage": str(per_page), **params}
    pages = 0
    while url is not None:
        response = hub.get(who, url, params=query)
        assert response.status_code == 200, response.text
        document = response.json()
        assert document["type"] == "EPCISQueryDocument"
        assert response.headers["GS1-EPCIS-Version"] == "2.0.0"
        page = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        events += page
        hashes += event_hashes(json_event_trees(document))
        pages += 1
        link = response.headers.get("Link")
        url, query = (link.split(">")[0].lstrip("<"), None) if link else (None, None)
    return events, hashes, pages


def _key(event: dict[str, Any]) -> str:
    """An event as captured, to compare: without the record time the hub sets."""
    return json.dumps(
        {k: v for k, v in event.items() if k not in ("recordTime", "@context")}, sort_keys=True
    )


def _stored(captured: Captured, keep: Any = None) -> dict[str, str]:
    """Each stored event as it should come back (with its hash ID as eventID if it had none),
    by its key, with the document it first came in."""
    return {
        _key({"eventID": event_hash, **sent}): source
        for event_hash, (source, sent) in captured.expected.items()
        if keep is None or keep(sent)
    }


def test_every_document_is_captured(captured: Captured) -> None:
    assert len(captured.answers) == len(JSON_DOCS) + len(XML_DOCS) == 152
    failed = [(name, body) for name, status, body, _ in captured.answers if status != 202]
    assert failed == []
    for _, _, body, headers in captured.answers:
        assert headers["location"] == f"/epcis/capture/{body['captureID']}"
        assert body["success"] is True and body["running"] is False
    stored = sum(body["storedCount"] for _, _, body, _ in captured.answers)
    assert captured.event_count == 251
    # The same event, captured again from a twin document, is stored once.
    assert stored == len(captured.expected) == 107
    name, _, body, headers = captured.answers[0]
    job = captured.hub.get(JINLI, headers["location"])
    assert job.status_code == 200
    assert job.json() == body
    assert captured.hub.get(HUAYANG, headers["location"]).status_code == 404
    jobs = captured.hub.get(JINLI, "/epcis/capture", params={"perPage": "1000"}).json()
    assert len(jobs) == 152
    assert len(captured.hub.get(TAIHE, "/epcis/capture").json()) == 2


def test_every_event_comes_back_whole_once_through_the_pages(captured: Captured) -> None:
    events, _, pages = _all_events(captured.hub, JINLI, per_page=7)
    assert pages == 16
    keys = [_key(event) for event in events]
    assert len(keys) == len(set(keys)) == 107
    assert set(keys) == set(_stored(captured))


def test_xml_results_equal_json_results(captured: Captured) -> None:
    events, _, _ = _all_events(captured.hub, JINLI)
    response = captured.hub.client.get(
        "/epcis/events", params={"perPage": "1000"}, headers={**captured.hub.headers(JINLI),
                                                              "Accept": XML})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(XML)
    from_xml = parse_xml(response.content)
    assert from_xml["type"] == "EPCISQueryDocument"
    sources = _stored(captured)
    differ = {
        sources[_key(mine)]
        for mine, theirs in zip(events, from_xml["epcisBody"]["eventList"], strict=True)
        if _key(mine) != _key(theirs)
    }
    assert differ == set()
    # Each prefixed name means in XML what it means in JSON (a prefix several documents bind
    # to different namespaces, cbvmda among them, included).
    answer = captured.hub.get(JINLI, "/epcis/events", params={"perPage": "1000"}).json()
    shared = {**STANDARD_PREFIXES, **_declared(answer["@context"][1:])}
    elements = etree.fromstring(response.content).iterfind(".//EventList/*")
    meanings = {
        sources[_key(mine)]
        for mine, element in zip(events, elements, strict=True)
        if _json_names(mine, {**shared, **_declared(mine.get("@context", []))})
        != _xml_names(element)
    }
    assert meanings == set()


def _declared(context: list[Any]) -> dict[str, str]:
    return {k: v for item in context for k, v in item.items() if isinstance(v, str)}


def _json_names(value: Any, prefixes: dict[str, str]) -> set[tuple[str, str]]:
    """The namespace and local name of every prefixed key in a JSON event (but xsi:type)."""
    found: set[tuple[str, str]] = set()
    if isinstance(value, list):
        for item in value:
            found |= _json_names(item, prefixes)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            prefix, sep, local = key.partition(":")
            if sep and f"{{{prefixes[prefix]}}}{local}" != XSI_TYPE:
                found.add((prefixes[prefix], local))
            found |= _json_names(item, prefixes)
    return found


def _xml_names(event: Any) -> set[tuple[str, str]]:
    """The namespace and local name of every element and attribute of other namespaces than
    the standard's in an XML event (but xsi:type, which JSON also gives as a native type)."""
    found: set[tuple[str, str]] = set()
    for node in event.iter(etree.Element):
        for name in (node.tag, *(a for a in node.attrib if a != XSI_TYPE)):
            qname = etree.QName(name)
            if qname.namespace is not None:
                found.add((qname.namespace, qname.localname))
    return found


def test_every_xml_answer_is_valid_against_the_query_xsd(captured: Captured) -> None:
    hub = captured.hub
    headers = {**hub.headers(OEM), "Accept": XML}
    url: str | None = "/epcis/events"
    params: dict[str, str] | None = {"perPage": "7"}
    pages = events = 0
    while url is not None:
        response = hub.client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert query_xsd_faults(response.content) == [], f"page {pages + 1}"
        events += len(parse_xml(response.content)["epcisBody"]["eventList"])
        pages += 1
        link = response.headers.get("Link")
        url, params = (link.split(">")[0].lstrip("<"), None) if link else (None, None)
    assert (pages, events) == (16, 109)
    # One event, and a named query's results, are EPCISQueryDocuments of the same XSD.
    [own] = [e for e in _all_events(hub, TAIHE)[0] if e["epcList"] == AT_TAIHE["epcList"]]
    one = hub.client.get(f"/epcis/events/{own['eventID'].replace('?', '%3F')}", headers=headers)
    assert one.status_code == 200 and query_xsd_faults(one.content) == []
    query = {"name": "xsd-check", "query": {"eventType": ["ObjectEvent", "AggregationEvent"]}}
    assert hub.post(OEM, "/epcis/queries", json=query).status_code == 201
    named = hub.client.get("/epcis/queries/xsd-check/events", headers=headers)
    assert named.status_code == 200, named.text
    assert query_xsd_faults(named.content) == []
    assert (
        hub.client.delete("/epcis/queries/xsd-check", headers=hub.headers(OEM)).status_code == 204
    )


def _expect(captured: Captured, keep: Any) -> set[str]:
    return set(_stored(captured, keep))


def _keys(hub: Hub, who: str, path: str = "/epcis/events", **params: str) -> set[str]:
    events, _, _ = _all_events(hub, who, path, **params)
    return {_key(event) for event in events}


def _epcs(event: dict[str, Any], *keys: str) -> set[str]:
    found = {canonical_epc(e) for k in keys for e in event.get(k, [])}
    if "parentID" in keys and event.get("parentID"):
        found.add(canonical_epc(event["parentID"]))
    return found


SOME_EPC = "urn:epc:id:sgtin:0614141.107346.2017"
QUERIES: list[tuple[dict[str, str], Any]] = [
    ({"eventType": "AggregationEvent"}, lambda e: e["type"] == "AggregationEvent"),
    ({"eventType": "ObjectEvent|TransformationEvent"},
     lambda e: e["type"] in ("ObjectEvent", "TransformationEvent")),
    ({"EQ_action": "ADD"}, lambda e: e.get("action") == "ADD"),
    ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"},
     lambda e: e.get("bizStep") in ("shipping", "urn:epcglobal:cbv:bizstep:shipping")),
    ({"EQ_disposition": "in_progress"},
     lambda e: e.get("disposition") in ("in_progress", "urn:epcglobal:cbv:disp:in_progress")),
    ({"GE_eventTime": "2020-01-01T00:00:00Z", "LT_eventTime": "2021-01-01T00:00:00+00:00"},
     lambda e: "2020-01-01" <= e["eventTime"][:10] < "2021-01-01"
     and e["eventTime"][:4] == "2020"),
    ({"MATCH_epc": SOME_EPC},
     lambda e: canonical_epc(SOME_EPC) in _epcs(e, "epcList", "childEPCs")),
    ({"MATCH_anyEPC": SOME_EPC}, lambda e: canonical_epc(SOME_EPC) in _epcs(
        e, "epcList", "childEPCs", "inputEPCList", "outputEPCList", "parentID")),
    ({"GT_quantity": "100"}, lambda e: any(
        (q.get("quantity") or 0) > 100 for k in ("quantityList", "childQuantityList",
                                                  "inputQuantityList", "outputQuantityList")
        for q in e.get(k, []))),
]  # fmt: skip


# Ids from the parameters alone: a lambda's repr differs between processes (pytest-xdist).
@pytest.mark.parametrize(("params", "keep"), QUERIES, ids=[str(params) for params, _ in QUERIES])
def test_the_standard_query_parameters_select_alike(
    captured: Captured, params: dict[str, str], keep: Any
) -> None:
    expected = _expect(captured, keep)
    assert expected, "a query that selects nothing tests nothing"
    assert _keys(captured.hub, JINLI, **params) == expected


def test_resources_list_and_select(captured: Captured) -> None:
    hub = captured.hub
    steps = hub.get(JINLI, "/epcis/bizSteps").json()
    assert steps["type"] == "Collection" and "shipping" in steps["member"]
    by_step = _keys(hub, JINLI, "/epcis/bizSteps/shipping/events")
    assert by_step == _keys(hub, JINLI, EQ_bizStep="shipping") and by_step
    by_type = _keys(hub, JINLI, "/epcis/eventTypes/AggregationEvent/events")
    assert by_type == _expect(captured, lambda e: e["type"] == "AggregationEvent")
    assert _keys(hub, JINLI, f"/epcis/epcs/{SOME_EPC}/events") >= _expect(
        captured, lambda e: canonical_epc(SOME_EPC) in _epcs(e, "epcList", "childEPCs")
    )
    types = hub.get(JINLI, "/epcis/eventTypes").json()["member"]
    assert "ObjectEvent" in types and len(types) == 5
    one_hash, (_, sent) = next(iter(captured.expected.items()))
    event = hub.get(JINLI, f"/epcis/events/{one_hash.replace('?', '%3F')}")
    assert event.status_code == 200, event.text
    assert _key(event.json()) == _key({"eventID": one_hash, **sent})


def test_a_partner_sees_what_it_captured_or_what_names_it(captured: Captured) -> None:
    hub = captured.hub
    taihe, _, _ = _all_events(hub, TAIHE)
    huayang, _, _ = _all_events(hub, HUAYANG)
    jinli, _, _ = _all_events(hub, JINLI)
    oem, _, _ = _all_events(hub, OEM)
    admin, _, _ = _all_events(hub, "admin")
    epc = [e["epcList"][0] for e in taihe]
    assert epc == [TO_HUAYANG["epcList"][0], AT_TAIHE["epcList"][0]]
    assert [e["epcList"][0] for e in huayang] == [TO_HUAYANG["epcList"][0]]
    assert not {e for event in jinli for e in event.get("epcList", [])} & set(epc)
    assert len(oem) == len(admin) == 109
    hidden = [e for e in taihe if e["epcList"] == AT_TAIHE["epcList"]][0]["eventID"]
    assert hub.get(HUAYANG, f"/epcis/events/{hidden.replace('?', '%3F')}").status_code == 404
    # Huayang's webhook subscription was told of the event that names it, and of no other.
    log = hub.get(HUAYANG, f"/api/v1/subscriptions/{captured.subscription}/deliveries")
    assert [d["event"] for d in log.json()] == ["epcis.captured"]


def test_a_bad_document_is_a_400_naming_each_problem(captured: Captured) -> None:
    bad = _document(
        _event("2026-03-05T10:00:00", "urn:epc:id:sgtin:6901234.012345.1003"),
        _event("2026-03-05T10:00:00+08:00", "urn:epc:id:sgtin:6901234.012345.1004",
               bizStep="flying", action="JUMP"),
    )  # fmt: skip
    for lang in ("en", "zh"):
        response = captured.hub.client.post(
            "/epcis/capture", json=bad, headers=captured.hub.headers(TAIHE, lang)
        )
        assert response.status_code == 400
        body = response.json()
        assert body["error"]["code"] == "epcis_invalid"
        where = sorted((p["event"], p["field"]) for p in body["problems"])
        assert (0, "eventTime") in where
        assert (1, "action") in where
        assert (1, "bizStep") in where
    # Any JSON number is a schema-valid quantity; a whole one a double cannot hold is named.
    for huge in (2**60, 2**70):
        lot = {"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": huge, "uom": "KGM"}
        epc = "urn:epc:id:sgtin:6901234.012345.1005"
        event = _event("2026-03-05T10:00:00+08:00", epc, quantityList=[lot])
        response = captured.hub.client.post(
            "/epcis/capture", json=_document(event), headers=captured.hub.headers(TAIHE)
        )
        assert response.status_code == 400, response.text
        [problem] = response.json()["problems"]
        assert (problem["event"], problem["field"]) == (0, "quantityList[0].quantity")
    assert len(captured.hub.get(TAIHE, "/epcis/capture").json()) == 2
    reader = captured.hub.client.post(
        "/epcis/capture", json=_document(TO_HUAYANG), headers=captured.hub.headers("jinli-analyst")
    )
    assert reader.status_code == 403
    odd = captured.hub.client.post(
        "/epcis/capture", content=b"a,b", headers={**captured.hub.headers(TAIHE),
                                                   "Content-Type": "text/csv"})  # fmt: skip
    assert odd.status_code == 415
    token = captured.hub.get(TAIHE, "/epcis/events", params={"nextPageToken": "nonsense"})
    assert token.status_code == 400
    unknown = captured.hub.get(TAIHE, "/epcis/events", params={"EQ_colour": "red"})
    assert unknown.status_code == 400


def test_identifiers_are_read_and_checked(captured: Captured) -> None:
    hub = captured.hub
    lot = hub.get(JINLI, "/api/v1/identifiers/(01)06901234567892(17)270301(10)JL260305A")
    assert lot.status_code == 200, lot.text
    assert lot.json() | {"text": ""} == {
        "scheme": "lgtin", "text": "", "class_level": True,
        "uri": "https://id.gs1.org/01/06901234567892/10/JL260305A",
        "parts": {"01": "06901234567892", "10": "JL260305A"},
    }  # fmt: skip
    handle = hub.get(JINLI, "/api/v1/identifiers/88.101.5/P100-2603-A.0001")
    assert handle.json()["uri"] == "hdl:88.101.5/P100-2603-A.0001"
    bad = hub.client.get(
        "/api/v1/identifiers/106141412345678907", headers=hub.headers(JINLI, lang="zh")
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "identifier_invalid" and "校验位应为 8" in bad.text
    assert hub.get(None, "/api/v1/identifiers/106141412345678908").status_code == 401
    scans = hub.get(JINLI, "/api/v1/duplicate-scans")
    assert (scans.status_code, scans.json()) == (200, [])


_XSD_DOCUMENT = """<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
    creationDate="2026-03-05T10:00:00+08:00">
  <EPCISBody><EventList><ObjectEvent>
    {first}
    {second}
    <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
    <epcList><epc>urn:epc:id:sgtin:6901234.012345.1006</epc></epcList>
    <action>OBSERVE</action>
  </ObjectEvent></EventList></EPCISBody>
</epcis:EPCISDocument>"""


def test_an_xml_document_only_the_xsd_refuses_is_a_located_400(captured: Captured) -> None:
    time = "<eventTime>2026-03-05T10:00:00+08:00</eventTime>"
    record = "<recordTime>2026-03-05T10:00:00+08:00</recordTime>"
    good = _XSD_DOCUMENT.format(first=time, second="").encode()
    # Out of the XSD's order is a fault of form only, tolerated; a second eventTime is not.
    reordered = _XSD_DOCUMENT.format(first=record, second=time).encode()
    bad = _XSD_DOCUMENT.format(first=time, second=time).encode()
    for lang, said in (("en", "XSD, line 5"), ("zh", "不符合 EPCIS 2.0 XSD（第 5 行）")):
        headers = {**captured.hub.headers(TAIHE, lang), "Content-Type": XML}
        response = captured.hub.client.post("/epcis/capture", content=bad, headers=headers)
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error"]["code"] == "epcis_invalid"
        [problem] = body["problems"]
        assert problem["field"].endswith("/EPCISBody/EventList/ObjectEvent/eventTime[2]")
        assert problem["message"].startswith(said)
    assert check_xml_schema(good) == check_xml_schema(reordered) == []
