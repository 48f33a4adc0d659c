"""Named queries and stream subscriptions of the EPCIS REST binding, on both backends: per
partner, validated against query-schema.json, run with the caller's visibility, and streamed to a
signed webhook with the subscriber's visibility."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from chainhub.partners.delivery import DeliveryWorker
from chainhub.partners.models import webhook_deliveries
from chainhub.partners.webhooks import get_signature
from chainhub.trace.models import trace_query_subscriptions
from chainhub.trace.named_queries import do_run_schedules
from chainhub.trace.service import do_capture
from tests.api.hub import HUAYANG, JINLI, TAIHE, Hub, running_hub
from tests.partners.test_webhooks import Receiver, _wait_for
from tests.trace.reference import GS1, require
from tests.trace.test_api import AT_TAIHE, TO_HUAYANG, _document

TOKEN = "13df38d8275b13f05704629e5f1cf3d45d6132d5"  # the binding's example signatureToken


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    with running_hub(database_url) as seeded:
        worker: DeliveryWorker = seeded.client.app.state.runtime.worker  # type: ignore[attr-defined]
        worker.poll_seconds = 0.1
        worker.backoff = timedelta(milliseconds=100)
        yield seeded


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=0)
    yield server
    server.close()


def _binding_example() -> dict[str, Any]:
    """The CreateQuery example of the binding's OpenAPI (QueryDefinition)."""
    openapi = require(GS1 / "REST Bindings" / "openapi.yaml")
    spec = yaml.safe_load(openapi.read_text(encoding="utf-8"))
    example: dict[str, Any] = spec["components"]["schemas"]["QueryDefinition"]["example"]
    return example


def _gs1(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(require(GS1 / "JSON" / name).read_text(encoding="utf-8"))
    return document


def _event_ids(document: dict[str, Any]) -> list[str]:
    return [e["eventID"] for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def test_create_list_get_delete_a_named_query(hub: Hub) -> None:
    example = _binding_example()
    created = hub.post(JINLI, "/epcis/queries", json=example)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/epcis/queries/{example['name']}"
    assert created.json() == example
    assert hub.post(JINLI, "/epcis/queries", json=example).status_code == 409
    # Names are per partner: Huayang may use the same one, and sees only its own.
    other = {"name": example["name"], "query": {"EQ_bizStep": ["receiving"]}}
    assert hub.post(HUAYANG, "/epcis/queries", json=other).status_code == 201
    assert hub.post(JINLI, "/epcis/queries", json={**example, "name": "second"}).status_code == 201

    assert hub.get(JINLI, f"/epcis/queries/{example['name']}").json() == example
    assert hub.get(HUAYANG, f"/epcis/queries/{example['name']}").json() == other
    assert hub.get(TAIHE, f"/epcis/queries/{example['name']}").status_code == 404
    first = hub.get(JINLI, "/epcis/queries", params={"perPage": 1})
    assert first.json() == [example]
    link = first.headers["Link"]
    assert link.endswith('; rel="next"')
    second = hub.client.get(link[1 : link.index(">")], headers=hub.headers(JINLI))
    assert second.json() == [{**example, "name": "second"}]
    assert "Link" not in second.headers
    every = hub.get("admin", "/epcis/queries").json()
    assert sorted((q["partnerID"], q["name"]) for q in every) == [
        (HUAYANG, example["name"]), (JINLI, example["name"]), (JINLI, "second"),
    ]  # fmt: skip

    deleted = hub.client.delete(f"/epcis/queries/{example['name']}", headers=hub.headers(JINLI))
    assert deleted.status_code == 204
    assert hub.get(JINLI, f"/epcis/queries/{example['name']}").status_code == 404
    assert hub.get(HUAYANG, f"/epcis/queries/{example['name']}").json() == other


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"EQ_bizStepp": ["shipping"]}, "query.EQ_bizStepp"),
        ({"EQ_action": ["JUMP"]}, "query.EQ_action.0"),
        ({"GE_eventTime": "yesterday"}, "query.GE_eventTime"),
        ({"eventType": "ObjectEvent"}, "query.eventType"),
    ],
)
def test_an_invalid_query_is_a_400_naming_the_key(
    hub: Hub, query: dict[str, Any], field: str
) -> None:
    answer = hub.post(JINLI, "/epcis/queries", json={"name": "bad", "query": query})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "epcis_query_invalid"
    assert error["location"] == {"field": field}
    assert field.split(".")[1] in error["message"]
    assert hub.get(JINLI, "/epcis/queries/bad").status_code == 404


