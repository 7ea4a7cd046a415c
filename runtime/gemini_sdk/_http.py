"""The transport: one pooled httpx client per SDK client, auth, retries, errors, SSE, uploads.

Every decision (URLs, headers, retries, error mapping, decoding, the upload protocol) is
written once, as generators of steps without I/O; `SyncTransport` and `AsyncTransport` only
perform the steps, and each has the one `execute` that stubs and high-level methods call.
"""

from __future__ import annotations

import io
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Generator
from typing import Any, BinaryIO, Generic, TypeVar, Union
from urllib.parse import urlsplit

import attrs
import httpx

from gemini_sdk import errors
from gemini_sdk._convert import dumps, loads, structure
from gemini_sdk._endpoint import PreparedRequest, Timeout, unchanged
from gemini_sdk._options import TransportConfig, merged
from gemini_sdk._pager import AsyncPager, Pager
from gemini_sdk._stream import AsyncStream, Events, Stream
from gemini_sdk._upload import UploadSource, describe
from gemini_sdk._version import __version__
from gemini_sdk._wait import Wait

logger = logging.getLogger("gemini_sdk")
T = TypeVar("T")

UPLOAD_CHUNK_SIZE = 8 * 1024 * 1024


def _for(config: TransportConfig, request: PreparedRequest) -> TransportConfig:
    """The client's config with the call's own HttpOptions over it."""
    return config if request.http_options is None else merged(config, request.http_options)


def _url(config: TransportConfig, request: PreparedRequest) -> str:
    root = f"/{request.operation.root}" if request.operation.root else ""
    return f"{config.base_url.rstrip('/')}{root}/{config.api_version}/{request.path}"


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
        _url(config, request),
        params=request.query or None,
        content=dumps(request.json) if request.json is not None else None,
        headers=_headers(config, request),
        timeout=_timeout(config, request),
    )


def _translate(error: httpx.HTTPError) -> errors.APIError:
    """httpx's exceptions -> ours, without their request (whose headers hold the key)."""
    if isinstance(error, httpx.TimeoutException):
        return errors.APITimeoutError(f"request timed out ({type(error).__name__})")
    return errors.APIConnectionError(f"connection failed ({type(error).__name__}: {error})")


def _decode(request: PreparedRequest, response: httpx.Response) -> Any:
    content = response.content
    data = loads(content) if content.strip() else {}
    return structure(data, request.operation.response)


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


def _stream_item(request: PreparedRequest, response: httpx.Response) -> Callable[[str], Any]:
    def parse(data: str) -> Any:
        payload = loads(data)
        if isinstance(payload, dict) and "error" in payload:
            raise errors.error_from_payload(payload, response)
        return structure(payload, request.operation.response)

    return parse


# -- the request path without I/O ------------------------------------------------------------
#
# Every exchange is a generator of steps: it yields a `_Send` and is sent back the response
# or the httpx error, yields a `_Sleep` and is resumed after the wait, and returns its result.
# The two transports below only perform the steps.


@attrs.frozen
class _Send:
    request: httpx.Request
    stream: bool = False


@attrs.frozen
class _Sleep:
    seconds: float


_Outcome = Union[httpx.Response, httpx.HTTPError, None]  # noqa: UP007 - 3.10 needs Union
_Steps = Generator[Union[_Send, _Sleep], _Outcome, T]  # noqa: UP007


def _retrying(
    config: TransportConfig,
    request: PreparedRequest,
    build: Callable[[], httpx.Request],
    rand: Callable[[], float],
    stream: bool = False,
) -> _Steps[httpx.Response]:
    """Send with retries; return a successful response or raise the typed error."""
    attempt = 0
    while True:
        attempt += 1
        started = time.perf_counter()
        outcome = yield _Send(build(), stream)
        if isinstance(outcome, httpx.Response):
            _log(request, outcome.status_code, started, attempt)
            if outcome.status_code < 400:
                return outcome
            error: errors.APIError = errors.error_from_response(outcome, outcome.content)
        else:
            assert isinstance(outcome, httpx.HTTPError)
            _log(request, type(outcome).__name__, started, attempt)
            error = _translate(outcome)
        delay = config.retry.delay(attempt, error, rand)
        if delay is None:
            raise error
        logger.info("retrying after %.2fs: %s", delay, error)
        yield _Sleep(delay)


