"""The isolation matrix: every API route, every partner; nobody reads another's private data.

Requests are generated from the app's route table as its OpenAPI document publishes it, so a new
route is covered without touching this file; a route with a path parameter this file has no
samples for fails the test.
"""

from __future__ import annotations

import csv
import io
import re
from copy import deepcopy
from datetime import UTC, datetime
from itertools import product
from typing import Any
from urllib.parse import quote

import pytest

from chainhub.equipment.parse import parse_message
from chainhub.equipment.service import do_store_telemetry
from chainhub.kpi.catalogue import get_registry
from chainhub.standard.registry import get_document_type
from tests.api.hub import (
    DOCUMENTS,
    HUAYANG,
    JINLI,
    LINE_VISIBLE_TO,
    OEM,
    PARTNERS,
    SITES,
    VISIBLE_TO,
    Hub,
)
from tests.equipment import worked

CALLERS = (*PARTNERS, "jinli-analyst", "jinli-member")
MACHINES = {HUAYANG: "HY-PRIVATE-CNC", JINLI: "JL-PRIVATE-CNC"}
QUERY = {"/api/v1/events": {"timeout": "0.3"}}
SUBSCRIBER_URL = "http://127.0.0.1:9/huayang-private-hook"
PRIVATE_QUERY = "huayang-private-query"
QUERY_SUBSCRIBER_URL = "http://127.0.0.1:9/huayang-private-query-hook"


def _store_telemetry(hub: Hub, partner: str, machine: str) -> None:
    rows = []
    for topic, payload in worked.messages(partner, SITES[partner], machine):
        parsed = parse_message(topic=topic, payload=payload, received_at=datetime.now(UTC))
        assert isinstance(parsed, dict)
        rows.append(parsed)
    with hub.engine.begin() as conn:
        do_store_telemetry(conn=conn, rows=rows)


def _owner(caller: str) -> str:
    return {"jinli-analyst": JINLI, "jinli-member": JINLI}.get(caller, caller)


def _doc_keys() -> list[tuple[str, str]]:
    keys = []
    for number, (_submitter, document_type, document) in DOCUMENTS.items():
        from chainhub.standard.registry import get_document_type

        key = "|".join(str(document[k]) for k in get_document_type(document_type).key)
        keys.append((document_type, key))
        assert number in key or document_type == "inventory_snapshot"
    return keys


def _markers(hub: Hub) -> dict[str, frozenset[str]]:
    """Strings only the named partners may ever receive."""
    markers = {**VISIBLE_TO, **LINE_VISIBLE_TO}
    for partner, agreement_id in hub.agreements.items():
        markers[agreement_id] = frozenset({OEM, partner})
    subscription = hub.private["subscription_id"]
    markers[subscription] = frozenset({HUAYANG})
    markers[SUBSCRIBER_URL] = frozenset({HUAYANG})
    markers[hub.private["query_subscription_id"]] = frozenset({HUAYANG})
    markers[QUERY_SUBSCRIBER_URL] = frozenset({HUAYANG})
    markers["huayang-signature-token"] = frozenset()
    markers["urn:epc:id:sgtin:6901234.012345.7777"] = frozenset({HUAYANG})
    for name, token in hub.tokens.items():
        token_id = token.split("_")[1]
        markers[token_id] = frozenset({_owner(name)}) if name != "admin" else frozenset()
        markers[token.split("_", 2)[2]] = frozenset()
    return markers


