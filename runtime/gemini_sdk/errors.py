"""Exceptions the SDK raises, one class per canonical Google API status.

Catch `APIError` for anything the service (or the network on the way to it) refused,
a status class such as `ResourceExhausted` for one condition, or `ClientError` /
`ServerError` for a whole range of HTTP codes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from datetime import timezone
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Aborted",
    "AlreadyExists",
    "BadGateway",
    "BadRequest",
    "Cancelled",
    "ClientError",
    "Conflict",
    "DataLoss",
    "DeadlineExceeded",
    "FailedPrecondition",
    "Forbidden",
    "GatewayTimeout",
    "GeminiError",
    "InternalServerError",
    "InvalidAPIKey",
    "InvalidArgument",
    "LiveConnectionClosed",
    "LengthRequired",
    "MethodNotAllowed",
    "MethodNotImplemented",
    "NotFound",
    "OperationTimeoutError",
    "OutOfRange",
    "PermissionDenied",
    "PreconditionFailed",
    "ProcessingFailedError",
    "RequestRangeNotSatisfiable",
    "ResourceExhausted",
    "ResponseValidationError",
    "ServerError",
    "ServiceUnavailable",
    "StreamInterruptedError",
    "TLSVerificationError",
    "TotalDeadlineError",
    "TooManyRequests",
    "Unauthenticated",
    "Unauthorized",
    "UnexpectedResponseError",
    "Unknown",
    "WaitTimeoutError",
    "error_from_payload",
    "error_from_response",
    "error_from_status",
]

_RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo"
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)s")
_BODY_EXCERPT_LIMIT = 200


class GeminiError(Exception):
    """Base of every exception the SDK raises on purpose."""


class ProcessingFailedError(GeminiError):
    """What a wait was for ended in failure (a file whose state became FAILED).

    `resource` is the failed resource as last fetched; `error` its Status (code, message,
    details), or None when the service gave none.
    """

    def __init__(self, message: str, *, resource: Any, error: Any) -> None:
        super().__init__(message)
        self.resource = resource
        self.error = error


class WaitTimeoutError(GeminiError, TimeoutError):
    """A wait gave up: what it waited for was not ready within its `max_wait`. `resource` is
    the resource as last fetched."""

    def __init__(self, message: str, *, resource: Any) -> None:
        super().__init__(message)
        self.resource = resource


class ResponseValidationError(GeminiError, ValueError):
    """A JSON answer that does not fit the Python type the request's response schema was
    made from. The message names the first field that does not fit (`items[2].price:
    expected float`); `path` is that field's path ("" for the whole answer) and `text` the
    answer as received."""

    def __init__(self, message: str, *, path: str, text: str | None) -> None:
        super().__init__(message)
        self.path = path
        self.text = text


class APIError(GeminiError):
    """The API (or the network between us and it) did not deliver a result.

    `response` is kept for inspection. The transport replaces its `request` with a copy
    whose secret headers are masked, so neither the error, its repr nor its pickle carries
    the API key.
    """

    # What the class stands for in the status table below. `canonical_status` also fills in
    # `status` when none was received (an HTML 503 from a proxy is still UNAVAILABLE), but
    # `code` is only ever what was received, so client-side failures have none.
    http_code: ClassVar[int | None] = None
    canonical_status: ClassVar[str | None] = None

    code: int | None
    status: str | None
    message: str
    details: list[dict[str, Any]]
    response: httpx.Response | None

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        status: str | None = None,
        details: Sequence[Mapping[str, Any]] | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = self.canonical_status if status is None else status
        self.details = [dict(detail) for detail in details or ()]
        self.response = response

    def __str__(self) -> str:
        prefix = " ".join(str(part) for part in (self.code, self.status) if part is not None)
        if not prefix:
            return self.message
        return f"{prefix}. {self.message}" if self.message else prefix

    @property
    def retry_delay(self) -> float | None:
        """Seconds the server asked us to wait, from a `google.rpc.RetryInfo` detail."""
        for detail in self.details:
            if detail.get("@type") != _RETRY_INFO_TYPE:
                continue
            seconds = _parse_duration(detail.get("retryDelay"))
            if seconds is not None:
                return seconds
        return None

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait according to the response's `Retry-After` header."""
        if self.response is None:
            return None
        value = self.response.headers.get("retry-after")
        if value is None:
            return None
        return _parse_retry_after(value, now=time.time())


class ClientError(APIError):
    """The request was at fault (HTTP 4xx)."""


class ServerError(APIError):
    """The service failed to handle a valid request (HTTP 5xx)."""


class BadRequest(ClientError):
    http_code = 400


class InvalidArgument(BadRequest):
    canonical_status = "INVALID_ARGUMENT"


class FailedPrecondition(BadRequest):
    canonical_status = "FAILED_PRECONDITION"


class OutOfRange(BadRequest):
    canonical_status = "OUT_OF_RANGE"


class Unauthenticated(ClientError):
    http_code = 401
    canonical_status = "UNAUTHENTICATED"


