"""The emulator's OpenAI-compatible routes, driven by the real `openai` package (sync and
async) against a served emulator, and the TLS proxy that gives it the service's https URL."""

from __future__ import annotations

import base64
import os
import ssl
import struct
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import orjson
import pydantic
import pytest
import seed

from gemini_sdk.testing import Emulator, TlsProxy

KEYS = {"test-key": "unlimited", "free-key": "free"}
PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(api_keys=KEYS)
    with seed.served_emulator(emulator) as base_url:
        yield emulator, base_url


@pytest.fixture
def emulator(served: tuple[Emulator, str]) -> Emulator:
    served[0].reset()
    return served[0]


@pytest.fixture
def base_url(served: tuple[Emulator, str], emulator: Emulator) -> str:
    return f"{served[1]}/v1beta/openai/"


@pytest.fixture
def client(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key="test-key", base_url=base_url, max_retries=0) as client:
        yield client


@pytest.fixture
async def aclient(base_url: str) -> Any:
    async with openai.AsyncOpenAI(api_key="test-key", base_url=base_url, max_retries=0) as client:
        yield client


def error_message(error: openai.APIStatusError) -> str:
    # OpenAI's error shape: the package keeps the object under "error" as the body.
    assert isinstance(error.body, dict)
    message: str = error.body["message"]
    assert message in error.message
    return message


# -- chat --------------------------------------------------------------------------------------


def test_plain_chat(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="gemini-2.0-flash", messages=[{"role": "user", "content": "Hello!"}]
    )
    choice = response.choices[0]
    assert choice.message.content == "Echo: Hello!"
    assert choice.message.role == "assistant"
    assert choice.finish_reason == "stop"
    assert response.object == "chat.completion"
    assert response.model == "gemini-2.0-flash"
    assert response.usage is not None
    assert response.usage.prompt_tokens == 2
    assert response.usage.total_tokens == response.usage.prompt_tokens + 3


def test_every_role_reaches_the_model(emulator: Emulator, client: openai.OpenAI) -> None:
    seen: list[Any] = []
    emulator.script([lambda request: seen.append(request) or "ok"])
    client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "Weather?"},
        ],
        temperature=0.5,
        top_p=0.9,
        max_completion_tokens=50,
        stop=["END"],
        n=1,
    )
    request = seen[0]
    assert request["systemInstruction"]["parts"] == [
        {"text": "Be brief."},
        {"text": "Use metric units."},
    ]
    assert [c["role"] for c in request["contents"]] == ["user", "model", "user"]
    assert request["generationConfig"] == {
        "temperature": 0.5,
        "topP": 0.9,
        "maxOutputTokens": 50,
        "stopSequences": ["END"],
        "candidateCount": 1,
    }


def test_n_candidates_and_max_tokens(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "a long enough prompt to be cut short"}],
        n=2,
        max_tokens=2,
    )
    assert [c.index for c in response.choices] == [0, 1]
    assert {c.finish_reason for c in response.choices} == {"length"}


async def test_plain_chat_async(aclient: openai.AsyncOpenAI) -> None:
    response = await aclient.chat.completions.create(
        model="gemini-2.0-flash", messages=[{"role": "user", "content": "Hello async"}]
    )
    assert response.choices[0].message.content == "Echo: Hello async"


def test_streaming_ends_with_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "Tell me about streaming replies"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Echo: Tell me about streaming replies"
    assert len([c for c in chunks if c.choices]) > 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens > 0


def test_stream_ends_with_done_and_without_usage_by_default(base_url: str) -> None:
    with httpx.stream(
        "POST",
        base_url + "chat/completions",
        headers={"Authorization": "Bearer test-key"},
        json={
            "model": "gemini-2.0-flash",
            "messages": [{"role": "user", "content": "hi there"}],
            "stream": True,
        },
    ) as response:
        events = [line for line in response.iter_lines() if line]
    assert response.headers["content-type"].startswith("text/event-stream")
    assert events[-1] == "data: [DONE]"
    chunks = [orjson.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert all("usage" not in chunk for chunk in chunks)


async def test_streaming_async(aclient: openai.AsyncOpenAI) -> None:
    stream = await aclient.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "streamed and awaited"}],
        stream=True,
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream])
    assert text == "Echo: streamed and awaited"


