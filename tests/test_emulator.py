"""The embedded emulator (gemini_sdk.testing), exercised over plain httpx clients."""

from __future__ import annotations

import asyncio
import base64
import math
import socket
import struct
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import orjson
import pytest

from _gemini_sdk_gen import types as t
from gemini_sdk.testing import Emulator, ModelCard
from gemini_sdk.testing.__main__ import parse_args

BASE = "http://emulator.local"
KEY = {"x-goog-api-key": "test-key"}
FLASH = "gemini-2.5-flash"


def path(model: str = FLASH, method: str = "generateContent") -> str:
    return f"/v1beta/models/{model}:{method}"


def prompt(text: str, **extra: Any) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def error(response: httpx.Response, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code
    return body


def sse_events(raw: bytes) -> list[dict[str, Any]]:
    assert raw.endswith(b"\r\n\r\n")
    frames = raw.split(b"\r\n\r\n")[:-1]
    assert all(frame.startswith(b"data: ") for frame in frames)
    return [orjson.loads(frame[len(b"data: ") :]) for frame in frames]


def text_of(response: dict[str, Any], candidate: int = 0) -> str:
    parts = response["candidates"][candidate]["content"]["parts"]
    return "".join(p.get("text", "") for p in parts if not p.get("thought"))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=KEY) as c:
        yield c


@pytest.fixture
async def aclient(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = emulator.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=KEY) as c:
        yield c


# -- models ------------------------------------------------------------------------------------


def test_get_model_has_the_reference_limits(client: httpx.Client) -> None:
    flash = client.get(f"/v1beta/models/{FLASH}").json()
    assert flash["name"] == "models/gemini-2.5-flash"
    assert (flash["inputTokenLimit"], flash["outputTokenLimit"]) == (1_048_576, 65_536)
    assert flash["thinking"] is True and "generateContent" in flash["supportedGenerationMethods"]
    assert client.get("/v1beta/models/gemini-2.0-flash").json()["outputTokenLimit"] == 8192
    embedding = client.get("/v1beta/models/gemini-embedding-001").json()
    assert embedding["inputTokenLimit"] == 2048
    assert {"embedContent", "batchEmbedContents"} <= set(embedding["supportedGenerationMethods"])
    pro3 = client.get("/v1beta/models/gemini-3-pro-preview").json()
    assert pro3["displayName"] == "Gemini 3 Pro Preview"


def test_unknown_model_is_not_found(client: httpx.Client) -> None:
    body = error(client.get("/v1beta/models/gemini-0-nope"), 404)
    assert body["status"] == "NOT_FOUND"
    assert body["message"].startswith(
        "models/gemini-0-nope is not found for API version v1beta, or is not supported for"
    )
    body = error(client.post(path("gemini-0-nope"), json=prompt("hi")), 404)
    assert "is not supported for generateContent. Call ListModels" in body["message"]


def test_every_model_decodes_with_the_generated_types(client: httpx.Client) -> None:
    listing = t.ListModelsResponse.from_dict(client.get("/v1beta/models").json())
    assert listing.models and listing.next_page_token is None
    for model in listing.models:
        assert model.name and model.version and model.base_model_id
        assert model.unknown_fields is None


def test_paging_120_models_over_three_pages() -> None:
    emulator = Emulator(extra_models=120 - 18)
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=KEY) as client:
        sizes, token, names = [], None, []
        while True:
            params = {"pageToken": token} if token else {}
            page = client.get("/v1beta/models", params=params).json()
            sizes.append(len(page["models"]))
            names += [m["name"] for m in page["models"]]
            token = page.get("nextPageToken")
            if not token:
                break
    assert sizes == [50, 50, 20]
    assert len(set(names)) == 120


def test_page_size_is_capped_and_checked(client: httpx.Client) -> None:
    assert len(client.get("/v1beta/models", params={"pageSize": 7}).json()["models"]) == 7
    assert len(client.get("/v1beta/models", params={"page_size": 5000}).json()["models"]) == 18
    body = error(client.get("/v1beta/models", params={"pageSize": "many"}), 400)
    assert body["message"] == "Invalid value at 'page_size' (TYPE_INT32), \"many\""


def test_invalid_page_token_is_refused(client: httpx.Client) -> None:
    body = error(client.get("/v1beta/models", params={"pageToken": "bogus!"}), 400)
    assert body["status"] == "INVALID_ARGUMENT"


def test_models_can_be_added(emulator: Emulator, client: httpx.Client) -> None:
    emulator.models.add(
        ModelCard(
            id="my-model",
            display_name="Mine",
            version="1",
            description="d",
            input_limit=100,
            output_limit=10,
        )
    )
    assert client.get("/v1beta/models/my-model").json()["outputTokenLimit"] == 10
    huge = prompt("x" * 404)
    body = error(client.post(path("my-model"), json=huge), 400)
    assert body["message"] == (
        "The input token count (101) exceeds the maximum number of tokens allowed (100)."
    )


# -- generateContent ---------------------------------------------------------------------------


