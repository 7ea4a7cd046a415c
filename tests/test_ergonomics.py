"""Everyday input and output: chats, token counts, raw responses, images, UserContent and
ModelContent, and what a missing optional dependency says."""

from __future__ import annotations

import base64
import io
import json
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import PIL.Image
import pytest
from fakes import Server, fake_client

import gemini_sdk as genai
from gemini_sdk import errors, types
from gemini_sdk._results import TokenCount
from gemini_sdk.testing import Emulator

MODEL = "gemini-2.5-flash"


def sse(*payloads: dict[str, Any]) -> httpx.Response:
    body = b"".join(b"data: " + json.dumps(p).encode() + b"\n\n" for p in payloads)
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def answer(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": list(parts)}}]}


def sent_contents(request: httpx.Request) -> list[Any]:
    contents: list[Any] = json.loads(request.content)["contents"]
    return contents


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(server: Server) -> genai.Client:
    return fake_client(server, "ergonomics-key")


@pytest.fixture
def emulator_client() -> Iterator[genai.Client]:
    emulator = Emulator()
    yield emulator.client()
    emulator.close()


# -- chats -----------------------------------------------------------------------------------


def test_chat_curated_history_drops_a_model_turn_with_an_empty_part(
    client: genai.Client, server: Server
) -> None:
    server.reply(answer({"text": "A1"}, {}), answer({"text": "A2"}), answer({"text": "A3"}))
    chat = client.chats.create(model=MODEL)

    chat.send_message("Q1")
    chat.send_message("Q2")
    chat.send_message("Q3")

    assert len(chat.get_history()) == 6
    assert [c.parts[0].text for c in chat.get_history(curated=True)] == ["Q2", "A2", "Q3", "A3"]
    assert sent_contents(server.requests[1]) == [{"role": "user", "parts": [{"text": "Q2"}]}]


def test_chat_initial_history_with_an_empty_part_is_curated(
    client: genai.Client, server: Server
) -> None:
    history = [
        {"role": "user", "parts": [{"text": "hi"}]},
        {"role": "model", "parts": [{}]},
        {"role": "user", "parts": [{"text": "again"}]},
        {"role": "model", "parts": [{"text": "hello"}]},
    ]
    chat = client.chats.create(model=MODEL, history=history)

    assert len(chat.history) == 4
    assert [c.parts[0].text for c in chat.get_history(curated=True)] == ["again", "hello"]


def test_chat_stream_with_a_piece_without_content_is_kept_out_of_the_curated_history(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        sse(answer({"text": "Hel"}), {"candidates": [{"finishReason": "SAFETY"}]}),
        answer({"text": "ok"}),
    )
    chat = client.chats.create(model=MODEL)

    assert [chunk.text for chunk in chat.send_message_stream("Greet me")] == ["Hel", None]
    chat.send_message("Again")

    assert [c.role for c in chat.get_history()] == ["user", "model", "user", "model"]
    assert chat.get_history()[1].parts[0].text == "Hel"
    assert sent_contents(server.last) == [{"role": "user", "parts": [{"text": "Again"}]}]


async def test_async_chat_stream_records_the_turn_and_curates_it(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        sse(answer({"text": "x"}), answer({"text": "y"})),
        sse(answer({"text": "cut"}), answer({})),
        answer({"text": "z"}),
    )
    chat = client.aio.chats.create(model=MODEL)

    first = await chat.send_message_stream("one")
    assert [c.text async for c in first] == ["x", "y"]
    second = await chat.send_message_stream("two")
    assert [c.text async for c in second] == ["cut", None]
    await chat.send_message("three")

    assert len(chat.get_history()) == 6
    assert sent_contents(server.last) == [
        {"role": "user", "parts": [{"text": "one"}]},
        {"role": "model", "parts": [{"text": "x"}, {"text": "y"}]},
        {"role": "user", "parts": [{"text": "three"}]},
    ]


# -- count_tokens: an int carrying the answer --------------------------------------------------


def test_count_tokens_is_an_int_with_the_answers_fields(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        {
            "totalTokens": 7,
            "cachedContentTokenCount": 2,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 7}],
        }
    )

    count = client.models.count_tokens(model=MODEL, contents="How many tokens is this?")

    assert isinstance(count, int)
    assert count == 7 and count + 1 == 8 and count > 6
    assert f"{count} tokens" == "7 tokens" and str(count) == "7"
    assert json.dumps({"n": count}) == '{"n": 7}'
    assert count.total_tokens == 7
    assert count.cached_content_token_count == 2
    assert count.prompt_tokens_details is not None
    assert count.prompt_tokens_details[0].token_count == 7
    assert count.cache_tokens_details is None
    assert count.response.to_dict()["cachedContentTokenCount"] == 2
    assert pickle.loads(pickle.dumps(count)).total_tokens == 7


def test_the_token_count_carries_every_field_of_the_answer() -> None:
    fields = {f.name for f in attrs.fields(types.CountTokensResponse)} - {"unknown_fields"}
    assert fields <= set(dir(TokenCount))


