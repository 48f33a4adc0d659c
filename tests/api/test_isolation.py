"""The isolation matrix: every API route, every partner; nobody reads another's private data.

Requests are generated from the app's route table as its OpenAPI document publishes it, so a new
route is covered without touching this file; a route with a path parameter this file has no
samples for fails the test.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.hub import (
    DOCUMENTS,
    HUAYANG,
    JINLI,
    LINE_VISIBLE_TO,
    OEM,
    PARTNERS,
    VISIBLE_TO,
    Hub,
)

CALLERS = (*PARTNERS, "jinli-analyst", "jinli-member")
QUERY = {"/api/v1/events": {"timeout": "0.3"}}
SUBSCRIBER_URL = "http://127.0.0.1:9/huayang-private-hook"


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
        "token_id": [
            t.split("_")[1] for n, t in hub.tokens.items() if t.split("_")[1] != own_token
        ],
    }


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
    markers = _markers(hub)
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
