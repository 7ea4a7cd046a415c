"""Automatic function calling on streams, sync and async, against the emulator: the chunks
of each answer in turn, the functions called between answers, the calling turns on the
chunks, the limits, and chats recording what the calling added."""

from __future__ import annotations

from typing import Any

import pytest

from gemini_sdk import types
from gemini_sdk.testing import Emulator

FLASH = "gemini-2.0-flash"


def get_weather(city: str) -> dict[str, Any]:
    """Get the current weather in a city."""
    return {"city": city, "temperature": 21}


def fails(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"failed: {reason}")


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture(params=["sync", "async"])
def models(request: pytest.FixtureRequest, emulator: Emulator) -> Any:
    client = emulator.client()
    return client.models if request.param == "sync" else client.aio.models


async def _opened(pending: Any) -> Any:
    return await pending if hasattr(pending, "__await__") else pending


async def _read(pending: Any) -> list[Any]:
    """Every chunk of a sync or an async stream."""
    stream = await _opened(pending)
    if hasattr(stream, "__aiter__"):
        return [chunk async for chunk in stream]
    return list(stream)


def _text(chunks: list[Any]) -> str:
    return "".join(chunk.text or "" for chunk in chunks)


def _roles(turns: list[Any] | None) -> list[str] | None:
    return None if turns is None else [turn.role for turn in turns]


async def test_one_round_streams_both_answers(models: Any, emulator: Emulator) -> None:
    chunks = await _read(
        models.generate_content_stream(
            model=FLASH, contents="get_weather city=Oslo", config={"tools": [get_weather]}
        )
    )
    first, second = emulator.requests
    assert first.query == second.query == {"alt": "sse"}
    assert second.body["contents"][1]["parts"][0]["functionCall"]["name"] == "get_weather"
    assert second.body["contents"][2] == {
        "role": "user",
        "parts": [
            {
                "functionResponse": {
                    "name": "get_weather",
                    "response": {"result": {"city": "Oslo", "temperature": 21}},
                }
            }
        ],
    }
    assert chunks[0].function_calls[0].name == "get_weather"
    assert chunks[0].automatic_function_calling_history == []
    assert _text(chunks[1:]).startswith("get_weather returned")
    assert all(
        _roles(chunk.automatic_function_calling_history) == ["user", "model", "user"]
        for chunk in chunks[1:]
    )


async def test_two_rounds(models: Any, emulator: Emulator) -> None:
    emulator.script(
        [
            types.FunctionCall(name="get_weather", args={"city": "Oslo"}),
            types.FunctionCall(name="get_weather", args={"city": "Rome"}),
            "Oslo is colder",
        ]
    )
    chunks = await _read(
        models.generate_content_stream(
            model=FLASH, contents="compare", config={"tools": [get_weather]}
        )
    )
    assert len(emulator.requests) == 3
    sent = emulator.requests[-1].body["contents"]
    assert [turn["role"] for turn in sent] == ["user", "model", "user", "model", "user"]
    assert sent[4]["parts"][0]["functionResponse"]["response"]["result"]["city"] == "Rome"
    assert [call.name for c in chunks for call in c.function_calls or []] == ["get_weather"] * 2
    assert _text(chunks) == "Oslo is colder"
    assert len(chunks[-1].automatic_function_calling_history) == 5


async def test_maximum_remote_calls_leaves_the_last_calls_to_the_caller(
    models: Any, emulator: Emulator
) -> None:
    called: list[str] = []

    def ping(text: str) -> str:
        """Ping."""
        called.append(text)
        return text

    config = {
        "tools": [ping],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
        "automatic_function_calling": {"maximum_remote_calls": 2},
    }
    chunks = await _read(models.generate_content_stream(model=FLASH, contents="go", config=config))
    assert len(emulator.requests) == 2
    assert len(called) == 1
    assert chunks[-1].function_calls[0].name == "ping"
    assert _roles(chunks[-1].automatic_function_calling_history) == ["user", "model", "user"]


async def test_disable_returns_the_calls(models: Any, emulator: Emulator) -> None:
    config = {"tools": [get_weather], "automatic_function_calling": {"disable": True}}
    chunks = await _read(
        models.generate_content_stream(model=FLASH, contents="get_weather", config=config)
    )
    assert len(emulator.requests) == 1
    assert [call.name for c in chunks for call in c.function_calls or []] == ["get_weather"]
    assert chunks[0].automatic_function_calling_history is None


