"""When to retry a failed request, and how long to wait first. The transport does the waiting."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from gemini_sdk.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    StreamInterruptedError,
    TLSVerificationError,
)

_DEFAULT_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})


def _frozen_codes(codes: Iterable[int]) -> frozenset[int]:
    # A typed converter: with the generic `frozenset` itself, mypy cannot type the argument.
    return frozenset(codes)


@attrs.define(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, deferring to the server's own retry hints.

    `attempts` counts every try including the first, so 1 disables retrying.
    """

    attempts: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    initial_delay: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    max_delay: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    exp_base: float = attrs.field(default=2.0, validator=attrs.validators.ge(1))
    jitter: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    http_status_codes: frozenset[int] = attrs.field(
        default=_DEFAULT_STATUS_CODES, converter=_frozen_codes
    )

    @classmethod
    def from_options(cls, options: object | None) -> RetryPolicy:
        """A policy from user options over the defaults; see `updated`."""
        return cls().updated(options)

    def updated(self, options: object | None) -> RetryPolicy:
        """This policy with the values `options` sets: any object with some of the field names
        as attributes (such as `types.HttpRetryOptions`), or a dict. None values keep ours.
        """
        if options is None:
            return self
        if isinstance(options, Mapping):
            # Unknown keys are left in, so that a misspelt option fails loudly in __init__.
            values: dict[str, Any] = dict(options)
        else:
            values = {
                field.name: getattr(options, field.name, None)
                for field in attrs.fields(RetryPolicy)
            }
        return attrs.evolve(
            self, **{name: value for name, value in values.items() if value is not None}
        )

    def retryable(self, error: BaseException) -> bool:
        """Whether a fresh attempt could succeed where this one failed."""
        # A broken stream has already delivered events; whether to start over (and show
        # the user those events twice) is the caller's decision, not the policy's.
        if isinstance(error, StreamInterruptedError):
            return False
        # The same certificate would be refused again.
        if isinstance(error, TLSVerificationError):
            return False
        if isinstance(error, (APIConnectionError, APITimeoutError)):
            return True
        return isinstance(error, APIError) and error.code in self.http_status_codes

    def delay(
        self,
        attempt: int,
        error: BaseException | None,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based), or None to give up.

        Without an error (a retry the caller decided on by itself) only the attempt budget
        applies. A server hint is followed exactly; one longer than `max_delay` means
        giving up, since waiting that long was not allowed and a shorter wait would fail.
        """
        if attempt < 1:
            raise ValueError(f"attempt numbers start at 1, got {attempt}")
        if attempt >= self.attempts:
            return None
        if error is not None and not self.retryable(error):
            return None
        hint = _server_hint(error)
        if hint is not None:
            return hint if hint <= self.max_delay else None
        try:
            backoff = self.initial_delay * self.exp_base ** (attempt - 1)
        except OverflowError:
            # Float powers raise instead of returning inf once the attempt count gets large.
            backoff = self.max_delay
        return min(self.max_delay, backoff) + self.jitter * rand()


def _server_hint(error: BaseException | None) -> float | None:
    if not isinstance(error, APIError):
        return None
    retry_delay = error.retry_delay
    return retry_delay if retry_delay is not None else error.retry_after