def test_a_valid_query_the_engine_cannot_answer_is_a_400_naming_it(hub: Hub) -> None:
    body = {"name": "persistent", "query": {"EQ_persistentDisposition_set": ["recalled"]}}
    answer = hub.post(JINLI, "/epcis/queries", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["location"] == {"parameter": "EQ_persistentDisposition_set"}


def test_a_named_query_shows_each_partner_only_what_it_may_see(hub: Hub) -> None:
    assert (
        hub.post(TAIHE, "/epcis/capture", json=_document(TO_HUAYANG, AT_TAIHE)).status_code == 202
    )
    query = {"name": "shipped", "query": {"EQ_bizStep": ["shipping"], "eventType": ["ObjectEvent"]}}
    for partner in (TAIHE, HUAYANG, JINLI):
        assert hub.post(partner, "/epcis/queries", json=query).status_code == 201

    def epcs(partner: str) -> list[str]:
        answer = hub.get(partner, "/epcis/queries/shipped/events")
        assert answer.status_code == 200
        results = answer.json()["epcisBody"]["queryResults"]
        assert results["queryName"] == "shipped"
        return [e["epcList"][0] for e in results["resultsBody"]["eventList"]]

    assert epcs(TAIHE) == [TO_HUAYANG["epcList"][0], AT_TAIHE["epcList"][0]]
    assert epcs(HUAYANG) == [TO_HUAYANG["epcList"][0]]
    assert epcs(JINLI) == []
    xml = hub.client.get("/epcis/queries/shipped/events", headers={
        **hub.headers(HUAYANG), "Accept": "application/xml"})  # fmt: skip
    assert xml.headers["content-type"].startswith("application/xml")
    assert b"1001" in xml.content and b"1002" not in xml.content
    paged = hub.get(TAIHE, "/epcis/queries/shipped/events", params={"perPage": 1})
    assert len(paged.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1
    assert "nextPageToken=" in paged.headers["Link"]
    # The named query is the whole query; a WebSocket subscription is not offered.
    extra = hub.get(TAIHE, "/epcis/queries/shipped/events", params={"EQ_action": "ADD"})
    assert extra.status_code == 400
    socket = hub.get(TAIHE, "/epcis/queries/shipped/events", params={"stream": "true"})
    assert socket.status_code == 501
    assert socket.json()["error"]["code"] == "epcis_websocket_unsupported"


def _deliveries(hub: Hub, subscription_id: str) -> int:
    with hub.engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count()).where(
                webhook_deliveries.c.subscription_id == subscription_id
            )
        ).scalar_one()
    return int(count)


def test_a_stream_subscription_gets_the_matching_events_signed(
    hub: Hub, receiver: Receiver
) -> None:
    example = _binding_example()  # ObjectEvents of bizStep shipping or receiving
    assert hub.post(JINLI, "/epcis/queries", json=example).status_code == 201
    path = f"/epcis/queries/{example['name']}/subscriptions"
    body = {"dest": receiver.url, "signatureToken": TOKEN, "stream": True}
    created = hub.post(JINLI, path, json=body)
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert "signatureToken" not in subscription
    assert created.headers["Location"] == f"{path}/{subscription['subscriptionID']}"
    assert hub.get(JINLI, path).json() == [subscription]
    assert hub.get(JINLI, created.headers["Location"]).json() == subscription
    assert hub.get(HUAYANG, created.headers["Location"]).status_code == 404

    # An AggregationEvent matches nothing; the two ObjectEvents go in one signed document.
    aggregation = hub.post(
        JINLI, "/epcis/capture", json=_gs1("Example_9.6.3-AggregationEvent.jsonld")
    )
    assert aggregation.status_code == 202
    assert _deliveries(hub, subscription["subscriptionID"]) == 0
    objects = _gs1("Example_9.6.1-ObjectEvent.jsonld")
    assert hub.post(JINLI, "/epcis/capture", json=objects).status_code == 202
    _wait_for(lambda: len(receiver.requests) == 1)
    headers, sent, _status = receiver.requests[0]
    assert headers["GS1-Signature"] == get_signature(secret=TOKEN, body=sent)
    document = json.loads(sent)
    assert document["type"] == "EPCISQueryDocument"
    results = document["epcisBody"]["queryResults"]
    assert results["queryName"] == example["name"]
    assert results["subscriptionID"] == subscription["subscriptionID"]
    # Events of one capture share their record time, so come in hash ID order.
    assert sorted(_event_ids(document)) == sorted(
        e["eventID"] for e in objects["epcisBody"]["eventList"]
    )
    assert _deliveries(hub, subscription["subscriptionID"]) == 1
    # The same events again are stored once: nothing new to report.
    assert hub.post(JINLI, "/epcis/capture", json=objects).status_code == 202
    assert _deliveries(hub, subscription["subscriptionID"]) == 1
    _wait_for(lambda: hub.get(JINLI, created.headers["Location"]).json().get("lastNotifiedAt"))

    # Deleting the query ends its subscriptions.
    gone = hub.client.delete(f"/epcis/queries/{example['name']}", headers=hub.headers(JINLI))
    assert gone.status_code == 204
    assert hub.get(JINLI, created.headers["Location"]).status_code == 404
    assert hub.post(JINLI, "/epcis/queries", json=example).status_code == 201
    assert (
        hub.post(JINLI, "/epcis/capture", json=_gs1("Example_9.6.2-ObjectEvent.jsonld")).status_code
        == 202
    )
    assert _deliveries(hub, subscription["subscriptionID"]) == 1
    assert hub.get(JINLI, path).json() == []


