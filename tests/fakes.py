"""A recording fake of the service for client and transport tests, behind httpx.MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

import gemini_sdk as genai

Answer = Any  # dict (a 200 JSON answer) | httpx.Response | BaseException | callable(request)


def as_received(request: httpx.Request) -> httpx.Request:
    """A copy of `request` as it went out: the SDK masks the key in the request object it
    sent once the answer is in, which a server on the other end of a wire never sees."""
    return httpx.Request(
        request.method,
        request.url,
        headers=request.headers.copy(),
        content=request.read(),
        extensions=request.extensions,
    )


class Server:
    """Records every request; answers from a queue first, then from `route`."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.queue: list[Answer] = []
        self.route: Callable[[httpx.Request], Answer] | None = None

    def reply(self, *answers: Answer) -> None:
        self.queue.extend(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(as_received(request))
        if self.queue:
            answer = self.queue.pop(0)
        else:
            assert self.route is not None, f"unexpected request {request.method} {request.url}"
            answer = self.route
        if callable(answer) and not isinstance(answer, httpx.Response):
            answer = answer(request)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def fake_client(server: Server, key: str, jitter: float = 0.0, **kwargs: Any) -> genai.Client:
    """A client on `server`, sync and async, whose retries record their sleeps instead of
    sleeping (`client.sleeps`) and draw `jitter` as their random value."""
    client = genai.Client(
        api_key=key,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
        **kwargs,
    )
    sleeps: list[float] = []

    async def async_sleep(delay: float) -> None:
        sleeps.append(delay)

    client._transport.sleep = sleeps.append
    client._transport.rand = lambda: jitter
    client.aio._transport.sleep = async_sleep
    client.aio._transport.rand = lambda: jitter
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client