def test_generate_echoes_the_last_user_turn(client: httpx.Client) -> None:
    response = client.post(path(), json=prompt("Explain quantum computing"))
    assert response.status_code == 200
    body = response.json()
    assert text_of(body) == "Echo: Explain quantum computing"
    candidate = body["candidates"][0]
    assert candidate["finishReason"] == "STOP" and candidate["content"]["role"] == "model"
    usage = body["usageMetadata"]
    assert usage["promptTokenCount"] == math.ceil(len("Explain quantum computing") / 4)
    assert usage["candidatesTokenCount"] == math.ceil(len(text_of(body)) / 4)
    assert usage["thoughtsTokenCount"] > 0  # 2.5 Flash thinks by default
    assert usage["totalTokenCount"] == (
        usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )
    assert usage["serviceTier"] == "standard"
    assert body["modelVersion"] == FLASH and body["responseId"]
    decoded = t.GenerateContentResponse.from_dict(body)
    assert decoded.text == "Echo: Explain quantum computing"
    assert decoded.usage_metadata is not None
    assert decoded.usage_metadata.unknown_fields == {"serviceTier": "standard"}


def test_non_thinking_model_reports_no_thoughts(client: httpx.Client) -> None:
    body = client.post(path("gemini-2.0-flash"), json=prompt("hi")).json()
    assert "thoughtsTokenCount" not in body["usageMetadata"]
    assert "thoughtSignature" not in body["candidates"][0]["content"]["parts"][0]


def test_snake_case_and_lone_values_are_accepted(client: httpx.Client) -> None:
    body = {
        "contents": {"parts": {"text": "lone"}},
        "generation_config": {"max_output_tokens": "100", "temperature": 0},
        "system_instruction": {"parts": [{"text": "be brief"}]},
    }
    response = client.post(path(), json=body)
    assert response.status_code == 200, response.text
    assert text_of(response.json()) == "Echo: lone"


def test_max_output_tokens_truncates(client: httpx.Client) -> None:
    config = {"maxOutputTokens": 2, "thinkingConfig": {"thinkingBudget": 0}}
    body = client.post(path(), json=prompt("a long prompt", generationConfig=config)).json()
    assert text_of(body) == "Echo: a "
    assert body["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert body["usageMetadata"]["candidatesTokenCount"] == 2


def test_candidate_count_and_stop_sequences(client: httpx.Client) -> None:
    config = {"candidateCount": 2, "stopSequences": ["STOP"]}
    body = client.post(path(), json=prompt("one STOP two", generationConfig=config)).json()
    assert [text_of(body, 0), text_of(body, 1)] == ["Echo: one ", "Echo: one "]
    assert [c["index"] for c in body["candidates"]] == [0, 1]
    plain = client.post(path(), json=prompt("x", generationConfig={"candidateCount": 3})).json()
    assert [text_of(plain, i) for i in range(3)] == ["Echo: x", "Echo: x (2)", "Echo: x (3)"]


def test_json_mode_follows_the_response_schema(client: httpx.Client) -> None:
    schema = {
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING"},
            "age": {"type": "INTEGER", "minimum": 3},
            "tags": {"type": "ARRAY", "items": {"type": "STRING", "enum": ["a", "b"]}},
            "ok": {"type": "BOOLEAN"},
        },
        "required": ["name"],
    }
    config = {"responseMimeType": "application/json", "responseSchema": schema}
    body = client.post(path(), json=prompt("Ann", generationConfig=config)).json()
    assert orjson.loads(text_of(body)) == {
        "name": "Echo: Ann",
        "age": 3,
        "tags": ["a"],
        "ok": False,
    }


def test_json_mode_reads_json_schema_with_refs(client: httpx.Client) -> None:
    schema = {
        "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}}}},
        "type": "object",
        "properties": {"at": {"$ref": "#/$defs/Point"}, "note": {"type": ["string", "null"]}},
    }
    config = {"responseMimeType": "application/json", "responseJsonSchema": schema}
    body = client.post(path(), json=prompt("p", generationConfig=config)).json()
    assert orjson.loads(text_of(body)) == {"at": {"x": 0.0}, "note": "Echo: p"}
    bare = {"responseMimeType": "application/json"}
    body = client.post(path(), json=prompt("p", generationConfig=bare)).json()
    assert orjson.loads(text_of(body)) == {"text": "Echo: p"}


WEATHER_TOOL = {
    "functionDeclarations": [
        {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "OBJECT",
                "properties": {
                    "city": {"type": "STRING"},
                    "days": {"type": "INTEGER"},
                    "unit": {"type": "STRING", "enum": ["C", "F"]},
                },
                "required": ["city"],
            },
        },
        {"name": "get_time", "description": "The time"},
    ]
}


def test_function_call_when_the_prompt_names_a_function(client: httpx.Client) -> None:
    body = prompt("please call get_weather city=Paris days=3", tools=[WEATHER_TOOL])
    response = client.post(path(), json=body).json()
    part = response["candidates"][0]["content"]["parts"][0]
    assert part["functionCall"] == {
        "name": "get_weather",
        "args": {"city": "Paris", "days": 3, "unit": "C"},
    }
    assert base64.b64decode(part["thoughtSignature"])


