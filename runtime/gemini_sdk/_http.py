"""The transport: one pooled httpx client per SDK client, auth, retries, errors, SSE, uploads.

Sync and async share every decision (URLs, headers, retry policy, error mapping, decoding);
only the I/O differs between `SyncTransport` and `AsyncTransport`.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from types import ModuleType
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import attrs
import httpx

from gemini_sdk import errors
from gemini_sdk._endpoint import PreparedRequest, Timeout
from gemini_sdk._retry import RetryPolicy
from gemini_sdk._sse import SSEDecoder
from gemini_sdk._upload import UploadSource
from gemini_sdk._version import __version__

logger = logging.getLogger("gemini_sdk")

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
UPLOAD_CHUNK_SIZE = 8 * 1024 * 1024
_SPEC_VERSION_PREFIX = "/v1beta/"


@attrs.frozen(repr=False)
class TransportConfig:
    api_key: str
    base_url: str
    api_version: str
    timeout: httpx.Timeout
    headers: dict[str, str]
    retry: RetryPolicy

    def __repr__(self) -> str:
        # The key never appears in a repr.
        return f"TransportConfig(base_url={self.base_url!r}, api_version={self.api_version!r})"


@functools.cache
def _codec() -> ModuleType:
    """The converter, imported with the first request rather than with the client: it loads
    cattrs, the dearest import after httpx."""
    from gemini_sdk import _convert

    return _convert


def _url(config: TransportConfig, path: str) -> str:
    if config.api_version != "v1beta":
        path = path.replace(_SPEC_VERSION_PREFIX, f"/{config.api_version}/", 1)
    return config.base_url.rstrip("/") + path


def _headers(config: TransportConfig, request: PreparedRequest | None) -> dict[str, str]:
    headers = {
        "x-goog-api-key": config.api_key,
        "user-agent": f"gemini-sdk/{__version__}",
        "x-goog-api-client": f"gemini-sdk/{__version__}",
        **config.headers,
    }
    if request is not None:
        headers.update(request.headers)
        if request.json is not None:
            headers["content-type"] = "application/json"
    return headers


def _timeout(config: TransportConfig, request: PreparedRequest) -> Timeout:
    return config.timeout if request.timeout is None else request.timeout


def _build(
    client: httpx.Client | httpx.AsyncClient, config: TransportConfig, request: PreparedRequest
) -> httpx.Request:
    return client.build_request(
        request.method,
        _url(config, request.path),
        params=request.query or None,
        content=_codec().dumps(request.json) if request.json is not None else None,
        headers=_headers(config, request),
        timeout=_timeout(config, request),
    )


def _translate(error: httpx.HTTPError) -> errors.APIError:
    """httpx's exceptions -> ours, without their request (whose headers hold the key)."""
    if isinstance(error, httpx.TimeoutException):
        return errors.APITimeoutError(f"request timed out ({type(error).__name__})")
    return errors.APIConnectionError(f"connection failed ({type(error).__name__}: {error})")


def _decode(request: PreparedRequest, response: httpx.Response) -> Any:
    codec = _codec()
    content = response.content
    data = codec.loads(content) if content.strip() else {}
    return codec.structure(
        data,
        request.operation.response,
    )


def _log(request: PreparedRequest, status: int | str, started: float, attempt: int) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s in %.1f ms (attempt %d)",
            request.method,
            request.path,
            status,
            (time.perf_counter() - started) * 1000,
            attempt,
        )


def _stream_payload(data: str, response: httpx.Response, request: PreparedRequest) -> Any:
    codec = _codec()
    payload = codec.loads(data)
    if isinstance(payload, dict) and "error" in payload:
        raise errors.error_from_payload(payload, response)
    return codec.structure(
        payload,
        request.operation.response,
    )


