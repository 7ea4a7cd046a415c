"""The steps every exchange is made of, without I/O and without httpx.

An exchange is a generator of steps: it yields a `_Send` and is sent back the response or
the httpx error, yields a `_Sleep` and is resumed after the wait, and returns its result. The
transports in _http.py perform the steps; plans of several calls (an operation polled until
done, a batch job) are written against these types alone, so a module that defines a plan
does not load the transport, and httpx with it, when the client is built.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, Union

import attrs

if TYPE_CHECKING:
    import httpx

    from gemini_sdk._endpoint import PreparedRequest
    from gemini_sdk._upload import Progress

T = TypeVar("T")


@attrs.frozen
class _Send:
    request: httpx.Request
    stream: bool = False
    # Read the body whole, telling this how far the reading is.
    progress: Progress | None = None


@attrs.frozen
class _Sleep:
    seconds: float


@attrs.frozen
class Media:
    """A download's answer: its bytes, and the status and headers they came with (which
    `with_raw_response` reports)."""

    data: bytes
    status_code: int
    headers: Mapping[str, str]


_Outcome = Union["httpx.Response", "httpx.HTTPError", None]  # noqa: UP007 - 3.10 needs Union
_Steps = Generator[Union[_Send, _Sleep], _Outcome, T]  # noqa: UP007

# What a plan of several calls (an operation polled until done) is handed: one call's steps.
Exchange = Callable[["PreparedRequest"], _Steps[Any]]
Plan = Callable[[Exchange], _Steps[T]]