def _samples(hub: Hub, caller: str) -> dict[str, list[Any]]:
    own_token = hub.tokens[caller].split("_")[1]
    return {
        "document_type,doc_key": _doc_keys(),
        "document_type": sorted({t for _s, t, _d in DOCUMENTS.values()}),
        "agreement_id": list(hub.agreements.values()),
        "subscription_id": [hub.private["subscription_id"]],
        "recall_id": [hub.private["recall_id"]],
        "token_id": [
            t.split("_")[1] for n, t in hub.tokens.items() if t.split("_")[1] != own_token
        ],
        "kpi_id": list(get_registry()),
        "version": ["1"],
        "lot": sorted(_lots()),
        "site_id": [*SITES.values(), "no-such-site"],
        # The seeded hub holds no EPCIS capture: these ask for what does not exist or is empty.
        "captureID": ["00000000-0000-0000-0000-000000000000"],
        "eventID": ["ni:///sha-256;00?ver=CBV2.0"],
        "epc": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "eventType": ["ObjectEvent"],
        "bizStep": ["shipping"],
        "bizLocation": ["urn:epc:id:sgln:0614141.00888.0"],
        "readPoint": ["urn:epc:id:sgln:0614141.00888.0"],
        "disposition": ["in_transit"],
        # Huayang's named query and its subscription: no one else may read or end them.
        "queryName": [PRIVATE_QUERY, "no-such-query"],
        "queryName,subscriptionID": [(PRIVATE_QUERY, hub.private["query_subscription_id"])],
        # The seeded hub holds no replenishment proposal (tests/plan checks who decides one).
        "proposal_id": ["00000000-0000-0000-0000-000000000000"],
        # Reading an identifier parses the caller's own string: nothing stored is shown.
        "code": ["06901234567892", "88.101.5/ABC-1"],
    }


def _lots() -> set[str]:
    """Every lot number the seeded documents carry, to trace as each caller."""
    lots = set()
    for _sender, _type, document in DOCUMENTS.values():
        for line in document.get("lines", []):
            if line.get("lot_number"):
                lots.add(line["lot_number"])
    return lots


def _requests(hub: Hub, caller: str) -> list[tuple[str, str]]:
    """(method, url) for every API route and every sample of its path parameters."""
    samples = _samples(hub, caller)
    requests = []
    paths = hub.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    assert len(paths) > 30
    for path_template, operations in paths.items():
        params = re.findall(r"{(\w+)}", path_template)
        values: list[Any] = [()]
        if params:
            joined = ",".join(params)
            assert joined in samples, f"no samples for {joined} of {path_template}"
            values = [v if isinstance(v, tuple) else (v,) for v in samples[joined]]
        query = "&".join(f"{k}={v}" for k, v in QUERY.get(path_template, {}).items())
        for method, value in product(sorted(operations), values):
            path = path_template
            for name, item in zip(params, value, strict=True):
                path = path.replace(f"{{{name}}}", quote(item, safe=""))
            requests.append((method.upper(), f"{path}?{query}" if query else path))
    return requests


def test_no_partner_receives_another_partners_private_data(hub: Hub) -> None:
    subscription = {"url": SUBSCRIBER_URL, "events": ["purchase_order.created"]}
    created = hub.post(HUAYANG, "/api/v1/subscriptions", json=subscription)
    hub.private["subscription_id"] = created.json()["subscription_id"]
    # A recall case of Jinli's lot, opened by the leader: Jinli sees its line, no one else's.
    recall = {"lot": "JL260305A", "material_code": "M004"}
    hub.private["recall_id"] = hub.post(OEM, "/api/v1/recalls", json=recall).json()["recall_id"]
    # A named query of Huayang's (its query names an EPC only Huayang may learn) and a stream
    # subscription to it.
    named = {
        "name": PRIVATE_QUERY,
        "query": {"MATCH_epc": ["urn:epc:id:sgtin:6901234.012345.7777"]},
    }
    assert hub.post(HUAYANG, "/epcis/queries", json=named).status_code == 201
    stream = {
        "dest": QUERY_SUBSCRIBER_URL,
        "signatureToken": "huayang-signature-token",
        "stream": True,
    }
    answer = hub.post(HUAYANG, f"/epcis/queries/{PRIVATE_QUERY}/subscriptions", json=stream)
    hub.private["query_subscription_id"] = answer.json()["subscriptionID"]
    markers = _markers(hub)
    # Machines' telemetry: its partner and the chain leader see it.
    for partner, machine in MACHINES.items():
        _store_telemetry(hub, partner, machine)
        markers[machine] = frozenset({partner, OEM})
    statuses: dict[int, int] = {}
    seen: dict[str, set[str]] = {caller: set() for caller in CALLERS}
    # Every read of every caller first, so that no write (a revoked agreement) hides a leak.
    calls = sorted(
        ((caller, method, url) for caller in CALLERS for method, url in _requests(hub, caller)),
        key=lambda call: call[1] != "GET",
    )
    for caller, method, url in calls:
        response = hub.client.request(
            method, url, headers=hub.headers(caller), json={} if method == "POST" else None
        )
        assert response.status_code < 500, (caller, method, url, response.text)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        # An id the caller sent may come back in the error that refuses it.
        leaked = [
            m
            for m, allowed in markers.items()
            if m in response.text and _owner(caller) not in allowed and quote(m) not in url
        ]
        assert leaked == [], (caller, method, url, leaked)
        seen[caller].update(m for m in markers if m in response.text)
    # The matrix reaches everything each caller may see, so its silence is meaningful.
    for caller in CALLERS:
        expected = {
            m
            for m, allowed in {**VISIBLE_TO, **LINE_VISIBLE_TO}.items()
            if _owner(caller) in allowed
        }
        assert expected <= seen[caller], (caller, sorted(expected - seen[caller]))
    assert statuses.get(200, 0) > 100 and statuses.get(404, 0) > 10


