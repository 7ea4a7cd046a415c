"""Lazy iteration over list operations, page by page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Pager(Generic[T]):
    """Iterates every item of a list operation, fetching the next page only when needed.

    The first page is fetched when the pager is made, so a bad request fails at the call.
    `page` holds the current page's items and `next_page()` moves on explicitly.
    """

    def __init__(self, fetch: Callable[[str | None], Any], items_attr: str | None) -> None:
        self._fetch = fetch
        self._items_attr = items_attr or ""
        self._load(None)

    def _load(self, token: str | None) -> None:
        self.response = self._fetch(token)
        self.page: list[T] = list(getattr(self.response, self._items_attr) or [])
        self.next_page_token: str | None = self.response.next_page_token or None

    def next_page(self) -> list[T]:
        if not self.next_page_token:
            raise IndexError("no more pages")
        self._load(self.next_page_token)
        return self.page

    def __iter__(self) -> Iterator[T]:
        while True:
            yield from self.page
            if not self.next_page_token:
                return
            self._load(self.next_page_token)


class AsyncPager(Generic[T]):
    """The asyncio twin of `Pager`; `await pager.first()` happens inside the call."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Any]], items_attr: str | None
    ) -> None:
        self._fetch = fetch
        self._items_attr = items_attr or ""
        self.page: list[T] = []
        self.next_page_token: str | None = None

    async def _load(self, token: str | None) -> None:
        self.response = await self._fetch(token)
        self.page = list(getattr(self.response, self._items_attr) or [])
        self.next_page_token = self.response.next_page_token or None

    async def first(self) -> None:
        await self._load(None)

    async def next_page(self) -> list[T]:
        if not self.next_page_token:
            raise IndexError("no more pages")
        await self._load(self.next_page_token)
        return self.page

    async def __aiter__(self) -> AsyncIterator[T]:
        while True:
            for item in self.page:
                yield item
            if not self.next_page_token:
                return
            await self._load(self.next_page_token)
