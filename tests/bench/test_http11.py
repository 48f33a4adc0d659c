"""bench/http11.py, the load generators' HTTP/1.1 client, against a server answering set bytes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from bench.http11 import Client, HTTPClientError, multipart

Answer = Callable[[bytes], bytes]


async def _serve(answer: Answer, run: Callable[[str], Awaitable[None]]) -> list[bytes]:
    """Run `run` against a loopback server answering each request with `answer(request
    head)`; the request heads it received, each prefixed with its connection's number."""
    seen: list[bytes] = []
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        number = connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")),
                    0,
                )  # fmt: skip
                body = await reader.readexactly(length)
                seen.append(b"%d " % number + head + body)
                writer.write(answer(head))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await run(f"http://127.0.0.1:{port}")
    return seen


def test_a_sized_body_is_read_and_the_connection_kept_for_the_next_request() -> None:
    def answer(_head: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n" \
               b'{"hello": 1}\n'  # fmt: skip

    results: list[object] = []

    async def run(base: str) -> None:
        async with Client(base, limit=1) as http:
            for _ in range(3):
                response = await http.get("/hello", headers={"Authorization": "Bearer x"})
                results.append((response.status_code, response.headers["content-type"],
                                response.json()))  # fmt: skip

    seen = asyncio.run(_serve(answer, run))
    assert results == [(200, "application/json", {"hello": 1})] * 3
    # One connection for the three requests, each a well-formed HTTP/1.1 request.
    assert [s.split(b" ", 1)[0] for s in seen] == [b"1", b"1", b"1"]
    assert seen[0].startswith(b"1 GET /hello HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nAuthorization: Bearer x\r\n" in seen[0]


def test_a_chunked_body_with_extensions_and_trailers_is_joined() -> None:
    def answer(_head: bytes) -> bytes:
        return (b"HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n"
                b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")  # fmt: skip

    texts: list[tuple[int, str]] = []

    async def run(base: str) -> None:
        async with Client(base, limit=1) as http:
            for _ in range(2):
                response = await http.get("/x")
                texts.append((response.status_code, response.text))

    seen = asyncio.run(_serve(answer, run))
    assert texts == [(404, "hello, world")] * 2
    assert [s.split(b" ", 1)[0] for s in seen] == [b"1", b"1"]


def test_a_post_sends_its_body_with_its_length_and_a_closed_connection_is_not_reused() -> None:
    def answer(_head: bytes) -> bytes:
        return b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"

    statuses: list[int] = []
    body, content_type = multipart("file", "po.csv", b"a,b\n1,2\n", "text/csv")

    async def run(base: str) -> None:
        async with Client(base, limit=1) as http:
            for _ in range(2):
                response = await http.post(
                    "/upload", content=body, headers={"Content-Type": content_type}
                )
                statuses.append(response.status_code)

    seen = asyncio.run(_serve(answer, run))
    assert statuses == [201, 201]
    assert [s.split(b" ", 1)[0] for s in seen] == [b"1", b"2"]
    assert b"\r\nContent-Length: %d\r\n" % len(body) in seen[0]
    assert seen[0].endswith(body)
    assert b'name="file"; filename="po.csv"\r\nContent-Type: text/csv\r\n\r\na,b\n1,2\n' in body


@pytest.mark.parametrize(
    "answer",
    [
        b"SPDY/3 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["status line", "header line", "short body", "chunk size"],
)
def test_a_malformed_answer_is_an_error_not_a_response(answer: bytes) -> None:
    errors: list[str] = []

    async def run(base: str) -> None:
        async with Client(base, limit=1, timeout=5) as http:
            try:
                await http.get("/")
            except HTTPClientError as exc:
                errors.append(str(exc))

    async def serve_and_close(base_answer: bytes) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(base_answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        async with server:
            await run(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")

    asyncio.run(serve_and_close(answer))
    assert len(errors) == 1


def test_a_refused_connection_is_an_error() -> None:
    async def run() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with Client(f"http://127.0.0.1:{port}", timeout=5) as http:
            await http.get("/")

    with pytest.raises(HTTPClientError, match="cannot connect"):
        asyncio.run(run())
