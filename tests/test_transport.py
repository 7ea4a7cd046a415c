"""The transport seen through the client: retries, error mapping, streams, input checks,
secrecy of the API key, configuration, per-call options and the resumable upload.

Clients run on `httpx.MockTransport`; the retry loop's `sleep` and `rand` are replaced, so
nothing waits and every delay is exact.
"""

from __future__ import annotations

import json
import logging
import traceback
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fakes import Server, fake_client

import gemini_sdk as genai
from gemini_sdk import _http, errors, types
from gemini_sdk._client import MissingAPIKeyError

KEY = "AIzaSy-SECRET-transport-key"
HOST = "generativelanguage.googleapis.com"
MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"
RAND = 0.25  # the injected jitter draw


def make_client(server: Server, **kwargs: Any) -> genai.Client:
    return fake_client(server, KEY, RAND, **kwargs)


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(server: Server) -> genai.Client:
    return make_client(server)


def answer(text: str = "ok") -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]}


def event(text: str) -> bytes:
    return b"data: " + json.dumps(answer(text)).encode() + b"\n\n"


def error_body(code: int, status: str | None, message: str = "boom", **extra: Any) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message, **extra}
    if status is not None:
        error["status"] = status
    return json.dumps({"error": error}).encode()


def failure(code: int, status: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = kwargs.pop("headers", None)
    return httpx.Response(code, content=error_body(code, status, **kwargs), headers=headers)


def generate(client: genai.Client, **kwargs: Any) -> types.GenerateContentResponse:
    return client.models.generate_content(model=MODEL, contents="hi", **kwargs)


RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


# -- retries ---------------------------------------------------------------------------------


def test_503_then_200_retries_once_with_backoff(client: genai.Client, server: Server) -> None:
    server.reply(failure(503, "UNAVAILABLE"), answer("second"))

    response = generate(client)

    assert response.text == "second"
    assert len(server.requests) == 2
    assert client.sleeps == [1.0 + RAND]  # initial delay 1s, then jitter * rand()
    assert server.requests[0].content == server.requests[1].content


def test_429_with_retry_info_waits_exactly_that_long(client: genai.Client, server: Server) -> None:
    details = [{"@type": RETRY_INFO, "retryDelay": "3s"}]
    server.reply(failure(429, "RESOURCE_EXHAUSTED", details=details), answer())

    generate(client)

    assert client.sleeps == [3.0]
    assert len(server.requests) == 2


def test_retry_after_header_is_followed(client: genai.Client, server: Server) -> None:
    server.reply(failure(503, "UNAVAILABLE", headers={"retry-after": "7"}), answer())

    generate(client)

    assert client.sleeps == [7.0]


def test_budget_exhausted_raises_the_typed_error(client: genai.Client, server: Server) -> None:
    server.reply(*[failure(503, "UNAVAILABLE", message=f"try {i}") for i in range(3)])

    with pytest.raises(errors.ServiceUnavailable) as caught:
        generate(client)

    assert len(server.requests) == 3  # the default policy: 3 attempts in all
    assert client.sleeps == [1.0 + RAND, 2.0 + RAND]
    assert caught.value.code == 503
    assert caught.value.message == "try 2"


def test_budget_follows_http_options(server: Server) -> None:
    client = make_client(
        server, http_options={"retry_options": {"attempts": 5, "initial_delay": 0.5}}
    )
    server.reply(*[failure(500, "INTERNAL") for _ in range(5)])

    with pytest.raises(errors.InternalServerError):
        generate(client)

    assert len(server.requests) == 5
    assert client.sleeps == [0.5 + RAND, 1.0 + RAND, 2.0 + RAND, 4.0 + RAND]


@pytest.mark.parametrize("code", [400, 401, 403, 404])
def test_client_errors_are_never_retried(client: genai.Client, server: Server, code: int) -> None:
    server.reply(failure(code), answer())

    with pytest.raises(errors.ClientError):
        generate(client)

    assert len(server.requests) == 1
    assert client.sleeps == []


def test_connection_error_is_retried_then_raised(client: genai.Client, server: Server) -> None:
    server.route = lambda request: httpx.ConnectError("connection refused", request=request)

    with pytest.raises(errors.APIConnectionError) as caught:
        generate(client)

    assert len(server.requests) == 3
    assert client.sleeps == [1.0 + RAND, 2.0 + RAND]
    assert caught.value.code is None
    assert isinstance(caught.value, errors.ServiceUnavailable)


def test_connection_error_then_success(client: genai.Client, server: Server) -> None:
    server.reply(httpx.ConnectError("reset"), answer("back"))

    assert generate(client).text == "back"
    assert len(server.requests) == 2


def test_read_timeout_is_api_timeout_error(client: genai.Client, server: Server) -> None:
    server.route = lambda request: httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(errors.APITimeoutError) as caught:
        generate(client)

    assert isinstance(caught.value, errors.DeadlineExceeded)
    assert caught.value.code is None
    assert len(server.requests) == 3


def test_attempts_1_disables_retries(server: Server) -> None:
    client = make_client(
        server, http_options=types.HttpOptions(retry_options=types.HttpRetryOptions(attempts=1))
    )
    server.reply(failure(503, "UNAVAILABLE"), answer())

    with pytest.raises(errors.ServiceUnavailable):
        generate(client)

    assert len(server.requests) == 1
    assert client.sleeps == []


async def test_async_retry(client: genai.Client, server: Server) -> None:
    server.reply(
        failure(503, "UNAVAILABLE"),
        httpx.ConnectError("reset"),
        answer("third"),
    )

    response = await client.aio.models.generate_content(model=MODEL, contents="hi")

    assert response.text == "third"
    assert len(server.requests) == 3
    assert client.sleeps == [1.0 + RAND, 2.0 + RAND]


async def test_async_budget_exhausted(client: genai.Client, server: Server) -> None:
    server.route = lambda request: httpx.ReadTimeout("slow", request=request)

    with pytest.raises(errors.DeadlineExceeded):
        await client.aio.models.generate_content(model=MODEL, contents="hi")

    assert len(server.requests) == 3


# -- error mapping ---------------------------------------------------------------------------

DETAILS = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SOME_REASON"}]


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        (400, "INVALID_ARGUMENT", errors.InvalidArgument),
        (400, "FAILED_PRECONDITION", errors.FailedPrecondition),
        (401, "UNAUTHENTICATED", errors.Unauthenticated),
        (403, "PERMISSION_DENIED", errors.PermissionDenied),
        (404, "NOT_FOUND", errors.NotFound),
        (409, "ABORTED", errors.Aborted),
        (429, "RESOURCE_EXHAUSTED", errors.ResourceExhausted),
        (499, "CANCELLED", errors.Cancelled),
        (500, "INTERNAL", errors.InternalServerError),
        (501, "UNIMPLEMENTED", errors.MethodNotImplemented),
        (503, "UNAVAILABLE", errors.ServiceUnavailable),
        (504, "DEADLINE_EXCEEDED", errors.DeadlineExceeded),
    ],
)
def test_error_mapping(server: Server, code: int, status: str, cls: type[errors.APIError]) -> None:
    client = make_client(server, http_options={"retry_options": {"attempts": 1}})
    server.reply(failure(code, status, message=f"it failed: {status}", details=DETAILS))

    with pytest.raises(cls) as caught:
        generate(client)

    error = caught.value
    assert type(error) is cls
    assert error.code == code
    assert error.status == status
    assert error.message == f"it failed: {status}"
    assert error.details == DETAILS
    assert str(error) == f"{code} {status}. it failed: {status}"
    assert isinstance(error, errors.ClientError if code < 500 else errors.ServerError)