def test_function_calling_modes(client: httpx.Client) -> None:
    body = prompt("no function named here", tools=[WEATHER_TOOL])
    assert text_of(client.post(path(), json=body).json()) == "Echo: no function named here"
    body["toolConfig"] = {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}
    }
    part = client.post(path(), json=body).json()["candidates"][0]["content"]["parts"][0]
    assert part["functionCall"] == {"name": "get_time"}
    body = prompt("get_weather", tools=[WEATHER_TOOL])
    body["toolConfig"] = {"functionCallingConfig": {"mode": "NONE"}}
    assert text_of(client.post(path(), json=body).json()) == "Echo: get_weather"


def test_answer_after_a_function_response(client: httpx.Client) -> None:
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "call get_weather"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {}}}]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": 21}}}],
            },
        ],
        "tools": [WEATHER_TOOL],
    }
    assert text_of(client.post(path(), json=body).json()) == 'get_weather returned {"t":21}'


def test_thoughts_are_included_on_request(client: httpx.Client) -> None:
    config = {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}}
    body = client.post(path(), json=prompt("think", generationConfig=config)).json()
    thought, answer = body["candidates"][0]["content"]["parts"]
    assert thought["thought"] is True and thought["text"]
    assert answer["text"] == "Echo: think" and base64.b64decode(answer["thoughtSignature"])
    assert body["usageMetadata"]["thoughtsTokenCount"] > 0


def test_thinking_config_rules(client: httpx.Client) -> None:
    off = {"thinkingConfig": {"thinkingBudget": 0}}
    body = error(client.post(path("gemini-2.5-pro"), json=prompt("x", generationConfig=off)), 400)
    assert body["message"] == "Budget 0 is invalid. This model only works in thinking mode."
    level = {"thinkingConfig": {"thinkingLevel": "LOW"}}
    body = error(client.post(path(), json=prompt("x", generationConfig=level)), 400)
    assert body["message"] == "Thinking level is not supported for this model."
    ok = client.post(path("gemini-3-pro-preview"), json=prompt("x", generationConfig=level))
    assert ok.status_code == 200
    flash = client.post(path(), json=prompt("x", generationConfig=off)).json()
    assert "thoughtsTokenCount" not in flash["usageMetadata"]


def test_scripted_answers_come_first_and_in_order(emulator: Emulator, client: httpx.Client) -> None:
    emulator.script(
        [
            "first",
            t.Part(function_call=t.FunctionCall(name="f", args={"a": 1})),
            {"candidates": [{"finishReason": "SAFETY"}], "promptFeedback": {}},
            lambda request: f"saw {request['contents'][0]['parts'][0]['text']}",
        ]
    )
    emulator.script(["only pro"], model="gemini-2.5-pro")
    assert text_of(client.post(path(), json=prompt("a")).json()) == "first"
    parts = client.post(path(), json=prompt("b")).json()["candidates"][0]["content"]["parts"]
    assert parts == [{"functionCall": {"name": "f", "args": {"a": 1}}}]
    verbatim = client.post(path(), json=prompt("c")).json()
    assert verbatim["candidates"] == [{"finishReason": "SAFETY"}]
    assert verbatim["usageMetadata"]["promptTokenCount"] == 1
    assert text_of(client.post(path(), json=prompt("d")).json()) == "saw d"
    assert text_of(client.post(path(), json=prompt("e")).json()) == "Echo: e"
    assert text_of(client.post(path("gemini-2.5-pro"), json=prompt("f")).json()) == "only pro"


# -- streaming ---------------------------------------------------------------------------------


def test_sse_stream_format(client: httpx.Client) -> None:
    text = "Write a long story about a lighthouse keeper"
    response = client.post(
        path(method="streamGenerateContent"), params={"alt": "sse"}, json=prompt(text)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.content)
    assert 3 <= len(events) <= 5
    assert all("finishReason" not in e["candidates"][0] for e in events[:-1])
    last = events[-1]
    assert last["candidates"][0]["finishReason"] == "STOP"
    assert last["usageMetadata"]["candidatesTokenCount"] > 0
    assert "candidatesTokenCount" not in events[0]["usageMetadata"]
    assert len({e["responseId"] for e in events}) == 1
    streamed = "".join(text_of(e) for e in events)
    whole = client.post(path(), json=prompt(text)).json()
    assert streamed == text_of(whole) == f"Echo: {text}"
    for event in events:
        t.GenerateContentResponse.from_dict(event)


def test_stream_without_alt_sse_is_a_json_array(client: httpx.Client) -> None:
    response = client.post(path(method="streamGenerateContent"), json=prompt("an array of chunks"))
    assert response.headers["content-type"].startswith("application/json")
    chunks = response.json()
    assert isinstance(chunks, list) and len(chunks) >= 3
    assert "".join(text_of(c) for c in chunks) == "Echo: an array of chunks"


