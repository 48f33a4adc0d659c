"""Bounds on what one request may take from the hub: the size of its body, read as it streams."""

from __future__ import annotations

import json
from typing import Any

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


def _language(scope: Scope) -> Language:
    headers = dict(scope.get("headers") or [])
    query = scope.get("query_string", b"").decode("latin-1")
    asked = next((p[5:] for p in query.split("&") if p.startswith("lang=")), None)
    return parse_language(asked or headers.get(b"accept-language", b"").decode("latin-1"))


async def _refuse(send: Send, error: ChainhubError, lang: Language) -> None:
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