def test_a_stream_sends_only_what_the_subscriber_may_see(hub: Hub, receiver: Receiver) -> None:
    query = {"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}
    assert hub.post(HUAYANG, "/epcis/queries", json=query).status_code == 201
    body = {"dest": receiver.url, "signatureToken": TOKEN, "stream": True}
    created = hub.post(HUAYANG, "/epcis/queries/shipped/subscriptions", json=body)
    assert created.status_code == 201
    # Jinli's shipping event is not Huayang's to see; of Taihe's two, only the one to Huayang.
    assert (
        hub.post(JINLI, "/epcis/capture", json=_gs1("Example_9.6.1-ObjectEvent.jsonld")).status_code
        == 202
    )
    assert _deliveries(hub, created.json()["subscriptionID"]) == 0
    assert (
        hub.post(TAIHE, "/epcis/capture", json=_document(TO_HUAYANG, AT_TAIHE)).status_code == 202
    )
    _wait_for(lambda: len(receiver.requests) == 1)
    document = json.loads(receiver.requests[0][1])
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["epcList"] for e in events] == [TO_HUAYANG["epcList"]]
    # Unsubscribing stops it.
    location = created.headers["Location"]
    assert hub.client.delete(location, headers=hub.headers(HUAYANG)).status_code == 204
    assert hub.get(HUAYANG, location).status_code == 404


def test_an_initial_record_time_in_the_past_sends_what_was_recorded_since(
    hub: Hub, receiver: Receiver
) -> None:
    assert (
        hub.post(TAIHE, "/epcis/capture", json=_document(TO_HUAYANG, AT_TAIHE)).status_code == 202
    )
    query = {"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}
    assert hub.post(HUAYANG, "/epcis/queries", json=query).status_code == 201
    body = {"dest": receiver.url, "stream": True, "initialRecordTime": "2020-01-01T00:00:00+08:00"}
    created = hub.post(HUAYANG, "/epcis/queries/shipped/subscriptions", json=body)
    assert created.status_code == 201, created.text
    _wait_for(lambda: len(receiver.requests) == 1)
    headers, sent, _status = receiver.requests[0]
    assert "GS1-Signature" not in headers  # no signatureToken, no signature
    events = json.loads(sent)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["epcList"] for e in events] == [TO_HUAYANG["epcList"]]
    naive = {**body, "initialRecordTime": "2020-01-01T00:00:00"}
    assert hub.post(HUAYANG, "/epcis/queries/shipped/subscriptions", json=naive).status_code == 422


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"schedule": {"minute": "[5-1]"}}, 400, "epcis_schedule_invalid"),
        ({"schedule": {"weekday": "1"}}, 400, "epcis_schedule_invalid"),
        ({"schedule": {"dayOfMonth": "31", "month": "2"}}, 400, "epcis_schedule_invalid"),
        ({"schedule": {"hour": "1"}, "stream": True}, 400, "epcis_subscription_invalid"),
        ({}, 400, "epcis_subscription_invalid"),
        ({"stream": False}, 400, "epcis_subscription_invalid"),
        ({"stream": True, "dest": "http://169.254.169.254/latest"}, 422, "webhook_url_refused"),
    ],
)
def test_what_a_subscription_refuses(
    hub: Hub, body: dict[str, Any], status: int, code: str
) -> None:
    query = {"name": "q", "query": {"eventType": ["ObjectEvent"]}}
    assert hub.post(JINLI, "/epcis/queries", json=query).status_code == 201
    request = {"dest": "https://client.example.com/queryCallback", "signatureToken": TOKEN, **body}
    answer = hub.post(JINLI, "/epcis/queries/q/subscriptions", json=request)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert hub.post(JINLI, "/epcis/queries/nope/subscriptions", json=request).status_code == 404