class PermissionDenied(ClientError):
    http_code = 403
    canonical_status = "PERMISSION_DENIED"


class NotFound(ClientError):
    http_code = 404
    canonical_status = "NOT_FOUND"


class MethodNotAllowed(ClientError):
    http_code = 405


class Conflict(ClientError):
    http_code = 409


class Aborted(Conflict):
    canonical_status = "ABORTED"


class AlreadyExists(Conflict):
    canonical_status = "ALREADY_EXISTS"


class LengthRequired(ClientError):
    http_code = 411


class PreconditionFailed(ClientError):
    http_code = 412


class RequestRangeNotSatisfiable(ClientError):
    http_code = 416


class ResourceExhausted(ClientError):
    http_code = 429
    canonical_status = "RESOURCE_EXHAUSTED"


class Cancelled(ClientError):
    http_code = 499
    canonical_status = "CANCELLED"


class InternalServerError(ServerError):
    http_code = 500
    canonical_status = "INTERNAL"


class Unknown(InternalServerError):
    canonical_status = "UNKNOWN"


class DataLoss(InternalServerError):
    canonical_status = "DATA_LOSS"


class MethodNotImplemented(ServerError):
    http_code = 501
    canonical_status = "UNIMPLEMENTED"


class BadGateway(ServerError):
    http_code = 502


class ServiceUnavailable(ServerError):
    http_code = 503
    canonical_status = "UNAVAILABLE"


class DeadlineExceeded(ServerError):
    http_code = 504
    canonical_status = "DEADLINE_EXCEEDED"


Unauthorized = Unauthenticated
Forbidden = PermissionDenied
TooManyRequests = ResourceExhausted
GatewayTimeout = DeadlineExceeded


class APIConnectionError(ServiceUnavailable):
    """The request never got a response: DNS, connect, TLS or a dropped connection.

    It subclasses `ServiceUnavailable` on purpose, so that a retry loop written as
    `except errors.ServiceUnavailable` also covers an outage seen from the client's side.
    `code` is None because no HTTP status was received.
    """


class APITimeoutError(DeadlineExceeded):
    """The client gave up waiting (connect, read, write or pool timeout).

    It subclasses `DeadlineExceeded` on purpose, so that `except errors.DeadlineExceeded`
    covers both the server's and the client's deadline. `code` is None because no HTTP
    status was received.
    """


class StreamInterruptedError(APIConnectionError):
    """A stream broke off after it had started: mid-event, or after events were delivered.

    As an `APIConnectionError` it is also a `ServiceUnavailable`. Unlike a failure before
    the first event, the SDK does not retry it by itself: the caller has already consumed
    part of the answer, and only it can decide whether to start over.
    """


class OperationTimeoutError(APITimeoutError):
    """A long-running operation was not done within the time `operations.wait` was given.

    `operation` is the last state seen; the work goes on at the service, and polling it again
    later picks it up.
    """

    def __init__(self, message: str, *, operation: Any) -> None:
        super().__init__(message)
        self.operation = operation


class TLSVerificationError(APIConnectionError):
    """The server's TLS certificate could not be verified.

    It is not retried: another attempt meets the same certificate. Verification stays on;
    a private certificate authority is configured on the httpx client passed to `Client`.
    """


