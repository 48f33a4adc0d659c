"""Webhooks cannot be aimed inside the hub's network: refused at subscription in every spelling,
re-checked after name resolution at each delivery, no redirect followed, a generic log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from chainhub.partners.webhooks import (
    REFUSED_ADDRESS,
    UNREACHABLE,
    check_webhook_url,
    send_delivery,
)
from tests.api.hub import JINLI, Hub, running_hub

INSIDE = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/hook",
    "http://192.168.1.1/hook",
    "http://172.16.5.4/hook",
    "http://100.64.0.1/hook",
    "http://100.100.100.200/latest/meta-data",
    "http://127.0.0.1:5432/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00:ec2::254]/latest",
    "http://0.0.0.0/hook",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://localhost:8000/",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://instance-data/latest/",
]
SCHEMES = ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/"]


@pytest.fixture
def strict_hub(database_url: str) -> Iterator[Hub]:
    """A hub whose webhooks may reach no private host."""
    with running_hub(database_url, webhook_allowed_hosts=[]) as seeded:
        yield seeded


def test_every_inside_address_is_refused_at_subscription(strict_hub: Hub) -> None:
    for url in INSIDE + SCHEMES:
        for lang, words in (("en", "is refused"), ("zh", "拒绝 webhook 地址")):
            response = strict_hub.client.post(
                "/api/v1/subscriptions",
                headers=strict_hub.headers(JINLI, lang),
                json={"url": url, "events": ["purchase_order.created"]},
            )
            assert response.status_code == 422, (url, response.text)
            error = response.json()["error"]
            assert error["code"] in ("webhook_url_refused", "invalid_request"), (url, error)
            if error["code"] == "webhook_url_refused":
                assert words in error["message"] and error["location"] == {"field": "url"}
    assert strict_hub.get(JINLI, "/api/v1/subscriptions").json() == []


@pytest.mark.parametrize("url", INSIDE)
def test_the_rule_itself_refuses_each_spelling(url: str) -> None:
    with pytest.raises(Exception) as refused:
        check_webhook_url(url=url, allowed_hosts=())
    assert getattr(refused.value, "code", None) == "webhook_url_refused", url


def test_public_hosts_and_allowed_names_pass() -> None:
    assert check_webhook_url(url="https://hooks.example.com/x?a=1", allowed_hosts=())[1:] == (
        "hooks.example.com",
        443,
        "/x?a=1",
    )
    assert check_webhook_url(url="http://8.8.8.8/", allowed_hosts=())[1] == "8.8.8.8"
    allowed = check_webhook_url(url="http://127.0.0.1:9/h", allowed_hosts=("127.0.0.1",))
    assert allowed == ("http", "127.0.0.1", 9, "/h")


def test_a_name_that_resolves_inside_is_refused_at_delivery(monkeypatch: Any) -> None:
    def inside(host: str, port: int, **_: Any) -> list[Any]:
        return [(2, 1, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr("socket.getaddrinfo", inside)
    sent = send_delivery(
        url="http://hooks.example.com/h", secret="s", event="e", delivery_id="d", payload="{}"
    )
    assert sent == (None, REFUSED_ADDRESS)


class _Server:
    """A local HTTP server answering every POST with `status` and `headers`."""

    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                server.hits.append(self.path)
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                return

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def test_redirects_are_not_followed_and_failures_are_generic() -> None:
    inner = _Server(204, {})
    outer = _Server(307, {"Location": f"{inner.url}/secret"})
    try:
        allowed = ("127.0.0.1",)
        sent = send_delivery(
            url=f"{outer.url}/h", secret="s", event="e", delivery_id="d", payload="{}",
            allowed_hosts=allowed,
        )  # fmt: skip
        assert sent == (307, None) and outer.hits == ["/h"] and inner.hits == []
        closed_port = inner.http.server_port
    finally:
        inner.close()
        outer.close()
    refused = send_delivery(
        url=f"http://127.0.0.1:{closed_port}/h", secret="s", event="e", delivery_id="d",
        payload="{}", allowed_hosts=allowed, timeout=2,
    )  # fmt: skip
    assert refused == (None, UNREACHABLE)
    not_allowed = send_delivery(
        url=f"http://127.0.0.1:{closed_port}/h", secret="s", event="e", delivery_id="d",
        payload="{}",
    )  # fmt: skip
    assert not_allowed == (None, REFUSED_ADDRESS)