def test_sync_transport_streams_incrementally(emulator: Emulator, client: httpx.Client) -> None:
    gate, hooked = threading.Event(), []

    async def hold(index: int) -> None:
        hooked.append(index)
        if index == 1:
            await asyncio.to_thread(gate.wait, 5)

    emulator.stream_hook = hold
    request = prompt("one two three four five six seven eight")
    with client.stream(
        "POST", path(method="streamGenerateContent") + "?alt=sse", json=request
    ) as r:
        chunks = r.iter_raw()
        first = next(chunks)
        # The app is held before its second event: the first arrived before the last existed.
        assert first.startswith(b"data: ") and first.endswith(b"\r\n\r\n")
        assert hooked in ([], [1])
        gate.set()
        rest = b"".join(chunks)
    events = sse_events(first + rest)
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
    assert hooked == list(range(1, len(events)))


def test_sync_client_can_stop_a_stream_early(emulator: Emulator, client: httpx.Client) -> None:
    gate = threading.Event()

    async def hold(index: int) -> None:
        await asyncio.to_thread(gate.wait, 5)

    emulator.stream_hook = hold
    with client.stream(
        "POST", path(method="streamGenerateContent") + "?alt=sse", json=prompt("a b c d")
    ) as r:
        assert next(r.iter_raw()).startswith(b"data: ")
    gate.set()
    emulator.stream_hook = None
    assert client.post(path(), json=prompt("after")).status_code == 200


async def test_async_transport_streams_incrementally(
    emulator: Emulator, aclient: httpx.AsyncClient
) -> None:
    gate, hooked = asyncio.Event(), []

    async def hold(index: int) -> None:
        hooked.append(index)
        await gate.wait()

    emulator.stream_hook = hold
    url = path(method="streamGenerateContent") + "?alt=sse"
    async with aclient.stream("POST", url, json=prompt("alpha beta gamma delta")) as r:
        chunks = r.aiter_raw()
        first = await chunks.__anext__()
        assert first.startswith(b"data: ") and hooked in ([], [1])
        gate.set()
        rest = b"".join([chunk async for chunk in chunks])
    assert sse_events(first + rest)[-1]["candidates"][0]["finishReason"] == "STOP"


async def test_async_client_routes(aclient: httpx.AsyncClient) -> None:
    response = await aclient.post(path(), json=prompt("async"))
    assert text_of(response.json()) == "Echo: async"
    assert (await aclient.get("/v1beta/models")).status_code == 200


# -- validation --------------------------------------------------------------------------------


def test_unknown_field_at_a_nested_path(client: httpx.Client) -> None:
    body = error(client.post(path(), json=prompt("x", generationConfig={"foo": 1})), 400)
    message = (
        "Invalid JSON payload received. Unknown name \"foo\" at 'generation_config': "
        "Cannot find field."
    )
    assert body["message"] == message and body["status"] == "INVALID_ARGUMENT"
    assert body["details"] == [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "generation_config", "description": message}],
        }
    ]
    top = error(client.post(path(), json=prompt("x", bogus=True)), 400)
    assert (
        top["message"] == 'Invalid JSON payload received. Unknown name "bogus": Cannot find field.'
    )