async def test_ignore_call_history(models: Any, emulator: Emulator) -> None:
    config = {"tools": [get_weather], "automatic_function_calling": {"ignore_call_history": True}}
    chunks = await _read(
        models.generate_content_stream(model=FLASH, contents="get_weather", config=config)
    )
    assert len(emulator.requests) == 2
    assert all(chunk.automatic_function_calling_history is None for chunk in chunks)


async def test_a_tool_that_raises_goes_back_as_an_error(models: Any, emulator: Emulator) -> None:
    chunks = await _read(
        models.generate_content_stream(
            model=FLASH, contents="fails reason=disk", config={"tools": [fails]}
        )
    )
    sent = emulator.requests[-1].body["contents"][-1]["parts"][0]["functionResponse"]
    assert sent == {"name": "fails", "response": {"error": "RuntimeError: failed: disk"}}
    assert "error" in _text(chunks)


async def test_coroutine_tools_need_the_async_client(emulator: Emulator) -> None:
    async def lookup(city: str) -> str:
        """Look a city up."""
        return f"found {city}"

    client = emulator.client()
    config = {"tools": [lookup]}
    with pytest.raises(TypeError, match="lookup is a coroutine function; call it through"):
        client.models.generate_content_stream(model=FLASH, contents="lookup", config=config)
    assert emulator.requests == []
    stream = await client.aio.models.generate_content_stream(
        model=FLASH, contents="lookup city=Rome", config=config
    )
    chunks = [chunk async for chunk in stream]
    assert "found Rome" in _text(chunks)


def test_close_releases_the_round_being_read(emulator: Emulator) -> None:
    client = emulator.client()
    with client.models.generate_content_stream(
        model=FLASH, contents="get_weather city=Oslo", config={"tools": [get_weather]}
    ) as stream:
        first = stream.response
        for chunk in stream:
            if chunk.text:  # the second answer's first chunk
                break
        assert first.is_closed
        second = stream.response
        assert second is not first and not second.is_closed
    assert second.is_closed


async def test_aclose_releases_the_round_being_read(emulator: Emulator) -> None:
    client = emulator.client()
    stream = await client.aio.models.generate_content_stream(
        model=FLASH, contents="get_weather city=Oslo", config={"tools": [get_weather]}
    )
    async with stream:
        async for chunk in stream:
            if chunk.text:
                break
        second = stream.response
        assert not second.is_closed
    assert second.is_closed
    assert len(emulator.requests) == 2


def test_close_before_reading_sends_nothing_more(emulator: Emulator) -> None:
    stream = emulator.client().models.generate_content_stream(
        model=FLASH, contents="get_weather city=Oslo", config={"tools": [get_weather]}
    )
    stream.close()
    assert stream.response.is_closed
    assert list(stream) == []
    assert len(emulator.requests) == 1


async def test_chats_record_the_calling_turns(emulator: Emulator) -> None:
    client = emulator.client()
    for chat in (
        client.chats.create(model=FLASH, config={"tools": [get_weather]}),
        client.aio.chats.create(model=FLASH, config={"tools": [get_weather]}),
    ):
        chunks = await _read(chat.send_message_stream("get_weather city=Oslo"))
        assert _roles(chat.history) == ["user", "model", "user", "model"]
        assert chat.history[1].parts[0].function_call.name == "get_weather"
        assert "functionResponse" in chat.history[2].to_dict()["parts"][0]
        assert chat.history[3].parts[0].text == chunks[1].text
        assert all(part.function_call is None for part in chat.history[3].parts)
        assert _roles(chat.get_history(curated=True)) == ["user", "model", "user", "model"]
        await _read(chat.send_message_stream("thanks"))
        sent = emulator.requests[-1].body["contents"]
        assert len(sent) == 5 and "functionResponse" in sent[2]["parts"][0]


async def test_chats_keep_the_answer_alone_when_the_history_is_ignored(
    emulator: Emulator,
) -> None:
    config = {"tools": [get_weather], "automatic_function_calling": {"ignore_call_history": True}}
    chat = emulator.client().chats.create(model=FLASH, config=config)
    await _read(chat.send_message_stream("get_weather city=Oslo"))
    assert _roles(chat.history) == ["user", "model"]
    assert all(part.function_call is None for part in chat.history[1].parts)