def test_error_without_json_body(server: Server) -> None:
    client = make_client(server, http_options={"retry_options": {"attempts": 1}})
    server.reply(httpx.Response(502, content=b"<html>Bad Gateway</html>"))

    with pytest.raises(errors.BadGateway) as caught:
        generate(client)

    assert caught.value.code == 502
    assert "Bad Gateway" in caught.value.message


# -- streams ---------------------------------------------------------------------------------


def stream_texts(client: genai.Client) -> Iterator[str | None]:
    for chunk in client.models.generate_content_stream(model=MODEL, contents="hi"):
        yield chunk.text


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["LF", "CRLF"])
def test_stream_line_endings(client: genai.Client, server: Server, newline: bytes) -> None:
    lines = [b"data: " + json.dumps(answer(t)).encode() for t in ("a", "b", "c")]
    body = b"".join(line + newline + newline for line in lines)
    server.reply(httpx.Response(200, content=body))

    assert list(stream_texts(client)) == ["a", "b", "c"]


def test_stream_multiline_data_and_comments(client: genai.Client, server: Server) -> None:
    body = (
        b": keep-alive comment\n\n"
        b'data: {"candidates": [\n'
        b'data: {"content": {"role": "model", "parts": [{"text": "multi"}]}}]}\n\n'
        b": another comment\n"
        b"event: message\n"
        b"id: 7\n" + event("after")
    )
    server.reply(httpx.Response(200, content=body))

    assert list(stream_texts(client)) == ["multi", "after"]