@pytest.mark.parametrize("caller", [p for p in PARTNERS if p != OEM])
def test_a_partner_lists_only_its_slice(shared_hub: Hub, caller: str) -> None:
    numbers = set()
    for document_type in sorted({t for _s, t, _d in DOCUMENTS.values()}):
        page = shared_hub.get(caller, f"/api/v1/documents/{document_type}").json()
        numbers.update(m for m in VISIBLE_TO for r in page["records"] if m in str(r.values()))
    assert numbers == {m for m, allowed in VISIBLE_TO.items() if caller in allowed}


# Writes: every partner tries to replace, take over or cancel what others own, through every entry.
WRITERS = (*PARTNERS, "jinli-member")
SITE_DOCS = {f"SITE-{p}": (p, "site", s) for p, s in SITES.items()}


def _site(partner: str, site: str) -> dict[str, Any]:
    return {
        "site_id": site,
        "partner_id": partner,
        "name_zh": f"{site} 场所",
        "name_en": site,
        "site_type": "plant",
        "city": "佛山",
    }


def _documents() -> dict[str, tuple[str, dict[str, Any], frozenset[str]]]:
    """Marker → (document type, document, its parties), sites included."""
    docs = {}
    for marker, (_submitter, document_type, document) in DOCUMENTS.items():
        parties = get_document_type(document_type).parties
        docs[marker] = (document_type, document, frozenset(document[p] for p in parties))
    for marker, (partner, _type, site) in SITE_DOCS.items():
        docs[marker] = ("site", _site(partner, site), frozenset({partner}))
    return docs


def _taken_over(document_type: str, document: dict[str, Any], caller: str) -> dict[str, Any]:
    """The document with the caller named in every party field outside its key, cancelled."""
    doc_type = get_document_type(document_type)
    hostile = deepcopy(document)
    for party in doc_type.parties:
        if party not in doc_type.key:
            hostile[party] = caller
    if "status" in doc_type.header_fields and document_type != "shipment":
        hostile["status"] = "cancelled"
    if doc_type.revision_field:
        hostile[doc_type.revision_field] = 4
    return hostile


def _flat_csv(document_type: str, document: dict[str, Any]) -> bytes:
    """The document in the standard's flat form, one row per line."""
    doc_type = get_document_type(document_type)
    header = {k: v for k, v in document.items() if k != doc_type.lines_field}
    lines = document.get(doc_type.lines_field or "", None) or [{}]
    rows = [{**header, **line} for line in lines]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _history(hub: Hub, document_type: str, key: str) -> list[tuple[int, str]]:
    body = hub.get("admin", f"/api/v1/history/{document_type}/{quote(key, safe='')}").json()
    return [(v["version"], v["submitted_by"]) for v in body["versions"]]


