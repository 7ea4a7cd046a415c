"""Every high-level method, sync and async, against the emulator in-process: the exact
request it sent (as the emulator recorded it) and the typed response it returned."""

from __future__ import annotations

from typing import Any

import pytest

from gemini_sdk import errors, types
from gemini_sdk.testing import Emulator

FLASH = "gemini-2.5-flash"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(extra_models=110)


def _last(emulator: Emulator) -> Any:
    return emulator.requests[-1]


async def _maybe(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


@pytest.fixture(params=["sync", "async"])
def models(request: pytest.FixtureRequest, emulator: Emulator) -> Any:
    client = emulator.client()
    return client.models if request.param == "sync" else client.aio.models


async def test_generate_content(models: Any, emulator: Emulator) -> None:
    response = await _maybe(
        models.generate_content(
            model=FLASH,
            contents="Explain quantum computing",
            config=types.GenerateContentConfig(temperature=0.7, max_output_tokens=1000),
        )
    )
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("POST", f"/v1beta/models/{FLASH}:generateContent")
    assert sent.body == {
        "contents": [{"parts": [{"text": "Explain quantum computing"}], "role": "user"}],
        "generationConfig": {"maxOutputTokens": 1000, "temperature": 0.7},
    }
    assert isinstance(response, types.GenerateContentResponse)
    assert response.text == "Echo: Explain quantum computing"
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    # an undeclared field of real traffic survives decoding and re-encoding
    assert response.usage_metadata.to_dict()["serviceTier"] == "standard"


async def test_generate_content_stream(models: Any, emulator: Emulator) -> None:
    stream = models.generate_content_stream(model=FLASH, contents="Write a long story")
    if hasattr(stream, "__await__"):
        chunks = [chunk async for chunk in await stream]
    else:
        chunks = list(stream)
    sent = _last(emulator)
    assert sent.path == f"/v1beta/models/{FLASH}:streamGenerateContent"
    assert sent.query == {"alt": "sse"}
    assert len(chunks) > 1
    assert "".join(c.text or "" for c in chunks) == "Echo: Write a long story"
    assert chunks[-1].candidates[0].finish_reason == "STOP"


async def test_count_tokens(models: Any, emulator: Emulator) -> None:
    count = await _maybe(models.count_tokens(model=FLASH, contents="How many tokens is this?"))
    sent = _last(emulator)
    assert sent.path == f"/v1beta/models/{FLASH}:countTokens"
    assert sent.body == {
        "contents": [{"parts": [{"text": "How many tokens is this?"}], "role": "user"}]
    }
    assert isinstance(count.response, types.CountTokensResponse)
    assert int(count) == count.total_tokens > 0
    assert f"{count}" == str(count.total_tokens)


async def test_count_tokens_with_a_config_counts_a_whole_request(
    models: Any, emulator: Emulator
) -> None:
    await _maybe(
        models.count_tokens(model=FLASH, contents="Hi", config={"system_instruction": "Be brief"})
    )
    assert _last(emulator).body == {
        "generateContentRequest": {
            "contents": [{"parts": [{"text": "Hi"}], "role": "user"}],
            "model": f"models/{FLASH}",
            "systemInstruction": {"parts": [{"text": "Be brief"}], "role": "user"},
        }
    }


async def test_get(models: Any, emulator: Emulator) -> None:
    model = await _maybe(models.get(name="models/gemini-2.5-flash"))
    assert _last(emulator).path == f"/v1beta/models/{FLASH}"
    assert (model.input_token_limit, model.output_token_limit) == (1048576, 65536)
    with pytest.raises(errors.NotFound):
        await _maybe(models.get(model="nonexistent-model"))


async def test_list_pages_lazily(models: Any, emulator: Emulator) -> None:
    pager = await _maybe(models.list(config={"page_size": 40}))
    assert len(pager.page) == 40
    assert len(emulator.requests) == 1
    if hasattr(pager, "__aiter__"):
        names = [m.name async for m in pager]
    else:
        names = [m.name for m in pager]
    assert len(names) == len(set(names)) == len(emulator.models.all()) > 120
    assert [r.query.get("pageSize") for r in emulator.requests] == ["40"] * len(emulator.requests)
    assert len(emulator.requests) == -(-len(names) // 40)


async def test_embed_one_and_many(models: Any, emulator: Emulator) -> None:
    one = await _maybe(models.embed_content(model="gemini-embedding-001", contents="Life?"))
    assert _last(emulator).path == "/v1beta/models/gemini-embedding-001:embedContent"
    assert len(one.embeddings) == 1
    many = await _maybe(
        models.embed_content(
            model="gemini-embedding-001",
            contents=["a", "b", "c"],
            config=types.EmbedContentConfig(
                task_type="RETRIEVAL_DOCUMENT", output_dimensionality=8
            ),
        )
    )
    sent = _last(emulator)
    assert sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert [r["taskType"] for r in sent.body["requests"]] == ["RETRIEVAL_DOCUMENT"] * 3
    assert [len(e.values) for e in many.embeddings] == [8, 8, 8]
    assert many.embeddings[0].values != many.embeddings[1].values


async def test_bad_input_never_reaches_the_emulator(models: Any, emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="GenerateContentConfig.temperature"):
        await _maybe(
            models.generate_content(model=FLASH, contents="x", config={"temperature": "hot"})
        )
    assert emulator.requests == []


def test_chat_round_trip_keeps_thought_signatures(emulator: Emulator) -> None:
    client = emulator.client()
    chat = client.chats.create(
        model=FLASH,
        config=types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(include_thoughts=True)
        ),
    )
    first = chat.send_message("What is Python?")
    chat.send_message("What are its key features?")
    sent = _last(emulator).body["contents"]
    assert [turn["role"] for turn in sent] == ["user", "model", "user"]
    # the model's turn goes back exactly as it came, signature and thought part included
    assert sent[1] == first.candidates[0].content.to_dict()
    assert any("thoughtSignature" in part for part in sent[1]["parts"])
    assert [turn.role for turn in chat.history] == ["user", "model", "user", "model"]