def test_stream_error_event_after_chunks(client: genai.Client, server: Server) -> None:
    body = event("first") + b"data: " + error_body(503, "UNAVAILABLE", "overloaded") + b"\n\n"
    server.reply(httpx.Response(200, content=body), httpx.Response(200, content=event("x")))
    seen = []

    with pytest.raises(errors.ServiceUnavailable) as caught:
        for text in stream_texts(client):
            seen.append(text)

    assert seen == ["first"]
    assert (caught.value.code, caught.value.status) == (503, "UNAVAILABLE")
    assert caught.value.message == "overloaded"
    assert len(server.requests) == 1  # not retried once events were delivered
    assert client.sleeps == []


def test_cut_stream_raises_stream_interrupted(client: genai.Client, server: Server) -> None:
    body = event("whole") + b'data: {"candidates": [{"content": {"par'
    server.reply(httpx.Response(200, content=body))
    seen = []

    with pytest.raises(errors.StreamInterruptedError):
        for text in stream_texts(client):
            seen.append(text)

    assert seen == ["whole"]
    assert len(server.requests) == 1


def test_stream_ending_without_blank_line_is_interrupted(
    client: genai.Client, server: Server
) -> None:
    server.reply(httpx.Response(200, content=event("a") + b'data: {"candidates": []}\n'))

    with pytest.raises(errors.StreamInterruptedError):
        list(stream_texts(client))


class TrackedStream(httpx.SyncByteStream):
    """A response body that records when it is closed and can fail after some chunks."""

    def __init__(self, chunks: list[bytes], then: Exception | None = None) -> None:
        self.chunks = chunks
        self.then = then
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk
        if self.then is not None:
            raise self.then

    def close(self) -> None:
        self.closed = True


def test_breaking_out_of_a_stream_closes_the_response(client: genai.Client, server: Server) -> None:
    body = TrackedStream([event("a"), event("b"), event("c"), event("d")])
    server.reply(httpx.Response(200, stream=body))

    for chunk in client.models.generate_content_stream(model=MODEL, contents="hi"):
        assert chunk.text == "a"
        assert not body.closed
        break

    assert body.closed
    assert body.sent < 4


def test_finished_stream_closes_the_response(client: genai.Client, server: Server) -> None:
    body = TrackedStream([event("a"), event("b")])
    server.reply(httpx.Response(200, stream=body))

    stream = client.models.generate_content_stream(model=MODEL, contents="hi")
    assert [c.text for c in stream] == ["a", "b"]

    assert body.closed


def test_closing_a_stream_early_releases_the_connection(
    client: genai.Client, server: Server
) -> None:
    body = TrackedStream([event("a"), event("b"), event("c"), event("d")])
    server.reply(httpx.Response(200, stream=body))

    stream = client.models.generate_content_stream(model=MODEL, contents="hi")
    assert next(stream).text == "a"
    stream.close()

    assert body.closed
    assert body.sent < 4
    assert list(stream) == []


def test_closing_an_unread_stream_releases_the_connection(
    client: genai.Client, server: Server
) -> None:
    body = TrackedStream([event("a")])
    server.reply(httpx.Response(200, stream=body))

    client.models.generate_content_stream(model=MODEL, contents="hi").close()

    assert body.closed
    assert body.sent == 0


def test_stream_as_a_context_manager(client: genai.Client, server: Server) -> None:
    body = TrackedStream([event("a"), event("b"), event("c"), event("d")])
    server.reply(httpx.Response(200, stream=body))

    with client.models.generate_content_stream(model=MODEL, contents="hi") as stream:
        assert next(stream).text == "a"
        assert not body.closed

    assert body.closed
    assert body.sent < 4


def test_stream_shows_its_http_response(client: genai.Client, server: Server) -> None:
    headers = {"content-type": "text/event-stream", "x-served-by": "edge-7"}
    server.reply(httpx.Response(200, content=event("a"), headers=headers))

    with client.models.generate_content_stream(model=MODEL, contents="hi") as stream:
        assert isinstance(stream.response, httpx.Response)
        assert stream.response.status_code == 200
        assert stream.response.headers["x-served-by"] == "edge-7"
        assert stream.response.request.url.path == STREAM
        assert [c.text for c in stream] == ["a"]


def test_low_level_stream_is_a_stream_object(client: genai.Client, server: Server) -> None:
    body = TrackedStream([event("a"), event("b")])
    server.reply(httpx.Response(200, stream=body))
    request = types.GenerateContentRequest(contents=[{"parts": [{"text": "hi"}]}])

    with client.endpoints.stream_generate_content(MODEL, request) as stream:
        assert stream.response.status_code == 200
        assert next(stream).text == "a"

    assert body.closed


