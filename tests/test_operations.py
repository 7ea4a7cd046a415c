"""Long-running operations and resource names: `operations.get` routes a name to the
GetOperation* path it matches and refreshes an operation as its own class; `operations.wait`
polls with backoff and raises the operation's error typed; resource names are checked
before any request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fakes import Server, fake_client

import gemini_sdk as genai
from gemini_sdk import errors, types

KEY = "test-key-ops"
API = "https://generativelanguage.googleapis.com/v1beta"


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(server: Server) -> genai.Client:
    return fake_client(server, KEY)


@pytest.mark.parametrize(
    "name",
    [
        "fileSearchStores/s1/operations/op1",
        "fileSearchStores/s1/upload/operations/op1",
        "models/veo-3.1-generate-preview/operations/op1",
        "batches/b1",
        "tunedModels/t1/operations/op1",
        "corpora/c1/operations/op1",
        "generatedFiles/g1/operations/op1",
    ],
)
def test_get_by_name_calls_the_route_the_name_matches(
    client: genai.Client, server: Server, name: str
) -> None:
    server.reply({"name": name, "done": True, "metadata": {"@type": "x"}})
    operation = client.operations.get(name)
    assert type(operation) is types.Operation
    assert operation.done is True and operation.metadata == {"@type": "x"}
    assert server.last.method == "GET"
    assert str(server.last.url) == f"{API}/{name}"
    assert KEY not in str(server.last.url)


def test_get_refreshes_an_operation_as_its_own_class(client: genai.Client, server: Server) -> None:
    name = "fileSearchStores/s1/upload/operations/op1"
    server.reply(
        {
            "name": name,
            "done": True,
            "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1main."
                "UploadToFileSearchStoreResponse",
                "documentName": "fileSearchStores/s1/documents/d1",
                "sizeBytes": "12",
            },
        }
    )
    started = types.UploadToFileSearchStoreOperation(name=name, done=False)
    refreshed = client.operations.get(started)
    assert type(refreshed) is types.UploadToFileSearchStoreOperation
    assert isinstance(refreshed.response, types.UploadToFileSearchStoreResponse)
    assert refreshed.response.document_name == "fileSearchStores/s1/documents/d1"
    assert refreshed.response.size_bytes == 12
    # what the wire sent beyond the declared fields survives
    assert refreshed.response.to_dict()["@type"].endswith("UploadToFileSearchStoreResponse")


def test_a_video_operation_keeps_its_typed_response(client: genai.Client, server: Server) -> None:
    name = "models/veo-3.1-generate-preview/operations/v1"
    video = {"generatedSamples": [{"video": {"uri": f"{API}/files/f1:download?alt=media"}}]}
    server.reply({"name": name, "done": True, "response": {"generateVideoResponse": video}})
    refreshed = client.operations.get(types.PredictLongRunningOperation(name=name))
    assert type(refreshed) is types.PredictLongRunningOperation
    assert refreshed.response is not None and refreshed.response.generate_video_response
    samples = refreshed.response.generate_video_response.generated_samples or []
    assert samples[0].video is not None and samples[0].video.uri.endswith(
        "files/f1:download?alt=media"
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", ValueError),
        ("op1", ValueError),  # a bare id is ambiguous: operations live in many collections
        ("files/abc", ValueError),
        ("fileSearchStores/s1/operations/..", ValueError),
        ("fileSearchStores/s1/operations/a/b", ValueError),
        ("fileSearchStores/s1/operations/a?alt=media", ValueError),
        ("fileSearchStores/s1/operations/a#x", ValueError),
        (42, TypeError),
        (types.Operation(), TypeError),  # an operation without a name yet
    ],
)
def test_bad_operation_names_raise_before_any_request(
    client: genai.Client, server: Server, value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match=r"operations\.get: operation: expected a name like"):
        client.operations.get(value)
    assert server.requests == []


def test_get_refuses_an_unknown_config_key(client: genai.Client, server: Server) -> None:
    with pytest.raises(TypeError, match="operations.get: config"):
        client.operations.get("batches/b1", config={"timeout_ms": 5})
    assert server.requests == []


def _pending(name: str, polls: int, final: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": name, "done": False}] * polls + [{"name": name, "done": True, **final}]


def test_wait_polls_with_backoff_until_done(client: genai.Client, server: Server) -> None:
    name = "fileSearchStores/s1/operations/imp1"
    server.reply(*_pending(name, 4, {"response": {"documentName": "d"}}))
    started = types.ImportFileOperation(name=name, done=False)
    finished = client.operations.wait(started, poll=2, backoff=2, max_poll=5)
    assert type(finished) is types.ImportFileOperation
    assert finished.response is not None and finished.response.document_name == "d"
    assert len(server.requests) == 5  # the first poll at once, then one after each wait
    assert client.sleeps == [2, 4, 5, 5]  # type: ignore[attr-defined]


def test_wait_returns_a_done_operation_without_a_request(
    client: genai.Client, server: Server
) -> None:
    done = types.Operation(name="batches/b1", done=True)
    assert client.operations.wait(done) is done
    assert server.requests == []


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (5, errors.NotFound),
        (3, errors.InvalidArgument),
        (9, errors.FailedPrecondition),
        (8, errors.ResourceExhausted),
        (13, errors.InternalServerError),
        (14, errors.ServiceUnavailable),
        (99, errors.APIError),
    ],
)
def test_wait_raises_the_operation_error_typed(
    client: genai.Client, server: Server, code: int, cls: type[errors.APIError]
) -> None:
    failure = {"code": code, "message": "the file is gone", "details": [{"@type": "t"}]}
    server.reply(*_pending("batches/b1", 1, {"error": failure}))
    with pytest.raises(cls) as caught:
        client.operations.wait("batches/b1", poll=1)
    assert type(caught.value) is cls
    assert caught.value.message == "the file is gone"
    assert caught.value.details == [{"@type": "t"}]
    assert caught.value.code is None  # not an HTTP status


def test_wait_gives_up_at_the_timeout(client: genai.Client, server: Server) -> None:
    name = "models/veo/operations/v1"
    server.route = lambda request: {"name": name, "done": False}
    with pytest.raises(errors.OperationTimeoutError, match="not done after 10s") as caught:
        client.operations.wait(name, timeout=10, poll=3, backoff=2)
    assert isinstance(caught.value, errors.DeadlineExceeded)
    assert caught.value.operation.name == name
    # waits stop at the deadline: 3 + 6 = 9, then the last second
    assert client.sleeps == [3, 6, 1]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"timeout": 0}, "timeout must be a positive"),
        ({"poll": 0}, "poll must be a positive"),
        ({"backoff": 0.5}, "backoff must be 1 or more"),
        ({"poll": 5, "max_poll": 1}, "max_poll must be at least poll"),
    ],
)
def test_wait_refuses_a_bad_policy_before_any_request(
    client: genai.Client, server: Server, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        client.operations.wait("batches/b1", **kwargs)
    assert server.requests == []


def test_a_failing_poll_is_retried_like_any_request(client: genai.Client, server: Server) -> None:
    server.reply(
        {"name": "batches/b1", "done": False},
        httpx.Response(503, json={"error": {"code": 503, "status": "UNAVAILABLE"}}),
        {"name": "batches/b1", "done": True},
    )
    finished = client.operations.wait("batches/b1", poll=1)
    assert finished.done is True
    assert len(server.requests) == 3


async def test_async_get_and_wait(client: genai.Client, server: Server) -> None:
    name = "fileSearchStores/s1/upload/operations/op1"
    server.reply({"name": name, "done": False})
    started = types.UploadToFileSearchStoreOperation(name=name)
    again = await client.aio.operations.get(started)
    assert type(again) is types.UploadToFileSearchStoreOperation
    assert str(server.last.url) == f"{API}/{name}"
    server.reply(*_pending(name, 2, {"response": {"documentName": "d"}}))
    finished = await client.aio.operations.wait(again, poll=1, backoff=3, max_poll=10)
    assert type(finished) is types.UploadToFileSearchStoreOperation
    assert client.sleeps == [1, 3]  # type: ignore[attr-defined]
    server.reply(*_pending(name, 0, {"error": {"code": 7, "message": "no"}}))
    with pytest.raises(errors.PermissionDenied):
        await client.aio.operations.wait(name)
    with pytest.raises(ValueError, match="operation: expected a name like"):
        await client.aio.operations.get("nope")


def test_error_from_status_without_a_known_code() -> None:
    error = errors.error_from_status(None, None)
    assert type(error) is errors.APIError
    assert "the operation failed" in str(error)
