"""Lazy iteration over list operations, page by page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class _Pages(Generic[T]):
    """What both pagers know without I/O: the current page, and the token of the next one."""

    def __init__(self, items_attr: str | None) -> None:
        self._items_attr = items_attr or ""
        self._each: Callable[[Any], Any] | None = None
        self.response: Any = None
        self.page: list[T] = []
        self.next_page_token: str | None = None

    def _accept(self, response: Any) -> None:
        self.response = response
        items = getattr(response, self._items_attr) or []
        self.page = [self._each(item) for item in items] if self._each else list(items)
        self.next_page_token = response.next_page_token or None

    def _map(self, each: Callable[[Any], Any]) -> Any:
        """Give every item, of this page and the next ones, as `each` makes it."""
        self._each = each
        self.page = [each(item) for item in self.page]
        return self

    def _following(self) -> str:
        if not self.next_page_token:
            raise IndexError("no more pages")
        return self.next_page_token


class Pager(_Pages[T]):
    """Iterates every item of a list operation, fetching the next page only when needed.

    The first page is fetched when the pager is made, so a bad request fails at the call.
    `page` holds the current page's items and `next_page()` moves on explicitly.
    """

    def __init__(self, fetch: Callable[[str | None], Any], items_attr: str | None) -> None:
        super().__init__(items_attr)
        self._fetch = fetch
        self._cursor: Iterator[T] | None = None
        self._accept(fetch(None))

    def next_page(self) -> list[T]:
        self._accept(self._fetch(self._following()))
        return self.page

    def __iter__(self) -> Iterator[T]:
        while True:
            yield from self.page
            if not self.next_page_token:
                return
            self.next_page()

    def __next__(self) -> T:
        """The next item of one walk through the pages that `next()` calls share, so the
        pager is an Iterator as well as something a `for` loop can walk again."""
        if self._cursor is None:
            self._cursor = iter(self)
        return next(self._cursor)


class AsyncPager(_Pages[T]):
    """`Pager` for asyncio; the call that makes it awaits `first()`."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Any]], items_attr: str | None
    ) -> None:
        super().__init__(items_attr)
        self._fetch = fetch

    async def first(self) -> None:
        self._accept(await self._fetch(None))

    async def next_page(self) -> list[T]:
        self._accept(await self._fetch(self._following()))
        return self.page

    async def __aiter__(self) -> AsyncIterator[T]:
        while True:
            for item in self.page:
                yield item
            if not self.next_page_token:
                return
            await self.next_page()