async def test_async_count_tokens_is_an_int(emulator_client: genai.Client) -> None:
    count = await emulator_client.aio.models.count_tokens(model=MODEL, contents="Count me")

    assert isinstance(count, int) and count == count.total_tokens > 0


# -- signatures the seed promises ------------------------------------------------------------


def test_an_upload_answer_without_its_file_is_an_unexpected_answer(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        httpx.Response(200, headers={"x-goog-upload-url": "https://upload.test/s"}),
        httpx.Response(200, json={}, headers={"x-goog-upload-status": "final"}),
    )

    with pytest.raises(
        errors.UnexpectedResponseError, match="files.upload: the answer has no file"
    ):
        client.files.upload(file=b"data", config={"mime_type": "text/plain"})


def test_a_pager_is_an_iterator_too(emulator_client: genai.Client) -> None:
    pager = emulator_client.models.list(config={"page_size": 2})

    first, second, third = next(pager), next(pager), next(pager)

    listed = [m.name for m in emulator_client.models.list()]
    assert [first.name, second.name, third.name] == listed[:3]


# -- a missing optional dependency names what installs it --------------------------------------

MISSING = """
import sys
sys.modules[{module!r}] = None  # as if it were not installed
try:
{code}
except ImportError as error:
    print(type(error).__name__, error)
else:
    print("no error")
"""


def _run_without(module: str, code: str) -> str:
    script = MISSING.format(module=module, code="\n".join("    " + c for c in code.splitlines()))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("module", "code", "install"),
    [
        ("starlette", "from gemini_sdk.testing import Emulator", "gemini-sdk[testing]"),
        (
            "uvicorn",
            "from gemini_sdk.testing.__main__ import main\nmain(['--port', '0'])",
            "gemini-sdk[testing]",
        ),
        (
            "trustme",
            "from gemini_sdk.testing import TlsProxy\nTlsProxy('http://127.0.0.1:1')",
            "gemini-sdk[testing]",
        ),
        (
            "websockets",
            "import gemini_sdk as genai\n"
            "genai.Client(api_key='k').live.connect(model='m').__enter__()",
            "gemini-sdk",
        ),
    ],
)
def test_a_missing_optional_dependency_says_what_to_install(
    module: str, code: str, install: str
) -> None:
    said = _run_without(module, code)

    assert said.startswith("ModuleNotFoundError"), said
    assert f"needs {module}, which is not installed: pip install '{install}'" in said


# -- images from Pillow --------------------------------------------------------------------


def _saved(image: Any, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emulator = Emulator()
    yield emulator
    emulator.close()


def _sent_parts(emulator: Emulator) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = emulator.requests[-1].body["contents"][0]["parts"]
    return parts


def test_a_pil_image_in_contents_is_sent_as_inline_bytes(emulator: Emulator) -> None:
    image = PIL.Image.new("RGB", (4, 3), "red")  # made in memory: no format, so PNG

    emulator.client().models.generate_content(model=MODEL, contents=[image, "Caption this"])

    image_part, text_part = _sent_parts(emulator)
    assert text_part == {"text": "Caption this"}
    assert image_part["inlineData"]["mimeType"] == "image/png"
    sent = PIL.Image.open(io.BytesIO(base64.b64decode(image_part["inlineData"]["data"])))
    assert (sent.format, sent.size, sent.getpixel((0, 0))) == ("PNG", (4, 3), (255, 0, 0))


def test_a_jpeg_read_from_a_file_stays_jpeg(emulator: Emulator) -> None:
    jpeg = _saved(PIL.Image.new("RGB", (8, 8), "blue"), "JPEG")
    image = PIL.Image.open(io.BytesIO(jpeg))

    emulator.client().models.generate_content(model=MODEL, contents=image)

    (part,) = _sent_parts(emulator)
    assert part["inlineData"]["mimeType"] == "image/jpeg"
    assert PIL.Image.open(io.BytesIO(base64.b64decode(part["inlineData"]["data"]))).format == "JPEG"


async def test_images_of_other_formats_are_sent_as_png_on_the_async_client(
    emulator: Emulator,
) -> None:
    gif = PIL.Image.open(io.BytesIO(_saved(PIL.Image.new("P", (2, 2)), "GIF")))
    chat = emulator.client().aio.chats.create(model=MODEL)

    await chat.send_message(["What is this?", gif])

    assert _sent_parts(emulator)[1]["inlineData"]["mimeType"] == "image/png"


def test_something_that_is_not_a_part_names_what_a_part_may_be(emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="contents: expected a Part, str, File, dict or PIL image"):
        emulator.client().models.generate_content(model=MODEL, contents=[object()])


# -- UserContent and ModelContent --------------------------------------------------------------


def test_user_and_model_content_fix_their_roles(emulator: Emulator) -> None:
    history = [
        types.UserContent("Hi"),
        types.ModelContent(parts=[types.Part(text="Hello"), {"text": "!"}]),
        types.UserContent(["What is this?", PIL.Image.new("RGB", (1, 1))]),
    ]

    emulator.client().models.generate_content(model=MODEL, contents=history)

    sent = emulator.requests[-1].body["contents"]
    assert [c["role"] for c in sent] == ["user", "model", "user"]
    assert sent[1]["parts"] == [{"text": "Hello"}, {"text": "!"}]
    assert sent[2]["parts"][1]["inlineData"]["mimeType"] == "image/png"
    assert all(isinstance(c, types.Content) for c in history)
    assert pickle.loads(pickle.dumps(history[0])) == history[0]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: types.UserContent([]), ValueError, "UserContent: parts are required"),
        (lambda: types.ModelContent(None), ValueError, "ModelContent: parts are required"),
        (
            lambda: types.UserContent("x", role="model"),
            TypeError,
            "UserContent: the role is always 'user'",
        ),
        (
            lambda: types.ModelContent([3]),
            TypeError,
            "ModelContent.parts: expected a Part, str, File, dict or PIL image, got int 3",
        ),
    ],
)
def test_user_and_model_content_refuse_what_is_not_parts(
    make: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        make()


# -- the HTTP metadata of every answer ---------------------------------------------------------


def test_every_answer_carries_its_http_status_and_headers(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        httpx.Response(200, json=answer({"text": "hi"}), headers={"x-request-id": "r1"}),
        sse(answer({"text": "a"}), answer({"text": "b"})),
        httpx.Response(200, json={"models": [{"name": "models/m"}]}, headers={"x-page": "1"}),
    )

    response = client.models.generate_content(model=MODEL, contents="hi")
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="hi"))
    pager = client.models.list()

    assert response.sdk_http_response is not None
    assert response.sdk_http_response.status_code == 200
    assert response.sdk_http_response.headers is not None
    assert response.sdk_http_response.headers["x-request-id"] == "r1"
    assert [c.sdk_http_response.status_code for c in chunks if c.sdk_http_response] == [200, 200]
    assert pager.response.sdk_http_response.headers["x-page"] == "1"
    # what was received, not what was sent: the key is in no header shown
    assert "ergonomics-key" not in repr(response.sdk_http_response)
    assert types.GenerateContentResponse().sdk_http_response is None


