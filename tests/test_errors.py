from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import orjson
import pytest

from gemini_sdk import errors

URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini:generateContent"


def response(
    status: int,
    content: bytes = b"",
    headers: dict[str, str] | None = None,
    request_headers: dict[str, str] | None = None,
    url: str = URL,
) -> httpx.Response:
    return httpx.Response(
        status,
        content=content,
        headers=headers,
        request=httpx.Request("POST", url, headers=request_headers),
    )


def envelope(code: int, status: str | None, message: str = "boom", **extra: Any) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message, **extra}
    if status is not None:
        error["status"] = status
    return orjson.dumps({"error": error})


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        (400, "INVALID_ARGUMENT", errors.InvalidArgument),
        (400, "FAILED_PRECONDITION", errors.FailedPrecondition),
        (400, "OUT_OF_RANGE", errors.OutOfRange),
        (401, "UNAUTHENTICATED", errors.Unauthenticated),
        (403, "PERMISSION_DENIED", errors.PermissionDenied),
        (404, "NOT_FOUND", errors.NotFound),
        (409, "ABORTED", errors.Aborted),
        (409, "ALREADY_EXISTS", errors.AlreadyExists),
        (429, "RESOURCE_EXHAUSTED", errors.ResourceExhausted),
        (499, "CANCELLED", errors.Cancelled),
        (500, "INTERNAL", errors.InternalServerError),
        (500, "UNKNOWN", errors.Unknown),
        (500, "DATA_LOSS", errors.DataLoss),
        (501, "UNIMPLEMENTED", errors.MethodNotImplemented),
        (503, "UNAVAILABLE", errors.ServiceUnavailable),
        (504, "DEADLINE_EXCEEDED", errors.DeadlineExceeded),
    ],
)
def test_class_from_code_and_status(
    code: int, status: str, expected: type[errors.APIError]
) -> None:
    error = errors.error_from_response(response(code, envelope(code, status)))

    assert type(error) is expected
    assert (error.code, error.status, error.message) == (code, status, "boom")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (400, errors.BadRequest),
        (401, errors.Unauthenticated),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (405, errors.MethodNotAllowed),
        (409, errors.Conflict),
        (411, errors.LengthRequired),
        (412, errors.PreconditionFailed),
        (416, errors.RequestRangeNotSatisfiable),
        (429, errors.ResourceExhausted),
        (499, errors.Cancelled),
        (500, errors.InternalServerError),
        (501, errors.MethodNotImplemented),
        (502, errors.BadGateway),
        (503, errors.ServiceUnavailable),
        (504, errors.DeadlineExceeded),
    ],
)
def test_class_from_code_alone(code: int, expected: type[errors.APIError]) -> None:
    error = errors.error_from_response(response(code, envelope(code, None)))

    assert type(error) is expected
    assert error.code == code


def test_status_overrides_code() -> None:
    error = errors.error_from_response(response(400, envelope(400, "FAILED_PRECONDITION")))

    assert type(error) is errors.FailedPrecondition
    assert error.code == 400


def test_status_wins_even_when_it_disagrees_with_the_code() -> None:
    error = errors.error_from_response(response(500, envelope(500, "UNAVAILABLE")))

    assert type(error) is errors.ServiceUnavailable
    assert error.code == 500


def test_unknown_status_falls_back_to_the_code() -> None:
    error = errors.error_from_response(response(404, envelope(404, "SOMETHING_NEW")))

    assert type(error) is errors.NotFound
    assert error.status == "SOMETHING_NEW"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (408, errors.ClientError),
        (418, errors.ClientError),
        (505, errors.ServerError),
        (599, errors.ServerError),
        (302, errors.APIError),
        (600, errors.APIError),
    ],
)
def test_unmapped_codes_fall_back_by_range(code: int, expected: type[errors.APIError]) -> None:
    error = errors.error_from_response(response(code, envelope(code, "NOT_A_STATUS")))

    assert type(error) is expected
    assert error.code == code


def test_status_defaults_to_the_class_status_when_none_was_sent() -> None:
    assert errors.error_from_response(response(429, b"")).status == "RESOURCE_EXHAUSTED"
    assert errors.error_from_response(response(502, b"")).status is None