def test_unknown_enum_value(client: httpx.Client) -> None:
    settings = [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_SOMETIMES"}]
    body = error(client.post(path(), json=prompt("x", safetySettings=settings)), 400)
    assert body["message"] == (
        "Invalid value at 'safety_settings[0].threshold' "
        "(type.googleapis.com/google.ai.generativelanguage.v1beta.HarmBlockThreshold), "
        '"BLOCK_SOMETIMES"'
    )


def test_wrong_types(client: httpx.Client) -> None:
    body = error(
        client.post(path(), json=prompt("x", generationConfig={"temperature": "hot"})), 400
    )
    assert (
        body["message"] == "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""
    )
    bad_text = {"contents": [{"parts": [{"text": "a"}, {"text": 5}]}]}
    body = error(client.post(path(), json=bad_text), 400)
    assert body["message"] == "Invalid value at 'contents[0].parts[1].text' (TYPE_STRING), 5"
    body = error(client.post(path(), json={"contents": ["hi"]}), 400)
    assert body["message"] == (
        "Invalid value at 'contents[0]' "
        '(type.googleapis.com/google.ai.generativelanguage.v1beta.Content), "hi"'
    )
    flag = {"contents": [{"parts": [{"text": "a", "thought": "yes"}]}]}
    assert "(TYPE_BOOL)" in error(client.post(path(), json=flag), 400)["message"]
    listed = prompt("x", generationConfig=[{"temperature": 1}])
    assert error(client.post(path(), json=listed), 400)["message"] == (
        'Invalid JSON payload received. Unknown name "generationConfig": '
        "Proto field is not repeating, cannot start list."
    )


def test_bad_base64_and_oneof(client: httpx.Client) -> None:
    blob = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": "@@"}}]}]}
    assert error(client.post(path(), json=blob), 400)["message"] == (
        "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), "
        'Base64 decoding failed for "@@"'
    )
    both = {"contents": [{"parts": [{"text": "a", "fileData": {"fileUri": "u"}}]}]}
    assert error(client.post(path(), json=both), 400)["message"] == (
        "Invalid JSON payload received. Unknown name \"fileData\" at 'contents[0].parts[0]': "
        "Oneof field 'data' is already set. Cannot set 'file_data'"
    )


def test_missing_required_fields(client: httpx.Client) -> None:
    settings = [{"category": "HARM_CATEGORY_HATE_SPEECH"}]
    body = error(client.post(path(), json=prompt("x", safetySettings=settings)), 400)
    assert body["message"] == (
        "* GenerateContentRequest.safety_settings[0].threshold: threshold is not specified\n"
    )
    tool = {"functionDeclarations": [{"description": "no name"}]}
    body = error(client.post(path(), json=prompt("x", tools=[tool])), 400)
    assert "tools[0].function_declarations[0].name: name is not specified" in body["message"]


def test_contents_must_be_given_and_non_empty(client: httpx.Client) -> None:
    for body in ({}, {"contents": []}):
        message = error(client.post(path(), json=body), 400)["message"]
        assert message == "* GenerateContentRequest.contents: contents is not specified\n"
    empty_parts = {"contents": [{"role": "user", "parts": []}]}
    assert error(client.post(path(), json=empty_parts), 400)["message"] == (
        "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n"
    )
    no_data = {"contents": [{"parts": [{"thought": True}]}]}
    assert "required oneof field 'data'" in error(client.post(path(), json=no_data), 400)["message"]
    bad_role = {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}
    assert error(client.post(path(), json=bad_role), 400)["message"] == (
        "Please use a valid role: user, model."
    )


def test_body_must_be_a_json_object(client: httpx.Client) -> None:
    not_json = client.post(path(), content=b"{nope", headers={"content-type": "application/json"})
    assert error(not_json, 400)["message"].startswith("Invalid JSON payload received.")
    array = error(client.post(path(), json=[1]), 400)
    assert array["message"].endswith("Root element must be a message.")


def test_generation_config_ranges(client: httpx.Client) -> None:
    too_many = {"maxOutputTokens": 9000}
    body = error(
        client.post(path("gemini-2.0-flash"), json=prompt("x", generationConfig=too_many)), 400
    )
    assert body["message"] == (
        "Unable to submit request because it has a maxOutputTokens value of 9000 but the "
        "supported range is from 1 (inclusive) to 8193 (exclusive). Update the value and try again."
    )
    hot = {"temperature": 2.5, "topP": 1.5}
    message = error(client.post(path(), json=prompt("x", generationConfig=hot)), 400)["message"]
    assert "generation_config.temperature" in message and "generation_config.top_p" in message
    mime = {"responseMimeType": "image/png"}
    message = error(client.post(path(), json=prompt("x", generationConfig=mime)), 400)["message"]
    assert "response_mime_type: allowed mimetypes are" in message


def test_unknown_query_parameter(client: httpx.Client) -> None:
    body = error(client.get("/v1beta/models", params={"color": "red"}), 400)
    assert body["message"] == (
        'Invalid JSON payload received. Unknown name "color": Cannot bind query parameter. '
        "Field 'color' could not be found in request message."
    )


# -- routing and keys --------------------------------------------------------------------------


def test_unknown_path_wrong_method_and_unimplemented(client: httpx.Client) -> None:
    assert error(client.get("/v1beta/nothing/here"), 404)["status"] == "NOT_FOUND"
    wrong = client.get(path())
    assert error(wrong, 405)["message"].startswith("Method GET is not allowed")
    assert wrong.headers["allow"] == "POST"
    assert error(client.get("/v1beta/corpora"), 501)["status"] == "UNIMPLEMENTED"


def test_missing_api_key(emulator: Emulator) -> None:
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE) as bare:
        body = error(bare.get("/v1beta/models"), 403)
        assert body["status"] == "PERMISSION_DENIED"
        assert body["message"].startswith("Method doesn't allow unregistered callers")
        bearer = bare.get("/v1beta/models", headers={"authorization": "Bearer abc"})
        assert error(bearer, 401)["status"] == "UNAUTHENTICATED"
        assert bare.get("/v1beta/models", params={"key": "as-query"}).status_code == 200


def test_invalid_api_key(emulator: Emulator) -> None:
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE) as bare:
        response = bare.post(path(), json=prompt("x"), headers={"x-goog-api-key": "invalid_key"})
    assert error(response, 400) == {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    }


def test_configured_keys_only(emulator: Emulator) -> None:
    strict = Emulator(api_keys={"k1": "tier1"})
    with httpx.Client(transport=strict.sync_transport(), base_url=BASE) as c:
        assert c.get("/v1beta/models", headers={"x-goog-api-key": "k1"}).status_code == 200
        assert c.get("/v1beta/models", headers={"x-goog-api-key": "k2"}).status_code == 400
    with pytest.raises(ValueError, match="unknown tier"):
        Emulator(api_keys={"k": "platinum"})


def test_requests_are_recorded_without_the_key(emulator: Emulator, client: httpx.Client) -> None:
    client.post(path(), json=prompt("rec"))
    client.get("/v1beta/models", params={"key": "secret-in-query", "pageSize": 2})
    generate, listing = emulator.requests
    assert generate.operation == "GenerateContent" and generate.method == "POST"
    assert generate.body == prompt("rec")
    assert "x-goog-api-key" not in generate.headers
    assert listing.query == {"pageSize": "2"} and listing.operation == "ListModels"
    emulator.reset()
    assert emulator.requests == []


