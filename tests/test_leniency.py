"""The emulator answers as the service does: what the service takes is taken, what it refuses
stays refused. Each leniency rule (testing/_leniency.py) has a request it now lets through and
a neighbouring request that is still refused."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest

from _gemini_sdk_gen import types as t
from gemini_sdk.testing import Emulator
from gemini_sdk.testing import _leniency as leniency

BASE = "http://emulator.local"
KEY = {"x-goog-api-key": "test-key"}
FLASH = "gemini-2.5-flash"
EMBED = "gemini-embedding-001"


def path(model: str = FLASH, method: str = "generateContent") -> str:
    return f"/v1beta/models/{model}:{method}"


def user(text: str = "hi") -> list[dict[str, Any]]:
    return [{"role": "user", "parts": [{"text": text}]}]


def tool(declaration: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"functionDeclarations": [declaration]}]


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=KEY) as c:
        yield c


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: httpx.Response, code: int = 400) -> str:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert error["status"] == {400: "INVALID_ARGUMENT", 404: "NOT_FOUND"}[code]
    message: str = error["message"]
    return message


@attrs.frozen
class Case:
    rule: str
    path: str
    taken: dict[str, Any]
    still_refused: dict[str, Any]
    because: str  # a fragment of the refusal's message
    neighbour_path: str = ""  # where the neighbour goes, when not to `path`


LOWER_CASE_PARAMETERS = {
    "name": "lookup",
    "description": "Look a city up.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "stops": {
                "type": "array",
                "items": {"type": "object", "properties": {"n": {"type": "integer"}}},
            },
        },
    },
}

CASES = [
    Case(
        "enum-case",
        path(),
        {"contents": user(), "tools": tool(LOWER_CASE_PARAMETERS)},
        {
            "contents": user(),
            "tools": tool({**LOWER_CASE_PARAMETERS, "parameters": {"type": "objekt"}}),
        },
        "Invalid value at 'tools[0].function_declarations[0].parameters.type' "
        '(type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "objekt"',
    ),
    Case(
        "enum-case",
        path("gemini-3-pro-preview"),
        {"contents": user(), "generationConfig": {"thinkingConfig": {"thinkingLevel": "low"}}},
        {"contents": user(), "generationConfig": {"thinkingConfig": {"thinkingLevel": "lowest"}}},
        "generation_config.thinking_config.thinking_level",
    ),
    Case(
        "enum-number",
        path(),
        {"contents": user(), "toolConfig": {"functionCallingConfig": {"mode": 2}}},
        {"contents": user(), "toolConfig": {"functionCallingConfig": {"mode": 99}}},
        "tool_config.function_calling_config.mode",
    ),
    Case(
        "lone-value",
        path(),
        {"contents": {"role": "user", "parts": {"text": "lone"}}},
        {"contents": user(), "generationConfig": [{"temperature": 1}]},
        'Unknown name "generationConfig": Proto field is not repeating, cannot start list.',
    ),
    Case(
        "null-is-unset",
        path(),
        {
            "contents": [{"role": "user", "parts": [{"text": "x", "inlineData": None}]}],
            "generationConfig": {"temperature": None, "topP": None},
            "tools": None,
            "systemInstruction": None,
        },
        {"contents": user(), "generationConfig": {"temprature": None}},
        "Unknown name \"temprature\" at 'generation_config': Cannot find field.",
    ),
    Case(
        "snake-case",
        path(),
        {"contents": user(), "generation_config": {"max_output_tokens": 10}},
        {"contents": user(), "GenerationConfig": {}},
        'Unknown name "GenerationConfig": Cannot find field.',
    ),
    Case(
        "FunctionDeclaration.description",
        path(),
        {"contents": user(), "tools": tool({"name": "lookup"})},
        {"contents": user(), "tools": tool({"description": "no name"})},
        "GenerateContentRequest.tools[0].function_declarations[0].name: name is not specified",
    ),
    Case(
        "AsyncBatchEmbedContentRequest.batch.model",
        path(EMBED, "asyncBatchEmbedContent"),
        {
            "batch": {
                "displayName": "d",
                "inputConfig": {
                    "requests": {"requests": [{"request": {"content": {"parts": [{"text": "a"}]}}}]}
                },
            }
        },
        {
            "batch": {
                "displayName": "d",
                "model": "models/text-embedding-004",
                "inputConfig": {"fileName": "files/x"},
            }
        },
        "batch.model: the model must be models/gemini-embedding-001",
    ),
    Case(
        "InlinedEmbedContentRequest.request.model",
        path(EMBED, "asyncBatchEmbedContent"),
        {
            "batch": {
                "displayName": "d",
                "model": f"models/{EMBED}",
                "inputConfig": {
                    "requests": {"requests": [{"request": {"content": {"parts": [{"text": "a"}]}}}]}
                },
            }
        },
        # The synchronous batch names each request's model: there the service wants it.
        {"requests": [{"content": {"parts": [{"text": "a"}]}}]},
        "BatchEmbedContentsRequest.requests[0].model: model is not specified",
        neighbour_path=path(EMBED, "batchEmbedContents"),
    ),
    Case(
        "BatchGenerateContentRequest.batch.model",
        path(FLASH, "batchGenerateContent"),
        {
            "batch": {
                "displayName": "d",
                "inputConfig": {"requests": {"requests": [{"request": {"contents": user()}}]}},
            }
        },
        {"batch": {"inputConfig": {"requests": {"requests": [{"request": {"contents": user()}}]}}}},
        "BatchGenerateContentRequest.batch.display_name: display_name is not specified",
    ),
    Case(
        "InlinedRequest.request.model",
        path(FLASH, "batchGenerateContent"),
        {
            "batch": {
                "displayName": "d",
                "model": f"models/{FLASH}",
                "inputConfig": {"requests": {"requests": [{"request": {"contents": user()}}]}},
            }
        },
        {
            "batch": {
                "displayName": "d",
                "inputConfig": {"requests": {"requests": [{"metadata": {}}]}},
            }
        },
        "batch.input_config.requests.requests[0].request: request is not specified",
    ),
    Case(
        "part-without-data",
        path(),
        {
            "contents": [
                *user("first"),
                {
                    "role": "model",
                    "parts": [{"text": "ok"}, {"thought": True, "thoughtSignature": "c2ln"}],
                },
                *user("again"),
            ]
        },
        {
            "contents": [
                *user("first"),
                {"role": "model", "parts": [{"thought": True}]},
                *user("again"),
            ]
        },
        "contents[1].parts[0].data: required oneof field 'data' must have one initialized field",
    ),
    Case(
        "part-without-data",
        path(),
        {
            "contents": [
                {
                    "role": "user",
                    "parts": [{"text": "clip"}, {"videoMetadata": {"startOffset": "2s"}}],
                }
            ]
        },
        {"contents": [{"role": "user", "parts": [{"text": "clip"}, {"partMetadata": {"k": 1}}]}]},
        "contents[0].parts[1].data: required oneof field 'data'",
    ),
]


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == {rule.name for rule in leniency.RULES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_taken_as_the_service_takes_it(client: httpx.Client, case: Case) -> None:
    ok(client.post(case.path, json=case.taken))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_its_neighbour_is_still_refused(client: httpx.Client, case: Case) -> None:
    neighbour = client.post(case.neighbour_path or case.path, json=case.still_refused)
    assert case.because in refused(neighbour)


def test_every_unrequired_field_is_required_by_the_rendering() -> None:
    for rule in leniency.UNREQUIRED:
        model = getattr(t, rule.message)
        assert rule.field in {f.wire for f in model._wire_fields if f.required}, rule
        if rule.within:
            holder, field = rule.within.split(".")
            kinds = {f.wire: f.kind for f in getattr(t, holder)._wire_fields}
            assert kinds[field].name == rule.message, rule  # type: ignore[union-attr]


def test_enum_values_reach_the_handlers_canonical(client: httpx.Client) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    config = {"responseMimeType": "application/json", "responseSchema": schema}
    answer = ok(client.post(path(), json={"contents": user("x"), "generationConfig": config}))
    text = answer["candidates"][0]["content"]["parts"][0]["text"]
    assert text.startswith("{") and '"city"' in text
    forced = {"functionCallingConfig": {"mode": "any"}}
    body = {
        "contents": user("nothing to call"),
        "tools": tool(LOWER_CASE_PARAMETERS),
        "toolConfig": forced,
    }
    parts = ok(client.post(path(), json=body))["candidates"][0]["content"]["parts"]
    assert [part["functionCall"]["name"] for part in parts] == ["lookup"]


def test_batches_without_models_run_on_the_urls_model(
    emulator: Emulator, client: httpx.Client
) -> None:
    emulator.batch_polls = 1
    inline = {"requests": {"requests": [{"request": {"contents": user("batched")}}]}}
    created = ok(
        client.post(
            path(FLASH, "batchGenerateContent"),
            json={"batch": {"displayName": "d", "inputConfig": inline}},
        )
    )
    assert created["metadata"]["model"] == f"models/{FLASH}"
    done = ok(client.get(f"/v1beta/{created['name']}"))
    [result] = done["response"]["output"]["inlinedResponses"]["inlinedResponses"]
    assert result["response"]["candidates"][0]["content"]["parts"][0]["text"] == "Echo: batched"


# -- fields the service knows that the rendering lacks (spec/overlay.yaml) ---------------------


def _function_round(parts: list[dict[str, Any]]) -> dict[str, Any]:
    call = {"role": "model", "parts": [{"functionCall": {"name": "get_file", "args": {}}}]}
    response = {"name": "get_file", "response": {}, "parts": parts}
    return {
        "contents": [
            *user("file?"),
            call,
            {"role": "user", "parts": [{"functionResponse": response}]},
        ]
    }


def test_function_response_parts_take_file_data(client: httpx.Client) -> None:
    file_data = {"fileUri": "https://example.com/cat.jpg", "mimeType": "image/jpeg"}
    ok(client.post(path(), json=_function_round([{"fileData": file_data}])))
    ok(
        client.post(
            path(),
            json=_function_round([{"file_data": {"file_uri": "u", "mime_type": "image/png"}}]),
        )
    )
    message = refused(client.post(path(), json=_function_round([{"fileData": {"uri": "u"}}])))
    assert (
        "Unknown name \"uri\" at 'contents[2].parts[0].function_response.parts[0].file_data'"
        in message
    )


def test_the_sdk_type_has_file_data() -> None:
    part = t.FunctionResponsePart.from_dict({"fileData": {"fileUri": "u", "mimeType": "image/png"}})
    assert part.file_data == t.FunctionResponseFileData(file_uri="u", mime_type="image/png")


# -- the model is checked before the body -------------------------------------------------------


def test_an_unknown_model_is_not_found_even_with_a_bad_body(client: httpx.Client) -> None:
    bad = {"contents": user(), "bogus": 1}
    message = refused(client.post(path("gemini-0-nope"), json=bad), 404)
    assert message.startswith("models/gemini-0-nope is not found for API version v1beta")
    assert "not supported for generateContent." in message
    assert "not supported for countTokens." in refused(
        client.post(path("gemini-0-nope", "countTokens"), json=bad), 404
    )
    assert 'Unknown name "bogus"' in refused(client.post(path(), json=bad))


# -- audio token counts -------------------------------------------------------------------------


def wav(
    samples: bytes,
    *,
    data_size: int | None = None,
    rate: int = 16_000,
    byte_rate: int | None = None,
) -> bytes:
    """A 16-bit mono WAV; `data_size` is what its header claims, as a streaming recorder writes it."""
    byte_rate = byte_rate or rate * 2
    fmt = struct.pack("<HHIIHH", 1, 1, rate, byte_rate, 2, 16)
    size = len(samples) if data_size is None else data_size
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(samples))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", size)
        + samples
    )


def _audio(raw: bytes, mime: str = "audio/wav") -> dict[str, Any]:
    import base64

    blob = {"mimeType": mime, "data": base64.b64encode(raw).decode()}
    return {"contents": [{"role": "user", "parts": [{"inlineData": blob}]}]}


def _audio_tokens(client: httpx.Client, body: dict[str, Any]) -> int:
    counted = ok(client.post(path(method="countTokens"), json=body))
    [audio] = [d for d in counted["promptTokensDetails"] if d["modality"] == "AUDIO"]
    tokens: int = audio["tokenCount"]
    return tokens


def test_a_streamed_wav_counts_the_seconds_it_holds(client: httpx.Client) -> None:
    one_second = bytes(32_000)
    for unknown in (0xFFFFFFFF, 0):
        body = _audio(wav(one_second, data_size=unknown))
        assert _audio_tokens(client, body) == 32
        ok(client.post(path(), json=body))
    # A header claiming less than the bytes still counts what it claims.
    assert _audio_tokens(client, _audio(wav(bytes(64_000), data_size=32_000))) == 32


def test_raw_pcm_counts_by_its_rate(client: httpx.Client) -> None:
    two_seconds = bytes(2 * 2 * 24_000)
    assert _audio_tokens(client, _audio(two_seconds, "audio/pcm;rate=24000")) == 64
    assert _audio_tokens(client, _audio(two_seconds, "audio/L16;codec=pcm;rate=24000")) == 64


def test_audio_beyond_the_input_limit_is_still_refused(client: httpx.Client) -> None:
    # 40,000 bytes at one byte a second: 40,000 s, 1,280,000 tokens.
    long_audio = _audio(wav(bytes(40_000), byte_rate=1))
    message = refused(client.post(path(), json=long_audio))
    assert message.startswith("The input token count (1280000) exceeds the maximum")


# -- Imagen parameters --------------------------------------------------------------------------

PREDICT = "/v1beta/models/imagen-4.0-generate-001:predict"


def test_imagen_takes_the_parameters_clients_send(client: httpx.Client) -> None:
    parameters = {
        "sampleCount": 1,
        "includeRaiReason": True,
        "includeSafetyAttributes": False,
        "guidanceScale": 7.5,
        "outputOptions": {"mimeType": "image/jpeg", "compressionQuality": 80},
        "safetySetting": "BLOCK_LOW_AND_ABOVE",
        "language": "en",
        "personGeneration": "ALLOW_ADULT",
        "sampleImageSize": "2K",
    }
    answer = ok(
        client.post(PREDICT, json={"instances": [{"prompt": "a cat"}], "parameters": parameters})
    )
    assert len(answer["predictions"]) == 1


def test_imagen_parameters_of_the_wrong_type_are_refused(client: httpx.Client) -> None:
    parameters = {
        "includeRaiReason": "yes",
        "guidanceScale": "high",
        "outputOptions": {"mimeType": "image/gif"},
        "safetySetting": "block_everything",
        "sampleImageSize": "8K",
        "seed": 3,
    }
    message = refused(
        client.post(PREDICT, json={"instances": [{"prompt": "a cat"}], "parameters": parameters})
    )
    for named in (
        "parameters.includeRaiReason: includeRaiReason must be true or false; got 'yes'",
        "parameters.guidanceScale: guidanceScale must be a number",
        "parameters.outputOptions: outputOptions must be an object with mimeType",
        "parameters.safetySetting: safetySetting must be one of",
        "parameters.sampleImageSize: sampleImageSize must be one of 1K, 2K",
        "parameters: unknown parameter 'seed'",
    ):
        assert named in message, named