def test_non_json_body_uses_reason_phrase_and_an_excerpt() -> None:
    html = b"<html>\n<head><title>502 Bad Gateway</title></head>\n" + b"x" * 5000 + b"</html>"

    error = errors.error_from_response(response(502, html))

    assert type(error) is errors.BadGateway
    assert error.message.startswith("Bad Gateway: <html> <head><title>502 Bad Gateway</title>")
    assert len(error.message) < 300
    assert error.details == []


def test_empty_body_uses_the_reason_phrase() -> None:
    error = errors.error_from_response(response(503, b""))

    assert type(error) is errors.ServiceUnavailable
    assert error.message == "Service Unavailable"
    assert str(error) == "503 UNAVAILABLE. Service Unavailable"


def test_invalid_utf8_body_does_not_break_parsing() -> None:
    error = errors.error_from_response(response(500, b"\xff\xfe oops"))

    assert error.message == "Internal Server Error: \ufffd\ufffd oops"


def test_json_without_an_envelope_uses_the_fallback_message() -> None:
    error = errors.error_from_response(response(400, b'{"error": "invalid_grant"}'))

    assert type(error) is errors.BadRequest
    assert error.message == 'Bad Request: {"error": "invalid_grant"}'


def test_list_wrapped_envelope() -> None:
    body = b"[" + envelope(429, "RESOURCE_EXHAUSTED", "Quota exceeded") + b"]"

    error = errors.error_from_response(response(429, body))

    assert type(error) is errors.ResourceExhausted
    assert error.message == "Quota exceeded"


def test_body_argument_is_used_for_streamed_responses() -> None:
    streamed = httpx.Response(404, stream=httpx.ByteStream(b""), request=httpx.Request("POST", URL))

    error = errors.error_from_response(streamed, envelope(404, "NOT_FOUND", "no such model"))

    assert type(error) is errors.NotFound
    assert error.message == "no such model"


def test_unread_streamed_response_counts_as_empty() -> None:
    streamed = httpx.Response(
        500, stream=httpx.ByteStream(b"never read"), request=httpx.Request("POST", URL)
    )

    error = errors.error_from_response(streamed)

    assert error.message == "Internal Server Error"


def test_details_keep_only_objects() -> None:
    body = envelope(400, "INVALID_ARGUMENT", details=[{"@type": "x", "reason": "r"}, "junk", 3])

    error = errors.error_from_response(response(400, body))

    assert error.details == [{"@type": "x", "reason": "r"}]


def test_str_reads_well() -> None:
    error = errors.error_from_response(
        response(429, envelope(429, "RESOURCE_EXHAUSTED", "Quota exceeded for metric X."))
    )

    assert str(error) == "429 RESOURCE_EXHAUSTED. Quota exceeded for metric X."


def test_str_never_shows_the_key_or_the_query() -> None:
    leaky = response(
        403,
        envelope(403, "PERMISSION_DENIED", "denied"),
        headers={"content-type": "application/json"},
        request_headers={"x-goog-api-key": "SECRET"},
        url=URL + "?key=SECRET",
    )

    error = errors.error_from_response(leaky)

    assert "SECRET" not in str(error)
    assert "SECRET" not in repr(error)


def test_str_of_client_side_errors() -> None:
    assert str(errors.APIConnectionError("connection refused")) == "UNAVAILABLE. connection refused"
    assert str(errors.APIError("plain")) == "plain"
    assert str(errors.APIError(code=418)) == "418"


def test_client_side_errors_have_no_code() -> None:
    connection = errors.APIConnectionError("refused")
    timeout = errors.APITimeoutError("too slow")
    interrupted = errors.StreamInterruptedError("cut")

    assert (connection.code, connection.status) == (None, "UNAVAILABLE")
    assert (timeout.code, timeout.status) == (None, "DEADLINE_EXCEEDED")
    assert (interrupted.code, interrupted.status) == (None, "UNAVAILABLE")


def test_hierarchy() -> None:
    assert issubclass(errors.ResourceExhausted, errors.ClientError)
    assert issubclass(errors.ResourceExhausted, errors.APIError)
    assert issubclass(errors.APIError, errors.GeminiError)
    assert issubclass(errors.InvalidArgument, errors.BadRequest)
    assert issubclass(errors.FailedPrecondition, errors.BadRequest)
    assert issubclass(errors.OutOfRange, errors.BadRequest)
    assert issubclass(errors.Aborted, errors.Conflict)
    assert issubclass(errors.AlreadyExists, errors.Conflict)
    assert issubclass(errors.Unknown, errors.InternalServerError)
    assert issubclass(errors.DataLoss, errors.InternalServerError)
    assert issubclass(errors.ServiceUnavailable, errors.ServerError)
    assert not issubclass(errors.ServiceUnavailable, errors.ClientError)
    assert issubclass(errors.APITimeoutError, errors.DeadlineExceeded)
    assert issubclass(errors.APIConnectionError, errors.ServiceUnavailable)
    assert issubclass(errors.StreamInterruptedError, errors.APIConnectionError)
    assert not issubclass(errors.APITimeoutError, errors.APIConnectionError)