def test_request_log_keeps_the_newest_when_bounded() -> None:
    bounded, silent = Emulator(keep_requests=2), Emulator(keep_requests=0)
    for emulator in (bounded, silent):
        with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=KEY) as c:
            for text in ("one", "two", "three"):
                assert c.post(path(), json=prompt(text)).status_code == 200
    assert [r.body for r in bounded.requests] == [prompt("two"), prompt("three")]
    assert silent.requests == []


def test_routes_seen_again_get_their_own_parameters() -> None:
    from _gemini_sdk_gen import operations as ops
    from gemini_sdk.testing._app import OperationRouter

    router = OperationRouter(ops.ALL)
    first = router.match("POST", f"/v1beta/models/{FLASH}:generateContent")
    first.params["model"] = "changed"
    again = router.match("POST", f"/v1beta/models/{FLASH}:generateContent")
    assert again.name == "GenerateContent" and again.params == {"model": FLASH}


# -- rate limits -------------------------------------------------------------------------------


def test_free_tier_rate_limit_with_retry_info() -> None:
    clock = FakeClock()
    emulator = Emulator(api_keys={"free-key": "free"}, clock=clock)
    headers = {"x-goog-api-key": "free-key"}
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=headers) as c:
        for second in range(10):
            clock.now = 1000.0 + second
            assert c.post(path(), json=prompt("x")).status_code == 200
        assert c.post(path(method="countTokens"), json=prompt("x")).status_code == 200
        assert c.post(path("gemini-2.5-pro"), json=prompt("x")).status_code == 200
        over = c.post(path(), json=prompt("x"))
        body = error(over, 429)
        assert body["status"] == "RESOURCE_EXHAUSTED"
        assert "Retry-After" not in over.headers
        kinds = [d["@type"].rsplit(".", 1)[1] for d in body["details"]]
        assert kinds == ["QuotaFailure", "Help", "RetryInfo"]
        assert body["details"][0]["violations"][0]["quotaValue"] == "10"
        assert body["details"][2]["retryDelay"] == "51s"  # the first hit, at 1000, leaves at 1060
        clock.now = 1060.0
        assert c.post(path(), json=prompt("x")).status_code == 200


def test_default_keys_are_not_rate_limited(client: httpx.Client) -> None:
    assert all(client.post(path(), json=prompt("x")).status_code == 200 for _ in range(12))


# -- faults ------------------------------------------------------------------------------------


def test_status_fault_fires_then_disappears(emulator: Emulator, client: httpx.Client) -> None:
    fault = emulator.faults.add("status", operation="GenerateContent", status=503)
    body = error(client.post(path(), json=prompt("x")), 503)
    assert body["status"] == "UNAVAILABLE"
    assert body["message"] == "The model is overloaded. Please try again later."
    assert fault.fired == 1 and emulator.faults.pending == []
    assert client.post(path(), json=prompt("x")).status_code == 200


def test_429_fault_with_retry_info_and_header(emulator: Emulator, client: httpx.Client) -> None:
    emulator.faults.add(
        "status", path=r":generateContent$", status=429, retry_delay=2, retry_after=2
    )
    response = client.post(path(), json=prompt("x"))
    body = error(response, 429)
    assert body["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}
    ]
    assert response.headers["retry-after"] == "2"


def test_fault_matching_and_times(emulator: Emulator, client: httpx.Client) -> None:
    emulator.faults.add("status", operation="CountTokens", status=500, times=None)
    emulator.faults.add("status", path=r"^/v1beta/models$", method="GET", status=504, times=2)
    assert client.post(path(), json=prompt("x")).status_code == 200
    for _ in range(3):
        assert error(client.post(path(method="countTokens"), json=prompt("x")), 500)["status"] == (
            "INTERNAL"
        )
    assert [client.get("/v1beta/models").status_code for _ in range(3)] == [504, 504, 200]
    emulator.faults.clear()
    assert client.post(path(method="countTokens"), json=prompt("x")).status_code == 200
    with pytest.raises(ValueError):
        emulator.faults.add("explode")


def test_delay_fault(emulator: Emulator, client: httpx.Client) -> None:
    emulator.faults.add("delay", operation="GetModel", seconds=0.01)
    assert client.get(f"/v1beta/models/{FLASH}").status_code == 200
    timeout = httpx.Timeout(5.0, read=0.01)
    answer = threading.Event()
    # held until the test releases it, so the timeout fires first however slow the machine
    emulator.faults.add("delay", operation="GetModel", seconds=30, until=answer, times=2)
    try:
        with pytest.raises(httpx.ReadTimeout):
            client.get(f"/v1beta/models/{FLASH}", timeout=timeout)
    finally:
        answer.set()
    assert client.get(f"/v1beta/models/{FLASH}").status_code == 200


def test_drop_fault_is_a_transport_error(emulator: Emulator, client: httpx.Client) -> None:
    emulator.faults.add("drop", operation="GenerateContent")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.post(path(), json=prompt("x"))
    assert client.post(path(), json=prompt("x")).status_code == 200


