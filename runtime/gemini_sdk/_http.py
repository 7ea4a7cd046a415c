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
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, BinaryIO, Generic, TypeVar
from urllib.parse import urlsplit

import attrs
import httpx

from gemini_sdk import errors
from gemini_sdk._convert import WireFormatError, dumps, loads, structure
from gemini_sdk._endpoint import PreparedRequest, unchanged
from gemini_sdk._helpers import keep_received
from gemini_sdk._options import TransportConfig, merged
from gemini_sdk._pager import AsyncPager, Pager
from gemini_sdk._steps import Media, Plan, _Outcome, _Send, _Sleep, _Steps
from gemini_sdk._stream import AsyncStream, Events, Stream
from gemini_sdk._upload import Progress, UploadSource, describe
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


DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)


def _timeout(config: TransportConfig, request: PreparedRequest | None = None) -> httpx.Timeout:
    """The call's timeout, else the client's, else the default, as an httpx.Timeout."""
    chosen = config.timeout if request is None or request.timeout is None else request.timeout
    return DEFAULT_TIMEOUT if chosen is None else httpx.Timeout(chosen)


# Parsed URLs by their text: httpx parses a str URL on every request, which is a third of
# building one; a program calls few distinct URLs (model names, resource ids), and the bound
# keeps one that names a new resource each call from growing without end.
_PARSED: dict[str, httpx.URL] = {}
_PARSED_MAX = 1024


def _parsed(url: str) -> httpx.URL:
    parsed = _PARSED.get(url)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[url] = httpx.URL(url)
    return parsed


def _build(
    client: httpx.Client | httpx.AsyncClient, config: TransportConfig, request: PreparedRequest
) -> httpx.Request:
    return client.build_request(
        request.method,
        _parsed(_url(config, request)),
        params=request.query or None,
        content=dumps(request.json) if request.json is not None else None,
        headers=_headers(config, request),
        timeout=_timeout(config, request),
    )


def _translate(error: httpx.HTTPError) -> errors.APIError:
    """httpx's exceptions -> ours, without their request (whose headers hold the key)."""
    if isinstance(error, httpx.TimeoutException):
        return errors.APITimeoutError(f"request timed out ({type(error).__name__})")
    refused = _certificate_refusal(error)
    if refused is not None:
        return errors.TLSVerificationError(
            f"TLS certificate verification failed ({refused.verify_message}); verification "
            "stays on: to trust a private certificate authority, pass an httpx client whose "
            "`verify` names it"
        )
    return errors.APIConnectionError(f"connection failed ({type(error).__name__}: {error})")


def _certificate_refusal(error: BaseException) -> ssl.SSLCertVerificationError | None:
    # httpx wraps httpcore's error, which wraps the ssl module's: the cause is two links down.
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


# Headers whose values are credentials: masked on every request a user can reach.
SECRET_HEADERS = ("x-goog-api-key", "authorization")


def _redacted(response: httpx.Response) -> httpx.Response:
    """`response`, its request's secret headers masked.

    Errors keep their response, and streams and high-level results expose it: nothing
    reachable from a result or an exception (its repr, its pickle) then holds the key. The
    request has been sent, and a retry builds a new one, so its headers are masked in place
    (rebuilding the request was about a quarter of a small call's own work).
    """
    headers = response.request.headers
    for name in SECRET_HEADERS:
        if name in headers:
            headers[name] = "[redacted]"
    return response


def _unexpected(response: httpx.Response, what: str) -> errors.UnexpectedResponseError:
    return errors.UnexpectedResponseError(
        f"unexpected answer: {what}", code=response.status_code, response=response
    )