class _RetryLoop:
    """Attempt bookkeeping shared by both transports."""

    def __init__(self, policy: RetryPolicy, rand: Callable[[], float]) -> None:
        self.policy = policy
        self.rand = rand
        self.attempt = 0

    def next_delay(self, error: BaseException) -> float | None:
        delay = self.policy.delay(self.attempt, error, self.rand)
        if delay is not None:
            logger.info("retrying after %.2fs: %s", delay, error)
        return delay


class SyncTransport:
    def __init__(
        self,
        config: TransportConfig,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.owns_client = http_client is None
        self._http = http_client
        self._building = threading.Lock()
        self.sleep = sleep
        self.rand = rand

    @property
    def http(self) -> httpx.Client:
        """The pooled httpx client, built on first use: its SSL context is most of what
        `Client()` would cost otherwise, and a program may build a client it never calls."""
        http = self._http
        if http is None:
            with self._building:  # two threads' first calls must share one pool
                http = self._http
                if http is None:
                    http = self._http = httpx.Client(timeout=self.config.timeout)
        return http

    def close(self) -> None:
        if self.owns_client:
            # builds the client if no call did, so that a call after close() fails as it did
            self.http.close()

    def _send(
        self, build: Callable[[], httpx.Request], request: PreparedRequest, stream: bool = False
    ) -> httpx.Response:
        """Send with retries; return a successful response or raise the typed error."""
        loop = _RetryLoop(self.config.retry, self.rand)
        while True:
            loop.attempt += 1
            started = time.perf_counter()
            try:
                response = self.http.send(build(), stream=stream)
            except httpx.HTTPError as exc:
                error: errors.APIError = _translate(exc)
                _log(request, type(exc).__name__, started, loop.attempt)
            else:
                _log(request, response.status_code, started, loop.attempt)
                if response.status_code < 400:
                    return response
                body = response.read()
                response.close()
                error = errors.error_from_response(response, body)
            delay = loop.next_delay(error)
            if delay is None:
                raise error
            self.sleep(delay)

    def call(self, request: PreparedRequest) -> Any:
        response = self._send(lambda: _build(self.http, self.config, request), request)
        return _decode(request, response)

    def download(self, request: PreparedRequest) -> bytes:
        response = self._send(lambda: _build(self.http, self.config, request), request)
        return response.content

    def stream(self, request: PreparedRequest) -> Iterator[Any]:
        response = self._send(lambda: _build(self.http, self.config, request), request, stream=True)
        return self._events(request, response)

    def _events(self, request: PreparedRequest, response: httpx.Response) -> Iterator[Any]:
        decoder = SSEDecoder()
        try:
            try:
                for chunk in response.iter_bytes():
                    for event in decoder.feed(chunk):
                        yield _stream_payload(event.data, response, request)
            except httpx.HTTPError as exc:
                raise errors.StreamInterruptedError(
                    f"the stream broke after it started ({type(exc).__name__})"
                ) from None
            decoder.finish()
        finally:
            response.close()

    def upload(self, request: PreparedRequest, media: UploadSource, mime_type: str | None) -> Any:
        source, size, mime = _open_media(media, mime_type)
        steps = _upload_steps(self.config, request, source, size, mime)
        try:
            step = next(steps)
            while True:
                outcome: httpx.Response | httpx.HTTPError
                if step.retried:
                    outcome = self._send(step.build, request)
                else:
                    try:
                        outcome = self.http.send(step.build())
                    except httpx.HTTPError as exc:
                        outcome = exc
                step = steps.send(outcome)
        except StopIteration as done:
            return done.value
        finally:
            source.close()


class AsyncTransport:
    def __init__(
        self,
        config: TransportConfig,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Any] | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if sleep is None:
            # imported here, not with the module: a sync-only program never needs asyncio,
            # a large import
            import asyncio

            sleep = asyncio.sleep
        self.config = config
        self.owns_client = http_client is None
        self.http = http_client or httpx.AsyncClient(timeout=config.timeout)
        self.sleep = sleep
        self.rand = rand

    async def close(self) -> None:
        if self.owns_client:
            await self.http.aclose()

    async def _send(
        self, build: Callable[[], httpx.Request], request: PreparedRequest, stream: bool = False
    ) -> httpx.Response:
        loop = _RetryLoop(self.config.retry, self.rand)
        while True:
            loop.attempt += 1
            started = time.perf_counter()
            try:
                response = await self.http.send(build(), stream=stream)
            except httpx.HTTPError as exc:
                error: errors.APIError = _translate(exc)
                _log(request, type(exc).__name__, started, loop.attempt)
            else:
                _log(request, response.status_code, started, loop.attempt)
                if response.status_code < 400:
                    return response
                body = await response.aread()
                await response.aclose()
                error = errors.error_from_response(response, body)
            delay = loop.next_delay(error)
            if delay is None:
                raise error
            await self.sleep(delay)

    async def call(self, request: PreparedRequest) -> Any:
        response = await self._send(lambda: _build(self.http, self.config, request), request)
        return _decode(request, response)

    async def download(self, request: PreparedRequest) -> bytes:
        response = await self._send(lambda: _build(self.http, self.config, request), request)
        return response.content

    async def stream(self, request: PreparedRequest) -> AsyncIterator[Any]:
        response = await self._send(
            lambda: _build(self.http, self.config, request), request, stream=True
        )
        return self._events(request, response)

    async def _events(
        self, request: PreparedRequest, response: httpx.Response
    ) -> AsyncIterator[Any]:
        decoder = SSEDecoder()
        try:
            try:
                async for chunk in response.aiter_bytes():
                    for event in decoder.feed(chunk):
                        yield _stream_payload(event.data, response, request)
            except httpx.HTTPError as exc:
                raise errors.StreamInterruptedError(
                    f"the stream broke after it started ({type(exc).__name__})"
                ) from None
            decoder.finish()
        finally:
            await response.aclose()

    async def upload(
        self, request: PreparedRequest, media: UploadSource, mime_type: str | None
    ) -> Any:
        source, size, mime = _open_media(media, mime_type)
        steps = _upload_steps(self.config, request, source, size, mime)
        try:
            step = next(steps)
            while True:
                outcome: httpx.Response | httpx.HTTPError
                if step.retried:
                    outcome = await self._send(step.build, request)
                else:
                    try:
                        outcome = await self.http.send(step.build())
                    except httpx.HTTPError as exc:
                        outcome = exc
                step = steps.send(outcome)
        except StopIteration as done:
            return done.value
        finally:
            source.close()


# -- resumable upload protocol ---------------------------------------------------------------


def _open_media(media: UploadSource, mime_type: str | None) -> tuple[BinaryIO, int, str]:
    """A seekable binary source, its size and its MIME type; a missing path raises here."""
    if isinstance(media, (bytes, bytearray, memoryview)):
        data = bytes(media)
        return io.BytesIO(data), len(data), mime_type or "application/octet-stream"
    if isinstance(media, (str, os.PathLike)):
        path = os.fspath(media)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller's finally
        size = os.fstat(handle.fileno()).st_size
        return handle, size, mime_type or _guess_mime(path)
    if hasattr(media, "read") and hasattr(media, "seek"):
        start = media.tell()
        size = media.seek(0, io.SEEK_END) - start
        media.seek(start)
        if start:
            media = io.BytesIO(media.read())
        name = getattr(media, "name", "")
        return media, size, mime_type or (_guess_mime(name) if isinstance(name, str) else "")
    raise TypeError(
        f"upload source must be a path, bytes or a seekable binary file, got {type(media).__name__}"
    )


def _guess_mime(path: str) -> str:
    import mimetypes

    guessed, _ = mimetypes.guess_type(path)
    if guessed is None:
        raise ValueError(f"cannot tell the MIME type of {os.path.basename(path)!r}; pass mime_type")
    return guessed


@attrs.frozen
class _Step:
    """One request of the upload protocol; `retried` ones go through the retry loop."""

    build: Callable[[], httpx.Request]
    retried: bool


def _upload_steps(
    config: TransportConfig, request: PreparedRequest, source: BinaryIO, size: int, mime: str
) -> Generator[_Step, httpx.Response | httpx.HTTPError, Any]:
    """The resumable protocol without I/O: both transports drive this one generator.

    Start a session, send chunks at the offsets the server confirms, and after a dropped
    or failed chunk ask the server what it received and resume from there.
    """
    timeout = _timeout(config, request)

    def start() -> httpx.Request:
        return httpx.Request(
            "POST",
            _url(config, request.path),
            params=request.query or None,
            content=_codec().dumps(request.json or {}),
            headers=_upload_start_headers(config, request, size, mime),
            extensions={"timeout": httpx.Timeout(timeout).as_dict()},
        )

    started = yield _Step(start, retried=True)
    assert isinstance(started, httpx.Response)
    upload_url = _upload_url(started)

    def query() -> httpx.Request:
        return httpx.Request("POST", upload_url, headers=_query_headers(config, upload_url))

    offset, failures = 0, 0
    while True:
        source.seek(offset)
        chunk = source.read(UPLOAD_CHUNK_SIZE)
        final = offset + len(chunk) >= size
        headers = _chunk_headers(config, upload_url, offset, final)
        outcome = yield _Step(_chunk_request(upload_url, chunk, headers), retried=False)
        if isinstance(outcome, httpx.HTTPError) or outcome.status_code >= 500:
            failures += 1
            if failures >= config.retry.attempts:
                if isinstance(outcome, httpx.HTTPError):
                    raise _translate(outcome)
                raise errors.error_from_response(outcome, outcome.read())
            status = yield _Step(query, retried=True)
            assert isinstance(status, httpx.Response)
            offset = _received_offset(status)
            continue
        if outcome.status_code >= 400:
            raise errors.error_from_response(outcome, outcome.read())
        if final:
            return _decode(request, outcome)
        offset += len(chunk)


def _chunk_request(url: str, chunk: bytes, headers: dict[str, str]) -> Callable[[], httpx.Request]:
    return lambda: httpx.Request("POST", url, content=chunk, headers=headers)


def _same_host(config: TransportConfig, url: str) -> bool:
    return urlsplit(url).netloc == urlsplit(config.base_url).netloc


def _upload_start_headers(
    config: TransportConfig, request: PreparedRequest, size: int, mime: str
) -> dict[str, str]:
    return {
        **_headers(config, request),
        "content-type": "application/json",
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(size),
        "x-goog-upload-header-content-type": mime,
    }


def _session_headers(config: TransportConfig, upload_url: str) -> dict[str, str]:
    # The upload URL is the server's to choose; the key only goes back to the API's own host.
    return _headers(config, None) if _same_host(config, upload_url) else {}


def _chunk_headers(
    config: TransportConfig, upload_url: str, offset: int, final: bool
) -> dict[str, str]:
    return {
        **_session_headers(config, upload_url),
        "x-goog-upload-command": "upload, finalize" if final else "upload",
        "x-goog-upload-offset": str(offset),
    }


def _query_headers(config: TransportConfig, upload_url: str) -> dict[str, str]:
    return {**_session_headers(config, upload_url), "x-goog-upload-command": "query"}


def _upload_url(response: httpx.Response) -> str:
    url: str | None = response.headers.get("x-goog-upload-url")
    if not url:
        raise errors.APIError(
            "the upload was not started: the server sent no X-Goog-Upload-URL",
            response=response,
        )
    return url


def _received_offset(response: httpx.Response) -> int:
    status = response.headers.get("x-goog-upload-status", "")
    if status != "active":
        raise errors.APIError(f"the upload cannot resume (status {status!r})", response=response)
    return int(response.headers.get("x-goog-upload-size-received", "0"))
