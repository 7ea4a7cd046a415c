"""A streamed result: the items of a server-sent events response, as an object the caller owns.

`Events` is the whole decision (bytes -> events -> typed items, an error event, a cut
stream) without I/O; `Stream` and `AsyncStream` only move bytes into it. Both close the
connection when iteration ends, on `close()` / `aclose()` and when their `with` block exits.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from gemini_sdk import errors
from gemini_sdk._sse import SSEDecoder

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


class Watched(Generic[T]):
    """What a stream's watchers are told of: every item, and the clean end."""

    def __init__(self) -> None:
        self._on_item: list[Callable[[T], object]] = []
        self._on_end: list[Callable[[], object]] = []

    def watch(
        self,
        on_item: Callable[[T], object] | None = None,
        on_end: Callable[[], object] | None = None,
    ) -> None:
        if on_item is not None:
            self._on_item.append(on_item)
        if on_end is not None:
            self._on_end.append(on_end)

    def ended(self) -> None:
        for on_end in self._on_end:
            on_end()


class Events(Watched[T]):
    """Bytes of one SSE response in, items out."""

    def __init__(self, parse: Callable[[str], T]) -> None:
        super().__init__()
        self._decoder = SSEDecoder()
        self._parse = parse

    def feed(self, chunk: bytes) -> Iterator[T]:
        # One item at a time: an error event must not hide the items before it.
        parse, watchers = self._parse, self._on_item
        for event in self._decoder.feed(chunk):
            item = parse(event.data)
            if watchers:
                for on_item in watchers:
                    on_item(item)
            yield item

    def finish(self) -> None:
        self._decoder.finish()
        self.ended()


def interrupted(error: httpx.HTTPError) -> errors.StreamInterruptedError:
    return errors.StreamInterruptedError(
        f"the stream broke after it started ({type(error).__name__})"
    )


# The readers take no stream object: a generator holding its owner would make a cycle, and a
# loop left early (`break`) would then keep the connection until the garbage collector ran.


def _read(response: httpx.Response, events: Events[T]) -> Generator[T, None, None]:
    import httpx  # loaded already: there is a response

    try:
        try:
            for chunk in response.iter_bytes():
                yield from events.feed(chunk)
        except httpx.HTTPError as error:
            raise interrupted(error) from None
        events.finish()
    finally:
        response.close()


async def _aread(response: httpx.Response, events: Events[T]) -> AsyncGenerator[T, None]:
    import httpx  # loaded already: there is a response

    try:
        try:
            async for chunk in response.aiter_bytes():
                for item in events.feed(chunk):
                    yield item
        except httpx.HTTPError as error:
            raise interrupted(error) from None
        events.finish()
    finally:
        await response.aclose()


S = TypeVar("S", bound="_Streamed[Any]")


class _Streamed(Generic[T]):
    """What both stream objects hold: the response, its `Events`, and the reader over them."""

    def __init__(self, response: httpx.Response, events: Events[T]) -> None:
        self.response = response
        self._events = events
        self._items = self._reader(response, events)

    @staticmethod
    def _reader(response: httpx.Response, events: Events[T]) -> Any:
        raise NotImplementedError

    def _watch(
        self: S,
        on_item: Callable[[T], object] | None = None,
        on_end: Callable[[], object] | None = None,
    ) -> S:
        self._events.watch(on_item, on_end)
        return self


class Stream(_Streamed[T]):
    """The items of a streamed response; `response` is the httpx.Response they come from."""

    _reader = staticmethod(_read)
    _items: Generator[T, None, None]

    def __iter__(self) -> Iterator[T]:
        return self._items

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        """Stop reading and release the connection; the items not read yet are dropped."""
        self._items.close()
        self.response.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncStream(_Streamed[T]):
    """`Stream` for asyncio: `async for`, `async with`, `aclose()`."""

    _reader = staticmethod(_aread)
    _items: AsyncGenerator[T, None]

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items

    async def __anext__(self) -> T:
        return await self._items.__anext__()

    async def aclose(self) -> None:
        await self._items.aclose()
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