class AsyncTrackedStream(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    async def aclose(self) -> None:
        self.closed = True


async def test_async_stream_aclose_and_context_manager(
    client: genai.Client, server: Server
) -> None:
    first = AsyncTrackedStream([event("a"), event("b"), event("c"), event("d")])
    second = AsyncTrackedStream([event("x"), event("y"), event("z"), event("w")])
    server.reply(httpx.Response(200, stream=first), httpx.Response(200, stream=second))
    models = client.aio.models

    stream = await models.generate_content_stream(model=MODEL, contents="hi")
    assert (await stream.__anext__()).text == "a"
    await stream.aclose()
    assert first.closed and first.sent < 4

    async with await models.generate_content_stream(model=MODEL, contents="hi") as stream:
        assert stream.response.status_code == 200
        async for chunk in stream:
            assert chunk.text == "x"
            break
    assert second.closed and second.sent < 4


def test_stream_is_retried_before_its_first_event(client: genai.Client, server: Server) -> None:
    server.reply(failure(503, "UNAVAILABLE"), httpx.Response(200, content=event("x")))

    assert list(stream_texts(client)) == ["x"]
    assert len(server.requests) == 2
    assert [r.url.params["alt"] for r in server.requests] == ["sse", "sse"]
    assert client.sleeps == [1.0 + RAND]


def test_stream_is_not_retried_after_an_event(client: genai.Client, server: Server) -> None:
    body = TrackedStream([event("a")], then=httpx.ReadError("connection reset"))
    server.reply(httpx.Response(200, stream=body), httpx.Response(200, content=event("b")))
    seen = []

    with pytest.raises(errors.StreamInterruptedError):
        for text in stream_texts(client):
            seen.append(text)

    assert seen == ["a"]
    assert len(server.requests) == 1
    assert client.sleeps == []
    assert body.closed


async def test_async_stream_error_event(client: genai.Client, server: Server) -> None:
    body = event("first") + b"data: " + error_body(500, "INTERNAL") + b"\n\n"
    server.reply(httpx.Response(200, content=body))
    seen = []

    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="hi")
    with pytest.raises(errors.InternalServerError):
        async for chunk in stream:
            seen.append(chunk.text)

    assert seen == ["first"]


async def test_async_stream_retried_before_first_event(
    client: genai.Client, server: Server
) -> None:
    server.reply(failure(503, "UNAVAILABLE"), httpx.Response(200, content=event("x") + event("y")))

    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="hi")
    texts = [chunk.text async for chunk in stream]

    assert texts == ["x", "y"]
    assert len(server.requests) == 2


async def test_async_cut_stream(client: genai.Client, server: Server) -> None:
    server.reply(httpx.Response(200, content=event("a") + b"data: {"))

    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="hi")
    with pytest.raises(errors.StreamInterruptedError):
        async for _ in stream:
            pass


# -- bad input fails before the network ------------------------------------------------------


def test_wrong_config_field_type_typed(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError, match=r"GenerateContentConfig\.temperature"):
        generate(client, config=types.GenerateContentConfig(temperature="hot"))
    assert server.requests == []


def test_wrong_config_field_type_in_dict(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError, match=r"GenerateContentConfig\.temperature"):
        generate(client, config={"temperature": "hot"})
    assert server.requests == []


def test_unknown_config_key_in_dict(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError, match="temprature"):
        generate(client, config={"temprature": 0.5})
    assert server.requests == []