class TotalDeadlineError(APITimeoutError):
    """The call's total deadline (`HttpOptions.deadline`) passed before it got a result.

    The deadline covers every attempt and every wait between them; `attempts` says how many
    requests were sent before it was reached.
    """

    attempts: int

    def __init__(self, message: str = "", *, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class UnexpectedResponseError(APIError):
    """An answer that is not what the call expects: a body that is not JSON (an HTML page
    from a proxy), JSON of the wrong shape, an empty body where a result was due, or a
    redirect (which the SDK never follows, since it would carry the API key elsewhere).

    `code` is the HTTP status received and `response` the (redacted) response; it is retried
    when that status is one the retry options name.
    """


class LiveConnectionClosed(APIConnectionError):
    """A live session's WebSocket closed, or failed, before the session was over.

    `close_code` is the WebSocket close code (1006 when the connection dropped without a
    close frame; the service uses 1007 for a malformed frame, 1008 for a policy violation
    such as a bad key or an unknown model, 1011 for its own failure) and `reason` the text
    sent with it.
    """

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(f"the live session closed ({close_code}): {reason or 'no reason given'}")
        self.close_code = close_code
        self.reason = reason


class InvalidAPIKey(Unauthenticated, InvalidArgument):
    """The API key was rejected.

    The service answers 400 INVALID_ARGUMENT with an ErrorInfo reason `API_KEY_INVALID`;
    this class is both, so `except errors.Unauthenticated` catches a bad key as users expect
    and `except errors.InvalidArgument` still does too.
    """


# Parents precede their children, so that an HTTP code alone maps to its most general class.
_STATUS_CLASSES: tuple[type[APIError], ...] = (
    BadRequest,
    InvalidArgument,
    FailedPrecondition,
    OutOfRange,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Aborted,
    AlreadyExists,
    LengthRequired,
    PreconditionFailed,
    RequestRangeNotSatisfiable,
    ResourceExhausted,
    Cancelled,
    InternalServerError,
    Unknown,
    DataLoss,
    MethodNotImplemented,
    BadGateway,
    ServiceUnavailable,
    DeadlineExceeded,
)
_CLASS_BY_STATUS: dict[str, type[APIError]] = {
    cls.canonical_status: cls for cls in _STATUS_CLASSES if cls.canonical_status is not None
}
_CLASS_BY_CODE: dict[int, type[APIError]] = {
    cls.http_code: cls for cls in reversed(_STATUS_CLASSES) if cls.http_code is not None
}


def error_from_response(response: httpx.Response, body: bytes | None = None) -> APIError:
    """The exception for an unsuccessful HTTP response.

    `body` is for streamed responses whose content was read separately; by default the
    response's own content is used, and an unread streamed response counts as empty.
    """
    if body is None:
        import httpx  # loaded already: there is a response

        try:
            body = response.content
        except httpx.ResponseNotRead:
            body = b""
    error = _error_object(_loads(body))
    message = _string(error.get("message")) or _fallback_message(response, body)
    return _build(
        code=response.status_code,
        status=_string(error.get("status")),
        message=message,
        details=error.get("details"),
        response=response,
    )


def error_from_payload(payload: Any, response: httpx.Response | None = None) -> APIError:
    """The exception for an error object that arrived as data, e.g. inside an SSE stream.

    Accepts the envelope (`{"error": {...}}`), a list wrapping it, or the bare error object.
    The HTTP status of a stream that already started says nothing about this error, so the
    payload's own `code` is used instead.
    """
    error = _error_object(payload)
    code = error.get("code")
    return _build(
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        status=_string(error.get("status")),
        message=_string(error.get("message")) or "the stream reported an error",
        details=error.get("details"),
        response=response,
    )


# google.rpc.Code: the numbers an operation's `error.code` holds, by canonical status.
_RPC_CODES = (
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)


def error_from_status(code: int | None, message: str | None, details: Any = None) -> APIError:
    """The exception for a google.rpc.Status, as a failed long-running operation holds it.

    Its code is the canonical status number (5 is NOT_FOUND), not an HTTP status, so `code`
    stays None and the class comes from the status alone.
    """
    known = isinstance(code, int) and 0 < code < len(_RPC_CODES)
    status = _RPC_CODES[code] if known and code is not None else None
    return _build(
        code=None,
        status=status,
        message=message or f"the operation failed (status code {code})",
        details=details,
        response=None,
    )


def _build(
    *,
    code: int | None,
    status: str | None,
    message: str,
    details: Any,
    response: httpx.Response | None,
) -> APIError:
    details = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    cls = _class_for(code, status)
    if any(d.get("reason") == "API_KEY_INVALID" for d in details):
        cls = InvalidAPIKey
    return cls(
        message,
        code=code,
        status=status,
        details=details,
        response=response,
    )


def _class_for(code: int | None, status: str | None) -> type[APIError]:
    # The status is more precise than the code: 400 covers INVALID_ARGUMENT,
    # FAILED_PRECONDITION and OUT_OF_RANGE alike.
    if status is not None and status in _CLASS_BY_STATUS:
        return _CLASS_BY_STATUS[status]
    if code is None:
        return APIError
    if code in _CLASS_BY_CODE:
        return _CLASS_BY_CODE[code]
    if 400 <= code < 500:
        return ClientError
    if 500 <= code < 600:
        return ServerError
    return APIError


def _loads(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _error_object(payload: Any) -> dict[str, Any]:
    """The `{"code", "message", "status", "details"}` object inside whatever was received."""
    if isinstance(payload, list):
        # Streaming endpoints wrap the envelope in a list.
        payload = next((item for item in payload if isinstance(item, dict)), None)
    if not isinstance(payload, dict):
        return {}
    inner = payload.get("error")
    if isinstance(inner, dict):
        return inner
    if "error" in payload:
        return {}
    return payload


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _fallback_message(response: httpx.Response, body: bytes) -> str:
    reason = response.reason_phrase or "HTTP error"
    excerpt = " ".join(body.decode("utf-8", "replace").split())
    if not excerpt:
        return reason
    if len(excerpt) > _BODY_EXCERPT_LIMIT:
        excerpt = excerpt[:_BODY_EXCERPT_LIMIT] + "…"
    return f"{reason}: {excerpt}"


def _parse_duration(value: Any) -> float | None:
    """Seconds in a protobuf JSON Duration such as "12s" or "0.250s"."""
    if not isinstance(value, str):
        return None
    match = _DURATION.fullmatch(value.strip())
    return float(match.group(1)) if match else None


def _parse_retry_after(value: str, now: float) -> float | None:
    """Seconds from `now` per a Retry-After value: delta-seconds or an HTTP-date."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime  # rare: most servers send seconds

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        # HTTP dates are always GMT; the parser leaves a "-0000" zone naive.
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, moment.timestamp() - now)
