"""Every method's result that is an answer of the service carries the HTTP status and headers
it came with (`.sdk_http_response`), and every method reached through `with_raw_response`
reports them; whatever the method makes of the answer (a field of it, a transform of it, a
download's bytes) keeps them.

The methods are enumerated from the generated resources (with the valid arguments of the
bad-input table), so a new method is covered as soon as it exists.
"""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from fakes import Server, fake_client
from test_bad_input_matrix import ATTRIBUTE, METHODS, VALID

import gemini_sdk as genai
from _gemini_sdk_gen import resources
from gemini_sdk import _resource, types
from gemini_sdk.testing import Emulator

KEY = "AIzaSy-metadata-key"
# The bad-input table's arguments, completed where the request needs more to be sent.
CALLS = {
    **VALID,
    "Batches.create": {**VALID["Batches.create"], "config": {"display_name": "job"}},
    "Batches.create_embeddings": {
        **VALID["Batches.create_embeddings"],
        "config": {"display_name": "job"},
    },
}
SPECS = {
    spec.name: spec for spec in vars(resources).values() if isinstance(spec, _resource.MethodSpec)
}
# One JSON answer every method's response class reads what it needs from (the decoder keeps
# what a class does not know): a done operation, an active file, one image, a token count.
ANSWER = {
    "name": "batches/abc",
    "done": True,
    "state": "ACTIVE",
    "file": {"name": "files/abc", "state": "ACTIVE"},
    "predictions": [{"bytesBase64Encoded": "aGk=", "mimeType": "image/png"}],
    "totalTokens": 3,
    "metadata": {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.X"},
}
HEADERS = {
    "x-answer": "the-answer",
    # for an upload: where to send the bytes, and that they are all there
    "x-goog-upload-url": "https://generativelanguage.googleapis.com/upload/session",
    "x-goog-upload-status": "final",
}


def spec_of(method: str) -> _resource.MethodSpec:
    class_name, name = method.split(".")
    return SPECS[f"{ATTRIBUTE[class_name]}.{name}"]


def answering(spec: _resource.MethodSpec) -> Server:
    server = Server()
    if spec.operation.kind == "stream":
        body = f"data: {httpx.Response(200, json=ANSWER).text}\n\n"
        server.route = lambda request: httpx.Response(
            200, text=body, headers={**HEADERS, "content-type": "text/event-stream"}
        )
    else:
        server.route = lambda request: httpx.Response(200, json=ANSWER, headers=HEADERS)
    return server


def resource(client: Any, method: str) -> Any:
    target = client
    for part in ATTRIBUTE[method.split(".")[0]].split("."):
        target = getattr(target, part)
    return target


def answers_in(spec: _resource.MethodSpec, result: Any) -> list[Any]:
    """The answers of the service `result` holds, by what the method returns."""
    if spec.returns in ("nothing", "media"):
        return []
    if spec.returns == "stream":
        return list(result)
    if spec.returns == "pager":
        return [result.response]
    return [result]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_answer_a_method_returns_carries_its_status_and_headers(method: str) -> None:
    spec = spec_of(method)
    client = fake_client(answering(spec), KEY)

    result = getattr(resource(client, method), method.split(".")[1])(**CALLS[method])

    found = answers_in(spec, result)
    assert found or spec.returns in ("nothing", "media")
    for answer in found:
        assert answer.sdk_http_response is not None, type(answer).__name__
        assert answer.sdk_http_response.status_code == 200
        assert answer.sdk_http_response.headers["x-answer"] == "the-answer"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_through_with_raw_response_reports_the_status_and_headers(
    method: str,
) -> None:
    spec = spec_of(method)
    client = fake_client(answering(spec), KEY)
    name = method.split(".")[1]

    raw = getattr(resource(client, method).with_raw_response, name)(**CALLS[method])
    plain = getattr(resource(client, method), name)(**CALLS[method])

    assert isinstance(raw, genai.RawResponse)
    assert (raw.status_code, raw.headers["x-answer"]) == (200, "the-answer")
    assert type(raw.parse()) is type(plain)
    assert KEY not in repr(raw) + str(dict(raw.headers))


@pytest.mark.parametrize("method", sorted(METHODS))
async def test_every_async_method_through_with_raw_response_reports_the_status(
    method: str,
) -> None:
    spec = spec_of(method)
    client = fake_client(answering(spec), KEY)
    call = getattr(resource(client.aio, method).with_raw_response, method.split(".")[1])

    raw = await call(**CALLS[method])

    assert inspect.iscoroutinefunction(call)
    assert (raw.status_code, raw.headers["x-answer"]) == (200, "the-answer")


def test_generated_images_carry_the_status_of_the_predict_answer() -> None:
    client = fake_client(answering(spec_of("Models.generate_images")), KEY)

    images = client.models.generate_images(model="imagen-4.0-generate-001", prompt="a cat")

    assert isinstance(images, types.GenerateImagesResponse)
    assert images.generated_images[0].image.image_bytes == b"hi"
    assert images.sdk_http_response is not None
    assert images.sdk_http_response.headers["x-answer"] == "the-answer"


# -- a download's status and headers, against the emulator ------------------------------------


def test_a_download_through_with_raw_response_has_its_status_and_headers() -> None:
    client = Emulator().client()
    file = client.files.upload(file=b"some bytes", config={"mime_type": "text/plain"})

    raw = client.files.with_raw_response.download(file=file)

    assert raw.status_code == 200
    assert raw.headers["content-length"] == "10"
    assert raw.parse() == b"some bytes"


async def test_an_async_download_through_with_raw_response_has_its_status_and_headers() -> None:
    client = Emulator().client().aio
    file = await client.files.upload(file=b"some bytes", config={"mime_type": "text/plain"})

    raw = await client.files.with_raw_response.download(file=file)

    assert raw.status_code == 200
    assert raw.headers["content-length"] == "10"
    assert raw.parse() == b"some bytes"


# -- the helpers written by hand ----------------------------------------------------------------


def test_the_helpers_that_send_many_requests_are_not_available_raw() -> None:
    server = Server()
    client = fake_client(server, KEY)

    with pytest.raises(TypeError, match="operations.wait is not available through with_raw"):
        client.operations.with_raw_response.wait("fileSearchStores/s/operations/o")
    with pytest.raises(TypeError, match="batches.run is not available through with_raw"):
        client.batches.with_raw_response.run(model="m", requests=["hi"])

    assert server.requests == []


async def test_the_async_helpers_that_send_many_requests_are_not_available_raw() -> None:
    server = Server()
    client = fake_client(server, KEY).aio

    with pytest.raises(TypeError, match="operations.wait is not available through with_raw"):
        await client.operations.with_raw_response.wait("fileSearchStores/s/operations/o")
    with pytest.raises(TypeError, match="batches.run is not available through with_raw"):
        await client.batches.with_raw_response.run(model="m", requests=["hi"])

    assert server.requests == []


def test_a_wait_through_with_raw_response_reports_the_poll_that_found_it_ready() -> None:
    server = Server()
    server.reply(
        httpx.Response(200, json={"name": "files/a", "state": "PROCESSING"}),
        httpx.Response(200, json={"name": "files/a", "state": "ACTIVE"}, headers={"x-poll": "2"}),
    )
    client = fake_client(server, KEY)

    raw = client.files.with_raw_response.wait(file="files/a", poll_interval=1)

    assert (raw.status_code, raw.headers["x-poll"]) == (200, "2")
    assert raw.parse().state == types.FileState.ACTIVE