def test_config_of_the_wrong_class(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError, match="GenerateContentConfig"):
        generate(client, config=types.EmbedContentConfig(title="x"))
    assert server.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": MODEL, "contents": 5},
        {"model": MODEL, "contents": []},
        {"model": MODEL, "contents": [object()]},
        {"model": "", "contents": "hi"},
        {"model": "   ", "contents": "hi"},
        {"model": None, "contents": "hi"},
    ],
    ids=["contents=5", "contents=[]", "contents=[object]", "model=''", "model=blank", "model=None"],
)
def test_bad_arguments(client: genai.Client, server: Server, kwargs: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        client.models.generate_content(**kwargs)
    assert server.requests == []


async def test_bad_arguments_async(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError):
        await client.aio.models.generate_content(model=MODEL, contents=5)
    assert server.requests == []


def test_low_level_required_field_missing(client: genai.Client, server: Server) -> None:
    with pytest.raises(ValueError, match=r"EmbedContentRequest\.content\b"):
        client.endpoints.embed_content(MODEL, types.EmbedContentRequest())
    body = types.GenerateContentRequest(
        contents=[types.Content(parts=[types.Part(function_call=types.FunctionCall(args={}))])]
    )
    with pytest.raises(
        ValueError, match=r"GenerateContentRequest\.contents\[0\]\.parts\[0\]\.function_call\.name"
    ):
        client.endpoints.generate_content(MODEL, body)
    assert server.requests == []


def test_low_level_path_bound_field_may_be_left_out(client: genai.Client, server: Server) -> None:
    server.reply({"embedding": {"values": [1.0]}})

    result = client.endpoints.embed_content(
        MODEL, types.EmbedContentRequest(content=types.Content(parts=[types.Part(text="t")]))
    )

    assert json.loads(server.requests[0].content) == {"content": {"parts": [{"text": "t"}]}}
    assert result.embedding.values == [1.0]


def test_low_level_body_of_the_wrong_type(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError, match="EmbedContentRequest"):
        client.endpoints.embed_content(MODEL, types.GenerateContentRequest(contents=[]))
    assert server.requests == []


# -- the API key stays secret ----------------------------------------------------------------


def test_key_never_in_url_repr_logs_or_errors(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(server)
    server.reply(
        failure(503, "UNAVAILABLE"),
        answer(),
        httpx.Response(200, content=event("s")),
        failure(400, "INVALID_ARGUMENT", message="API key not valid"),
    )
    server.route = lambda request: httpx.ConnectError("refused", request=request)
    raised: list[BaseException] = []

    generate(client)
    list(stream_texts(client))
    for call in (lambda: generate(client), lambda: generate(client)):
        try:
            call()
        except errors.APIError as error:
            raised.append(error)

    assert [type(e) for e in raised] == [errors.InvalidArgument, errors.APIConnectionError]
    assert len(server.requests) == 7
    for request in server.requests:
        assert request.headers["x-goog-api-key"] == KEY
        assert KEY not in str(request.url)
    for text in (repr(client), str(client), repr(client.aio), repr(client._config)):
        assert KEY not in text
    sdk_records = [r for r in caplog.records if r.name == "gemini_sdk"]
    assert any(r.levelno == logging.DEBUG for r in sdk_records)
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
        assert KEY not in (record.exc_text or "")
    for error in raised:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in "".join(traceback.format_exception(error))


# -- configuration ---------------------------------------------------------------------------


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def key_sent(server: Server, **kwargs: Any) -> str:
    client = genai.Client(http_client=httpx.Client(transport=httpx.MockTransport(server)), **kwargs)
    server.reply(answer())
    generate(client)
    return server.requests[-1].headers["x-goog-api-key"]


def test_key_from_gemini_api_key(server: Server, no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("GEMINI_API_KEY", "gemini-env")

    assert key_sent(server) == "gemini-env"


def test_key_from_google_api_key(server: Server, no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("GOOGLE_API_KEY", "google-env")

    assert key_sent(server) == "google-env"


def test_both_env_keys_warn_and_google_wins(server: Server, no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("GOOGLE_API_KEY", "google-env")
    no_env.setenv("GEMINI_API_KEY", "gemini-env")

    with pytest.warns(UserWarning, match="GOOGLE_API_KEY"):
        assert key_sent(server) == "google-env"


def test_explicit_key_beats_env_without_warning(server: Server, no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("GOOGLE_API_KEY", "google-env")
    no_env.setenv("GEMINI_API_KEY", "gemini-env")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert key_sent(server, api_key="explicit") == "explicit"


def test_missing_key(no_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingAPIKeyError, match="GEMINI_API_KEY"):
        genai.Client()
    no_env.setenv("GEMINI_API_KEY", "")
    with pytest.raises(ValueError):
        genai.Client()


def test_base_url_from_env(server: Server, no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("GOOGLE_GEMINI_BASE_URL", "https://proxy.example.com/gemini")

    key_sent(server, api_key=KEY)

    assert str(server.requests[-1].url) == f"https://proxy.example.com/gemini{GENERATE}"


def test_base_url_option_beats_env(server: Server, no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("GOOGLE_GEMINI_BASE_URL", "https://proxy.example.com")

    key_sent(server, api_key=KEY, http_options={"base_url": "https://other.example.org/"})

    assert str(server.requests[-1].url) == f"https://other.example.org{GENERATE}"


def test_api_version_changes_the_path_prefix(server: Server) -> None:
    client = make_client(server, http_options=types.HttpOptions(api_version="v1"))
    server.reply(answer(), httpx.Response(200, content=event("x")), {"name": "models/m"})

    generate(client)
    list(stream_texts(client))
    client.models.get(model="m")

    assert [r.url.path for r in server.requests] == [
        f"/v1/models/{MODEL}:generateContent",
        f"/v1/models/{MODEL}:streamGenerateContent",
        "/v1/models/m",
    ]


def test_client_timeout_and_headers_from_http_options(server: Server) -> None:
    client = make_client(server, http_options={"timeout": 30_000, "headers": {"x-team": "search"}})
    server.reply(answer())

    generate(client)

    request = server.requests[0]
    assert request.extensions["timeout"] == httpx.Timeout(30.0).as_dict()
    assert request.headers["x-team"] == "search"


def test_default_timeout(client: genai.Client, server: Server) -> None:
    server.reply(answer())

    generate(client)

    assert server.requests[0].extensions["timeout"] == httpx.Timeout(600.0, connect=10.0).as_dict()


def test_per_call_timeout_reaches_httpx(client: genai.Client, server: Server) -> None:
    server.reply(answer(), httpx.Response(200, content=event("x")), answer())

    generate(client, timeout=12.5)
    list(client.models.generate_content_stream(model=MODEL, contents="x", timeout=3.0))
    generate(client, config={"http_options": {"timeout": 2500}})

    assert [r.extensions["timeout"] for r in server.requests] == [
        httpx.Timeout(12.5).as_dict(),
        httpx.Timeout(3.0).as_dict(),
        httpx.Timeout(2.5).as_dict(),
    ]


def test_per_call_http_options_override_every_client_field(server: Server) -> None:
    client = make_client(
        server,
        http_options={
            "base_url": "https://proxy.example.com",
            "headers": {"x-team": "search", "x-env": "prod"},
            "retry_options": {"attempts": 5, "initial_delay": 0.5},
        },
    )
    server.reply(failure(503, "UNAVAILABLE"), failure(503, "UNAVAILABLE"))
    per_call = {
        "base_url": "https://other.example.org",
        "api_version": "v1",
        "timeout": 2500,
        "headers": {"x-env": "test"},
        "retry_options": {"attempts": 2},
    }

    with pytest.raises(errors.ServiceUnavailable):
        generate(client, config={"http_options": per_call})

    # the call's attempts win; its other retry fields and the client's headers are kept
    assert len(server.requests) == 2
    assert client.sleeps == [0.5 + RAND]
    request = server.requests[0]
    assert str(request.url) == f"https://other.example.org/v1/models/{MODEL}:generateContent"
    assert request.extensions["timeout"] == httpx.Timeout(2.5).as_dict()
    assert request.headers["x-team"] == "search"
    assert request.headers["x-env"] == "test"


def test_per_call_http_options_leave_the_client_as_it_was(server: Server) -> None:
    client = make_client(server)
    server.reply(answer(), answer())

    generate(client, config={"http_options": {"base_url": "https://other.example.org"}})
    generate(client)

    assert [r.url.host for r in server.requests] == ["other.example.org", HOST]


async def test_async_per_call_http_options(client: genai.Client, server: Server) -> None:
    server.reply(failure(503, "UNAVAILABLE"))
    config = types.GenerateContentConfig(
        http_options=types.HttpOptions(api_version="v1", retry_options={"attempts": 1})
    )

    with pytest.raises(errors.ServiceUnavailable):
        await client.aio.models.generate_content(model=MODEL, contents="hi", config=config)

    assert [r.url.path for r in server.requests] == [f"/v1/models/{MODEL}:generateContent"]


MISSPELT_OPTIONS = [
    ({"base_ur": "https://other.example.org"}, r"http_options: .*HttpOptions: base_ur"),
    ({"timout": 5}, r"http_options: .*HttpOptions: timout"),
    (
        {"retry_options": {"attemps": 7}},
        r"retry_options: .*HttpRetryOptions: attemps",
    ),
]


@pytest.mark.parametrize(("options", "message"), MISSPELT_OPTIONS)
def test_misspelt_client_http_options_raise(
    server: Server, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        make_client(server, http_options=options)


@pytest.mark.parametrize(("options", "message"), MISSPELT_OPTIONS)
@pytest.mark.parametrize("typed", [False, True])
def test_misspelt_per_call_http_options_raise_before_sending(
    client: genai.Client, server: Server, options: dict[str, Any], message: str, typed: bool
) -> None:
    # A typed config rejects the misspelt dict as it is built; a config dict, when the call
    # reads it. Either way before anything is sent.
    with pytest.raises(TypeError, match=message.removeprefix("http_options: ")):
        if typed:
            generate(client, config=types.GenerateContentConfig(http_options=options))
        else:
            generate(client, config={"http_options": options})

    assert server.requests == []


@pytest.mark.sends_invalid("extra_query adds names no operation declares")
def test_extra_headers_query_and_body_are_merged(client: genai.Client, server: Server) -> None:
    server.reply(answer())

    generate(
        client,
        config={"temperature": 0.5, "max_output_tokens": 10},
        extra_headers={"x-debug": "1"},
        extra_query={"trace": "yes"},
        extra_body={"generationConfig": {"topK": 3, "maxOutputTokens": 20}, "labels": {"a": "b"}},
    )

    request = server.requests[0]
    assert request.headers["x-debug"] == "1"
    assert request.headers["x-goog-api-key"] == KEY
    assert dict(request.url.params) == {"trace": "yes"}
    assert json.loads(request.content) == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "generationConfig": {"temperature": 0.5, "topK": 3, "maxOutputTokens": 20},
        "labels": {"a": "b"},
    }


@pytest.mark.sends_invalid("extra_query adds names no operation declares")
def test_extra_query_on_a_stream_keeps_alt_sse(client: genai.Client, server: Server) -> None:
    server.reply(httpx.Response(200, content=event("x")))

    list(client.models.generate_content_stream(model=MODEL, contents="x", extra_query={"k": "v"}))

    assert dict(server.requests[0].url.params) == {"alt": "sse", "k": "v"}


def test_close_leaves_the_users_client_open(server: Server) -> None:
    own = httpx.Client(transport=httpx.MockTransport(server))
    client = genai.Client(api_key=KEY, http_client=own)

    client.close()

    assert not own.is_closed
    own.close()


def test_close_closes_the_internal_client() -> None:
    client = genai.Client(api_key=KEY)
    internal = client._transport.http

    client.close()

    assert internal.is_closed


async def test_async_close(server: Server) -> None:
    own = httpx.AsyncClient(transport=httpx.MockTransport(server))
    client = genai.Client(api_key=KEY, async_http_client=own)
    await client.aio.aclose()
    assert not own.is_closed
    await own.aclose()

    other = genai.Client(api_key=KEY)
    async with other.aio as aio:
        internal = aio._transport.http
    assert internal.is_closed


# -- resumable upload ------------------------------------------------------------------------

UPLOAD_URL = f"https://{HOST}/upload/v1beta/files?upload_id=u-1&upload_protocol=resumable"
FILE_JSON = {
    "name": "files/abc",
    "displayName": "x",
    "mimeType": "text/plain",
    "sizeBytes": "11",
    "state": "ACTIVE",
    "uri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
}


class UploadServer(Server):
    """The resumable protocol: a start request, then chunks, with `query` for the status."""

    def __init__(self, upload_url: str = UPLOAD_URL, drop: set[int] | None = None) -> None:
        super().__init__()
        self.upload_url = upload_url
        self.drop = drop or set()  # offsets whose chunk is lost once
        self.received = b""
        self.route = self.handle

    def handle(self, request: httpx.Request) -> httpx.Response:
        command = request.headers.get("x-goog-upload-command")
        if command == "start":
            return httpx.Response(
                200,
                headers={"x-goog-upload-url": self.upload_url, "x-goog-upload-status": "active"},
            )
        if command == "query":
            return httpx.Response(
                200,
                headers={
                    "x-goog-upload-status": "active",
                    "x-goog-upload-size-received": str(len(self.received)),
                },
            )
        offset = int(request.headers["x-goog-upload-offset"])
        assert offset <= len(self.received)
        if offset in self.drop:
            self.drop.discard(offset)
            # half of the chunk arrived before the connection dropped
            self.received = self.received[:offset] + request.content[: len(request.content) // 2]
            raise httpx.ConnectError("connection reset", request=request)
        self.received = self.received[:offset] + request.content
        if command == "upload, finalize":
            return httpx.Response(
                200, json={"file": FILE_JSON}, headers={"x-goog-upload-status": "final"}
            )
        return httpx.Response(200, headers={"x-goog-upload-status": "active"})


def upload(client: genai.Client, media: bytes = b"hello world") -> types.CreateFileResponse:
    return client.endpoints.upload_file(
        types.CreateFileRequest(file=types.File(display_name="x")),
        media=media,
        mime_type="text/plain",
    )


def test_upload() -> None:
    server = UploadServer()
    client = make_client(server)

    result = upload(client)

    start, chunk = server.requests
    assert start.method == "POST"
    assert str(start.url) == f"https://{HOST}/upload/v1beta/files"
    assert start.headers["x-goog-api-key"] == KEY
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-command"] == "start"
    assert start.headers["x-goog-upload-header-content-length"] == "11"
    assert start.headers["x-goog-upload-header-content-type"] == "text/plain"
    assert start.headers["content-type"] == "application/json"
    assert json.loads(start.content) == {"file": {"displayName": "x"}}
    assert chunk.method == "POST"
    assert str(chunk.url) == UPLOAD_URL
    assert chunk.headers["x-goog-upload-command"] == "upload, finalize"
    assert chunk.headers["x-goog-upload-offset"] == "0"
    assert chunk.content == b"hello world"
    assert chunk.headers["x-goog-api-key"] == KEY  # same host as the API
    assert isinstance(result, types.CreateFileResponse)
    assert isinstance(result.file, types.File)
    assert result.file.name == "files/abc"
    assert result.file.size_bytes == 11
    assert result.file.state == types.FileState.ACTIVE
    assert server.received == b"hello world"


def test_upload_resumes_after_a_dropped_chunk() -> None:
    server = UploadServer(drop={0})
    client = make_client(server)

    result = upload(client)

    commands = [r.headers["x-goog-upload-command"] for r in server.requests]
    assert commands == ["start", "upload, finalize", "query", "upload, finalize"]
    query, resumed = server.requests[2], server.requests[3]
    assert str(query.url) == UPLOAD_URL
    assert query.content == b""
    # the server had received 5 bytes of the dropped chunk: the upload resumes there
    assert resumed.headers["x-goog-upload-offset"] == "5"
    assert resumed.content == b" world"
    assert server.received == b"hello world"
    assert result.file.name == "files/abc"
    assert client.sleeps == []


def test_upload_in_chunks_resumes_from_the_servers_offset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", 4)
    server = UploadServer(drop={4})
    client = make_client(server)

    upload(client, media=b"0123456789")

    sent = [
        (
            r.headers["x-goog-upload-command"],
            r.headers.get("x-goog-upload-offset"),
            r.content,
        )
        for r in server.requests[1:]
    ]
    assert sent == [
        ("upload", "0", b"0123"),
        ("upload", "4", b"4567"),  # dropped after 2 of its bytes arrived
        ("query", None, b""),
        ("upload, finalize", "6", b"6789"),
    ]
    assert server.received == b"0123456789"
    assert server.requests[0].headers["x-goog-upload-header-content-length"] == "10"


def test_upload_gives_up_after_repeated_drops() -> None:
    server = UploadServer()
    server.drop = {0}

    def always_drop(request: httpx.Request) -> httpx.Response:
        if request.headers.get("x-goog-upload-command", "").startswith("upload"):
            server.drop.add(int(request.headers["x-goog-upload-offset"]))
        return server.handle(request)

    server.route = always_drop
    client = make_client(server)

    with pytest.raises(errors.APIConnectionError):
        upload(client)

    chunks = [r for r in server.requests if r.headers["x-goog-upload-command"] != "query"]
    assert len(chunks) == 1 + 3  # start + the retry budget of chunk attempts


def test_upload_key_not_sent_to_another_host() -> None:
    other = "https://uploads.example.net/session/s-1"
    server = UploadServer(upload_url=other, drop={0})
    client = make_client(server)

    upload(client)

    start, *session = server.requests
    assert start.headers["x-goog-api-key"] == KEY
    assert [str(r.url) for r in session] == [other, other, other]
    for request in session:
        assert "x-goog-api-key" not in request.headers
        assert KEY not in str(request.headers)


async def test_async_upload() -> None:
    server = UploadServer(drop={0})
    client = make_client(server)

    result = await client.aio.endpoints.upload_file(
        types.CreateFileRequest(file=types.File(display_name="x")),
        media=b"hello world",
        mime_type="text/plain",
    )

    commands = [r.headers["x-goog-upload-command"] for r in server.requests]
    assert commands == ["start", "upload, finalize", "query", "upload, finalize"]
    assert server.received == b"hello world"
    assert result.file.size_bytes == 11


def test_parsed_urls_kept_are_bounded() -> None:
    # one parsed URL per URL text, but a program naming a new resource each call must not
    # grow the table without end
    from gemini_sdk import _http

    _http._PARSED.clear()
    first = _http._parsed("https://example.test/v1beta/models/a")
    assert _http._parsed("https://example.test/v1beta/models/a") is first
    for index in range(_http._PARSED_MAX + 5):
        _http._parsed(f"https://example.test/v1beta/files/{index}")
    assert 0 < len(_http._PARSED) <= _http._PARSED_MAX
    assert str(_http._parsed("https://example.test/v1beta/files/7")).endswith("/files/7")
