"""The event stream: committed changes the caller may see, as server-sent events."""

from __future__ import annotations

import json
import threading

from tests.api.hub import HUAYANG, JINLI, OEM, Hub, _po


def test_the_stream_carries_only_visible_changes(hub: Hub) -> None:
    def submit() -> None:
        hub.submit(OEM, "purchase_order", _po("PO-HC-HY-5", HUAYANG, "M001", "9"))
        hub.submit(OEM, "purchase_order", _po("PO-HC-JL-5", JINLI, "M004", "9"))

    with hub.client.stream(
        "GET", "/api/v1/events", params={"max_events": 1, "timeout": 20}, headers=hub.headers(JINLI)
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        writer = threading.Thread(target=submit)
        writer.start()
        text = "".join(stream.iter_text())
        writer.join()
    events = [block for block in text.split("\n\n") if block.startswith("event:")]
    assert len(events) == 1
    name, data = events[0].split("\n")
    payload = json.loads(data.removeprefix("data: "))
    assert name == "event: purchase_order.created"
    assert (payload["doc_key"], payload["version"]) == ("haichuan|PO-HC-JL-5", 1)


def test_the_stream_needs_a_token(hub: Hub) -> None:
    response = hub.get(None, "/api/v1/events")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")
