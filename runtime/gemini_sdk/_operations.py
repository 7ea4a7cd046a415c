"""Long-running operations: waiting until one is done, for sync and async clients alike.

`operations.get` is a generated method (spec/sdk.yaml): the operation's name picks the
GetOperation* route whose path template it matches, and the answer is decoded as the class of
the operation object passed in, so an upload's operation comes back as an upload's operation.
`wait` polls that method with backoff, by the one wait plan of _wait.py (`waiting`, steps
without I/O), which the sync and the async transport drive (`drive` in _http.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import attrs

from gemini_sdk import errors
from gemini_sdk._model import WireModel
from gemini_sdk._resource import MethodSpec, Resource, awaited
from gemini_sdk._steps import Exchange, Plan, _Steps
from gemini_sdk._wait import Pace, WaitProgress, waiting

if TYPE_CHECKING:
    from gemini_sdk._endpoint import PreparedRequest
    from gemini_sdk._http import AsyncTransport, SyncTransport


class LongRunning(Protocol):
    """What every operation class has: its name, and whether it is done."""

    @property
    def name(self) -> str | None: ...

    @property
    def done(self) -> bool | None: ...


OperationT = TypeVar("OperationT", bound=LongRunning)


@attrs.frozen
class WaitPolicy(Pace):
    """`Pace` as `wait`'s arguments give it, checked."""

    def __attrs_post_init__(self) -> None:
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(
                f"wait: timeout must be a positive number of seconds or None, got {self.timeout!r}"
            )
        if not self.poll > 0:
            raise ValueError(f"wait: poll must be a positive number of seconds, got {self.poll!r}")
        if not self.backoff >= 1:
            raise ValueError(f"wait: backoff must be 1 or more, got {self.backoff!r}")
        if not self.max_poll >= self.poll:
            raise ValueError(
                f"wait: max_poll must be at least poll ({self.poll!r}), got {self.max_poll!r}"
            )


def _waiting(
    exchange: Exchange,
    request: PreparedRequest,
    given: Any,
    policy: WaitPolicy,
    clock: Callable[[], float],
    progress: WaitProgress | None = None,
) -> _Steps[Any]:
    """Poll until the operation is done; return it, or raise its error or the timeout."""

    def finished(operation: Any) -> bool:
        if not operation.done:
            return False
        failure = operation.error
        if failure is not None:
            raise errors.error_from_status(failure.code, failure.message, failure.details)
        return True

    def timed_out(operation: Any) -> errors.OperationTimeoutError:
        return errors.OperationTimeoutError(
            f"the operation {operation.name} was not done after {policy.timeout:g}s",
            operation=operation,
        )

    return (
        yield from waiting(
            lambda: exchange(request), policy, finished, timed_out, clock, given, progress
        )
    )


def checked_progress(where: str, progress: Any) -> None:
    """A wait's `progress` must be None or callable; checked before any request."""
    if progress is not None and not callable(progress):
        raise TypeError(
            f"{where}: progress must be a callable taking (polls, seconds), got {progress!r:.60}"
        )


class _Polling(Resource):
    # The spec of the resource's `get`, which each poll calls; set by the generated class.
    _polls: ClassVar[MethodSpec]

    def _plan(self, operation: Any, policy: WaitPolicy, progress: WaitProgress | None) -> Plan[Any]:
        self._refuse_raw("operations.wait")
        checked_progress("wait", progress)
        _, request = self._prepare(self._polls, {"operation": operation})
        given = operation if isinstance(operation, WireModel) else None
        return lambda exchange: _waiting(exchange, request, given, policy, time.monotonic, progress)


class OperationPolling(_Polling):
    """`wait` on `client.operations`."""

    _transport: SyncTransport

    def wait(
        self,
        operation: OperationT | str,
        *,
        timeout: float | None = None,
        poll: float = 1.0,
        backoff: float = 1.5,
        max_poll: float = 30.0,
        progress: WaitProgress | None = None,
    ) -> Any:
        """Poll an operation until it is done, waiting longer between polls each time.

        Args:
            operation: The operation, as the object a method returned or its name.
            timeout: Give up after this many seconds; None (the default) waits as long as
                it takes.
            poll: Seconds before the second poll (the first is at once). Default 1.
            backoff: The factor each wait grows by. Default 1.5.
            max_poll: The longest wait between polls, in seconds. Default 30.
            progress: Called as `progress(polls, seconds)` after each poll: how many polls
                were made and how long the wait has taken so far (by the clock, or by the
                waits asked for when they are longer). None (the default) calls nothing.

        Returns:
            The finished operation, of the same class as the one given (an Operation for a
                name), with its `response` set.

        Raises:
            ValueError: `operation` is not an operation's name, or a policy argument is out
                of range; raised before any request is sent.
            TypeError: `progress` is not callable; raised before any request is sent.
            errors.OperationTimeoutError: not done within `timeout`; `.operation` holds the
                last state seen.
            errors.APIError subclasses: the operation failed (the class follows its
                `error.code`, e.g. errors.NotFound), or a poll did.
        """
        policy = WaitPolicy(timeout, poll, backoff, max_poll)
        return self._transport.drive(self._plan(operation, policy, progress))


class AsyncOperationPolling(_Polling):
    """`wait` on `client.aio.operations`."""

    _transport: AsyncTransport

    wait = awaited(OperationPolling.wait)