def _excerpt(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return repr(text[:80]) + ("..." if len(text) > 80 else "")


def _accepted(response: httpx.Response) -> httpx.Response:
    """`response` when it answers the call; the typed error for a refusal or a redirect."""
    status = response.status_code
    if status >= 400:
        raise errors.error_from_response(response, response.content)
    if status >= 300:
        # Following it would send the key to wherever the Location points.
        location = response.headers.get("location")
        target = f"to {location!r}" if location else "without a Location"
        raise _unexpected(response, f"HTTP {status} redirect {target}, which is not followed")
    return response


def _html(response: httpx.Response) -> bool:
    content_type: str = response.headers.get("content-type", "")
    return content_type.lower().startswith("text/html")


def _whole(response: httpx.Response) -> bool:
    """Whether a streamed response is an answer to read whole (an error, a redirect, an HTML
    page, an empty 204) rather than a stream of events, which only a 200 is."""
    return response.status_code != 200 or _html(response)


def _events(response: httpx.Response) -> httpx.Response:
    if _html(_accepted(response)):
        raise _unexpected(
            response,
            "an HTML page (content-type text/html) instead of a stream of events: "
            + _excerpt(response.content),
        )
    if response.status_code != 200:
        raise _unexpected(response, f"HTTP {response.status_code} where a stream of events was due")
    return response


def _json(response: httpx.Response, data: str | bytes, what: str) -> Any:
    try:
        return loads(data)
    except ValueError:
        raise _unexpected(response, f"{what} that is not JSON: {_excerpt(data)}") from None


def _shaped(response: httpx.Response, payload: Any, cls: type[T]) -> T:
    try:
        answer = structure(payload, cls)
    except WireFormatError as error:
        raise _unexpected(response, f"JSON that is not a {cls.__name__}: {error}") from None
    return keep_received(answer, (response.status_code, response.headers))  # type: ignore[no-any-return]


def _decode(request: PreparedRequest, response: httpx.Response) -> Any:
    content = _accepted(response).content
    cls = request.response
    if content.strip():
        return _shaped(response, _json(response, content, "a body"), cls)
    if request.operation.response_type != "Empty":
        raise _unexpected(
            response, f"HTTP {response.status_code} with no body where a {cls.__name__} was due"
        )
    return _shaped(response, {}, cls)


def _media(response: httpx.Response) -> Media:
    return Media(_accepted(response).content, response.status_code, response.headers)


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
        payload = _json(response, data, "an event")
        if isinstance(payload, dict) and "error" in payload:
            raise errors.error_from_payload(payload, response)
        return _shaped(response, payload, request.response)

    return parse


# -- the request path without I/O ------------------------------------------------------------
#
# Every exchange is a generator of the steps of _steps.py; the two transports below only
# perform them.


def _retrying(
    config: TransportConfig,
    request: PreparedRequest,
    build: Callable[[], httpx.Request],
    read: Callable[[httpx.Response], T],
    rand: Callable[[], float],
    stream: bool = False,
    progress: Progress | None = None,
    deadline: float | None = None,
) -> _Steps[T]:
    """Send with retries until `read` accepts a response, and return what it made of it;
    raise the typed error when the retry options or the total deadline say to stop.
    `progress` is told how far each attempt's body has arrived.

    `deadline` is the call's (see `_deadline`) when these attempts are one step of a longer
    exchange, such as an upload; by default the deadline counts from now."""
    if deadline is None:
        deadline = _deadline(config)
    attempt = 0
    while True:
        attempt += 1
        started = time.perf_counter()
        sent = build()
        if deadline is not None:
            _cap_timeouts(sent, deadline - time.monotonic())
        outcome = yield _Send(sent, stream or progress is not None, progress)
        if isinstance(outcome, httpx.Response):
            _log(request, outcome.status_code, started, attempt)
            try:
                return read(outcome)
            except errors.APIError as refused:
                error = refused
        else:
            assert isinstance(outcome, httpx.HTTPError)
            _log(request, type(outcome).__name__, started, attempt)
            error = _translate(outcome)
        delay = config.retry.delay(attempt, error, rand)
        if deadline is not None and time.monotonic() + (delay or 0.0) >= deadline:
            raise _deadline_reached(config, attempt, error) from error
        if delay is None:
            raise error
        logger.info("retrying after %.2fs: %s", delay, error)
        yield _Sleep(delay)


def _deadline(config: TransportConfig) -> float | None:
    """When a call starting now must be over (time.monotonic), or None without a deadline."""
    return None if config.deadline is None else time.monotonic() + config.deadline


def _deadline_reached(
    config: TransportConfig, attempts: int, error: errors.APIError
) -> errors.TotalDeadlineError:
    return errors.TotalDeadlineError(
        f"the total deadline of {config.deadline:g} s was reached after {attempts} "
        f"attempt{'s' if attempts > 1 else ''}; the last one: {error}",
        attempts=attempts,
    )


def _cap_timeouts(sent: httpx.Request, left: float) -> None:
    """No timeout of the attempt reaches past the total deadline."""
    # A deadline already past still gets an attempt that fails at once (a socket refuses a
    # timeout of 0 or less), whose failure then reports the deadline.
    left = max(left, 0.001)
    # A request built without timeouts would otherwise wait forever.
    timeouts = sent.extensions.get("timeout") or dict.fromkeys(("connect", "read", "write", "pool"))
    sent.extensions["timeout"] = {
        name: left if value is None else min(value, left) for name, value in timeouts.items()
    }


def _exchange(
    config: TransportConfig,
    request: PreparedRequest,
    http: httpx.Client | httpx.AsyncClient,
    rand: Callable[[], float],
) -> _Steps[Any]:
    """One call of any kind but a pager: what `execute` returns before wrapping a stream."""
    if request.kind == "wait":
        return (yield from _waiting(config, request, http, rand))
    progress = None if request.progress is None else _forward_only(request.progress)
    if request.kind == "upload":
        source, size, mime = _open_media(request.media, request.mime_type)
        try:
            return (yield from _upload_steps(config, request, source, size, mime, rand, progress))
        finally:
            source.close()
    read: Callable[[httpx.Response], Any]
    if request.kind == "stream":
        read = _events
    elif request.kind == "media":
        read = _media
    else:
        read = lambda response: _decode(request, response)  # noqa: E731
    build = lambda: _build(http, config, request)  # noqa: E731
    return (
        yield from _retrying(config, request, build, read, rand, request.kind == "stream", progress)
    )


def _forward_only(progress: Progress) -> Progress:
    """`progress`, told only of advances: a retried download starts again from 0, and a
    resumed upload may go back to what the server kept, but the caller's count never falls."""
    told: tuple[int, int | None] = (-1, None)

    def report(done: int, total: int | None) -> None:
        nonlocal told
        # The same count again only when it brings the total, first unknown.
        if done > told[0] or (done == told[0] and total != told[1]):
            told = (done, total)
            progress(done, total)

    return report


class _Counted(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that tells `progress` how many of its bytes (as sent, before any
    content decoding: what Content-Length counts) have arrived."""

    def __init__(self, response: httpx.Response, progress: Progress) -> None:
        self._inner = response.stream
        length = response.headers.get("content-length")
        self._total = int(length) if length and length.isdigit() else None
        self._progress = progress
        self._done = 0

    def _arrived(self, chunk: bytes) -> bytes:
        self._done += len(chunk)
        self._progress(self._done, self._total)
        return chunk

    def _ended(self) -> None:
        # Without a Content-Length the size is known only now.
        if self._total is None:
            self._progress(self._done, self._done)

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._inner, httpx.SyncByteStream)
        for chunk in self._inner:
            yield self._arrived(chunk)
        self._ended()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._inner, httpx.AsyncByteStream)
        async for chunk in self._inner:
            yield self._arrived(chunk)
        self._ended()

    def close(self) -> None:
        assert isinstance(self._inner, httpx.SyncByteStream)
        self._inner.close()

    async def aclose(self) -> None:
        assert isinstance(self._inner, httpx.AsyncByteStream)
        await self._inner.aclose()


def _read_whole(step: _Send, response: httpx.Response) -> bool:
    """Whether the driver reads a streamed response whole before handing it over: one that
    is not a stream of events, or a download told to report its progress (which is then
    set up to be told)."""
    if _whole(response):
        return True
    if step.progress is None:
        return False
    response.stream = _Counted(response, step.progress)
    return True


def _waiting(
    config: TransportConfig,
    request: PreparedRequest,
    http: httpx.Client | httpx.AsyncClient,
    rand: Callable[[], float],
) -> _Steps[Any]:
    """Fetch the resource, retried like any call, until the request's wait finds it ready."""
    wait: Wait = request.wait

    def fetch() -> _Steps[Any]:
        build = lambda: _build(http, config, request)  # noqa: E731
        return _retrying(config, request, build, lambda response: _decode(request, response), rand)

    return (yield from wait.steps(fetch))


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
        return self._pool_type(timeout=_timeout(self.config))

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

    def drive(self, plan: Plan[T]) -> T:
        """Run a plan of calls and waits written without I/O (see `_operations`)."""
        return self._run(plan(lambda r: _exchange(_for(self.config, r), r, self.http, self.rand)))

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
                    outcome = _redacted(
                        self.http.send(step.request, stream=step.stream, follow_redirects=False)
                    )
                    if step.stream and _read_whole(step, outcome):
                        outcome.read()
                        outcome.close()
                except httpx.HTTPError as error:
                    outcome = error
        except StopIteration as done:
            result: T = done.value
            return result


class AsyncTransport(_Pooled[httpx.AsyncClient]):
    _pool_type = httpx.AsyncClient
    # the event loop the pool's connections belong to
    _loop: object = None

    def _default_sleep(self) -> Callable[[float], Any]:
        # imported here, not with the module: a sync-only program never needs asyncio
        import asyncio

        return asyncio.sleep

    @property
    def http(self) -> httpx.AsyncClient:
        """The pool for the running event loop.

        Connections belong to the loop that opened them, and a client made once (at import,
        say) serves each `asyncio.run(...)` in turn: in a new loop, the pool of the old one is
        dropped unclosed (closing needs that loop, which may be closed) and a fresh one made.
        """
        if self.owns_client:
            import asyncio

            loop = asyncio.get_running_loop()
            with self._building:
                if self._loop is not loop:
                    self._loop, self._http = loop, None
        return super().http

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

    async def drive(self, plan: Plan[T]) -> T:
        return await self._run(
            plan(lambda r: _exchange(_for(self.config, r), r, self.http, self.rand))
        )

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
                    outcome = _redacted(
                        await self.http.send(
                            step.request, stream=step.stream, follow_redirects=False
                        )
                    )
                    if step.stream and _read_whole(step, outcome):
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
    progress: Progress | None = None,
) -> _Steps[Any]:
    """The resumable protocol without I/O.

    Start a session, send chunks at the offsets the server confirms, and after a dropped
    or failed chunk ask the server what it received and resume from there. A chunk the
    server answered counts for what the server says it received, which may be less than was
    sent; only failures in a row (a chunk that made no progress is one) count against the
    retry attempts. `progress` is told each count the server confirms.
    """
    # one deadline for the whole upload: its start, every chunk and every query
    deadline = _deadline(config)
    timeout = {"timeout": httpx.Timeout(_timeout(config, request)).as_dict()}

    def start() -> httpx.Request:
        return httpx.Request(
            "POST",
            _url(config, request),
            params=request.query or None,
            content=dumps(request.json or {}),
            headers=_upload_start_headers(config, request, size, mime),
            extensions=dict(timeout),
        )

    started = yield from _retrying(config, request, start, _accepted, rand, deadline=deadline)
    upload_url = _upload_url(started)

    def query() -> httpx.Request:
        headers = _query_headers(config, upload_url)
        return httpx.Request("POST", upload_url, headers=headers, extensions=dict(timeout))

    offset, failures = 0, 0
    while True:
        source.seek(offset)
        chunk = source.read(UPLOAD_CHUNK_SIZE)
        final = offset + len(chunk) >= size
        headers = _chunk_headers(config, upload_url, offset, final)
        sent = httpx.Request(
            "POST", upload_url, content=chunk, headers=headers, extensions=dict(timeout)
        )
        if deadline is not None:
            _cap_timeouts(sent, deadline - time.monotonic())
        outcome = yield _Send(sent)
        assert outcome is not None
        if isinstance(outcome, httpx.HTTPError) or outcome.status_code >= 500:
            failures += 1
            error = (
                _translate(outcome)
                if isinstance(outcome, httpx.HTTPError)
                else errors.error_from_response(outcome, outcome.read())
            )
            if deadline is not None and time.monotonic() >= deadline:
                raise _deadline_reached(config, failures, error) from error
            if failures >= config.retry.attempts:
                raise error
            status = yield from _retrying(
                config, request, query, _accepted, rand, deadline=deadline
            )
            offset = _received_offset(status)
            continue
        if outcome.status_code >= 400:
            raise errors.error_from_response(outcome, outcome.read())
        if outcome.headers.get("x-goog-upload-status") == "final" or (
            final and "x-goog-upload-status" not in outcome.headers
        ):
            uploaded = _decode(request, outcome)
            if progress is not None:
                progress(size, size)
            return uploaded
        received = int(outcome.headers.get("x-goog-upload-size-received", offset + len(chunk)))
        if progress is not None:
            progress(received, size)
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