def test_tool_call_round_trip(client: openai.OpenAI) -> None:
    messages: list[Any] = [{"role": "user", "content": "get_weather city=Paris"}]
    first = client.chat.completions.create(
        model="gemini-2.0-flash", messages=messages, tools=[WEATHER_TOOL]
    )
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert orjson.loads(call.function.arguments) == {"city": "Paris"}
    messages += [
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": '{"celsius": 21}'},
    ]
    second = client.chat.completions.create(
        model="gemini-2.0-flash", messages=messages, tools=[WEATHER_TOOL]
    )
    assert second.choices[0].message.content == 'get_weather returned {"celsius":21}'


def test_scripted_function_call_becomes_a_tool_call(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.script([{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}])
    response = client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "anything"}],
        tools=[WEATHER_TOOL],
    )
    call = response.choices[0].message.tool_calls[0]
    assert call.id.startswith("call_")
    assert orjson.loads(call.function.arguments) == {"city": "Oslo"}


def test_tool_choice(client: openai.OpenAI) -> None:
    def ask(choice: Any) -> Any:
        return client.chat.completions.create(
            model="gemini-2.0-flash",
            messages=[{"role": "user", "content": "get_weather please"}],
            tools=[WEATHER_TOOL],
            tool_choice=choice,
        ).choices[0]

    assert ask("none").message.content == "Echo: get_weather please"
    assert ask("required").message.tool_calls[0].function.name == "get_weather"
    named = {"type": "function", "function": {"name": "get_weather"}}
    assert ask(named).finish_reason == "tool_calls"


async def test_tool_calls_stream_async(aclient: openai.AsyncOpenAI) -> None:
    stream = await aclient.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "get_weather city=Rome"}],
        tools=[WEATHER_TOOL],
        stream=True,
    )
    chunks = [c async for c in stream]
    calls = [t for c in chunks for t in c.choices[0].delta.tool_calls or ()]
    assert [(t.index, t.function.name) for t in calls] == [(0, "get_weather")]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_image_data_url_becomes_inline_data(emulator: Emulator, client: openai.OpenAI) -> None:
    seen: list[Any] = []
    emulator.script([lambda request: seen.append(request) or "a picture"])
    client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": PNG_DATA_URL}},
                ],
            }
        ],
    )
    parts = seen[0]["contents"][0]["parts"]
    assert parts[1] == {
        "inlineData": {"mimeType": "image/png", "data": PNG_DATA_URL.partition(",")[2]}
    }


def test_image_http_url_is_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="gemini-2.0-flash",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
                    ],
                }
            ],
        )
    assert "messages[0].content[0].image_url.url" in error_message(caught.value)
    assert "data URLs" in error_message(caught.value)


def test_audio_and_parallel_tool_answers_reach_the_model(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    seen: list[Any] = []
    emulator.script([lambda request: seen.append(request) or "heard"])
    wav = base64.b64encode(b"RIFF....WAVEfmt ").decode()
    calls = [
        {"id": f"c{n}", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
        for n in (1, 2)
    ]
    client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[
            {
                "role": "user",
                "content": [{"type": "input_audio", "input_audio": {"data": wav, "format": "wav"}}],
            },
            {"role": "assistant", "content": "Checking.", "tool_calls": calls},
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
            {"role": "tool", "tool_call_id": "c2", "content": "[1, 2]"},
        ],
        tools=[WEATHER_TOOL],
    )
    user, model, answers = seen[0]["contents"]
    assert user["parts"] == [{"inlineData": {"mimeType": "audio/wav", "data": wav}}]
    assert model["parts"][0] == {"text": "Checking."}
    assert [p["functionCall"]["id"] for p in model["parts"][1:]] == ["c1", "c2"]
    assert [p["functionResponse"] for p in answers["parts"]] == [
        {"id": "c1", "name": "get_weather", "response": {"result": "sunny"}},
        {"id": "c2", "name": "get_weather", "response": {"result": [1, 2]}},
    ]


class Weather(pydantic.BaseModel):
    city: str
    celsius: int
    sunny: bool


def test_json_schema_response_parses(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "Weather in Paris as JSON"}],
        response_format=Weather,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Weather)
    assert parsed.celsius == 0 and parsed.sunny is False


def test_json_object_response(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "as JSON"}],
        response_format={"type": "json_object"},
    )
    assert orjson.loads(response.choices[0].message.content or "") == {"text": "Echo: as JSON"}


