"""Holes a hostile network finds in the transport, each pinned by a test: the key on the
requests errors and streams keep, undecodable and empty answers, redirects, the total
deadline, TLS verification, and one async client across event loops.

What only the wire shows runs against a real server on 127.0.0.1 (`rawserver.RawServer`);
the rest runs on `httpx.MockTransport` (`fakes.Server`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import ssl
from typing import Any

import httpx
import pytest
import trustme
from fakes import Server, fake_client
from rawserver import RawServer, http

import gemini_sdk as genai
from gemini_sdk import errors, types

KEY = "AIzaSy-SECRET-defects-key"
MODEL = "gemini-2.5-flash"
ANSWER = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}}]}
OK = http(200, json.dumps(ANSWER).encode(), content_type="application/json")


def on(url: str, **options: Any) -> genai.Client:
    """A client with its own pool on the server at `url`; `options` are HttpOptions fields."""
    return genai.Client(api_key=KEY, http_options={"base_url": url, **options})


def no_retry(url: str, **options: Any) -> genai.Client:
    return on(url, retry_options={"attempts": 1}, **options)


def generate(client: genai.Client, **kwargs: Any) -> types.GenerateContentResponse:
    return client.models.generate_content(model=MODEL, contents="hi", **kwargs)


def error_body(code: int, status: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": "no", "status": status}}).encode()


# -- the key on the requests errors and streams keep ----------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (400, "INVALID_ARGUMENT"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (500, "INTERNAL"),
    ],
)
def test_errors_keep_no_key(code: int, status: str) -> None:
    with RawServer(http(code, error_body(code, status))) as server:
        with pytest.raises(errors.APIError) as caught:
            generate(no_retry(server.url))
    error = caught.value
    assert error.response is not None
    headers = error.response.request.headers
    assert headers["x-goog-api-key"] == "[redacted]"
    for text in (repr(headers), repr(error), str(error), repr(error.response.request)):
        assert KEY not in text
    assert KEY.encode() not in pickle.dumps(error)
    assert KEY not in str(pickle.loads(pickle.dumps(error)).response.request.headers)
    # the key did go to the server: only what the caller holds is masked
    assert KEY.encode() in server.requests[0][0]


def test_stream_response_keeps_no_key() -> None:
    body = b"data: " + json.dumps(ANSWER).encode() + b"\n\n"
    with RawServer(http(200, body, content_type="text/event-stream")) as server:
        stream = on(server.url).models.generate_content_stream(model=MODEL, contents="hi")
        assert [chunk.text for chunk in stream] == ["ok"]
    assert stream.response.request.headers["x-goog-api-key"] == "[redacted]"
    assert KEY.encode() not in pickle.dumps(stream.response)


def test_authorization_header_is_masked_too() -> None:
    with RawServer(http(403, error_body(403, "PERMISSION_DENIED"))) as server:
        client = no_retry(server.url, headers={"authorization": "Bearer SECRET-TOKEN"})
        with pytest.raises(errors.PermissionDenied) as caught:
            generate(client)
    assert caught.value.response is not None
    assert b"SECRET-TOKEN" not in pickle.dumps(caught.value)


def test_the_key_is_in_no_log_record_repr_or_url(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's and httpcore's included
    with RawServer(http(503, b"<html>down</html>"), http(500, b""), OK) as server:
        client = on(server.url, retry_options={"initial_delay": 0, "jitter": 0})
        assert generate(client).text == "ok"
        client.close()
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
    assert all(KEY.encode() not in head.split(b"\r\n")[0] for head, _ in server.requests)
    assert KEY not in repr(client) and KEY not in repr(client.aio)


# -- undecodable answers are one public error -----------------------------------------------


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (http(200, b"{not json", content_type="application/json"), "not JSON"),
        (http(200, b"<html><body>Sign in</body></html>", content_type="text/html"), "not JSON"),
        (http(200, b'{"candidates": 5}', content_type="application/json"), "GenerateContent"),
        (http(200, b"[1, 2]", content_type="application/json"), "GenerateContentResponse"),
    ],
)
def test_undecodable_200_is_an_unexpected_response(answer: bytes, said: str) -> None:
    with RawServer(answer) as server:
        with pytest.raises(errors.UnexpectedResponseError, match=said) as caught:
            generate(on(server.url))
    error = caught.value
    assert isinstance(error, errors.APIError)
    assert error.code == 200
    assert error.response is not None and error.response.status_code == 200
    assert KEY.encode() not in pickle.dumps(error)
    assert len(server.requests) == 1  # 200 is not a status to retry


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_errors_naming_the_location(status: int) -> None:
    with (
        RawServer(OK) as elsewhere,
        RawServer(
            http(
                status,
                b"<html>moved</html>",
                location=f"{elsewhere.url}/steal",
                content_type="text/html",
            )
        ) as server,
    ):
        # even a caller's pool told to follow redirects does not follow ours
        follower = httpx.Client(follow_redirects=True)
        client = genai.Client(
            api_key=KEY, http_options={"base_url": server.url}, http_client=follower
        )
        with pytest.raises(errors.UnexpectedResponseError, match="/steal") as caught:
            generate(client)
        assert elsewhere.requests == []
    assert caught.value.code == status


def test_invalid_sse_event_is_an_unexpected_response() -> None:
    body = b"data: " + json.dumps(ANSWER).encode() + b"\n\ndata: {oops\n\n"
    with RawServer(http(200, body, content_type="text/event-stream")) as server:
        stream = on(server.url).models.generate_content_stream(model=MODEL, contents="hi")
        with pytest.raises(errors.UnexpectedResponseError, match="event that is not JSON"):
            list(stream)


def test_html_stream_says_it_is_html() -> None:
    page = http(200, b"<html><body>captive portal</body></html>", content_type="text/html")
    with RawServer(page) as server:
        with pytest.raises(errors.UnexpectedResponseError, match="HTML page") as caught:
            on(server.url).models.generate_content_stream(model=MODEL, contents="hi")
    assert "captive portal" in str(caught.value)


def test_unexpected_response_is_retried_when_its_status_is_retryable() -> None:
    server = Server()
    server.reply(httpx.Response(200, content=b"<html>"), ANSWER)
    client = fake_client(server, KEY, http_options={"retry_options": {"http_status_codes": [200]}})
    assert generate(client).text == "ok"
    assert len(server.requests) == 2


def test_html_error_page_keeps_its_status_class() -> None:
    with RawServer(http(502, b"<html>bad gateway</html>", content_type="text/html")) as server:
        with pytest.raises(errors.BadGateway, match="bad gateway"):
            generate(no_retry(server.url))


# -- empty answers --------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [http(204), http(200), http(302)])
def test_an_empty_answer_where_a_body_is_due_raises(answer: bytes) -> None:
    with RawServer(answer) as server:
        with pytest.raises(errors.UnexpectedResponseError):
            generate(on(server.url))


@pytest.mark.parametrize("answer", [http(204), http(302)])
def test_an_empty_answer_where_a_stream_is_due_raises(answer: bytes) -> None:
    with RawServer(answer) as server:
        with pytest.raises(errors.UnexpectedResponseError, match="HTTP 204|HTTP 302"):
            on(server.url).models.generate_content_stream(model=MODEL, contents="hi")


def test_an_empty_answer_to_a_delete_is_none() -> None:
    with RawServer(http(200)) as server:
        assert on(server.url).files.delete(name="files/abc") is None
    assert server.requests[0][0].startswith(b"DELETE /v1beta/files/abc ")


# -- the total deadline ---------------------------------------------------------------------


def test_no_retry_waits_past_the_deadline() -> None:
    server = Server()
    server.route = lambda request: httpx.Response(
        503, content=error_body(503, "UNAVAILABLE"), headers={"retry-after": "30"}
    )
    client = fake_client(server, KEY, http_options={"deadline": 5000})
    with pytest.raises(errors.TotalDeadlineError, match="after 1 attempt;") as caught:
        generate(client)
    assert client.sleeps == []  # type: ignore[attr-defined]
    assert caught.value.attempts == 1
    assert isinstance(caught.value, errors.APITimeoutError)
    assert len(server.requests) == 1


def test_a_call_sets_its_own_deadline_and_timeouts_are_cut_to_it() -> None:
    server = Server()
    server.reply(ANSWER)
    client = fake_client(server, KEY, http_options={"deadline": 600_000})
    generate(client, config={"http_options": {"deadline": 1500}})
    timeouts = server.last.extensions["timeout"]
    assert set(timeouts) == {"connect", "read", "write", "pool"}
    assert all(0 < value <= 1.5 for value in timeouts.values())


@pytest.mark.parametrize("deadline", [0, -5])
def test_a_deadline_must_be_positive(deadline: int) -> None:
    server = Server()
    with pytest.raises(ValueError, match="HttpOptions.deadline must be a positive"):
        generate(fake_client(server, KEY), config={"http_options": {"deadline": deadline}})
    with pytest.raises(ValueError, match="HttpOptions.deadline must be a positive"):
        fake_client(server, KEY, http_options={"deadline": deadline})
    assert server.requests == []


def test_without_a_deadline_the_timeouts_stay() -> None:
    server = Server()
    server.reply(ANSWER)
    generate(fake_client(server, KEY))
    assert server.last.extensions["timeout"]["read"] == 600.0


def hold(server: RawServer) -> None:
    """Make `server` read requests and never answer them (until it closes)."""
    server.answers = [lambda head, body: b"" if server.stopped.wait(30) else b""]


def test_a_silent_server_is_abandoned_at_the_deadline() -> None:
    with RawServer() as server:
        hold(server)
        with pytest.raises(errors.TotalDeadlineError, match=r"deadline of 0\.3 s was reached"):
            generate(on(server.url, deadline=300))


async def test_a_silent_server_is_abandoned_at_the_deadline_async() -> None:
    with RawServer() as server:
        hold(server)
        client = on(server.url, deadline=300)
        with pytest.raises(errors.TotalDeadlineError):
            await client.aio.models.generate_content(model=MODEL, contents="hi")


# -- TLS verification -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def tls_server(authority: trustme.CA, *answers: bytes) -> RawServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return RawServer(*answers, tls=context)


def test_an_untrusted_certificate_fails_at_once(authority: trustme.CA) -> None:
    with tls_server(authority, OK) as server:
        with pytest.raises(errors.TLSVerificationError, match="verification failed") as caught:
            generate(on(server.url))
        assert server.connections == 1
    assert isinstance(caught.value, errors.APIConnectionError)


async def test_an_untrusted_certificate_fails_at_once_async(authority: trustme.CA) -> None:
    with tls_server(authority, OK) as server:
        with pytest.raises(errors.TLSVerificationError):
            await on(server.url).aio.models.generate_content(model=MODEL, contents="hi")
        assert server.connections == 1


def test_a_trusted_authority_verifies(authority: trustme.CA) -> None:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    with tls_server(authority, OK) as server:
        client = genai.Client(
            api_key=KEY,
            http_options={"base_url": server.url},
            http_client=httpx.Client(verify=context),
        )
        assert generate(client).text == "ok"


# -- one async client across event loops -------------------------------------------------------


def test_one_async_client_serves_every_event_loop() -> None:
    with RawServer(OK) as server:
        client = on(server.url)

        async def calls() -> list[str | None]:
            aio = client.aio.models
            return [(await aio.generate_content(model=MODEL, contents="hi")).text for _ in "abc"]

        assert asyncio.run(calls()) == ["ok"] * 3
        assert asyncio.run(calls()) == ["ok"] * 3
        # the second loop could not reuse the first loop's connection: it opened its own
        assert server.connections == 2
