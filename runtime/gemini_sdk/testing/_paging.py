"""Paging for list operations: pageSize / pageToken in, nextPageToken out.

Tokens are opaque to clients but checked here: a token names the list it came from and an
offset, so a made-up or foreign token is refused as the service refuses it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from gemini_sdk.testing._errors import invalid_argument

T = TypeVar("T")


def page(
    items: Sequence[T],
    query: Mapping[str, str],
    *,
    listing: str,
    default_size: int = 50,
    max_size: int = 1000,
) -> tuple[Sequence[T], str | None]:
    """One page of `items` and the token of the next page (None on the last one)."""
    size = _page_size(query.get("pageSize", query.get("page_size")))
    size = min(size or default_size, max_size)
    token = query.get("pageToken", query.get("page_token")) or ""
    offset = _offset(token, listing, len(items)) if token else 0
    end = offset + size
    next_token = _token(listing, end) if end < len(items) else None
    return items[offset:end], next_token


def page_body(
    items: Sequence[T],
    query: Mapping[str, str],
    to_wire: Callable[[T], Any],
    listing: str,
    default_size: int,
    max_size: int,
) -> dict[str, Any]:
    """A list answer: one page of `items` in wire form under `listing`, and the next token."""
    found, next_token = page(
        items, query, listing=listing, default_size=default_size, max_size=max_size
    )
    body: dict[str, Any] = {}
    if found:  # proto3 JSON leaves an empty list out
        body[listing] = [to_wire(item) for item in found]
    if next_token:
        body["nextPageToken"] = next_token
    return body


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    try:
        size = int(raw)
    except ValueError:
        raise invalid_argument(f"Invalid value at 'page_size' (TYPE_INT32), \"{raw}\"") from None
    if size < 0:
        raise invalid_argument("* page_size: must not be negative\n")
    return size


def _token(listing: str, offset: int) -> str:
    raw = orjson.dumps({"list": listing, "offset": offset})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, listing: str, length: int) -> int:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["offset"] if data["list"] == listing else -1
    except (binascii.Error, ValueError, KeyError, TypeError):
        offset = -1
    if not isinstance(offset, int) or not 0 <= offset < max(length, 1):
        raise invalid_argument("The provided page token is invalid.")
    return offset