def test_flat_thinking_config_reaches_the_model(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "Solve this math problem"}],
        extra_body={"thinking_config": {"include_thoughts": True, "thinking_budget": 1024}},
    )
    content = response.choices[0].message.content or ""
    assert content.startswith("<thought>") and content.endswith("Echo: Solve this math problem")
    assert response.usage is not None and response.usage.completion_tokens_details is not None
    assert response.usage.completion_tokens_details.reasoning_tokens > 0


def test_google_extra_body_turns_thinking_off(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "no thinking"}],
        extra_body={"extra_body": {"google": {"thinking_config": {"thinking_budget": 0}}}},
    )
    assert response.usage is not None and response.usage.completion_tokens_details is None


def test_reasoning_effort(emulator: Emulator, client: openai.OpenAI) -> None:
    seen: list[Any] = []
    emulator.script([lambda request: seen.append(request) or "ok"] * 2)
    for model in ("gemini-2.5-flash", "gemini-3-pro-preview"):
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "x"}], reasoning_effort="low"
        )
    thinking = [request["generationConfig"]["thinkingConfig"] for request in seen]
    assert thinking == [{"thinkingBudget": 1024}, {"thinkingLevel": "LOW"}]


# -- embeddings, models, images ----------------------------------------------------------------


def test_embeddings(client: openai.OpenAI) -> None:
    many = client.embeddings.create(model="gemini-embedding-001", input=["a", "b"], dimensions=8)
    assert [d.index for d in many.data] == [0, 1]
    assert len(many.data[0].embedding) == 8
    assert many.data[0].embedding != many.data[1].embedding
    assert many.usage.prompt_tokens == 2
    one = client.embeddings.create(model="gemini-embedding-001", input="a", dimensions=8)
    assert one.data[0].embedding == many.data[0].embedding


def test_embeddings_in_base64(base_url: str) -> None:
    body = {"model": "gemini-embedding-001", "input": "a", "dimensions": 4}
    answers = [
        httpx.post(
            base_url + "embeddings",
            headers={"Authorization": "Bearer test-key"},
            json={**body, "encoding_format": encoding},
        ).json()["data"][0]["embedding"]
        for encoding in ("float", "base64")
    ]
    floats = struct.unpack("<4f", base64.b64decode(answers[1]))
    assert floats == pytest.approx(answers[0], rel=1e-6)


async def test_embeddings_async(aclient: openai.AsyncOpenAI) -> None:
    answer = await aclient.embeddings.create(model="text-embedding-004", input="hello")
    assert len(answer.data[0].embedding) == 768


def test_models_list_and_retrieve(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]
    assert "models/gemini-2.5-flash" in ids and "models/imagen-4.0-generate-001" in ids
    model = client.models.retrieve("gemini-2.5-flash")
    assert (model.id, model.object, model.owned_by) == (
        "models/gemini-2.5-flash",
        "model",
        "google",
    )
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


def test_image_generation(client: openai.OpenAI) -> None:
    images = client.images.generate(
        model="imagen-4.0-generate-001",
        prompt="a lighthouse",
        n=2,
        size="1408x768",
        response_format="b64_json",
    )
    pictures = [base64.b64decode(image.b64_json or "") for image in images.data]
    assert len(pictures) == 2 and pictures[0] != pictures[1]
    assert all(p.startswith(b"\x89PNG") for p in pictures)
    width, height = struct.unpack(">II", pictures[0][16:24])
    assert width * 768 == height * 1408  # 16:9, at the emulator's reduced scale


async def test_image_generation_async(aclient: openai.AsyncOpenAI) -> None:
    images = await aclient.images.generate(model="imagen-4.0-generate-001", prompt="a fox")
    assert len(images.data) == 1


def test_image_generation_refuses_an_unknown_size(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="imagen-4.0-generate-001", prompt="x", size="1000x1000")
    assert "'size'" in error_message(caught.value)


# -- errors ------------------------------------------------------------------------------------


def test_an_invalid_key_is_refused_as_the_service_does(base_url: str) -> None:
    with openai.OpenAI(api_key="not-a-key", base_url=base_url, max_retries=0) as bad:
        with pytest.raises(openai.BadRequestError) as caught:
            bad.models.list()
    assert caught.value.code == "invalid_api_key"
    assert "API key not valid" in error_message(caught.value)
    assert "not-a-key" not in str(caught.value.body)


def test_the_google_key_header_works_too(base_url: str) -> None:
    answer = httpx.get(base_url + "models/gemini-2.5-flash", headers={"x-goog-api-key": "test-key"})
    assert answer.json()["id"] == "models/gemini-2.5-flash"


