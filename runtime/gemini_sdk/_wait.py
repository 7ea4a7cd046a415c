"""Waiting until something is done, as a generator of steps without I/O (see _steps).

One plan for every wait: `waiting` fetches, asks its `done` predicate (which raises the typed
failure when what it waits for failed), sleeps as its `Pace` says (a first delay growing by a
factor up to a cap) and gives up at the deadline with the error its caller names. Files wait
this way (a method whose spec says `returns: wait`: `Wait` below), and so do long-running
operations (`operations.wait`, batches.run; see _operations).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from gemini_sdk import errors
from gemini_sdk._steps import _Sleep, _Steps

DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_MAX_WAIT = 600.0

T = TypeVar("T")
# Told (fetches so far, seconds since the wait began) after each fetch.
WaitProgress = Callable[[int, float], object]


@attrs.frozen
class Pace:
    """When to poll: `poll` seconds before the second fetch (the first is at once), each wait
    `backoff` times the last up to `max_poll`; no fetch after `timeout` seconds (None: wait
    as long as it takes)."""

    timeout: float | None
    poll: float
    backoff: float = 1.0
    max_poll: float = math.inf


def waiting(
    fetch: Callable[[], _Steps[T]],
    pace: Pace,
    done: Callable[[T], bool],
    timed_out: Callable[[T], Exception],
    clock: Any = time.monotonic,
    given: T | None = None,
    progress: WaitProgress | None = None,
) -> _Steps[T]:
    """Fetch until `done`; return the last fetched, or raise what `done` raised or, at the
    deadline, `timed_out(last fetched)`.

    A `given` that is already done is not fetched at all. Time spent counts by the clock and
    by the waits asked for, whichever is more, so a driver whose sleep returns at once (a
    test's) still reaches the deadline; the last wait is cut short to end at the deadline,
    where one more fetch may still find it done. `progress` hears (fetches so far, seconds
    spent) after each fetch.
    """
    started, slept, delay, fetches = clock(), 0.0, pace.poll, 0

    def fetched() -> _Steps[T]:
        nonlocal fetches
        current = yield from fetch()
        fetches += 1
        if progress is not None:
            progress(fetches, max(clock() - started, slept))
        return current

    current = given if given is not None and done(given) else (yield from fetched())
    while not done(current):
        if pace.timeout is not None:
            remaining = pace.timeout - max(clock() - started, slept)
            if remaining <= 0:
                raise timed_out(current)
            delay = min(delay, remaining)
        yield _Sleep(delay)
        slept += delay
        current = yield from fetched()
        delay = min(delay * pace.backoff, pace.max_poll)
    return current


@attrs.frozen
class Until:
    """The field to watch (an attribute name), its done and failed values, and the attribute
    holding the error of a failed resource."""

    field: str
    done: str
    failed: str
    error: str


@attrs.frozen
class Wait:
    until: Until
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_wait: float = DEFAULT_MAX_WAIT
    progress: WaitProgress | None = None
    clock: Any = time.monotonic

    def __attrs_post_init__(self) -> None:
        for name in ("poll_interval", "max_wait"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise TypeError(f"{name} must be a number of seconds, 0 or more; got {value!r}")

    def ready(self, resource: Any) -> bool:
        """True once the resource is done; raises when it failed."""
        state = getattr(resource, self.until.field)
        if state == self.until.done:
            return True
        if state == self.until.failed:
            error = getattr(resource, self.until.error)
            reason = getattr(error, "message", None) or "no reason given"
            raise errors.ProcessingFailedError(
                f"{getattr(resource, 'name', 'the resource')} is {state}: {reason}",
                resource=resource,
                error=error,
            )
        return False

    def steps(self, fetch: Callable[[], _Steps[Any]]) -> _Steps[Any]:
        """Fetch until the resource is ready (see `waiting`)."""
        pace = Pace(timeout=self.max_wait, poll=self.poll_interval)
        return waiting(fetch, pace, self.ready, self.timed_out, self.clock, None, self.progress)

    def timed_out(self, resource: Any) -> errors.WaitTimeoutError:
        return errors.WaitTimeoutError(
            f"{getattr(resource, 'name', 'the resource')} is still "
            f"{getattr(resource, self.until.field)} after {self.max_wait:g}s",
            resource=resource,
        )
