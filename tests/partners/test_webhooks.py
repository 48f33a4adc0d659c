"""Webhooks against a real local HTTP receiver: signed, sent after commit, retried, logged."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from chainhub.partners.delivery import DeliveryWorker
from chainhub.partners.webhooks import get_signature
from tests.api.hub import HUAYANG, JINLI, OEM, Hub, _po


class Receiver:
    """An HTTP server on 127.0.0.1 that fails its first `failures` requests, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if len(receiver.requests) < receiver.failures else 204
                receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=2)
    yield server
    server.close()


def _wait_for(condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_po_is_delivered_signed_after_two_failures(hub: Hub, receiver: Receiver) -> None:
    worker: DeliveryWorker = hub.client.app.state.runtime.worker  # type: ignore[attr-defined]
    worker.backoff, worker.poll_seconds = timedelta(milliseconds=100), 0.1
    created = hub.post(
        JINLI,
        "/api/v1/subscriptions",
        json={"url": receiver.url, "events": ["purchase_order.created", "purchase_order.changed"]},
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    hub.post(
        HUAYANG,
        "/api/v1/subscriptions",
        json={"url": receiver.url, "events": ["shipment.announced"]},
    )

    hub.submit(OEM, "purchase_order", _po("PO-HC-JL-9", JINLI, "M004", "40"))
    hub.submit(OEM, "purchase_order", _po("PO-HC-HY-9", HUAYANG, "M001", "40"))
    _wait_for(lambda: len(receiver.requests) == 3)

    assert [status for _h, _b, status in receiver.requests] == [503, 503, 204]
    headers, body, _ = receiver.requests[-1]
    payload = json.loads(body)
    assert (payload["event"], payload["doc_key"], payload["version"]) == (
        "purchase_order.created", "haichuan|PO-HC-JL-9", 1
    )  # fmt: skip
    assert headers["X-Chainhub-Event"] == "purchase_order.created"
    assert headers["X-Chainhub-Signature"] == get_signature(secret=secret, body=body)
    subscription = created.json()["subscription_id"]

    def log() -> list[tuple[str, int, int]]:
        answer = hub.get(JINLI, f"/api/v1/subscriptions/{subscription}/deliveries").json()
        return [(d["status"], d["attempts"], d["last_status_code"]) for d in answer]

    # The receiver has answered before the worker records it: wait for the record.
    _wait_for(lambda: log()[0][0] != "pending")
    assert log() == [("delivered", 3, 204)]
    assert hub.get(HUAYANG, f"/api/v1/subscriptions/{subscription}/deliveries").status_code == 404


def test_a_rejected_batch_sends_nothing(hub: Hub, receiver: Receiver) -> None:
    hub.post(
        JINLI,
        "/api/v1/subscriptions",
        json={"url": receiver.url, "events": ["purchase_order.created"]},
    )
    rejected = hub.submit(OEM, "purchase_order", _po("PO-HC-HY-8", "nobody-at-all", "M001", "1"))
    # Refused for naming a partner the hub does not know: a conflict with its state.
    assert rejected.status_code == 409
    worker: DeliveryWorker = hub.client.app.state.runtime.worker  # type: ignore[attr-defined]
    assert worker.deliver_due() == 0
    assert receiver.requests == []


def test_delivery_gives_up_after_the_last_attempt(hub: Hub) -> None:
    down = Receiver(failures=99)
    try:
        made = hub.post(
            JINLI,
            "/api/v1/subscriptions",
            json={"url": down.url, "events": ["purchase_order.created"]},
        ).json()
        app_worker: DeliveryWorker = hub.client.app.state.runtime.worker  # type: ignore[attr-defined]
        app_worker.stop()
        worker = DeliveryWorker(
            engine=hub.engine,
            backoff=timedelta(0),
            max_attempts=3,
            allowed_hosts=["127.0.0.1"],
        )
        hub.submit(OEM, "purchase_order", _po("PO-HC-JL-10", JINLI, "M004", "4"))
        assert [worker.deliver_due() for _ in range(4)] == [1, 1, 1, 0]
        log = hub.get(JINLI, f"/api/v1/subscriptions/{made['subscription_id']}/deliveries")
        assert [(d["status"], d["attempts"], d["last_error"]) for d in log.json()] == [
            ("failed", 3, "HTTP 503")
        ]  # fmt: skip
        assert len(down.requests) == 3
    finally:
        down.close()
