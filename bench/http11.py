"""A minimal HTTP/1.1 client on asyncio streams, for the load generators: keep-alive
connections in a pool, GET and POST with a body, responses read by Content-Length or chunked
transfer coding. It does as little per request as a real client can, so that a benchmark's
figures are the server's and not the client's (httpx costs some 2 ms of CPU per request,
this one some 0.15 ms, on the same cores as the server).

The subset of httpx.AsyncClient the generators use: `get`, `post(content=...)`,
`response.status_code`, `.headers`, `.content`, `.text`, `.json()`.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

_MAX_LINE: Final = 65536  # bytes of a status or header line
_MAX_HEADERS: Final = 100


class HTTPClientError(Exception):
    """The server's answer could not be read as HTTP/1.1, or the connection failed."""


class Response:
    """A response's status, headers (names in lower case) and body."""

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def _status(line: bytes) -> int:
    """The status code of a status line, `HTTP/1.1 200 OK`."""
    version, _, rest = line.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise HTTPClientError(f"not an HTTP/1.x status line: {line[:80]!r}")
    return int(code)


def _header(line: bytes) -> tuple[str, str]:
    name, colon, value = line.partition(b":")
    if not colon or not name or name != name.strip():
        raise HTTPClientError(f"malformed header line: {line[:80]!r}")
    return name.decode("latin-1").lower(), value.strip().decode("latin-1")


class _Connection:
    """One keep-alive connection: one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.reusable = True

    async def request(self, head: bytes, body: bytes) -> Response:
        self.writer.write(head + body if body else head)
        await self.writer.drain()
        return await self._response()

    async def _line(self) -> bytes:
        line = await self.reader.readuntil(b"\r\n")
        return line[:-2]

    async def _response(self) -> Response:
        status = _status(await self._line())
        headers: dict[str, str] = {}
        while line := await self._line():
            if len(headers) >= _MAX_HEADERS:
                raise HTTPClientError(f"more than {_MAX_HEADERS} headers")
            name, value = _header(line)
            # Repeated headers are joined as RFC 9110 allows (Set-Cookie aside, unused here).
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if headers.get("connection", "").lower() == "close":
            self.reusable = False
        if status < 200 or status in (204, 304):
            return Response(status, headers, b"")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return Response(status, headers, await self._chunked())
        length = headers.get("content-length")
        if length is None:
            # Without a length the body runs to the end of the connection.
            self.reusable = False
            return Response(status, headers, await self.reader.read())
        if not length.isdigit():
            raise HTTPClientError(f"bad Content-Length {length!r}")
        return Response(status, headers, await self.reader.readexactly(int(length)))

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_line = (await self._line()).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise HTTPClientError(f"bad chunk size {size_line[:20]!r}") from None
            if size == 0:
                while await self._line():  # trailer fields, ignored
                    pass
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            if await self.reader.readexactly(2) != b"\r\n":
                raise HTTPClientError("chunk not followed by CRLF")

    def close(self) -> None:
        self.writer.close()


class Client:
    """Keep-alive connections to one server (http:// only), at most `limit` open at once."""

    def __init__(self, base_url: str, *, limit: int = 100, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"an http:// URL is needed, not {base_url!r}")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._authority = parts.netloc.encode("latin-1")
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(limit)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post(
        self, path: str, *, content: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        return await self.request("POST", path, headers=headers, content=content)

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes = b"",
    ) -> Response:
        """Send one request on an idle connection (or a new one) and read its response."""
        lines = [f"{method} {self._prefix}{path} HTTP/1.1".encode("latin-1")]
        lines.append(b"Host: " + self._authority)
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}".encode("latin-1"))
        if content or method not in ("GET", "HEAD"):
            lines.append(b"Content-Length: %d" % len(content))
        head = b"\r\n".join(lines) + b"\r\n\r\n"
        async with self._slots:
            connection = self._idle.pop() if self._idle else await self._open()
            try:
                async with asyncio.timeout(self._timeout):
                    response = await connection.request(head, content)
            except (
                OSError,
                TimeoutError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
            ) as exc:
                connection.close()
                raise HTTPClientError(f"{method} {path}: {exc!r}") from exc
            except BaseException:
                connection.close()
                raise
            if connection.reusable:
                self._idle.append(connection)
            else:
                connection.close()
            return response

    async def _open(self) -> _Connection:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port, limit=_MAX_LINE), self._timeout
            )
        except (OSError, TimeoutError) as exc:
            raise HTTPClientError(f"cannot connect to {self._host}:{self._port}: {exc}") from exc
        return _Connection(reader, writer)


def multipart(field: str, filename: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one file, and its Content-Type header's value."""
    boundary = "chainhub-bench-boundary-7d1f3a"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )
