"""The seed surface (docs: Client, Models, Embeddings, Chat, config and response types, errors),
call by call: the exact HTTP request each call makes and the typed answer it returns.

Every client here runs on an `httpx.MockTransport`; nothing touches the network or sleeps.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
import yaml
from fakes import Server, fake_client

import gemini_sdk as genai
from gemini_sdk import errors, types

KEY = "AIzaSy-test-key-0123456789"
HOST = "generativelanguage.googleapis.com"
MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"
SDK_YAML = Path(__file__).resolve().parents[1] / "spec" / "sdk.yaml"


# -- answers for the fake server -------------------------------------------------------------


def sse(*payloads: dict[str, Any], newline: bytes = b"\n") -> httpx.Response:
    body = b"".join(b"data: " + json.dumps(p).encode() + newline + newline for p in payloads)
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def error_response(code: int, status: str, message: str = "boom") -> httpx.Response:
    return httpx.Response(
        code, json={"error": {"code": code, "message": message, "status": status}}
    )


def make_client(server: Server, **kwargs: Any) -> genai.Client:
    return fake_client(server, KEY, **kwargs)


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(server: Server) -> genai.Client:
    return make_client(server)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def assert_request(
    request: httpx.Request,
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> None:
    assert request.method == method
    assert request.url.scheme == "https"
    assert request.url.host == HOST
    assert request.url.path == path
    assert dict(request.url.params) == (query or {})
    assert request.headers["x-goog-api-key"] == KEY
    assert KEY not in str(request.url)
    if body is None:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"
        assert body_of(request) == body


def user(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "parts": list(parts)}


def text_answer(*texts: str, **candidate: Any) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": t} for t in texts]}, **candidate}
        ]
    }


ANSWER = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Quantum"}, {"text": " bits."}]},
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": [
                {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"}
            ],
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 4,
        "candidatesTokenCount": 2,
        "totalTokenCount": 9,
        "thoughtsTokenCount": 3,
        "cachedContentTokenCount": 1,
    },
    "modelVersion": "gemini-2.5-flash-001",
    "responseId": "resp-1",
}


def check_answer(response: Any) -> None:
    assert isinstance(response, types.GenerateContentResponse)
    assert response.text == "Quantum bits."
    candidate = response.candidates[0]
    assert isinstance(candidate, types.Candidate)
    assert candidate.finish_reason == types.FinishReason.STOP
    assert candidate.finish_reason.is_known
    assert candidate.index == 0
    assert isinstance(candidate.content, types.Content)
    assert candidate.content.role == "model"
    assert [p.text for p in candidate.content.parts] == ["Quantum", " bits."]
    rating = candidate.safety_ratings[0]
    assert rating.category == types.HarmCategory.HARM_CATEGORY_HATE_SPEECH
    assert rating.probability == "NEGLIGIBLE"
    usage = response.usage_metadata
    assert isinstance(usage, types.UsageMetadata)
    assert (usage.prompt_token_count, usage.candidates_token_count) == (4, 2)
    assert (usage.total_token_count, usage.thoughts_token_count) == (9, 3)
    assert usage.cached_content_token_count == 1
    assert response.model_version == "gemini-2.5-flash-001"
    assert response.response_id == "resp-1"
    assert response.to_dict() == ANSWER


# -- client initialization -------------------------------------------------------------------


def test_explicit_api_key_is_sent_as_header_only(server: Server) -> None:
    server.reply(ANSWER)
    client = genai.Client(
        api_key="explicit-key", http_client=httpx.Client(transport=httpx.MockTransport(server))
    )

    client.models.generate_content(model=MODEL, contents="hi")

    assert server.last.headers["x-goog-api-key"] == "explicit-key"
    assert "explicit-key" not in str(server.last.url)
    assert "explicit-key" not in repr(client)


def test_key_from_gemini_api_key_env(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", "env-key")
    server.reply(ANSWER)
    client = genai.Client(http_client=httpx.Client(transport=httpx.MockTransport(server)))

    client.models.generate_content(model=MODEL, contents="hi")

    assert server.last.headers["x-goog-api-key"] == "env-key"


def test_context_manager_closes_internal_client() -> None:
    with genai.Client(api_key=KEY) as client:
        http = client._transport.http
        assert not http.is_closed
    assert http.is_closed


# -- generate_content: contents --------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\xff"
PNG_B64 = base64.b64encode(PNG).decode()


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        pytest.param("Explain quantum computing", [user({"text": "Explain quantum computing"})]),
        pytest.param(
            ["first", "second", "third"],
            [user({"text": "first"}, {"text": "second"}, {"text": "third"})],
            id="list-of-str",
        ),
        pytest.param(
            [
                "Describe",
                types.Part.from_bytes(data=PNG, mime_type="image/png"),
                types.Part.from_text(text="briefly"),
                types.Part.from_uri(file_uri="https://x.test/files/v", mime_type="video/mp4"),
            ],
            [
                user(
                    {"text": "Describe"},
                    {"inlineData": {"data": PNG_B64, "mimeType": "image/png"}},
                    {"text": "briefly"},
                    {"fileData": {"fileUri": "https://x.test/files/v", "mimeType": "video/mp4"}},
                )
            ],
            id="str-and-parts",
        ),
        pytest.param(
            types.Content(role="user", parts=[types.Part(text="one content")]),
            [user({"text": "one content"})],
            id="content",
        ),
        pytest.param(
            [
                types.Content(role="user", parts=[types.Part(text="q1")]),
                types.Content(role="model", parts=[types.Part(text="a1")]),
                types.Content(role="user", parts=[types.Part(text="q2")]),
            ],
            [
                user({"text": "q1"}),
                {"role": "model", "parts": [{"text": "a1"}]},
                user({"text": "q2"}),
            ],
            id="list-of-contents",
        ),
        pytest.param(
            {
                "role": "user",
                "parts": [
                    {"text": "a"},
                    {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                ],
            },
            [user({"text": "a"}, {"inlineData": {"data": PNG_B64, "mimeType": "image/png"}})],
            id="content-dict-camel",
        ),
        pytest.param(
            {
                "role": "user",
                "parts": [
                    {"text": "a"},
                    {"file_data": {"file_uri": "gs://b/o", "mime_type": "application/pdf"}},
                ],
            },
            [
                user(
                    {"text": "a"},
                    {"fileData": {"fileUri": "gs://b/o", "mimeType": "application/pdf"}},
                )
            ],
            id="content-dict-snake",
        ),
        pytest.param(
            [{"text": "part dict"}, {"inline_data": {"mime_type": "image/png", "data": PNG_B64}}],
            [
                user(
                    {"text": "part dict"},
                    {"inlineData": {"data": PNG_B64, "mimeType": "image/png"}},
                )
            ],
            id="part-dicts",
        ),
        pytest.param(
            types.Part.from_bytes(data=PNG, mime_type="image/png"),
            [user({"inlineData": {"data": PNG_B64, "mimeType": "image/png"}})],
            id="part-from-bytes",
        ),
        pytest.param(
            types.Part.from_uri(file_uri="https://x.test/files/abc", mime_type="image/jpeg"),
            [user({"fileData": {"fileUri": "https://x.test/files/abc", "mimeType": "image/jpeg"}})],
            id="part-from-uri",
        ),
    ],
)
def test_generate_content_contents(
    client: genai.Client, server: Server, contents: Any, expected: list[dict[str, Any]]
) -> None:
    server.reply(ANSWER)

    response = client.models.generate_content(model=MODEL, contents=contents)

    assert len(server.requests) == 1
    assert_request(server.last, "POST", GENERATE, body={"contents": expected})
    check_answer(response)


def test_model_name_with_prefix_gives_the_same_path(client: genai.Client, server: Server) -> None:
    server.reply(ANSWER)

    client.models.generate_content(model=f"models/{MODEL}", contents="x")

    assert_request(server.last, "POST", GENERATE, body={"contents": [user({"text": "x"})]})


# -- generate_content: config ----------------------------------------------------------------

TOOL_DECL = {
    "name": "get_weather",
    "description": "Weather.",
    "parametersJsonSchema": {"type": "object"},
}

EXPECTED_CONFIG_BODY: dict[str, Any] = {
    "systemInstruction": user({"text": "You are a helpful assistant."}),
    "generationConfig": {
        "temperature": 0.7,
        "topP": 0.95,
        "topK": 40,
        "candidateCount": 1,
        "maxOutputTokens": 1000,
        "stopSequences": ["END"],
        "responseLogprobs": True,
        "logprobs": 3,
        "presencePenalty": 0.5,
        "frequencyPenalty": 0.25,
        "seed": 42,
        "responseMimeType": "application/json",
        "responseSchema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
        "responseJsonSchema": {"type": "object", "properties": {"a": {"type": "string"}}},
        "responseModalities": ["TEXT"],
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024},
        "imageConfig": {"aspectRatio": "16:9"},
        "enableEnhancedCivicAnswers": True,
    },
    "safetySettings": [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}
    ],
    "tools": [
        {"googleSearch": {}},
        {"codeExecution": {}},
        {"functionDeclarations": [TOOL_DECL]},
    ],
    "toolConfig": {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    },
    "cachedContent": "cachedContents/abc123",
    "serviceTier": "flex",
    "store": False,
}


def typed_config() -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        system_instruction="You are a helpful assistant.",
        temperature=0.7,
        top_p=0.95,
        top_k=40,
        candidate_count=1,
        max_output_tokens=1000,
        stop_sequences=["END"],
        response_logprobs=True,
        logprobs=3,
        presence_penalty=0.5,
        frequency_penalty=0.25,
        seed=42,
        response_mime_type="application/json",
        response_schema=types.Schema(
            type=types.Type.OBJECT, properties={"a": types.Schema(type=types.Type.STRING)}
        ),
        response_json_schema={"type": "object", "properties": {"a": {"type": "string"}}},
        response_modalities=[types.Modality.TEXT],
        media_resolution=types.MediaResolution.MEDIA_RESOLUTION_LOW,
        speech_config=types.SpeechConfig(
            voice_config=types.VoiceConfig(
                prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Kore")
            )
        ),
        thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_budget=1024),
        image_config=types.ImageConfig(aspect_ratio="16:9"),
        enable_enhanced_civic_answers=True,
        safety_settings=[
            types.SafetySetting(
                category=types.HarmCategory.HARM_CATEGORY_HATE_SPEECH,
                threshold=types.HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE,
            )
        ],
        tools=[
            types.Tool(google_search=types.GoogleSearch()),
            types.Tool(code_execution=types.ToolCodeExecution),
            types.Tool(
                function_declarations=[
                    types.FunctionDeclaration(
                        name="get_weather",
                        description="Weather.",
                        parameters_json_schema={"type": "object"},
                    )
                ]
            ),
        ],
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode=types.FunctionCallingConfigMode.ANY, allowed_function_names=["get_weather"]
            )
        ),
        cached_content="abc123",
        service_tier=types.ServiceTier.FLEX,
        store=False,
        http_options=types.HttpOptions(headers={"x-custom": "yes"}, timeout=5000),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )


SNAKE_CONFIG: dict[str, Any] = {
    "system_instruction": "You are a helpful assistant.",
    "temperature": 0.7,
    "top_p": 0.95,
    "top_k": 40,
    "candidate_count": 1,
    "max_output_tokens": 1000,
    "stop_sequences": ["END"],
    "response_logprobs": True,
    "logprobs": 3,
    "presence_penalty": 0.5,
    "frequency_penalty": 0.25,
    "seed": 42,
    "response_mime_type": "application/json",
    "response_schema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
    "response_json_schema": {"type": "object", "properties": {"a": {"type": "string"}}},
    "response_modalities": ["TEXT"],
    "media_resolution": "MEDIA_RESOLUTION_LOW",
    "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
    "thinking_config": {"include_thoughts": True, "thinking_budget": 1024},
    "image_config": {"aspect_ratio": "16:9"},
    "enable_enhanced_civic_answers": True,
    "safety_settings": [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}
    ],
    "tools": [
        {"google_search": {}},
        {"code_execution": {}},
        {
            "function_declarations": [
                {
                    "name": "get_weather",
                    "description": "Weather.",
                    "parameters_json_schema": {"type": "object"},
                }
            ]
        },
    ],
    "tool_config": {
        "function_calling_config": {"mode": "ANY", "allowed_function_names": ["get_weather"]}
    },
    "cached_content": "abc123",
    "service_tier": "flex",
    "store": False,
    "http_options": {"headers": {"x-custom": "yes"}, "timeout": 5000},
}

CAMEL_CONFIG: dict[str, Any] = {
    "systemInstruction": "You are a helpful assistant.",
    **EXPECTED_CONFIG_BODY["generationConfig"],
    "safetySettings": EXPECTED_CONFIG_BODY["safetySettings"],
    "tools": EXPECTED_CONFIG_BODY["tools"],
    "toolConfig": EXPECTED_CONFIG_BODY["toolConfig"],
    "cachedContent": "abc123",
    "serviceTier": "flex",
    "store": False,
    "httpOptions": {"headers": {"x-custom": "yes"}, "timeout": 5000},
}


@pytest.mark.parametrize("kind", ["typed", "snake-dict", "camel-dict"])
def test_every_config_field_lands_in_the_body(
    client: genai.Client, server: Server, kind: str
) -> None:
    config = {"typed": typed_config(), "snake-dict": SNAKE_CONFIG, "camel-dict": CAMEL_CONFIG}[kind]
    server.reply(ANSWER)

    response = client.models.generate_content(model=MODEL, contents="Hi", config=config)

    expected = {"contents": [user({"text": "Hi"})], **EXPECTED_CONFIG_BODY}
    assert_request(server.last, "POST", GENERATE, body=expected)
    # http_options of the call: its headers are sent, its timeout (ms) reaches httpx
    assert server.last.headers["x-custom"] == "yes"
    assert server.last.extensions["timeout"] == httpx.Timeout(5.0).as_dict()
    check_answer(response)


def _get_path(body: dict[str, Any], dotted: str) -> Any:
    value: Any = body
    for key in dotted.split("."):
        assert isinstance(value, dict) and key in value, f"{dotted} missing in {body}"
        value = value[key]
    return value


def _leaf_paths(body: dict[str, Any], top: str) -> set[str]:
    if top == "generationConfig":
        return {f"generationConfig.{k}" for k in body["generationConfig"]}
    return {top}


def test_config_fields_match_sdk_yaml(client: genai.Client, server: Server) -> None:
    """Every GenerateContentConfig property of spec/sdk.yaml is set by `typed_config()` and
    lands exactly at its `to:` path; nothing else appears in the body."""
    spec = yaml.safe_load(SDK_YAML.read_text())["types"]["GenerateContentConfig"]["properties"]
    fields = {f.wire: f for f in types.GenerateContentConfig._wire_fields}
    config = typed_config()
    server.reply(ANSWER)

    client.models.generate_content(model=MODEL, contents="Hi", config=config)
    body = body_of(server.last)

    assert set(spec) == set(fields)
    # the placement lives in the table only
    assert not any(a.metadata for a in attrs.fields(types.GenerateContentConfig))
    expected_paths = set()
    for wire, prop in spec.items():
        assert fields[wire].to == prop["to"]
        assert getattr(config, fields[wire].attr) is not None, f"typed_config() misses {wire}"
        if prop["to"].startswith("body."):
            path = prop["to"].removeprefix("body.")
            expected_paths.add(path)
            assert _get_path(body, path) is not None
    sent = set()
    for top in body:
        if top != "contents":
            sent |= _leaf_paths(body, top)
    assert sent == expected_paths


def test_cached_content_with_prefix_is_kept(client: genai.Client, server: Server) -> None:
    server.reply(ANSWER)

    client.models.generate_content(
        model=MODEL, contents="x", config={"cached_content": "cachedContents/xyz789"}
    )

    assert body_of(server.last)["cachedContent"] == "cachedContents/xyz789"


def test_seed_advanced_example(client: genai.Client, server: Server) -> None:
    server.reply(ANSWER)

    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Your prompt here",
        config=types.GenerateContentConfig(
            system_instruction="You are a helpful assistant.",
            temperature=0.7,
            max_output_tokens=1000,
            top_p=0.95,
            top_k=40,
            safety_settings=[
                types.SafetySetting(
                    category=types.HarmCategory.HARM_CATEGORY_HATE_SPEECH,
                    threshold=types.HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE,
                )
            ],
        ),
    )

    assert_request(
        server.last,
        "POST",
        GENERATE,
        body={
            "contents": [user({"text": "Your prompt here"})],
            "systemInstruction": user({"text": "You are a helpful assistant."}),
            "generationConfig": {
                "temperature": 0.7,
                "maxOutputTokens": 1000,
                "topP": 0.95,
                "topK": 40,
            },
            "safetySettings": [
                {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}
            ],
        },
    )


def test_seed_tool_kinds(client: genai.Client, server: Server) -> None:
    server.reply(ANSWER)
    tools = [
        types.Tool(code_execution=types.ToolCodeExecution),
        types.Tool(google_search=types.GoogleSearch()),
        types.Tool(file_search=types.FileSearch(file_search_store_names=["fileSearchStores/s"])),
        types.Tool(url_context={}),
        types.Tool(
            computer_use=types.ComputerUse(environment=types.Environment.ENVIRONMENT_BROWSER)
        ),
    ]

    client.models.generate_content(model=MODEL, contents="x", config={"tools": tools})

    assert body_of(server.last)["tools"] == [
        {"codeExecution": {}},
        {"googleSearch": {}},
        {"fileSearch": {"fileSearchStoreNames": ["fileSearchStores/s"]}},
        {"urlContext": {}},
        {"computerUse": {"environment": "ENVIRONMENT_BROWSER"}},
    ]


# -- generate_content_stream -----------------------------------------------------------------


def test_generate_content_stream(client: genai.Client, server: Server) -> None:
    server.reply(sse(text_answer("Once"), text_answer(" upon"), text_answer(" a time.")))

    chunks = list(
        client.models.generate_content_stream(
            model=MODEL, contents="Write a long story", config={"temperature": 1.0}
        )
    )

    assert_request(
        server.last,
        "POST",
        STREAM,
        query={"alt": "sse"},
        body={
            "contents": [user({"text": "Write a long story"})],
            "generationConfig": {"temperature": 1.0},
        },
    )
    assert all(isinstance(c, types.GenerateContentResponse) for c in chunks)
    assert [c.text for c in chunks] == ["Once", " upon", " a time."]


# -- count_tokens ----------------------------------------------------------------------------


def test_count_tokens(client: genai.Client, server: Server) -> None:
    server.reply({"totalTokens": 7, "cachedContentTokenCount": 2})

    count = client.models.count_tokens(model=MODEL, contents="How many tokens is this?")

    assert_request(
        server.last,
        "POST",
        f"/v1beta/models/{MODEL}:countTokens",
        body={"contents": [user({"text": "How many tokens is this?"})]},
    )
    assert isinstance(count.response, types.CountTokensResponse)
    assert int(count) == 7
    assert f"Total tokens: {count}" == "Total tokens: 7"
    assert count.total_tokens == 7
    assert count.cached_content_token_count == 2


def test_count_tokens_with_config_nests_a_generate_content_request(
    client: genai.Client, server: Server
) -> None:
    server.reply({"totalTokens": 11})

    count = client.models.count_tokens(
        model=f"models/{MODEL}",
        contents="Count me",
        config=types.CountTokensConfig(
            system_instruction="Be brief.", tools=[types.Tool(google_search=types.GoogleSearch())]
        ),
    )

    assert_request(
        server.last,
        "POST",
        f"/v1beta/models/{MODEL}:countTokens",
        body={
            "generateContentRequest": {
                "model": f"models/{MODEL}",
                "contents": [user({"text": "Count me"})],
                "systemInstruction": user({"text": "Be brief."}),
                "tools": [{"googleSearch": {}}],
            }
        },
    )
    assert int(count) == 11


# -- models.get / models.list ----------------------------------------------------------------

MODEL_JSON = {
    "name": f"models/{MODEL}",
    "baseModelId": MODEL,
    "version": "001",
    "displayName": "Gemini 2.5 Flash",
    "description": "Fast.",
    "inputTokenLimit": 1048576,
    "outputTokenLimit": 65536,
    "supportedGenerationMethods": ["generateContent", "countTokens"],
    "temperature": 1.0,
    "topP": 0.95,
    "topK": 64,
}


@pytest.mark.parametrize("arg", ["name", "model"])
@pytest.mark.parametrize("value", [MODEL, f"models/{MODEL}"])
def test_models_get(client: genai.Client, server: Server, arg: str, value: str) -> None:
    server.reply(MODEL_JSON)

    model = client.models.get(**{arg: value})

    assert_request(server.last, "GET", f"/v1beta/models/{MODEL}")
    assert isinstance(model, types.Model)
    assert model.name == f"models/{MODEL}"
    assert model.display_name == "Gemini 2.5 Flash"
    assert model.description == "Fast."
    assert (model.input_token_limit, model.output_token_limit) == (1048576, 65536)
    assert model.supported_generation_methods == ["generateContent", "countTokens"]
    assert (model.temperature, model.top_p, model.top_k) == (1.0, 0.95, 64)


def test_models_get_name_and_model_together_is_rejected(
    client: genai.Client, server: Server
) -> None:
    with pytest.raises(TypeError):
        client.models.get(name="a", model="b")
    assert server.requests == []


def _pages(request: httpx.Request) -> dict[str, Any]:
    token = request.url.params.get("pageToken")
    pages = {
        None: ({"models": [{"name": "models/a"}, {"name": "models/b"}], "nextPageToken": "t2"}),
        "t2": ({"models": [{"name": "models/c"}, {"name": "models/d"}], "nextPageToken": "t3"}),
        "t3": {"models": [{"name": "models/e", "displayName": "E"}]},
    }
    return pages[token]


def test_models_list_pages_lazily(client: genai.Client, server: Server) -> None:
    server.route = _pages

    pager = client.models.list(config={"page_size": 2})

    assert len(server.requests) == 1
    assert_request(server.requests[0], "GET", "/v1beta/models", query={"pageSize": "2"})
    assert [m.name for m in pager.page] == ["models/a", "models/b"]
    it = iter(pager)
    assert [next(it).name, next(it).name] == ["models/a", "models/b"]
    assert len(server.requests) == 1  # the second page is not fetched yet
    assert next(it).name == "models/c"
    assert len(server.requests) == 2
    assert_request(
        server.requests[1], "GET", "/v1beta/models", query={"pageSize": "2", "pageToken": "t2"}
    )
    rest = list(it)
    assert [m.name for m in rest] == ["models/d", "models/e"]
    assert isinstance(rest[-1], types.Model) and rest[-1].display_name == "E"
    assert len(server.requests) == 3
    assert dict(server.requests[2].url.params) == {"pageSize": "2", "pageToken": "t3"}


def test_models_list_next_page(client: genai.Client, server: Server) -> None:
    server.route = _pages

    pager = client.models.list()

    assert [m.name for m in pager.next_page()] == ["models/c", "models/d"]
    assert [m.name for m in pager.page] == ["models/c", "models/d"]
    assert [m.name for m in pager.next_page()] == ["models/e"]
    with pytest.raises(IndexError):
        pager.next_page()
    assert [dict(r.url.params) for r in server.requests] == [
        {},
        {"pageToken": "t2"},
        {"pageToken": "t3"},
    ]


def test_models_list_seed_loop(client: genai.Client, server: Server) -> None:
    server.route = _pages

    names = [model.name for model in client.models.list()]

    assert names == ["models/a", "models/b", "models/c", "models/d", "models/e"]


# -- embeddings ------------------------------------------------------------------------------

EMBED_MODEL = "gemini-embedding-001"


def test_embed_one_text(client: genai.Client, server: Server) -> None:
    server.reply({"embedding": {"values": [0.1, -0.2, 0.3]}})

    result = client.models.embed_content(
        model=EMBED_MODEL,
        contents="What is the meaning of life?",
        config=types.EmbedContentConfig(task_type="RETRIEVAL_QUERY", output_dimensionality=3),
    )

    assert_request(
        server.last,
        "POST",
        f"/v1beta/models/{EMBED_MODEL}:embedContent",
        body={
            "content": user({"text": "What is the meaning of life?"}),
            "taskType": "RETRIEVAL_QUERY",
            "outputDimensionality": 3,
        },
    )
    assert isinstance(result, types.EmbedContentResponse)
    assert isinstance(result.embeddings[0], types.ContentEmbedding)
    assert [e.values for e in result.embeddings] == [[0.1, -0.2, 0.3]]


def test_embed_three_texts_is_one_batch_request(client: genai.Client, server: Server) -> None:
    server.reply({"embeddings": [{"values": [1.0]}, {"values": [2.0]}, {"values": [3.0]}]})
    texts = ["First text to embed", "Second text to embed", "Third text to embed"]

    result = client.models.embed_content(
        model=EMBED_MODEL,
        contents=texts,
        config=types.EmbedContentConfig(task_type="RETRIEVAL_DOCUMENT", output_dimensionality=768),
    )

    assert len(server.requests) == 1
    assert_request(
        server.last,
        "POST",
        f"/v1beta/models/{EMBED_MODEL}:batchEmbedContents",
        body={
            "requests": [
                {
                    "model": f"models/{EMBED_MODEL}",
                    "content": user({"text": text}),
                    "taskType": "RETRIEVAL_DOCUMENT",
                    "outputDimensionality": 768,
                }
                for text in texts
            ]
        },
    )
    assert [e.values for e in result.embeddings] == [[1.0], [2.0], [3.0]]
    assert all(isinstance(e, types.ContentEmbedding) for e in result.embeddings)


def test_embed_list_of_one_text_uses_embed_content(client: genai.Client, server: Server) -> None:
    server.reply({"embedding": {"values": [0.5]}})

    result = client.models.embed_content(model=EMBED_MODEL, contents=["Text to embed"])

    assert_request(
        server.last,
        "POST",
        f"/v1beta/models/{EMBED_MODEL}:embedContent",
        body={"content": user({"text": "Text to embed"})},
    )
    assert result.embeddings[0].values == [0.5]


# -- chats -----------------------------------------------------------------------------------

SIGNATURE = base64.b64encode(b"\xfb\xff\xfe opaque signature").decode()
MODEL_TURN = {
    "role": "model",
    "parts": [
        {"text": "thinking...", "thought": True, "thoughtSignature": SIGNATURE},
        {"text": "Python is a language.", "futureField": 1},
    ],
    "futureField": 1,
}


def test_chat_two_turns_sends_history_unchanged(client: genai.Client, server: Server) -> None:
    server.reply(
        {"candidates": [{"content": MODEL_TURN, "finishReason": "STOP"}]},
        text_answer("Readable, batteries included."),
    )
    chat = client.chats.create(
        model=MODEL,
        config=types.GenerateContentConfig(
            system_instruction="You are a helpful coding assistant.", temperature=0.7
        ),
    )

    first = chat.send_message("What is Python?")
    second = chat.send_message("What are its key features?")

    assert first.text == "Python is a language."
    assert second.text == "Readable, batteries included."
    config_body = {
        "systemInstruction": user({"text": "You are a helpful coding assistant."}),
        "generationConfig": {"temperature": 0.7},
    }
    assert_request(
        server.requests[0],
        "POST",
        GENERATE,
        body={"contents": [user({"text": "What is Python?"})], **config_body},
    )
    assert_request(
        server.requests[1],
        "POST",
        GENERATE,
        body={
            "contents": [
                user({"text": "What is Python?"}),
                MODEL_TURN,
                user({"text": "What are its key features?"}),
            ],
            **config_body,
        },
    )
    history = chat.history
    assert [m.role for m in history] == ["user", "model", "user", "model"]
    assert all(isinstance(m, types.Content) for m in history)
    assert history[1].parts[0].thought_signature == b"\xfb\xff\xfe opaque signature"
    assert history[1].to_dict() == MODEL_TURN
    assert history[3].parts[0].text == "Readable, batteries included."


def test_chat_curated_history_drops_an_empty_model_turn(
    client: genai.Client, server: Server
) -> None:
    server.reply(
        text_answer("A1"),
        {"candidates": [{"content": {"role": "model", "parts": []}, "finishReason": "SAFETY"}]},
        text_answer("A3"),
    )
    chat = client.chats.create(model=MODEL)

    chat.send_message("Q1")
    chat.send_message("Q2")

    assert [m.role for m in chat.get_history()] == ["user", "model", "user", "model"]
    curated = chat.get_history(curated=True)
    assert [(m.role, m.parts[0].text) for m in curated] == [("user", "Q1"), ("model", "A1")]

    # The next request carries only the valid exchanges (as Google's SDK does): the service
    # rejects a model turn without parts.
    chat.send_message("Q3")
    assert body_of(server.last)["contents"] == [
        user({"text": "Q1"}),
        {"role": "model", "parts": [{"text": "A1"}]},
        user({"text": "Q3"}),
    ]


def test_chat_blocked_prompt_is_not_sent_again(client: genai.Client, server: Server) -> None:
    server.reply(
        {"promptFeedback": {"blockReason": "SAFETY"}}, text_answer("A2"), text_answer("A3")
    )
    chat = client.chats.create(model=MODEL)

    blocked = chat.send_message("Q1")
    chat.send_message("Q2")
    chat.send_message("Q3")

    assert blocked.text is None
    assert body_of(server.requests[1])["contents"] == [user({"text": "Q2"})]
    assert body_of(server.requests[2])["contents"] == [
        user({"text": "Q2"}),
        {"role": "model", "parts": [{"text": "A2"}]},
        user({"text": "Q3"}),
    ]
    assert [m.parts[0].text for m in chat.get_history()] == ["Q1", "Q2", "A2", "Q3", "A3"]
    assert [m.parts[0].text for m in chat.get_history(curated=True)] == ["Q2", "A2", "Q3", "A3"]


def test_chat_initial_history_ending_with_a_user_turn_is_sent(
    client: genai.Client, server: Server
) -> None:
    server.reply(text_answer("ok"))
    chat = client.chats.create(model=MODEL, history=[{"role": "user", "parts": [{"text": "ctx"}]}])

    chat.send_message("q")

    assert body_of(server.last)["contents"] == [user({"text": "ctx"}), user({"text": "q"})]


def test_chat_send_message_with_parts_and_initial_history(
    client: genai.Client, server: Server
) -> None:
    server.reply(text_answer("It is a cat."))
    chat = client.chats.create(
        model=MODEL,
        history=[
            types.Content(role="user", parts=[types.Part(text="Hi")]),
            types.Content(role="model", parts=[types.Part(text="Hello")]),
        ],
    )

    chat.send_message(["What is this?", types.Part.from_bytes(data=PNG, mime_type="image/png")])

    assert body_of(server.last) == {
        "contents": [
            user({"text": "Hi"}),
            {"role": "model", "parts": [{"text": "Hello"}]},
            user(
                {"text": "What is this?"},
                {"inlineData": {"data": PNG_B64, "mimeType": "image/png"}},
            ),
        ]
    }
    assert len(chat.history) == 4


def test_chat_stream_is_a_stream_and_closing_it_early_keeps_no_history(
    client: genai.Client, server: Server
) -> None:
    server.reply(sse(text_answer("Hel"), text_answer("lo!")), sse(text_answer("Hi")))
    chat = client.chats.create(model=MODEL)

    with chat.send_message_stream("Greet me") as stream:
        assert stream.response.status_code == 200
        assert next(stream).text == "Hel"
    with chat.send_message_stream("Greet me again") as stream:
        assert [chunk.text for chunk in stream] == ["Hi"]

    # the first exchange was not read to its end, so only the second is history
    assert [m.to_dict() for m in chat.history] == [
        user({"text": "Greet me again"}),
        {"role": "model", "parts": [{"text": "Hi"}]},
    ]


def test_chat_send_message_stream_appends_the_streamed_turn(
    client: genai.Client, server: Server
) -> None:
    server.reply(sse(text_answer("Hel"), text_answer("lo!")), text_answer("ok"))
    chat = client.chats.create(model=MODEL)

    texts = [chunk.text for chunk in chat.send_message_stream("Greet me")]
    chat.send_message("Again")

    assert texts == ["Hel", "lo!"]
    assert_request(
        server.requests[0],
        "POST",
        STREAM,
        query={"alt": "sse"},
        body={"contents": [user({"text": "Greet me"})]},
    )
    model_turn = {"role": "model", "parts": [{"text": "Hel"}, {"text": "lo!"}]}
    assert [m.to_dict() for m in chat.history[:2]] == [user({"text": "Greet me"}), model_turn]
    assert body_of(server.requests[1])["contents"] == [
        user({"text": "Greet me"}),
        model_turn,
        user({"text": "Again"}),
    ]


# -- response helpers and forward compatibility ---------------------------------------------


def test_text_skips_thoughts(client: genai.Client, server: Server) -> None:
    server.reply(
        {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {"text": "Let me think.", "thought": True},
                            {"text": "Hello"},
                            {"text": ", world"},
                        ],
                    }
                }
            ]
        }
    )

    response = client.models.generate_content(model=MODEL, contents="x")

    assert response.text == "Hello, world"


def test_text_none_and_function_calls(client: genai.Client, server: Server) -> None:
    server.reply(
        {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                            {"functionCall": {"id": "c2", "name": "get_time", "args": {}}},
                        ],
                    }
                }
            ]
        }
    )

    response = client.models.generate_content(model=MODEL, contents="x")

    assert response.text is None
    calls = response.function_calls
    assert all(isinstance(c, types.FunctionCall) for c in calls)
    assert [(c.name, c.args, c.id) for c in calls] == [
        ("get_weather", {"city": "Paris"}, None),
        ("get_time", {}, "c2"),
    ]
    assert response.parsed is None


def test_text_of_an_answer_without_candidates(client: genai.Client, server: Server) -> None:
    server.reply({"promptFeedback": {"blockReason": "SAFETY"}})

    response = client.models.generate_content(model=MODEL, contents="x")

    assert response.text is None
    assert response.function_calls is None
    assert response.prompt_feedback.block_reason == "SAFETY"


@pytest.mark.parametrize(
    "config",
    [
        {"response_mime_type": "application/json"},
        types.GenerateContentConfig(
            response_json_schema={"type": "object", "properties": {"n": {"type": "integer"}}}
        ),
        {"response_schema": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}}},
    ],
    ids=["mime-type", "json-schema", "schema"],
)
def test_parsed_json(client: genai.Client, server: Server, config: Any) -> None:
    server.reply(text_answer('{"n": 3, "names": ["a", "b"]}'))

    response = client.models.generate_content(model=MODEL, contents="x", config=config)

    assert response.parsed == {"n": 3, "names": ["a", "b"]}


def test_parsed_json_on_each_chunk_of_a_stream(client: genai.Client, server: Server) -> None:
    server.reply(sse(text_answer('{"n": 1}'), text_answer('{"n": 2}')), sse(text_answer("{}")))
    config = {"response_mime_type": "application/json"}

    stream = client.models.generate_content_stream(model=MODEL, contents="x", config=config)
    plain = client.models.generate_content_stream(model=MODEL, contents="x")

    assert [chunk.parsed for chunk in stream] == [{"n": 1}, {"n": 2}]
    assert [chunk.parsed for chunk in plain] == [None]


def test_parsed_is_none_without_json_request(client: genai.Client, server: Server) -> None:
    server.reply(text_answer('{"n": 3}'))

    response = client.models.generate_content(model=MODEL, contents="x")

    assert response.parsed is None


def test_unknown_fields_survive_and_unknown_enum_values_decode(
    client: genai.Client, server: Server
) -> None:
    answer = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "Hi"}]},
                "finishReason": "SOME_FUTURE_REASON",
                "finishMessage": "stopped for a new reason",
            }
        ],
        "usageMetadata": {"totalTokenCount": 5, "serviceTier": "priority"},
        "brandNewTopLevel": {"a": [1, 2]},
    }
    server.reply(answer)

    response = client.models.generate_content(model=MODEL, contents="x")

    candidate = response.candidates[0]
    assert candidate.finish_reason == "SOME_FUTURE_REASON"
    assert isinstance(candidate.finish_reason, types.FinishReason)
    assert not candidate.finish_reason.is_known
    assert candidate.finish_message == "stopped for a new reason"
    assert response.usage_metadata.total_token_count == 5
    assert response.usage_metadata.unknown_fields == {"serviceTier": "priority"}
    assert response.to_dict() == answer


def test_safety_blocked_answer_compares_to_string(client: genai.Client, server: Server) -> None:
    server.reply(
        {
            "candidates": [
                {
                    "finishReason": "SAFETY",
                    "safetyRatings": [
                        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}
                    ],
                }
            ]
        }
    )

    response = client.models.generate_content(model=MODEL, contents="x")

    assert response.candidates[0].finish_reason == "SAFETY"
    assert response.text is None
    rating = response.candidates[0].safety_ratings[0]
    assert (rating.category, rating.probability) == ("HARM_CATEGORY_DANGEROUS_CONTENT", "HIGH")


def test_grounding_metadata_is_typed(client: genai.Client, server: Server) -> None:
    server.reply(
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": "CES news"}]},
                    "groundingMetadata": {
                        "webSearchQueries": ["CES 2025"],
                        "groundingChunks": [{"web": {"uri": "https://x.test", "title": "X"}}],
                    },
                }
            ]
        }
    )

    response = client.models.generate_content(
        model=MODEL,
        contents="What happened at CES 2025?",
        config=types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())]),
    )

    grounding = response.candidates[0].grounding_metadata
    assert isinstance(grounding, types.GroundingMetadata)
    assert grounding.web_search_queries == ["CES 2025"]
    assert [(c.web.title, c.web.uri) for c in grounding.grounding_chunks] == [
        ("X", "https://x.test")
    ]


# -- errors from the seed ---------------------------------------------------------------------


def test_seed_error_classes(server: Server) -> None:
    client = make_client(server, http_options={"retry_options": {"attempts": 1}})
    server.reply(
        error_response(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
        error_response(404, "NOT_FOUND", "models/nonexistent-model is not found"),
        httpx.Response(
            400,
            json={
                "error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "API_KEY_INVALID",
                        }
                    ],
                }
            },
        ),
    )
    from gemini_sdk import errors as exceptions

    with pytest.raises(exceptions.ResourceExhausted) as rate:
        client.models.generate_content(model=MODEL, contents="Your prompt")
    with pytest.raises(exceptions.NotFound) as missing:
        client.models.generate_content(model="nonexistent-model", contents="Test")
    with pytest.raises(exceptions.Unauthenticated) as bad_key:
        client.models.generate_content(model=MODEL, contents="Test")

    assert (rate.value.code, rate.value.status) == (429, "RESOURCE_EXHAUSTED")
    assert rate.value.message == "Quota exceeded"
    assert missing.value.code == 404
    assert server.requests[1].url.path == "/v1beta/models/nonexistent-model:generateContent"
    assert isinstance(bad_key.value, errors.InvalidArgument)
    assert "API key not valid" in str(bad_key.value)
    assert len(server.requests) == 3


# -- async twins -----------------------------------------------------------------------------


async def test_async_generate_content(client: genai.Client, server: Server) -> None:
    server.reply(ANSWER)

    response = await client.aio.models.generate_content(
        model=MODEL, contents=["a", "b"], config=typed_config()
    )

    expected = {"contents": [user({"text": "a"}, {"text": "b"})], **EXPECTED_CONFIG_BODY}
    assert_request(server.last, "POST", GENERATE, body=expected)
    assert server.last.extensions["timeout"] == httpx.Timeout(5.0).as_dict()
    check_answer(response)


async def test_async_generate_content_stream(client: genai.Client, server: Server) -> None:
    server.reply(sse(text_answer("a"), text_answer("b"), newline=b"\r\n"))

    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="x")
    texts = [chunk.text async for chunk in stream]

    assert texts == ["a", "b"]
    assert_request(
        server.last, "POST", STREAM, query={"alt": "sse"}, body={"contents": [user({"text": "x"})]}
    )


async def test_async_count_tokens(client: genai.Client, server: Server) -> None:
    server.reply({"totalTokens": 3})

    count = await client.aio.models.count_tokens(
        model=MODEL, contents="x", config={"system_instruction": "s"}
    )

    assert int(count) == 3
    assert body_of(server.last) == {
        "generateContentRequest": {
            "model": f"models/{MODEL}",
            "contents": [user({"text": "x"})],
            "systemInstruction": user({"text": "s"}),
        }
    }


async def test_async_embed(client: genai.Client, server: Server) -> None:
    server.reply(
        {"embedding": {"values": [1.0]}},
        {"embeddings": [{"values": [1.0]}, {"values": [2.0]}]},
    )

    one = await client.aio.models.embed_content(model=EMBED_MODEL, contents="a")
    two = await client.aio.models.embed_content(
        model=EMBED_MODEL, contents=["a", "b"], config={"task_type": "CLUSTERING"}
    )

    assert [e.values for e in one.embeddings] == [[1.0]]
    assert [e.values for e in two.embeddings] == [[1.0], [2.0]]
    assert server.requests[0].url.path == f"/v1beta/models/{EMBED_MODEL}:embedContent"
    assert body_of(server.requests[1]) == {
        "requests": [
            {
                "model": f"models/{EMBED_MODEL}",
                "content": user({"text": t}),
                "taskType": "CLUSTERING",
            }
            for t in "ab"
        ]
    }


async def test_async_get_and_list(client: genai.Client, server: Server) -> None:
    server.reply(MODEL_JSON)

    model = await client.aio.models.get(name=f"models/{MODEL}")

    assert_request(server.last, "GET", f"/v1beta/models/{MODEL}")
    assert model.output_token_limit == 65536

    server.route = _pages
    pager = await client.aio.models.list()
    assert len(server.requests) == 2
    names = []
    async for m in pager:
        names.append(m.name)
        if m.name == "models/b":
            assert len(server.requests) == 2  # page two only when reached
    assert names == ["models/a", "models/b", "models/c", "models/d", "models/e"]
    assert len(server.requests) == 4


async def test_async_chat(client: genai.Client, server: Server) -> None:
    server.reply(
        {"candidates": [{"content": MODEL_TURN}]},
        sse(text_answer("x"), text_answer("y")),
        text_answer("z"),
    )
    chat = client.aio.chats.create(model=MODEL)

    await chat.send_message("one")
    stream = await chat.send_message_stream("two")
    texts = [c.text async for c in stream]
    await chat.send_message("three")

    assert texts == ["x", "y"]
    assert body_of(server.requests[1])["contents"] == [
        user({"text": "one"}),
        MODEL_TURN,
        user({"text": "two"}),
    ]
    assert body_of(server.requests[2])["contents"] == [
        user({"text": "one"}),
        MODEL_TURN,
        user({"text": "two"}),
        {"role": "model", "parts": [{"text": "x"}, {"text": "y"}]},
        user({"text": "three"}),
    ]
    assert len(chat.history) == 6
