"""A saturated hub answers 503 with Retry-After at once instead of letting clients hang."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import Receive, Scope, Send

from chainhub.api.limits import Admission
from tests.api.hub import OEM, running_hub


async def _slow(scope: Scope, receive: Receive, send: Send) -> None:
    await asyncio.sleep(0.5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"done"})


async def _three_at_once() -> list[httpx.Response]:
    app = Admission(_slow, limit=2, timeout=0.1)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        return list(await asyncio.gather(*(client.get("/api/v1/me") for _ in range(3))))


def test_a_request_beyond_the_limit_is_refused_with_retry_after() -> None:
    responses = asyncio.run(_three_at_once())
    assert sorted(r.status_code for r in responses) == [200, 200, 503]
    refused = next(r for r in responses if r.status_code == 503)
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "hub_busy"


async def _in_turn() -> list[int]:
    app = Admission(_slow, limit=1, timeout=5)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        return [r.status_code for r in await asyncio.gather(*(client.get("/") for _ in range(3)))]


def test_requests_within_the_queue_time_wait_their_turn() -> None:
    assert asyncio.run(_in_turn()) == [200, 200, 200]


def test_an_undeclared_method_is_405_with_allow_and_the_error_body(database_url: str) -> None:
    with running_hub(database_url) as hub:
        response = hub.client.delete("/api/v1/me", headers=hub.headers(OEM))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"
