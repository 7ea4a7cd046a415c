"""Waiting for a resource to be ready, as a generator of steps without I/O (see _http).

A method whose spec says `returns: wait` fetches its resource again and again until a field
reaches its `done` value; its `failed` value raises ProcessingFailedError with the resource's
error, and running out of `max_wait` seconds raises WaitTimeoutError.
"""

from __future__ import annotations

import time
from typing import Any

import attrs

from gemini_sdk import errors

DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_MAX_WAIT = 600.0


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

    def check_deadline(self, started: float, resource: Any) -> None:
        """Raises when the next poll would come after `max_wait`."""
        if self.clock() - started + self.poll_interval > self.max_wait:
            raise errors.WaitTimeoutError(
                f"{getattr(resource, 'name', 'the resource')} is still "
                f"{getattr(resource, self.until.field)} after {self.max_wait:g}s",
                resource=resource,
            )
