"""A minimal HTTP/1.1 server on 127.0.0.1 that answers canned bytes, in a background thread.

It is an asyncio Protocol that parses just enough of each request (request line and
Content-Length) to pick a prepared response, so its cost per request is small and the same
for every contender. Connections are kept alive. It counts requests per route so the harness
can check that a contender made the requests it is supposed to.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from bench import payloads

_HEADER_END = b"\r\n\r\n"


def _response(body: bytes, content_type: bytes = b"application/json; charset=UTF-8") -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: "
        + content_type
        + b"\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    return head + body


class Routes:
    """Prepared responses, chosen by method and request target."""

    def __init__(self) -> None:
        self.small = _response(payloads.small_response())
        self.stream = _response(payloads.stream_body(), b"text/event-stream")
        self.embeddings = _response(payloads.embeddings_response())
        self.pages = {token: _response(body) for token, body in payloads.model_pages().items()}
        self.hits: collections.Counter[str] = collections.Counter()

    def answer(self, method: bytes, target: bytes) -> bytes:
        path, _, query = target.partition(b"?")
        if method == b"POST" and path.endswith(b":generateContent"):
            self.hits["generateContent"] += 1
            return self.small
        if method == b"POST" and path.endswith(b":streamGenerateContent"):
            self.hits["streamGenerateContent"] += 1
            return self.stream
        if method == b"POST" and path.endswith(b":batchEmbedContents"):
            self.hits["batchEmbedContents"] += 1
            return self.embeddings
        # (google-genai lists models under /v1, the others under /v1beta)
        if method == b"GET" and path in (b"/v1beta/models", b"/v1/models"):
            tokens = parse_qs(urlsplit(target.decode()).query).get("pageToken")
            page = self.pages.get(tokens[0] if tokens else None)
            if page is not None:
                self.hits["listModels"] += 1
                return page
        self.hits["404"] += 1
        return _not_found()


def _not_found() -> bytes:
    body = b'{"error":{"code":404,"message":"no canned route","status":"NOT_FOUND"}}'
    return (
        b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


class _Connection(asyncio.Protocol):
    def __init__(self, answer: Callable[[bytes, bytes], bytes]) -> None:
        self._answer = answer
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            end = buffer.find(_HEADER_END)
            if end < 0:
                return
            head = bytes(buffer[:end])
            lines = head.split(b"\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    raise RuntimeError("the bench server does not read chunked request bodies")
            total = end + len(_HEADER_END) + length
            if len(buffer) < total:
                return
            del buffer[:total]
            method, target, _ = lines[0].split(b" ", 2)
            assert self._transport is not None
            self._transport.write(self._answer(method, target))


class LoopbackServer:
    """`with LoopbackServer() as server: server.base_url` ... stopped on exit."""

    def __init__(self) -> None:
        self.routes = Routes()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-server", daemon=True)
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            self._loop.create_server(
                lambda: _Connection(self.routes.answer), "127.0.0.1", 0, backlog=64
            )
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the bench server did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