async def test_drop_fault_through_the_async_transport(
    emulator: Emulator, aclient: httpx.AsyncClient
) -> None:
    emulator.faults.add("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await aclient.get("/v1beta/models")
    assert (await aclient.get("/v1beta/models")).status_code == 200


def test_cut_stream_ends_mid_event(emulator: Emulator, client: httpx.Client) -> None:
    emulator.faults.add("cut_stream", operation="StreamGenerateContent", after_events=2)
    url = path(method="streamGenerateContent") + "?alt=sse"
    raw = client.post(url, json=prompt("one two three four five six")).content
    complete, tail = raw.rsplit(b"\r\n\r\n", 1)
    assert len(complete.split(b"\r\n\r\n")) == 2
    assert tail.startswith(b"data: {") and not tail.endswith(b"\n")


def test_cut_stream_abort_is_a_transport_error(emulator: Emulator, client: httpx.Client) -> None:
    emulator.faults.add("cut_stream", after_events=1, abort=True)
    url = path(method="streamGenerateContent") + "?alt=sse"
    received = []
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete|complete message body"):
        with client.stream("POST", url, json=prompt("one two three four")) as response:
            for chunk in response.iter_raw():
                received.append(chunk)
    assert len(received) == 2 and received[0].endswith(b"\r\n\r\n")


# -- token counting ----------------------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", width, height) + b"\x08\x02"


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    sof = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, height, width) + b"\x03" + b"\x00" * 9
    return b"\xff\xd8" + app0 + sof


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00" * 4


def webp(width: int, height: int) -> bytes:
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF\x00\x00\x00\x00WEBPVP8X" + struct.pack("<I", 10) + b"\x00" * 4 + size


def wav(seconds: int, byte_rate: int = 16_000) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, byte_rate, 2, 16)
    data_size = seconds * byte_rate
    return (
        b"RIFF\x00\x00\x00\x00WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
        + b"\x00" * data_size
    )


def mp4(seconds: int) -> bytes:
    mvhd = b"mvhd" + b"\x00" * 4 + b"\x00" * 8 + struct.pack(">II", 1000, seconds * 1000)
    mvhd = struct.pack(">I", len(mvhd) + 4) + mvhd
    moov = struct.pack(">I", len(mvhd) + 8) + b"moov" + mvhd
    return struct.pack(">I", 16) + b"ftypisom" + b"\x00" * 4 + moov


PDF = (
    b"%PDF-1.4\n"
    + b"".join(f"{n} 0 obj << /Type /Page /Parent 1 0 R >> endobj\n".encode() for n in range(3))
    + b"1 0 obj << /Type /Pages /Count 3 >> endobj\n"
)


def inline(mime: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}, **extra}


def count(client: httpx.Client, *parts: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path(method="countTokens"), json={"contents": [{"parts": list(parts)}]})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("image", "tokens"),
    [
        (png(384, 384), 258),
        (png(1000, 800), 258 * 4),
        (jpeg(385, 200), 258),
        (jpeg(2000, 700), 258 * 3),
        (gif(100, 100), 258),
        (webp(1600, 1600), 258 * 9),
        (b"not an image", 258),
    ],
)
def test_image_tokens(client: httpx.Client, image: bytes, tokens: int) -> None:
    body = count(client, inline("image/png", image))
    assert body == {
        "totalTokens": tokens,
        "promptTokensDetails": [{"modality": "IMAGE", "tokenCount": tokens}],
    }


def test_media_tokens(client: httpx.Client) -> None:
    clip = {"videoMetadata": {"startOffset": "2s", "endOffset": "12s"}}
    assert count(client, inline("video/mp4", b"\x00" * 10, **clip))["totalTokens"] == 263 * 10
    assert count(client, inline("video/mp4", mp4(4)))["totalTokens"] == 263 * 4
    assert count(client, inline("video/mp4", b"\x00" * 500_001))["totalTokens"] == 263 * 3
    assert count(client, inline("audio/wav", wav(2)))["totalTokens"] == 32 * 2
    assert count(client, inline("audio/mp3", b"\x00" * 32_000))["totalTokens"] == 32 * 2
    assert count(client, inline("application/pdf", PDF))["totalTokens"] == 258 * 3
    assert count(client, inline("text/plain", b"12345678"))["totalTokens"] == 2
    file_part = {"fileData": {"fileUri": "https://x/files/abc", "mimeType": "image/jpeg"}}
    assert count(client, file_part)["totalTokens"] == 258


def test_count_tokens_by_modality(client: httpx.Client) -> None:
    body = count(client, {"text": "How many tokens is this?"}, inline("image/png", png(10, 10)))
    assert body == {
        "totalTokens": 6 + 258,
        "promptTokensDetails": [
            {"modality": "TEXT", "tokenCount": 6},
            {"modality": "IMAGE", "tokenCount": 258},
        ],
    }
    nested = {"generateContentRequest": {"model": f"models/{FLASH}", **prompt("12345678")}}
    nested["generateContentRequest"]["systemInstruction"] = {"parts": [{"text": "abcd"}]}
    assert client.post(path(method="countTokens"), json=nested).json()["totalTokens"] == 3
    both = {**prompt("x"), **nested}
    assert "not both" in error(client.post(path(method="countTokens"), json=both), 400)["message"]
    missing_model = {"generateContentRequest": prompt("x")}
    message = error(client.post(path(method="countTokens"), json=missing_model), 400)["message"]
    assert (
        message == "* CountTokensRequest.generate_content_request.model: model is not specified\n"
    )


