"""The rendering oracle (tests/oracle.py) on for the whole suite.

Requests are checked at the SDK's side: every request an httpx client sends that carries the
SDK's `x-goog-api-client` header, whatever server it goes to. Requests that tests make with
raw httpx (bad bodies posted to the emulator on purpose) carry httpx's own headers and are
not checked. Responses are checked at the emulator's side: every `Emulator` app (in-process
or served by uvicorn) gets a middleware that checks each answer before its last byte leaves,
so the emulator's answers to those raw requests are checked too. Answers of fake servers
that tests write by hand are not.

A test whose traffic disagrees with the rendering fails, listing each disagreement with the
route and the JSON path. A test that sends a request the rendering refuses on purpose (to
see the emulator refuse it) says so with `@pytest.mark.sends_invalid(reason)`; the
emulator's answers to it are still checked. Without ../shared the oracle is off, and
tests/test_oracle_rendering.py skips (fails under CI) saying so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
import pytest
import shared
from oracle import Disagreement, Oracle

from gemini_sdk.testing import Emulator

UPSTREAM = shared.SHARED / "upstream"
SPEC_DIR = shared.ROOT / "spec"
SDK_CLIENT = "gemini-sdk/"

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Watch:
    """What the oracle found since the last report, from any thread; and what it checked."""

    def __init__(self, oracle: Oracle) -> None:
        self.oracle = oracle
        self._lock = threading.Lock()
        self._found: list[tuple[str, Disagreement]] = []
        self.checked = {"request": 0, "response": 0}
        self.failed = 0
        # seconds spent checking, printed at the end so the oracle's cost stays visible
        self.spent = 0.0

    def request(self, request: httpx.Request) -> None:
        if not request.headers.get("x-goog-api-client", "").startswith(SDK_CLIENT):
            return
        try:
            body: bytes | None = request.content
        except httpx.RequestNotRead:
            body = None  # a streamed body: upload chunks read from a file
        url = request.url
        started = time.perf_counter()
        problems = self.oracle.check_request(
            request.method, url.path, url.query.decode(), request.headers, body
        )
        self._add("request", problems, started)

    def response(self, problems: list[Disagreement], started: float) -> None:
        self._add("response", problems, started)

    def _add(self, side: str, problems: list[Disagreement], started: float) -> None:
        with self._lock:
            self.spent += time.perf_counter() - started
            self.checked[side] += 1
            self._found += [(side, p) for p in problems]

    def take(self) -> list[tuple[str, Disagreement]]:
        with self._lock:
            found, self._found = self._found, []
        return found


class ResponseCheck:
    """ASGI middleware: each HTTP answer of the app checked against the renderings."""

    def __init__(self, app: Any, watch: Watch) -> None:
        self.app = app
        self.watch = watch

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started: Message = {}
        body = bytearray()
        done = False

        def check(complete: bool) -> None:
            begun = time.perf_counter()
            headers = {k.decode().lower(): v.decode() for k, v in started.get("headers", [])}
            self.watch.response(
                self.watch.oracle.check_response(
                    scope["method"],
                    scope["path"],
                    scope.get("query_string", b"").decode(),
                    started["status"],
                    headers,
                    bytes(body),
                    complete,
                ),
                begun,
            )

        async def sending(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    done = True
                    check(complete=True)  # before the last chunk: the client is still waiting
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if started and not done:
                check(complete=False)


WATCH: Watch | None = None
_ORIGINALS: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    global WATCH
    config.addinivalue_line(
        "markers",
        "sends_invalid(reason): the test sends, through the SDK, a request the rendering "
        "refuses on purpose; its requests are not held against it",
    )
    if not UPSTREAM.exists() or WATCH is not None:
        return
    WATCH = watch = Watch(Oracle(UPSTREAM, SPEC_DIR))
    _ORIGINALS.update(sync=httpx.Client.send, async_=httpx.AsyncClient.send, init=Emulator.__init__)
    sync_send, async_send, init = _ORIGINALS["sync"], _ORIGINALS["async_"], _ORIGINALS["init"]

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        watch.request(request)
        return sync_send(self, request, **kwargs)  # type: ignore[no-any-return]

    async def asend(
        self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
    ) -> httpx.Response:
        watch.request(request)
        return await async_send(self, request, **kwargs)  # type: ignore[no-any-return]

    def checked_init(self: Emulator, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.app.add_middleware(ResponseCheck, watch=watch)

    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = asend  # type: ignore[method-assign]
    Emulator.__init__ = checked_init  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    global WATCH
    if WATCH is None:
        return
    httpx.Client.send = _ORIGINALS["sync"]  # type: ignore[method-assign]
    httpx.AsyncClient.send = _ORIGINALS["async_"]  # type: ignore[method-assign]
    Emulator.__init__ = _ORIGINALS["init"]  # type: ignore[method-assign]
    WATCH = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if WATCH is None:
        return report
    found = WATCH.take()
    if item.get_closest_marker("sends_invalid") is not None:
        found = [(side, p) for side, p in found if side != "request"]
    if found and not report.failed:
        WATCH.failed += 1
        report.outcome = "failed"
        lines = [f"{side}: {problem}" for side, problem in found]
        report.longrepr = "traffic the renderings disagree with:\n  " + "\n  ".join(lines)
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if WATCH is None:
        terminalreporter.write_line(f"rendering oracle off: no renderings at {UPSTREAM}")
        return
    checked = WATCH.checked
    terminalreporter.write_line(
        f"rendering oracle: {checked['request']} SDK requests and {checked['response']} "
        f"emulator answers checked in {WATCH.spent:.1f} s; {WATCH.failed} test phases "
        "failed on disagreements"
    )
    for known in WATCH.oracle.unused_known():
        terminalreporter.write_line(
            f"  no traffic needed the overlay's oracle entry {known.operation}: {known.match}"
        )
