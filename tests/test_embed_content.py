"""embed_content answers with one class, EmbedContentResponse, whether it sent one content
(embedContent) or several (batchEmbedContents), and keeps everything the answer held."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fakes import Server, fake_client

from gemini_sdk import types
from gemini_sdk.testing import Emulator

MODEL = "gemini-embedding-001"
TEXTS = ["First text to embed", "Second text to embed", "Third text to embed"]
SMALL = types.EmbedContentConfig(output_dimensionality=8)


async def _maybe(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


@pytest.fixture(params=["sync", "async"])
def models(request: pytest.FixtureRequest) -> Any:
    client = Emulator().client()
    return client.models if request.param == "sync" else client.aio.models


async def test_one_content_and_three_give_the_same_class(models: Any) -> None:
    singles = [
        await _maybe(models.embed_content(model=MODEL, contents=text, config=SMALL))
        for text in TEXTS
    ]
    many = await _maybe(models.embed_content(model=MODEL, contents=TEXTS, config=SMALL))

    for answer in [*singles, many]:
        assert type(answer) is types.EmbedContentResponse
        assert answer.sdk_http_response.status_code == 200
        assert answer.usage_metadata.prompt_token_count > 0
        assert all(len(e.values) == 8 for e in answer.embeddings)
    assert [len(one.embeddings) for one in singles] == [1, 1, 1]
    # each content's vector sits at its place in the list
    assert [e.values for e in many.embeddings] == [one.embeddings[0].values for one in singles]
    assert len({tuple(e.values) for e in many.embeddings}) == 3
    assert many.usage_metadata.prompt_token_count == sum(
        one.usage_metadata.prompt_token_count for one in singles
    )


async def test_to_dict_shows_embeddings(models: Any) -> None:
    one = await _maybe(models.embed_content(model=MODEL, contents="a", config=SMALL))
    many = await _maybe(models.embed_content(model=MODEL, contents=["a", "b"], config=SMALL))

    assert one.to_dict() == {
        "embeddings": [{"values": one.embeddings[0].values}],
        "usageMetadata": one.usage_metadata.to_dict(),
    }
    assert [e["values"] for e in many.to_dict()["embeddings"]] == [
        e.values for e in many.embeddings
    ]
    assert many.to_dict()["embeddings"][0] == one.to_dict()["embeddings"][0]


@pytest.mark.parametrize(
    "contents, answer, values",
    [
        ("a", {"embedding": {"values": [1.0]}}, [[1.0]]),
        (["a", "b"], {"embeddings": [{"values": [1.0]}, {"values": [2.0]}]}, [[1.0], [2.0]]),
    ],
    ids=["one", "several"],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_nothing_received_is_dropped(
    mode: str, contents: Any, answer: Any, values: list[list[float]]
) -> None:
    server = Server()
    usage = {"promptTokenCount": 3, "promptTokenDetails": [{"modality": "TEXT"}]}
    server.reply(
        httpx.Response(
            200,
            json={**answer, "usageMetadata": usage, "futureField": {"x": 1}},
            headers={"x-served-by": "test"},
        )
    )
    client = fake_client(server, "test-key")
    models = client.models if mode == "sync" else client.aio.models

    result = await _maybe(models.embed_content(model=MODEL, contents=contents))

    assert type(result) is types.EmbedContentResponse
    assert [e.values for e in result.embeddings] == values
    assert result.usage_metadata.prompt_token_count == 3
    assert result.unknown_fields == {"futureField": {"x": 1}}
    assert result.to_dict()["futureField"] == {"x": 1}
    assert result.to_dict()["usageMetadata"] == usage
    assert result.sdk_http_response.status_code == 200
    assert result.sdk_http_response.headers["x-served-by"] == "test"


def test_with_raw_response_reads_the_answers_status() -> None:
    client = Emulator().client()

    raw = client.models.with_raw_response.embed_content(
        model=MODEL, contents=["a", "b"], config=SMALL
    )

    assert raw.status_code == 200
    assert type(raw.parse()) is types.EmbedContentResponse
    assert len(raw.parse().embeddings) == 2


def test_an_answer_without_an_embedding_has_none() -> None:
    server = Server()
    server.reply({})

    result = fake_client(server, "test-key").models.embed_content(model=MODEL, contents="a")

    assert result.embeddings is None
    assert result.to_dict() == {}