def _sent_to(receiver: Receiver, subscription_id: str) -> list[dict[str, Any]]:
    documents = [json.loads(body) for _headers, body, _status in receiver.requests]
    return [
        d for d in documents if d["epcisBody"]["queryResults"]["subscriptionID"] == subscription_id
    ]


def test_a_scheduled_subscription_reports_what_was_recorded_since_its_last_report(
    hub: Hub, receiver: Receiver
) -> None:
    example = _binding_example()
    nothing = {"name": "transformations", "query": {"eventType": ["TransformationEvent"]}}
    for query in (example, nothing):
        assert hub.post(JINLI, "/epcis/queries", json=query).status_code == 201
    every_second = {"dest": receiver.url, "signatureToken": TOKEN, "schedule": {"second": "[0-59]"}}
    path = f"/epcis/queries/{example['name']}/subscriptions"
    created = hub.post(JINLI, path, json=every_second)
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["schedule"] == {"second": "[0-59]"} and "stream" not in subscription
    empty = hub.post(JINLI, "/epcis/queries/transformations/subscriptions",
                     json={**every_second, "reportIfEmpty": True}).json()  # fmt: skip

    objects = _gs1("Example_9.6.1-ObjectEvent.jsonld")
    assert hub.post(JINLI, "/epcis/capture", json=objects).status_code == 202
    _wait_for(lambda: _sent_to(receiver, subscription["subscriptionID"]))
    # Runs after that one find nothing new, and say nothing: reportIfEmpty is false.
    _wait_for(lambda: len(_sent_to(receiver, empty["subscriptionID"])) >= 3)
    reports = _sent_to(receiver, subscription["subscriptionID"])
    assert len(reports) == 1
    assert sorted(_event_ids(reports[0])) == sorted(
        e["eventID"] for e in objects["epcisBody"]["eventList"]
    )
    signed = [h for h, body, _s in receiver.requests if json.loads(body) == reports[0]][0]
    assert signed["GS1-Signature"] == get_signature(secret=TOKEN, body=json.dumps(
        reports[0], ensure_ascii=False).encode())  # fmt: skip
    assert all(_event_ids(d) == [] for d in _sent_to(receiver, empty["subscriptionID"]))
    read = hub.get(JINLI, created.headers["Location"]).json()
    assert read["minRecordTime"] > subscription["createdAt"]


def test_a_capture_that_commits_after_a_run_it_arrived_before_is_in_the_next_report(
    hub: Hub, receiver: Receiver
) -> None:
    query = {"name": "objects", "query": {"eventType": ["ObjectEvent"]}}
    assert hub.post(JINLI, "/epcis/queries", json=query).status_code == 201
    # Daily at midnight: the hub's own worker never runs it while the test does.
    daily = {"dest": receiver.url, "schedule": {"hour": "0", "minute": "0", "second": "0"}}
    created = hub.post(JINLI, "/epcis/queries/objects/subscriptions", json=daily)
    assert created.status_code == 201, created.text
    subscription_id = created.json()["subscriptionID"]
    subs = trace_query_subscriptions
    with hub.engine.connect() as conn:
        midnight = conn.execute(
            sa.select(subs.c.next_run_at).where(subs.c.subscription_id == subscription_id)
        ).scalar_one()
    midnight = midnight.replace(tzinfo=UTC) if midnight.tzinfo is None else midnight
    with hub.engine.begin() as conn:
        assert do_run_schedules(conn=conn, now=midnight) == 0
    # Arrived a second before that run, committed after it.
    with hub.engine.begin() as conn:
        do_capture(conn=conn, document=_gs1("Example_9.6.1-ObjectEvent.jsonld"), partner_id=JINLI,
                   received_at=midnight - timedelta(seconds=1))  # fmt: skip
    with hub.engine.begin() as conn:
        assert do_run_schedules(conn=conn, now=midnight + timedelta(days=1)) == 1
    assert _deliveries(hub, subscription_id) == 1