def _key(document_type: str, document: dict[str, Any]) -> str:
    return "|".join(str(document[k]) for k in get_document_type(document_type).key)


def _writable(caller: str, parties: frozenset[str], document_type: str) -> bool:
    """Whether the caller could take the document over: it is not a party and the key lets it
    (the chain leader publishes master data for the whole chain)."""
    doc_type = get_document_type(document_type)
    if doc_type.master and caller == OEM:
        return False
    return _owner(caller) not in parties and any(p not in doc_type.key for p in doc_type.parties)


def test_no_partner_replaces_takes_over_or_cancels_what_others_own(hub: Hub) -> None:
    documents = _documents()
    before = {m: _history(hub, t, _key(t, d)) for m, (t, d, _p) in documents.items()}
    tried = 0
    for caller, (marker, (document_type, document, parties)) in product(WRITERS, documents.items()):
        if not _writable(caller, parties, document_type):
            continue
        hostile = _taken_over(document_type, document, _owner(caller))
        batch = hub.client.post(
            f"/api/v1/documents/{document_type}",
            headers=hub.headers(caller),
            json={"documents": [hostile]},
        )
        upload = hub.client.post(
            f"/api/v1/documents/{document_type}/upload",
            headers=hub.headers(caller, "zh"),
            files={"file": ("po.csv", _flat_csv(document_type, hostile), "text/csv")},
        )
        for response, lang in ((batch, "en"), (upload, "zh")):
            assert response.status_code == 403, (caller, marker, response.text)
            error = response.json()["error"]
            assert error["code"] == "not_a_party_of_document", (caller, marker, error)
            assert error["location"]["document"] == _key(document_type, document)
            expected = "不是已存" if lang == "zh" else "is not a party of the stored"
            assert expected in error["message"], error
        tried += 1
    assert tried >= 30
    after = {m: _history(hub, t, _key(t, d)) for m, (t, d, _p) in documents.items()}
    assert after == before
    for marker, (document_type, document, parties) in documents.items():
        for party in parties:
            url = (
                f"/api/v1/documents/{document_type}/{quote(_key(document_type, document), safe='')}"
            )
            assert hub.get(party, url).status_code == 200, (party, marker)


def test_a_party_cannot_swap_the_parties_or_cancel_what_only_the_other_may(hub: Hub) -> None:
    _submitter, _type, order = DOCUMENTS["PO-HC-HY-1"]
    swapped = {**order, "supplier_id": JINLI, "revision": 1}
    refused = hub.submit(OEM, "purchase_order", swapped)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "parties_changed")
    cancelled = {**order, "status": "cancelled", "revision": 1}
    by_supplier = hub.submit(HUAYANG, "purchase_order", cancelled)
    assert by_supplier.status_code == 403, by_supplier.text
    error = by_supplier.json()["error"]
    assert (error["code"], error["location"]["field"]) == ("cancel_not_allowed", "status")
    assert "buyer_id" in error["message"]
    line_cancelled = deepcopy(order) | {"revision": 1}
    line_cancelled["lines"][0]["line_status"] = "cancelled"
    zh = hub.client.post(
        "/api/v1/documents/purchase_order",
        headers=hub.headers(HUAYANG, "zh"),
        json={"documents": [line_cancelled]},
    )
    assert zh.status_code == 403
    assert (
        "只有 purchase_order haichuan|PO-HC-HY-1 的 buyer_id 可以取消"
        in zh.json()["error"]["message"]
    )
    # The supplier may still send a new version; the buyer may cancel.
    confirmed = {**order, "status": "confirmed", "revision": 1}
    assert hub.submit(HUAYANG, "purchase_order", confirmed).status_code == 201
    assert hub.submit(OEM, "purchase_order", {**cancelled, "revision": 2}).status_code == 201
    key = "haichuan|PO-HC-HY-1"
    assert _history(hub, "purchase_order", key) == [(1, OEM), (2, HUAYANG), (3, OEM)]
