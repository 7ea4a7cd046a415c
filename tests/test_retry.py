from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest

from gemini_sdk import errors
from gemini_sdk._retry import RetryPolicy

NO_JITTER = RetryPolicy(jitter=0.0)


def api_error(code: int, **kwargs: Any) -> errors.APIError:
    return errors.APIError("failed", code=code, **kwargs)


def retry_info(delay: str) -> list[dict[str, Any]]:
    return [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]


def with_retry_after(code: int, value: str) -> errors.APIError:
    response = httpx.Response(code, headers={"Retry-After": value})
    return errors.error_from_response(response)


def test_defaults() -> None:
    policy = RetryPolicy()

    assert (policy.attempts, policy.initial_delay, policy.max_delay) == (3, 1.0, 60.0)
    assert (policy.exp_base, policy.jitter) == (2.0, 1.0)
    assert policy.http_status_codes == frozenset({408, 429, 500, 502, 503, 504})


@pytest.mark.parametrize(
    "field", [{"attempts": 0}, {"initial_delay": -1}, {"max_delay": -1}, {"exp_base": 0.5}]
)
def test_invalid_values_are_rejected(field: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**field)


@attrs.define
class HttpRetryOptions:
    attempts: int | None = None
    initial_delay: float | None = None
    max_delay: float | None = None
    exp_base: float | None = None
    jitter: float | None = None
    http_status_codes: list[int] | None = None


def test_from_options_none_gives_defaults() -> None:
    assert RetryPolicy.from_options(None) == RetryPolicy()


def test_from_options_object_with_some_fields_set() -> None:
    options = HttpRetryOptions(attempts=5, max_delay=10.0, http_status_codes=[429])

    policy = RetryPolicy.from_options(options)

    assert policy == RetryPolicy(attempts=5, max_delay=10.0, http_status_codes=frozenset({429}))


def test_from_options_object_with_every_field_set() -> None:
    options = HttpRetryOptions(1, 0.5, 2.0, 3.0, 0.0, [503])

    assert RetryPolicy.from_options(options) == RetryPolicy(1, 0.5, 2.0, 3.0, 0.0, frozenset({503}))


def test_from_options_object_missing_attributes() -> None:
    class Partial:
        attempts = 7

    assert RetryPolicy.from_options(Partial()) == RetryPolicy(attempts=7)


def test_from_options_dict() -> None:
    policy = RetryPolicy.from_options({"attempts": 2, "jitter": None, "http_status_codes": {500}})

    assert policy == RetryPolicy(attempts=2, http_status_codes=frozenset({500}))


def test_from_options_dict_with_a_misspelt_key_fails() -> None:
    with pytest.raises(TypeError, match="atempts"):
        RetryPolicy.from_options({"atempts": 2})


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
def test_retryable_status_codes(code: int) -> None:
    assert RetryPolicy().retryable(api_error(code))


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 501])
def test_not_retryable_status_codes(code: int) -> None:
    assert not RetryPolicy().retryable(api_error(code))


def test_retryable_follows_configured_codes() -> None:
    policy = RetryPolicy(http_status_codes=frozenset({404}))

    assert policy.retryable(api_error(404))
    assert not policy.retryable(api_error(503))


def test_client_side_failures_are_retryable_regardless_of_codes() -> None:
    policy = RetryPolicy(http_status_codes=frozenset())

    assert policy.retryable(errors.APIConnectionError("refused"))
    assert policy.retryable(errors.APITimeoutError("slow"))


def test_interrupted_stream_is_not_retryable() -> None:
    assert not RetryPolicy().retryable(errors.StreamInterruptedError("cut"))


def test_other_exceptions_are_not_retryable() -> None:
    policy = RetryPolicy()

    assert not policy.retryable(ValueError("bug"))
    assert not policy.retryable(errors.APIError("no code"))
    assert not policy.retryable(errors.GeminiError("not an API error"))


