"""httpx transports that serve an ASGI app in-process, streaming the body chunk by chunk.

httpx's own ASGITransport runs the app to completion and buffers the whole body, so a client
cannot read the first SSE event before the last is produced, nor stop a stream early. Here
the app runs as a task; the response is returned at `http.response.start` and each body chunk
is handed over as the app sends it. Closing the response cancels the app, as a real
disconnect would.

The async transport runs the app on the caller's loop. The sync one runs it on an event loop
in a background daemon thread (one per process, shared by every sync transport) and passes
each step across with `run_coroutine_threadsafe`.

A dropped connection (the app raising `DropConnection`) surfaces as
httpx.RemoteProtocolError, as httpx reports a real one; the request's read timeout applies to
the wait for the response and for each chunk (httpx.ReadTimeout). Any other exception from
the app is re-raised to the caller, so emulator bugs are not disguised as network trouble.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator, MutableMapping
from typing import Any, TypeVar

import httpx

from gemini_sdk.testing._errors import DropConnection

T = TypeVar("T")

Message = MutableMapping[str, Any]
ASGIApp = Any  # (scope, receive, send) -> awaitable; Starlette's exact types are not needed

_END = object()
_QUEUED_CHUNKS = 64


def _is_drop(error: BaseException) -> bool:
    if isinstance(error, DropConnection):
        return True
    inner = getattr(error, "exceptions", None)  # an exception group from a task group
    return isinstance(inner, tuple) and any(_is_drop(e) for e in inner)


def _scope(request: httpx.Request) -> dict[str, Any]:
    url = request.url
    return {
        "type": "http",
        # 2.4: disconnects show up as send() failing, so Starlette needs no listener task.
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        "client": ("127.0.0.1", 50000),
    }


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    read = timeout.get("read")
    return float(read) if read is not None else None


class _Exchange:
    """One request's run of the app. Lives on one event loop; every method runs there."""

    def __init__(self, app: ASGIApp, request: httpx.Request, body: bytes) -> None:
        self._app = app
        self._request = request
        self._body: bytes | None = body
        self._timeout = _read_timeout(request)
        loop = asyncio.get_running_loop()
        self._started: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]]] = loop.create_future()
        self._chunks: asyncio.Queue[object] = asyncio.Queue(_QUEUED_CHUNKS)
        self._closed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> tuple[int, list[tuple[bytes, bytes]]]:
        self._task = asyncio.create_task(self._run())
        try:
            return await asyncio.wait_for(asyncio.shield(self._started), self._timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise httpx.ReadTimeout(
                "timed out waiting for the response", request=self._request
            ) from None
        except BaseException as error:
            await self.close()
            if _is_drop(error):
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=self._request
                ) from None
            raise

    async def next_chunk(self) -> bytes | None:
        """The next body chunk, or None at the end of the body."""
        try:
            item = await asyncio.wait_for(self._chunks.get(), self._timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise httpx.ReadTimeout("timed out reading the body", request=self._request) from None
        if item is _END:
            return None
        if isinstance(item, BaseException):
            await self.close()
            if _is_drop(item):
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body",
                    request=self._request,
                ) from None
            raise item
        assert isinstance(item, bytes)
        return item

    async def close(self) -> None:
        self._closed.set()
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._started.done() and not self._started.cancelled():
            self._started.exception()  # retrieved, so asyncio does not log it as lost

    async def _receive(self) -> Message:
        if self._body is not None:
            body, self._body = self._body, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self._closed.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        if self._closed.is_set():
            raise OSError("the client closed the response")
        if message["type"] == "http.response.start":
            self._started.set_result((message["status"], list(message.get("headers", []))))
        elif message["type"] == "http.response.body":
            if message.get("body"):
                await self._chunks.put(bytes(message["body"]))
            if not message.get("more_body", False):
                await self._chunks.put(_END)

    async def _run(self) -> None:
        try:
            await self._app(_scope(self._request), self._receive, self._send)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # handed to the reader, who re-raises it
            if self._started.done():
                await self._chunks.put(error)
            else:
                self._started.set_exception(error)
            return
        if not self._started.done():
            self._started.set_exception(RuntimeError("the app returned without a response"))


def _response(
    status: int, headers: list[tuple[bytes, bytes]], stream: httpx.SyncByteStream | _AsyncBody
) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, stream=stream, extensions={"http_version": b"HTTP/1.1"}
    )


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self._exchange.next_chunk()) is not None:
            yield chunk

    async def aclose(self) -> None:
        await self._exchange.close()


class AsyncAppTransport(httpx.AsyncBaseTransport):
    """For httpx.AsyncClient: the app runs on the caller's event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange(self.app, request, await request.aread())
        status, headers = await exchange.start()
        return _response(status, headers, _AsyncBody(exchange))


class _LoopThread:
    """An event loop running in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        loop = self._ensure()
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("a sync emulator client cannot be used inside the emulator")
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="gemini-emulator-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


_LOOP = _LoopThread()


async def _open(
    app: ASGIApp, request: httpx.Request, body: bytes
) -> tuple[_Exchange, int, list[tuple[bytes, bytes]]]:
    exchange = _Exchange(app, request, body)
    status, headers = await exchange.start()
    return exchange, status, headers


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := _LOOP.run(self._exchange.next_chunk())) is not None:
            yield chunk

    def close(self) -> None:
        _LOOP.run(self._exchange.close())


class SyncAppTransport(httpx.BaseTransport):
    """For httpx.Client: the app runs on the shared background loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange, status, headers = _LOOP.run(_open(self.app, request, request.read()))
        return _response(status, headers, _SyncBody(exchange))