def test_missing_credentials_raise_authentication_error(base_url: str) -> None:
    # The key is sent as the bearer token: an empty one is no credential at all.
    with openai.OpenAI(
        api_key="unused", base_url=base_url, max_retries=0, default_headers={"Authorization": ""}
    ) as anonymous:
        with pytest.raises(openai.AuthenticationError) as caught:
            anonymous.chat.completions.create(
                model="gemini-2.0-flash", messages=[{"role": "user", "content": "hi"}]
            )
    assert caught.value.status_code == 401


def test_unknown_model_raises_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(
            model="gemini-0-nonexistent", messages=[{"role": "user", "content": "hi"}]
        )
    assert "models/gemini-0-nonexistent" in error_message(caught.value)


def test_embedding_with_a_chat_model_raises_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="gemini-2.0-flash", input="x")


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ({"web_search_options": {}}, ['Unknown name "web_search_options"']),
        ({"temperature": "hot"}, ["'temperature'", "TYPE_FLOAT"]),
        ({"n": 1.5}, ["'n'", "TYPE_INT32"]),
        ({"extra_body": {"google": {"bogus": 1}}}, ['"bogus"', "extra_body.google"]),
        ({"reasoning_effort": "extreme"}, ["'reasoning_effort'"]),
        (
            {"reasoning_effort": "low", "thinking_config": {"thinking_budget": 1}},
            ["thinking_config and reasoning_effort"],
        ),
        ({"messages": [{"role": "robot", "content": "x"}]}, ["'messages[0].role'"]),
        ({"messages": [{"content": "x"}]}, ["'messages[0].role'"]),
        (
            {"messages": [{"role": "user", "content": [{"text": "x"}]}]},
            ["messages[0].content[0].type"],
        ),
        ({"messages": [{"role": "user", "content": 5}]}, ["'messages[0].content'"]),
        (
            {"messages": [{"role": "tool", "tool_call_id": "nope", "content": "x"}]},
            ["'messages[0].tool_call_id'"],
        ),
        ({"stream_options": {"include_usage": "yes"}}, ["'stream_options.include_usage'"]),
    ],
)
def test_bad_requests_name_the_field(
    client: openai.OpenAI, extra: dict[str, Any], names: list[str]
) -> None:
    body: dict[str, Any] = {
        "model": "gemini-2.0-flash",
        "messages": [{"role": "user", "content": "hi"}],
        **extra,
    }
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=body.pop("model"), messages=body.pop("messages"), extra_body=body
        )
    message = error_message(caught.value)
    for name in names:
        assert name in message


def test_gemini_rules_apply(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="gemini-2.0-flash", messages=[{"role": "user", "content": "hi"}], temperature=3
        )
    assert "temperature must be in the range" in error_message(caught.value)


def test_free_tier_rate_limit(base_url: str) -> None:
    with openai.OpenAI(api_key="free-key", base_url=base_url, max_retries=0) as free:
        for _ in range(10):
            free.chat.completions.create(
                model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
            )
        with pytest.raises(openai.RateLimitError) as caught:
            free.chat.completions.create(
                model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
            )
    assert caught.value.status_code == 429
    assert "Quota exceeded" in error_message(caught.value)


