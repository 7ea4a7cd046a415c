"""Everyday input and output: chats, token counts, raw responses, images, UserContent and
ModelContent, and what a missing optional dependency says."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fakes import Server, fake_client

import gemini_sdk as genai

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