def _exchange(
    config: TransportConfig,
    request: PreparedRequest,
    http: httpx.Client | httpx.AsyncClient,
    rand: Callable[[], float],
) -> _Steps[Any]:
    """One call of any kind but a pager: what `execute` returns before wrapping a stream."""
    if request.kind == "wait":
        return (yield from _waiting(config, request, http, rand))
    if request.kind == "upload":
        source, size, mime = _open_media(request.media, request.mime_type)
        try:
            return (yield from _upload_steps(config, request, source, size, mime, rand))
        finally:
            source.close()
    response = yield from _retrying(
        config, request, lambda: _build(http, config, request), rand, request.kind == "stream"
    )
    if request.kind == "stream":
        return response
    if request.kind == "media":
        return response.content
    return _decode(request, response)


def _waiting(
    config: TransportConfig,
    request: PreparedRequest,
    http: httpx.Client | httpx.AsyncClient,
    rand: Callable[[], float],
) -> _Steps[Any]:
    """Fetch the resource until it is ready, sleeping `poll_interval` between fetches."""
    wait: Wait = request.wait
    started = wait.clock()
    while True:
        response = yield from _retrying(
            config, request, lambda: _build(http, config, request), rand
        )
        resource = _decode(request, response)
        if wait.ready(resource):
            return resource
        wait.check_deadline(started, resource)
        yield _Sleep(wait.poll_interval)