def test_aliases() -> None:
    assert errors.Unauthorized is errors.Unauthenticated
    assert errors.Forbidden is errors.PermissionDenied
    assert errors.TooManyRequests is errors.ResourceExhausted
    assert errors.GatewayTimeout is errors.DeadlineExceeded


def test_every_public_name_exists() -> None:
    assert all(hasattr(errors, name) for name in errors.__all__)


@pytest.mark.parametrize(
    ("retry_delay", "seconds"),
    [("12s", 12.0), ("1.5s", 1.5), ("0.250s", 0.25), ("0s", 0.0), (" 3s ", 3.0)],
)
def test_retry_delay_from_retry_info(retry_delay: str, seconds: float) -> None:
    details = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay},
    ]
    error = errors.error_from_response(
        response(429, envelope(429, "RESOURCE_EXHAUSTED", details=details))
    )

    assert error.retry_delay == seconds


@pytest.mark.parametrize("retry_delay", ["12", "-1s", "abc", "1.5m", 12, None])
def test_malformed_retry_delay_is_ignored(retry_delay: object) -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}]
    error = errors.APIError("x", code=429, details=details)

    assert error.retry_delay is None


def test_retry_delay_needs_the_retry_info_type() -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "retryDelay": "5s"}]

    assert errors.APIError("x", details=details).retry_delay is None
    assert errors.APIError("x").retry_delay is None


def test_retry_after_in_seconds() -> None:
    error = errors.error_from_response(response(503, b"", headers={"Retry-After": "120"}))

    assert error.retry_after == 120.0


def test_retry_after_http_date_is_measured_from_now() -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    header = format_datetime(moment, usegmt=True)

    assert header == "Wed, 02 Jan 2030 03:04:05 GMT"
    assert errors._parse_retry_after(header, now=moment.timestamp() - 90) == 90.0


def test_retry_after_naive_date_is_taken_as_gmt() -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    seconds = errors._parse_retry_after("Wed, 02 Jan 2030 03:04:05 -0000", moment.timestamp())

    assert seconds == 0.0


def test_retry_after_date_in_the_past_means_no_wait() -> None:
    error = errors.error_from_response(
        response(503, b"", headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    )

    assert error.retry_after == 0.0


@pytest.mark.parametrize("header", ["soon", "-5", "1.5", ""])
def test_malformed_retry_after_is_ignored(header: str) -> None:
    error = errors.error_from_response(response(503, b"", headers={"Retry-After": header}))

    assert error.retry_after is None


def test_retry_after_without_header_or_response() -> None:
    assert errors.error_from_response(response(503, b"")).retry_after is None
    assert errors.APIError("x").retry_after is None


def test_error_from_payload_uses_the_payload_code_not_the_http_status() -> None:
    stream_response = response(200, b"")
    payload = orjson.loads(envelope(503, "UNAVAILABLE", "overloaded"))

    error = errors.error_from_payload(payload, stream_response)

    assert type(error) is errors.ServiceUnavailable
    assert (error.code, error.message) == (503, "overloaded")
    assert error.response is stream_response


@pytest.mark.parametrize(
    "payload",
    [
        {"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}},
        [{"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}],
        {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"},
    ],
)
def test_error_from_payload_shapes(payload: Any) -> None:
    error = errors.error_from_payload(payload, None)

    assert type(error) is errors.ResourceExhausted
    assert str(error) == "429 RESOURCE_EXHAUSTED. slow down"


def test_error_from_payload_with_code_only_or_nothing() -> None:
    assert type(errors.error_from_payload({"error": {"code": 500}})) is errors.InternalServerError
    bare = errors.error_from_payload({"error": {}})
    assert type(bare) is errors.APIError
    assert bare.code is None
    assert bare.message


def test_error_from_payload_ignores_a_boolean_code() -> None:
    error = errors.error_from_payload({"error": {"code": True, "message": "odd"}})

    assert error.code is None