async def test_errors_async(aclient: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        await aclient.models.retrieve("no-such-model")
    with pytest.raises(openai.BadRequestError):
        await aclient.chat.completions.create(
            model="gemini-2.0-flash", messages=[], extra_body={"unknown_field": 1}
        )


def _raised(error: type[openai.APIStatusError], attempt: Any) -> openai.APIStatusError:
    with pytest.raises(error) as caught:
        attempt()
    return caught.value


async def _araised(error: type[openai.APIStatusError], attempt: Any) -> openai.APIStatusError:
    with pytest.raises(error) as caught:
        await attempt()
    return caught.value


def _error_cases(client: Any) -> list[tuple[type[openai.APIStatusError], Any, dict[str, Any]]]:
    """(exception class, call, what the error carries) for one sync or async client each."""
    hi = [{"role": "user", "content": "hi"}]
    chat = client.chat.completions.create
    return [
        (
            openai.NotFoundError,
            lambda: chat(model="gemini-0-nonexistent", messages=hi),
            {"type": "invalid_request_error", "code": "not_found", "param": None},
        ),
        (
            openai.BadRequestError,
            lambda: chat(model="gemini-2.0-flash", messages=hi, extra_body={"n": 1.5}),
            {"type": "invalid_request_error", "code": "invalid_argument", "param": "n"},
        ),
        (
            openai.RateLimitError,
            lambda: chat(model="gemini-2.0-flash", messages=hi),
            {"type": "requests", "code": "rate_limit_exceeded", "param": None},
        ),
    ]


def _check_openai_error(raised: openai.APIStatusError, carries: dict[str, Any]) -> None:
    assert {"type": raised.type, "code": raised.code, "param": raised.param} == carries
    assert isinstance(raised.body, dict)
    assert set(raised.body) == {"message", "type", "param", "code"}
    assert error_message(raised)


@pytest.mark.parametrize("case", [0, 1, 2], ids=["unknown-model", "bad-body", "429"])
def test_errors_come_in_openai_shape(emulator: Emulator, client: openai.OpenAI, case: int) -> None:
    error, attempt, carries = _error_cases(client)[case]
    if error is openai.RateLimitError:
        emulator.faults.add("status", operation="OpenAI.ChatCompletions", status=429)
    _check_openai_error(_raised(error, attempt), carries)


@pytest.mark.parametrize("case", [0, 1, 2], ids=["unknown-model", "bad-body", "429"])
async def test_errors_come_in_openai_shape_async(
    emulator: Emulator, aclient: openai.AsyncOpenAI, case: int
) -> None:
    error, attempt, carries = _error_cases(aclient)[case]
    if error is openai.RateLimitError:
        emulator.faults.add("status", operation="OpenAI.ChatCompletions", status=429)
    _check_openai_error(await _araised(error, attempt), carries)


async def test_a_bad_key_comes_in_openai_shape_sync_and_async(base_url: str) -> None:
    carries = {"type": "invalid_request_error", "code": "invalid_api_key", "param": None}
    with openai.OpenAI(api_key="not-a-key", base_url=base_url, max_retries=0) as bad:
        _check_openai_error(_raised(openai.BadRequestError, bad.models.list), carries)
    async with openai.AsyncOpenAI(api_key="not-a-key", base_url=base_url, max_retries=0) as abad:
        raised = await _araised(openai.BadRequestError, abad.models.list)
    _check_openai_error(raised, carries)
    assert "not-a-key" not in raised.message


def test_faults_and_recording_cover_the_routes(emulator: Emulator, client: openai.OpenAI) -> None:
    emulator.faults.add("status", operation="OpenAI.ChatCompletions", status=503)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="gemini-2.0-flash", messages=[{"role": "user", "content": "hi"}]
        )
    recorded = emulator.requests[-1]
    assert recorded.operation == "OpenAI.ChatCompletions"
    assert "authorization" not in recorded.headers


@pytest.mark.parametrize(
    ("method", "content", "status", "text"),
    [
        ("POST", b"{not json", 400, "Invalid JSON payload received"),
        ("POST", b"[]", 400, "Root element must be a message"),
        ("GET", b"", 405, "it takes POST"),
    ],
)
def test_malformed_requests(
    base_url: str, method: str, content: bytes, status: int, text: str
) -> None:
    answer = httpx.request(
        method,
        base_url + "chat/completions",
        headers={"Authorization": "Bearer test-key", "Content-Type": "application/json"},
        content=content,
    )
    assert answer.status_code == status
    assert text in answer.json()["error"]["message"]


def test_unknown_route_is_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.completions.create(model="gemini-2.0-flash", prompt="legacy")


# -- the TLS proxy -----------------------------------------------------------------------------


def test_proxy_gives_the_emulator_the_service_address(served: tuple[Emulator, str]) -> None:
    with TlsProxy(served[1]) as proxy:
        assert proxy.environment() == {"HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": proxy.ca_file}
        trust = ssl.create_default_context(cafile=proxy.ca_file)
        with httpx.Client(proxy=proxy.url, verify=trust) as http:
            answer = http.get(
                "https://generativelanguage.googleapis.com/v1beta/openai/models",
                headers={"Authorization": "Bearer test-key"},
            )
            assert answer.status_code == 200 and answer.json()["object"] == "list"
            with pytest.raises(httpx.ProxyError, match="403"):
                http.get("https://example.com/")
        with httpx.Client(proxy=proxy.url) as untrusting:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                untrusting.get("https://generativelanguage.googleapis.com/v1beta/openai/models")
    assert not os.path.exists(proxy.ca_file)