def test_exponential_backoff() -> None:
    policy = RetryPolicy(attempts=10, initial_delay=1.0, exp_base=2.0, max_delay=60.0, jitter=0)
    error = api_error(503)

    delays = [policy.delay(attempt, error) for attempt in range(1, 10)]

    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]


def test_jitter_is_added_from_the_injected_random() -> None:
    policy = RetryPolicy(attempts=5, initial_delay=2.0, exp_base=3.0, jitter=1.5)

    assert policy.delay(1, api_error(429), rand=lambda: 0.0) == 2.0
    assert policy.delay(2, api_error(429), rand=lambda: 0.5) == 6.75
    assert policy.delay(3, api_error(429), rand=lambda: 1.0) == 19.5


def test_jitter_is_added_after_the_max_delay_cap() -> None:
    policy = RetryPolicy(attempts=5, initial_delay=100.0, max_delay=10.0, jitter=1.0)

    assert policy.delay(1, api_error(500), rand=lambda: 0.25) == 10.25


def test_huge_attempt_numbers_do_not_overflow() -> None:
    policy = RetryPolicy(attempts=100_000, max_delay=30.0, jitter=0.0)

    assert policy.delay(50_000, api_error(500)) == 30.0


def test_gives_up_when_attempts_are_spent() -> None:
    policy = RetryPolicy(attempts=3, jitter=0.0)
    error = api_error(503)

    assert policy.delay(1, error) == 1.0
    assert policy.delay(2, error) == 2.0
    assert policy.delay(3, error) is None
    assert policy.delay(4, error) is None


def test_one_attempt_means_no_retry() -> None:
    assert RetryPolicy(attempts=1).delay(1, errors.APIConnectionError("x")) is None


def test_gives_up_on_non_retryable_errors() -> None:
    policy = RetryPolicy(attempts=5)

    assert policy.delay(1, api_error(400)) is None
    assert policy.delay(1, errors.StreamInterruptedError("cut")) is None
    assert policy.delay(1, KeyError("x")) is None


def test_without_an_error_only_the_budget_applies() -> None:
    assert NO_JITTER.delay(2, None) == 2.0
    assert NO_JITTER.delay(3, None) is None


def test_attempt_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        NO_JITTER.delay(0, api_error(503))


def test_retry_info_is_honoured_exactly_without_jitter() -> None:
    policy = RetryPolicy(attempts=5, jitter=5.0)
    error = api_error(429, details=retry_info("12.5s"))

    assert policy.delay(1, error, rand=lambda: 1.0) == 12.5
    assert policy.delay(4, error, rand=lambda: 1.0) == 12.5


def test_retry_after_header_is_honoured() -> None:
    policy = RetryPolicy(jitter=5.0)

    assert policy.delay(1, with_retry_after(503, "7"), rand=lambda: 1.0) == 7.0


def test_retry_info_takes_precedence_over_retry_after() -> None:
    response = httpx.Response(
        429,
        json={"error": {"code": 429, "details": retry_info("3s")}},
        headers={"Retry-After": "9"},
    )
    error = errors.error_from_response(response)

    assert NO_JITTER.delay(1, error) == 3.0


def test_hint_longer_than_max_delay_gives_up() -> None:
    policy = RetryPolicy(max_delay=10.0)

    assert policy.delay(1, api_error(429, details=retry_info("10s"))) == 10.0
    assert policy.delay(1, api_error(429, details=retry_info("10.001s"))) is None
    assert policy.delay(1, with_retry_after(503, "11")) is None


def test_hint_does_not_make_a_non_retryable_error_retryable() -> None:
    assert NO_JITTER.delay(1, api_error(400, details=retry_info("1s"))) is None


def test_hint_does_not_extend_the_attempt_budget() -> None:
    policy = RetryPolicy(attempts=2)

    assert policy.delay(2, api_error(429, details=retry_info("1s"))) is None