async def test_async_answers_carry_their_http_metadata(emulator: Emulator) -> None:
    file = await emulator.client().aio.files.upload(file=b"x", config={"mime_type": "text/plain"})
    fetched = await emulator.client().aio.files.get(name=file)

    assert fetched.sdk_http_response is not None
    assert fetched.sdk_http_response.status_code == 200
    # the upload's answer wraps the file, which gets the metadata of the answer
    assert file.sdk_http_response is not None
    assert file.sdk_http_response.status_code == 200


# -- with_raw_response -----------------------------------------------------------------------


def test_with_raw_response_gives_the_status_headers_and_the_parsed_answer(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        httpx.Response(200, json=answer({"text": "hi"}), headers={"x-request-id": "r1"}),
        httpx.Response(200, json={}, headers={"x-request-id": "r2"}),
        httpx.Response(200, json={"models": [{"name": "models/m"}]}, headers={"x-page": "1"}),
    )
    raw = client.models.with_raw_response

    generated = raw.generate_content(model=MODEL, contents="hi")
    deleted = client.files.with_raw_response.delete(name="files/abc")
    listed = raw.list()

    assert (generated.status_code, generated.headers["x-request-id"]) == (200, "r1")
    assert generated.parse().text == "hi"
    assert (deleted.headers["x-request-id"], deleted.parse()) == ("r2", None)
    assert listed.headers["x-page"] == "1"
    assert [m.name for m in listed.parse()] == ["models/m"]
    assert "ergonomics-key" not in str(dict(generated.headers))
    # the resource itself is unchanged
    assert client.models.list  # noqa: B018
    server.reply(answer({"text": "plain"}))
    assert client.models.generate_content(model=MODEL, contents="x").text == "plain"


def test_with_raw_response_of_a_stream_parses_to_the_stream(
    client: genai.Client, server: Server
) -> None:
    streamed = sse(answer({"text": "a"}), answer({"text": "b"}))
    streamed.headers["x-request-id"] = "s1"
    server.reply(streamed)

    raw = client.models.with_raw_response.generate_content_stream(model=MODEL, contents="hi")

    assert (raw.status_code, raw.headers["x-request-id"]) == (200, "s1")
    assert [chunk.text for chunk in raw.parse()] == ["a", "b"]


async def test_async_with_raw_response(client: genai.Client, server: Server) -> None:
    server.reply(
        httpx.Response(200, json=answer({"text": "hi"}), headers={"x-request-id": "a1"}),
        sse(answer({"text": "x"})),
    )
    raw = client.aio.models.with_raw_response

    generated = await raw.generate_content(model=MODEL, contents="hi")
    streamed = await raw.generate_content_stream(model=MODEL, contents="hi")

    assert (generated.status_code, generated.headers["x-request-id"]) == (200, "a1")
    assert generated.parse().text == "hi"
    assert [c.text async for c in streamed.parse()] == ["x"]
