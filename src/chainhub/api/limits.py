"""Bounds on what requests may take from the hub: the size of a body, read as it streams, and
how many requests the hub works on at once."""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chainhub.errors import ChainhubError, Language, parse_language


class BodyTooLargeError(Exception):
    """The request body passed the limit; raised inside `receive` to stop whoever reads it."""


def body_too_large(max_bytes: int) -> ChainhubError:
    """The refusal of a request body over the limit."""
    megabytes = f"{max_bytes / 1_048_576:g} MB"
    return ChainhubError(
        "upload_too_large",
        f"the request is larger than the hub accepts ({megabytes}); nothing was stored. "
        "Split the file, or ask the hub admin about CHAINHUB_UPLOAD_MAX_BYTES",
        f"请求超过枢纽接受的大小上限（{megabytes}）；未入库。请拆分文件，"
        "或联系枢纽管理员调整 CHAINHUB_UPLOAD_MAX_BYTES",
        {"limit_bytes": max_bytes},
        413,
    )


# Seconds a refused client is told to wait before it retries.
RETRY_AFTER: Final = 1


class HubBusyError(ChainhubError):
    """A request the hub found no turn for: refused before anything was done."""


def hub_busy(queue_timeout: float) -> HubBusyError:
    """The refusal of a request the hub found no turn for within the queue time-out."""
    return HubBusyError(
        "hub_busy",
        f"the hub is busy: no turn for this request within {queue_timeout:g} s; nothing was "
        "changed, retry after the seconds in the Retry-After header",
        f"枢纽繁忙：{queue_timeout:g} 秒内未能处理该请求；未做任何更改，"
        "请按 Retry-After 头所示的秒数后重试",
        {},
        503,
    )


def _language(scope: Scope) -> Language:
    headers = dict(scope.get("headers") or [])
    query = scope.get("query_string", b"").decode("latin-1")
    asked = next((p[5:] for p in query.split("&") if p.startswith("lang=")), None)
    return parse_language(asked or headers.get(b"accept-language", b"").decode("latin-1"))


async def _refuse(
    send: Send, error: ChainhubError, lang: Language, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps(
        {"error": {"code": error.code, "message": error.message(lang), "location": error.location}},
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: a body over `max_bytes` is refused with 413, by its declared length
    before a byte is read, else as soon as the streamed bytes pass the limit; whatever the
    application then answers is replaced by the refusal."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang, error = _language(scope), body_too_large(self.max_bytes)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, error, lang)
            return
        state: dict[str, Any] = {"received": 0, "over": False, "answered": False}

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    state["over"] = True
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            if not state["over"]:
                await send(message)
            elif not state["answered"]:
                state["answered"] = True
                await _refuse(send, error, lang)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLargeError:
            if not state["answered"]:
                state["answered"] = True
                await _refuse(send, error, lang)


class Admission:
    """ASGI middleware: at most `limit` requests are worked on at once; the others wait their
    turn, and one that waits longer than `timeout` seconds is answered 503 with Retry-After,
    so a saturated hub answers quickly instead of letting clients hang. Bounding the
    requests in flight also bounds the worker threads and pooled connections they hold."""

    def __init__(self, app: ASGIApp, *, limit: int, timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout
        # One semaphore per event loop (tests run several apps' loops in one process).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._slots = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.limit)
        try:
            if slots.locked():
                await asyncio.wait_for(slots.acquire(), self.timeout)
            else:
                await slots.acquire()  # free: returns without yielding to the loop
        except TimeoutError:
            retry = ((b"retry-after", str(RETRY_AFTER).encode()),)
            await _refuse(send, hub_busy(self.timeout), _language(scope), retry)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