def _with_page_token(request: PreparedRequest, token: str | None) -> PreparedRequest:
    # A page is a plain call of the list operation.
    query = request.query if token is None else {**request.query, "pageToken": token}
    return attrs.evolve(request, query=query, kind="response")


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Pooled(Generic[H]):
    """The one pooled httpx client of a transport: the caller's, or one built on first use.

    Building it makes an SSL context, most of what `Client()` would cost otherwise, and a
    program may build a client it never calls.
    """

    def __init__(
        self,
        config: TransportConfig,
        http_client: H | None = None,
        sleep: Callable[[float], Any] | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.owns_client = http_client is None
        self._http: H | None = http_client
        self._building = threading.Lock()
        # how the driver waits between attempts (tests pass their own)
        self.sleep = sleep or self._default_sleep()
        self.rand = rand

    # httpx.Client or httpx.AsyncClient: what `http` builds when the caller gave none
    _pool_type: type[H]

    def _make(self) -> H:
        return self._pool_type(timeout=self.config.timeout)

    def _default_sleep(self) -> Callable[[float], Any]:
        raise NotImplementedError

    @property
    def http(self) -> H:
        http = self._http
        if http is None:
            with self._building:  # two threads' first calls must share one pool
                http = self._http
                if http is None:
                    http = self._http = self._make()
        return http


class SyncTransport(_Pooled[httpx.Client]):
    _pool_type = httpx.Client

    def _default_sleep(self) -> Callable[[float], Any]:
        return time.sleep

    def close(self) -> None:
        if self.owns_client:
            # builds the pool if no call did, so that a call after close() fails as before
            self.http.close()

    def execute(self, request: PreparedRequest, finish: Callable[[Any], Any] = unchanged) -> Any:
        """Send `request` and return what its kind asks for, as `finish` makes it."""
        if request.kind == "pager":
            fetch = lambda token: self.execute(_with_page_token(request, token))  # noqa: E731
            return finish(Pager(fetch, request.operation.items_attr))
        result = self._run(_exchange(_for(self.config, request), request, self.http, self.rand))
        if request.kind == "stream":
            result = Stream(result, Events(_stream_item(request, result)))
        return finish(result)

    def _run(self, steps: _Steps[T]) -> T:
        outcome: _Outcome = None
        try:
            while True:
                step = steps.send(outcome)
                if isinstance(step, _Sleep):
                    self.sleep(step.seconds)
                    outcome = None
                    continue
                try:
                    outcome = self.http.send(step.request, stream=step.stream)
                    if step.stream and outcome.status_code >= 400:
                        outcome.read()
                        outcome.close()
                except httpx.HTTPError as error:
                    outcome = error
        except StopIteration as done:
            result: T = done.value
            return result


class AsyncTransport(_Pooled[httpx.AsyncClient]):
    _pool_type = httpx.AsyncClient

    def _default_sleep(self) -> Callable[[float], Any]:
        # imported here, not with the module: a sync-only program never needs asyncio
        import asyncio

        return asyncio.sleep

    async def close(self) -> None:
        if self.owns_client:
            await self.http.aclose()

    async def execute(
        self, request: PreparedRequest, finish: Callable[[Any], Any] = unchanged
    ) -> Any:
        if request.kind == "pager":
            fetch = lambda token: self.execute(_with_page_token(request, token))  # noqa: E731
            pager: AsyncPager[Any] = AsyncPager(fetch, request.operation.items_attr)
            await pager.first()
            return finish(pager)
        config = _for(self.config, request)
        result = await self._run(_exchange(config, request, self.http, self.rand))
        if request.kind == "stream":
            result = AsyncStream(result, Events(_stream_item(request, result)))
        return finish(result)

    async def _run(self, steps: _Steps[T]) -> T:
        outcome: _Outcome = None
        try:
            while True:
                step = steps.send(outcome)
                if isinstance(step, _Sleep):
                    await self.sleep(step.seconds)
                    outcome = None
                    continue
                try:
                    outcome = await self.http.send(step.request, stream=step.stream)
                    if step.stream and outcome.status_code >= 400:
                        await outcome.aread()
                        await outcome.aclose()
                except httpx.HTTPError as error:
                    outcome = error
        except StopIteration as done:
            result: T = done.value
            return result


# -- resumable upload protocol ---------------------------------------------------------------


def _open_media(media: UploadSource | None, mime_type: str | None) -> tuple[BinaryIO, int, str]:
    """A seekable binary source, its size and its MIME type; a missing path raises here."""
    size, mime = describe(media, mime_type)
    if isinstance(media, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(media)), size, mime
    if isinstance(media, (str, os.PathLike)):
        return open(media, "rb"), size, mime  # noqa: SIM115 - closed by the caller's finally
    assert media is not None
    if media.tell():
        media = io.BytesIO(media.read())
    return media, size, mime


def _upload_steps(
    config: TransportConfig,
    request: PreparedRequest,
    source: BinaryIO,
    size: int,
    mime: str,
    rand: Callable[[], float],
) -> _Steps[Any]:
    """The resumable protocol without I/O.

    Start a session, send chunks at the offsets the server confirms, and after a dropped
    or failed chunk ask the server what it received and resume from there. A chunk the
    server answered counts for what the server says it received, which may be less than was
    sent; only failures in a row (a chunk that made no progress is one) count against the
    retry attempts.
    """
    timeout = _timeout(config, request)

    def start() -> httpx.Request:
        return httpx.Request(
            "POST",
            _url(config, request),
            params=request.query or None,
            content=dumps(request.json or {}),
            headers=_upload_start_headers(config, request, size, mime),
            extensions={"timeout": httpx.Timeout(timeout).as_dict()},
        )

    started = yield from _retrying(config, request, start, rand)
    upload_url = _upload_url(started)

    def query() -> httpx.Request:
        return httpx.Request("POST", upload_url, headers=_query_headers(config, upload_url))

    offset, failures = 0, 0
    while True:
        source.seek(offset)
        chunk = source.read(UPLOAD_CHUNK_SIZE)
        final = offset + len(chunk) >= size
        headers = _chunk_headers(config, upload_url, offset, final)
        outcome = yield _Send(httpx.Request("POST", upload_url, content=chunk, headers=headers))
        assert outcome is not None
        if isinstance(outcome, httpx.HTTPError) or outcome.status_code >= 500:
            failures += 1
            if failures >= config.retry.attempts:
                if isinstance(outcome, httpx.HTTPError):
                    raise _translate(outcome)
                raise errors.error_from_response(outcome, outcome.read())
            status = yield from _retrying(config, request, query, rand)
            offset = _received_offset(status)
            continue
        if outcome.status_code >= 400:
            raise errors.error_from_response(outcome, outcome.read())
        if outcome.headers.get("x-goog-upload-status") == "final" or (
            final and "x-goog-upload-status" not in outcome.headers
        ):
            return _decode(request, outcome)
        received = int(outcome.headers.get("x-goog-upload-size-received", offset + len(chunk)))
        failures = 0 if received > offset else failures + 1
        if failures >= config.retry.attempts:
            raise errors.APIError(
                f"the upload makes no progress: the server holds {received} of {size} bytes",
                response=outcome,
            )
        offset = received


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