def test_generate_usage_counts_images(client: httpx.Client) -> None:
    body = {"contents": [{"parts": [{"text": "abcd"}, inline("image/png", png(800, 10))]}]}
    usage = client.post(path("gemini-2.0-flash"), json=body).json()["usageMetadata"]
    assert usage["promptTokenCount"] == 1 + 258 * 2
    assert usage["promptTokensDetails"][1] == {"modality": "IMAGE", "tokenCount": 516}


def test_octet_stream_is_unsupported(client: httpx.Client) -> None:
    body = {"contents": [{"parts": [inline("application/octet-stream", b"x")]}]}
    assert error(client.post(path(), json=body), 400)["message"] == (
        "Unsupported MIME type: application/octet-stream"
    )


# -- embeddings --------------------------------------------------------------------------------


def embed_request(text: str, model: str = "gemini-embedding-001", **extra: Any) -> dict[str, Any]:
    return {"model": f"models/{model}", "content": {"parts": [{"text": text}]}, **extra}


def test_embed_content_unit_vectors(client: httpx.Client) -> None:
    url = path("gemini-embedding-001", "embedContent")
    first = client.post(url, json={"content": {"parts": [{"text": "meaning of life"}]}}).json()
    values = first["embedding"]["values"]
    assert len(values) == 3072
    assert math.isclose(sum(v * v for v in values), 1.0, rel_tol=1e-9)
    again = client.post(url, json=embed_request("meaning of life")).json()
    assert again["embedding"]["values"] == values
    other = client.post(url, json=embed_request("something else")).json()
    assert other["embedding"]["values"] != values
    short = client.post(url, json=embed_request("x", outputDimensionality=768)).json()
    assert len(short["embedding"]["values"]) == 768
    small = client.post(path("text-embedding-004", "embedContent"), json=embed_request("x"))
    assert len(small.json()["embedding"]["values"]) == 768
    t.SingleEmbedContentResponse.from_dict(short)


def test_embedding_errors(client: httpx.Client) -> None:
    url = path("gemini-embedding-001", "embedContent")
    assert error(client.post(url, json={}), 400)["message"] == (
        "* EmbedContentRequest.content: content is not specified\n"
    )
    too_big = embed_request("x", outputDimensionality=4000)
    assert "output_dimensionality" in error(client.post(url, json=too_big), 400)["message"]
    wrong_model = client.post(path(FLASH, "embedContent"), json=embed_request("x"))
    assert "is not supported for embedContent" in error(wrong_model, 404)["message"]


def test_batch_embed_contents(client: httpx.Client) -> None:
    url = path("gemini-embedding-001", "batchEmbedContents")
    requests = [embed_request("a"), embed_request("b"), embed_request("a")]
    body = client.post(url, json={"requests": requests}).json()
    vectors = [e["values"] for e in body["embeddings"]]
    assert len(vectors) == 3 and vectors[0] == vectors[2] != vectors[1]
    t.BatchEmbedContentsResponse.from_dict(body)
    mismatch = {"requests": [embed_request("a"), embed_request("b", model="text-embedding-004")]}
    assert error(client.post(url, json=mismatch), 400)["message"] == (
        "* BatchEmbedContentsRequest.requests[1].model: the model must be "
        "models/gemini-embedding-001, the model named in the URL; got models/text-embedding-004\n"
    )
    no_model = {"requests": [{"content": {"parts": [{"text": "a"}]}}]}
    assert error(client.post(url, json=no_model), 400)["message"] == (
        "* BatchEmbedContentsRequest.requests[0].model: model is not specified\n"
    )


# -- the SDK client, served mode, command line -------------------------------------------------


def test_emulator_client_speaks_to_the_sdk(emulator: Emulator) -> None:
    client = emulator.client()
    response = client.models.generate_content(model=FLASH, contents="Hello!")
    assert response.text == "Echo: Hello!"
    assert emulator.requests[-1].operation == "GenerateContent"


def test_served_with_uvicorn() -> None:
    uvicorn = pytest.importorskip("uvicorn")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    emulator = Emulator()
    server = uvicorn.Server(uvicorn.Config(emulator.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, headers=KEY, timeout=5) as http:
            assert http.get(f"/v1beta/models/{FLASH}").json()["name"] == f"models/{FLASH}"
            streamed = http.post(
                path(method="streamGenerateContent") + "?alt=sse", json=prompt("a b c")
            )
            assert sse_events(streamed.content)[-1]["candidates"][0]["finishReason"] == "STOP"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    assert not thread.is_alive()


def test_command_line_refuses_remote_hosts() -> None:
    assert parse_args(["--port", "9000"]).host == "127.0.0.1"
    assert parse_args(["--host", "::1"]).port == 8765
    with pytest.raises(SystemExit):
        parse_args(["--host", "0.0.0.0"])
    assert parse_args(["--host", "0.0.0.0", "--allow-remote"]).allow_remote
