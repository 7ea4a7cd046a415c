"""The scenarios: for each, a raw-floor, a gemini-sdk and (when importable) a google-genai
contender doing the same work on the same bytes, and a check of what each one returns.

The checks run once, outside timing, so the table can be trusted to measure what it says.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx

from bench import payloads as p
from bench.server import LoopbackServer

Op = Callable[[], Any]
HEADERS = {"x-goog-api-key": "k", "content-type": "application/json"}


@dataclass
class Scenario:
    key: str
    title: str
    raw: Op
    ours: Op
    genai: Op | None
    # check(contender name, what one call returned) raises AssertionError if it is wrong
    check: Callable[[str, Any], None]
    # requests one call must make to the loopback server, by route
    hits: dict[str, int] = field(default_factory=dict)
    note: str = ""
    # the most gemini-sdk may cost, as a multiple of the raw floor (None: no target)
    target: float | None = None


@dataclass
class Env:
    server: LoopbackServer
    raw_http: httpx.Client
    ours_types: ModuleType
    ours_client: Any
    genai: ModuleType | None = None
    genai_types: ModuleType | None = None
    genai_client: Any = None
    genai_decode_path: str = ""
    notes: list[str] = field(default_factory=list)


def _url(env: Env, suffix: str) -> str:
    return f"{env.server.base_url}/v1beta/{suffix}"


# -- helpers that read the same facts from a wire dict, our objects and google-genai's -------


def _parts(who: str, response: Any) -> list[Any]:
    if who == "raw":
        return list(response["candidates"][0]["content"]["parts"])
    return list(response.candidates[0].content.parts)


def _text_of(who: str, response: Any) -> str:
    return "".join(
        (part["text"] if who == "raw" else part.text) or ""
        for part in _parts(who, response)
        if (part.get("text") if who == "raw" else part.text) is not None
    )


# What a program does with a result, so that every contender delivers the same usable data
# (a contender that deferred decoding would otherwise look faster than it is).


def _read_text(who: str, response: Any) -> str:
    return _text_of(who, response)


def _read_values(who: str, response: Any) -> list[list[float]]:
    return _embedding_values(who, response)


def _read_names(who: str, models: Any) -> list[str]:
    return [m["name"] if who == "raw" else m.name for m in models]


# -- 2. client construction ------------------------------------------------------------------


def client_construction(env: Env) -> Scenario:
    import gemini_sdk

    def raw() -> Any:
        client = httpx.Client()
        client.close()
        return client

    def ours() -> Any:
        client = gemini_sdk.Client(api_key="k")
        models = client.models
        client.close()
        return models

    genai_op = None
    if env.genai is not None:
        genai = env.genai

        def genai_op() -> Any:
            client = genai.Client(api_key="k")
            models = client.models
            getattr(client, "close", lambda: None)()
            return models

    def check(who: str, result: Any) -> None:
        if who != "raw":
            assert hasattr(result, "generate_content"), result

    return Scenario(
        "client",
        "Client() + .models (+ close)",
        raw,
        ours,
        genai_op,
        check,
        note="raw = httpx.Client() + close; each builds its own SSL context",
    )


# -- 3. a small generate_content over loopback -----------------------------------------------


def small_call(env: Env) -> Scenario:
    url = _url(env, f"models/{p.MODEL}:generateContent")
    http = env.raw_http

    def raw() -> Any:
        body = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}).encode()
        return _read_text("raw", json.loads(http.post(url, content=body, headers=HEADERS).content))

    def ours() -> Any:
        return _read_text(
            "ours", env.ours_client.models.generate_content(model=p.MODEL, contents="hi")
        )

    genai_op = None
    if env.genai_client is not None:
        client = env.genai_client

        def genai_op() -> Any:
            return _read_text("genai", client.models.generate_content(model=p.MODEL, contents="hi"))

    def check(who: str, result: Any) -> None:
        assert result == "Hello! How can I help you today?", result

    return Scenario(
        "call",
        "generate_content, small, loopback",
        raw,
        ours,
        genai_op,
        check,
        hits={"generateContent": 1},
        target=1.1,
    )


# -- 4. decoding large responses -------------------------------------------------------------


def _genai_decoder(env: Env, type_name: str, converter_name: str) -> Callable[[bytes], Any]:
    """What google-genai's client does with a response body: json.loads, its private
    `_X_from_mldev` key converter, then `X._from_response` (pydantic validation). Falls back
    to `X.model_validate_json` if those private names are gone."""
    assert env.genai_types is not None
    cls = getattr(env.genai_types, type_name)
    try:
        genai_models = importlib.import_module("google.genai.models")
        convert = getattr(genai_models, converter_name)

        def client_path(raw: bytes) -> Any:
            return cls._from_response(response=convert(json.loads(raw), None, None), kwargs={})

        client_path(b"{}")
        env.genai_decode_path = "json.loads + _from_mldev + _from_response (its client's path)"
        return client_path
    except (ImportError, AttributeError, TypeError):
        env.genai_decode_path = "model_validate_json"
        return cls.model_validate_json  # type: ignore[no-any-return]


def small_decode(env: Env) -> Scenario:
    raw_bytes = p.small_response()
    decode = env.ours_types.GenerateContentResponse.from_json
    genai_op = None
    if env.genai_types is not None:
        genai_decode = _genai_decoder(
            env, "GenerateContentResponse", "_GenerateContentResponse_from_mldev"
        )

        def genai_op() -> Any:
            return _read_text("genai", genai_decode(raw_bytes))

    def check(who: str, result: Any) -> None:
        assert result == "Hello! How can I help you today?", result

    return Scenario(
        "decode-small",
        f"decode small response ({len(raw_bytes)} bytes) + read text",
        lambda: _read_text("raw", json.loads(raw_bytes)),
        lambda: _read_text("ours", decode(raw_bytes)),
        genai_op,
        check,
        target=1.5,
    )


def large_decode(env: Env) -> Scenario:
    raw_bytes = p.large_response()
    decode = env.ours_types.GenerateContentResponse.from_json
    genai_op = None
    if env.genai_types is not None:
        genai_decode = _genai_decoder(
            env, "GenerateContentResponse", "_GenerateContentResponse_from_mldev"
        )

        def genai_op() -> Any:
            return genai_decode(raw_bytes)

    def check(who: str, result: Any) -> None:
        parts = _parts(who, result)
        assert len(parts) == p.LARGE_PARTS, len(parts)
        calls = [
            part
            for part in parts
            if (part.get("functionCall") if who == "raw" else part.function_call)
        ]
        assert len(calls) == p.LARGE_PARTS // 10, len(calls)
        assert len(_text_of(who, result)) > 900_000

    return Scenario(
        "decode-large",
        f"decode {len(raw_bytes) / 1e6:.1f} MB response, {p.LARGE_PARTS} parts",
        lambda: json.loads(raw_bytes),
        lambda: decode(raw_bytes),
        genai_op,
        check,
        target=1.5,
    )


def grounded_decode(env: Env) -> Scenario:
    raw_bytes = p.grounded_response()
    decode = env.ours_types.GenerateContentResponse.from_json
    genai_op = None
    if env.genai_types is not None:
        genai_decode = _genai_decoder(
            env, "GenerateContentResponse", "_GenerateContentResponse_from_mldev"
        )

        def genai_op() -> Any:
            return genai_decode(raw_bytes)

    def check(who: str, result: Any) -> None:
        if who == "raw":
            candidates = result["candidates"]
            metas = [c["groundingMetadata"] for c in candidates]
            chunks = sum(len(m["groundingChunks"]) for m in metas)
            supports = [s for m in metas for s in m["groundingSupports"]]
            uri = metas[-1]["groundingChunks"][-1]["web"]["uri"]
            end = supports[-1]["segment"]["endIndex"]
        else:
            candidates = result.candidates
            metas = [c.grounding_metadata for c in candidates]
            chunks = sum(len(m.grounding_chunks) for m in metas)
            supports = [s for m in metas for s in m.grounding_supports]
            uri = metas[-1].grounding_chunks[-1].web.uri
            end = supports[-1].segment.end_index
            assert len(metas[0].web_search_queries) == 3
        assert len(candidates) == p.GROUNDED_CANDIDATES
        assert chunks == 5 * p.GROUNDED_CANDIDATES and len(supports) == 5 * p.GROUNDED_CANDIDATES
        assert uri.endswith(f"/{p.GROUNDED_CANDIDATES - 1}-4") and end == 399

    return Scenario(
        "decode-grounded",
        f"decode {p.GROUNDED_CANDIDATES} candidates + groundingMetadata "
        f"({len(raw_bytes) / 1e3:.0f} kB)",
        lambda: json.loads(raw_bytes),
        lambda: decode(raw_bytes),
        genai_op,
        check,
        target=1.5,
    )


# -- 5. building and serialising a large request ---------------------------------------------


def _typed_schema(t: ModuleType, wire: dict[str, Any]) -> Any:
    """The same typed construction for gemini-sdk and google-genai (their names match)."""
    return t.Schema(
        type=t.Type(wire["type"]),
        description=wire.get("description"),
        format=wire.get("format"),
        enum=list(wire["enum"]) if "enum" in wire else None,
        items=_typed_schema(t, wire["items"]) if "items" in wire else None,
        properties={k: _typed_schema(t, v) for k, v in wire["properties"].items()}
        if "properties" in wire
        else None,
        required=list(wire["required"]) if "required" in wire else None,
    )


def _typed_parts(t: ModuleType, text: str, extra: dict[str, Any] | None) -> list[Any]:
    parts = [t.Part(text=text)]
    if extra is not None and "call" in extra:
        call = extra["call"]
        parts.append(t.Part(function_call=t.FunctionCall(name=call["name"], args=call["args"])))
    elif extra is not None and "response" in extra:
        reply = extra["response"]
        parts.append(
            t.Part(
                function_response=t.FunctionResponse(name=reply["name"], response=reply["response"])
            )
        )
    return parts


def _typed_request_parts(t: ModuleType, turns: Any, tools: Any) -> dict[str, Any]:
    return {
        "contents": [t.Content(role=r, parts=_typed_parts(t, x, e)) for r, x, e in turns],
        "tools": [
            t.Tool(
                function_declarations=[
                    t.FunctionDeclaration(
                        name=d["name"],
                        description=d["description"],
                        parameters=_typed_schema(t, d["parameters"]),
                    )
                    for d in tools
                ]
            )
        ],
        "system_instruction": t.Content(parts=[t.Part(text=p.SYSTEM_TEXT)]),
        "generation_config": t.GenerationConfig(temperature=0.7, max_output_tokens=1024),
    }


def _plain_schema(wire: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": wire["type"]}
    for key in ("description", "format"):
        if key in wire:
            out[key] = wire[key]
    if "enum" in wire:
        out["enum"] = list(wire["enum"])
    if "items" in wire:
        out["items"] = _plain_schema(wire["items"])
    if "properties" in wire:
        out["properties"] = {k: _plain_schema(v) for k, v in wire["properties"].items()}
    if "required" in wire:
        out["required"] = list(wire["required"])
    return out


def _plain_parts(text: str, extra: dict[str, Any] | None) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"text": text}]
    if extra is not None and "call" in extra:
        parts.append(
            {"functionCall": {"name": extra["call"]["name"], "args": extra["call"]["args"]}}
        )
    elif extra is not None and "response" in extra:
        reply = extra["response"]
        parts.append({"functionResponse": {"name": reply["name"], "response": reply["response"]}})
    return parts


def _plain_request(turns: Any, tools: Any, model: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if model is not None:
        body["model"] = model
    body["contents"] = [{"role": r, "parts": _plain_parts(x, e)} for r, x, e in turns]
    body["tools"] = [
        {
            "functionDeclarations": [
                {
                    "name": d["name"],
                    "description": d["description"],
                    "parameters": _plain_schema(d["parameters"]),
                }
                for d in tools
            ]
        }
    ]
    body["systemInstruction"] = {"parts": [{"text": p.SYSTEM_TEXT}]}
    body["generationConfig"] = {"temperature": 0.7, "maxOutputTokens": 1024}
    return body


def request_build(env: Env) -> Scenario:
    turns, tools = p.history(), p.tool_schemas()
    model = f"models/{p.MODEL}"
    t = env.ours_types

    def raw() -> bytes:
        return json.dumps(_plain_request(turns, tools, model)).encode()

    def ours() -> bytes:
        fields = _typed_request_parts(t, turns, tools)
        text: str = t.GenerateContentRequest(model=model, **fields).to_json()
        return text.encode()

    genai_op = None
    if env.genai_types is not None:
        gt = env.genai_types

        def genai_op() -> bytes:
            fields = _typed_request_parts(gt, turns, tools)

            def dump(obj: Any) -> Any:
                return obj.model_dump(mode="json", exclude_none=True, by_alias=True)

            body = {
                "model": model,
                "contents": [dump(c) for c in fields["contents"]],
                "tools": [dump(tool) for tool in fields["tools"]],
                "systemInstruction": dump(fields["system_instruction"]),
                "generationConfig": dump(fields["generation_config"]),
            }
            return json.dumps(body).encode()

    expected = json.loads(raw())

    def check(who: str, result: Any) -> None:
        assert isinstance(result, bytes)
        sent = json.loads(result)
        assert len(sent["contents"]) == p.HISTORY_TURNS
        assert len(sent["tools"][0]["functionDeclarations"]) == p.TOOL_COUNT
        assert sent == expected, f"{who} serialised a different request"

    return Scenario(
        "build-request",
        f"build + serialise {p.HISTORY_TURNS}-turn request, {p.TOOL_COUNT} tools",
        raw,
        ours,
        genai_op,
        check,
        target=1.5,
    )


def request_from_dicts(env: Env) -> Scenario:
    """The same request given as plain dicts: gemini-sdk checks and converts them into typed
    objects (`from_dict`) before serialising; the raw floor serialises the dicts as they are."""
    turns, tools = p.history(), p.tool_schemas()
    model = f"models/{p.MODEL}"
    request = env.ours_types.GenerateContentRequest

    def raw() -> bytes:
        return json.dumps(_plain_request(turns, tools, model)).encode()

    def ours() -> bytes:
        text: str = request.from_dict(_plain_request(turns, tools, model)).to_json()
        return text.encode()

    genai_op = None
    if env.genai_types is not None:
        contents = env.genai_types.Content
        config = env.genai_types.GenerateContentConfig

        def genai_op() -> bytes:
            plain = _plain_request(turns, tools, model)
            body = {
                "model": model,
                "contents": [
                    contents.model_validate(c).model_dump(
                        mode="json", exclude_none=True, by_alias=True
                    )
                    for c in plain["contents"]
                ],
                "tools": config.model_validate({"tools": plain["tools"]}).model_dump(
                    mode="json", exclude_none=True, by_alias=True
                )["tools"],
                "systemInstruction": plain["systemInstruction"],
                "generationConfig": plain["generationConfig"],
            }
            return json.dumps(body).encode()

    expected = json.loads(raw())

    def check(who: str, result: Any) -> None:
        assert json.loads(result) == expected, f"{who} serialised a different request"

    return Scenario(
        "build-dicts",
        f"build + serialise {p.HISTORY_TURNS}-turn request from dicts",
        raw,
        ours,
        genai_op,
        check,
        target=2.0,
    )


def big_call(env: Env) -> Scenario:
    """The call path alone: history and tools already built, sent with generate_content."""
    turns, tools = p.history(), p.tool_schemas()
    url = _url(env, f"models/{p.MODEL}:generateContent")
    http = env.raw_http
    plain = _plain_request(turns, tools, None)
    ours_fields = _typed_request_parts(env.ours_types, turns, tools)
    ours_config = env.ours_types.GenerateContentConfig(
        tools=ours_fields["tools"],
        system_instruction=ours_fields["system_instruction"],
        temperature=0.7,
        max_output_tokens=1024,
    )

    def raw() -> Any:
        body = json.dumps(plain).encode()
        return _read_text("raw", json.loads(http.post(url, content=body, headers=HEADERS).content))

    def ours() -> Any:
        response = env.ours_client.models.generate_content(
            model=p.MODEL, contents=ours_fields["contents"], config=ours_config
        )
        return _read_text("ours", response)

    genai_op = None
    if env.genai_client is not None:
        assert env.genai_types is not None
        gt, client = env.genai_types, env.genai_client
        genai_fields = _typed_request_parts(gt, turns, tools)
        genai_config = gt.GenerateContentConfig(
            tools=genai_fields["tools"],
            system_instruction=genai_fields["system_instruction"],
            temperature=0.7,
            max_output_tokens=1024,
        )

        def genai_op() -> Any:
            response = client.models.generate_content(
                model=p.MODEL, contents=genai_fields["contents"], config=genai_config
            )
            return _read_text("genai", response)

    def check(who: str, result: Any) -> None:
        assert result == "Hello! How can I help you today?", result

    return Scenario(
        "call-big-request",
        f"generate_content, {p.HISTORY_TURNS} turns + {p.TOOL_COUNT} tools prebuilt, loopback",
        raw,
        ours,
        genai_op,
        check,
        hits={"generateContent": 1},
        note="objects built outside timing: measures the request path of the call",
    )


# -- 6. streaming ----------------------------------------------------------------------------


def stream(env: Env) -> Scenario:
    url = _url(env, f"models/{p.MODEL}:streamGenerateContent")
    http = env.raw_http

    def raw() -> Any:
        body = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}).encode()
        with http.stream(
            "POST", url, params={"alt": "sse"}, content=body, headers=HEADERS
        ) as response:
            chunks = [
                json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")
            ]
        return [_read_text("raw", chunk) for chunk in chunks]

    def ours() -> Any:
        stream = env.ours_client.models.generate_content_stream(model=p.MODEL, contents="hi")
        return [_read_text("ours", chunk) for chunk in stream]

    genai_op = None
    if env.genai_client is not None:
        client = env.genai_client

        def genai_op() -> Any:
            stream = client.models.generate_content_stream(model=p.MODEL, contents="hi")
            return [_read_text("genai", chunk) for chunk in stream]

    expected: list[str] = []

    def check(who: str, result: Any) -> None:
        assert len(result) == p.STREAM_CHUNKS, len(result)
        text = "".join(result)
        if not expected:
            expected.append(text)
        assert text == expected[0] and len(text) > 40_000

    return Scenario(
        "stream",
        f"stream {p.STREAM_CHUNKS} SSE chunks, loopback",
        raw,
        ours,
        genai_op,
        check,
        hits={"streamGenerateContent": 1},
        target=1.3,
    )


def stream_offline(env: Env) -> Scenario:
    """The same stream answered by an in-process httpx transport: no socket, no server
    thread, so what is left is each contender's own SSE parsing and decoding."""
    import gemini_sdk

    body = p.stream_body()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    transport = httpx.MockTransport(answer)
    url = _url(env, f"models/{p.MODEL}:streamGenerateContent")
    http = httpx.Client(transport=transport)
    client = gemini_sdk.Client(
        api_key="k",
        http_options={"base_url": env.server.base_url, "retry_options": {"attempts": 1}},
        http_client=http,
    )

    def raw() -> Any:
        request = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
        with http.stream(
            "POST", url, params={"alt": "sse"}, content=request.encode(), headers=HEADERS
        ) as response:
            chunks = [
                json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")
            ]
        return [_read_text("raw", chunk) for chunk in chunks]

    def ours() -> Any:
        chunks = client.models.generate_content_stream(model=p.MODEL, contents="hi")
        return [_read_text("ours", chunk) for chunk in chunks]

    def check(who: str, result: Any) -> None:
        assert len(result) == p.STREAM_CHUNKS, len(result)
        assert len("".join(result)) > 40_000

    return Scenario(
        "stream-offline",
        f"stream {p.STREAM_CHUNKS} SSE chunks, in-process transport",
        raw,
        ours,
        None,
        check,
        target=1.5,
        note="both contenders read the same bytes from an httpx.MockTransport",
    )


# -- 7. embeddings ---------------------------------------------------------------------------


def _embedding_values(who: str, result: Any) -> list[list[float]]:
    if who == "raw":
        return [e["values"] for e in result["embeddings"]]
    return [e.values for e in result.embeddings]


def _check_embeddings(who: str, result: Any) -> None:
    values = result if isinstance(result, list) else _embedding_values(who, result)
    assert len(values) == p.EMBED_COUNT, len(values)
    assert all(len(v) == p.EMBED_DIM for v in values)
    assert all(type(x) is float for x in values[-1])


def embed_decode(env: Env) -> Scenario:
    raw_bytes = p.embeddings_response()
    decode = env.ours_types.BatchEmbedContentsResponse.from_json
    genai_op = None
    if env.genai_types is not None:
        genai_decode = _genai_decoder(
            env, "EmbedContentResponse", "_EmbedContentResponse_from_mldev"
        )

        def genai_op() -> Any:
            return genai_decode(raw_bytes)

    return Scenario(
        "decode-embeddings",
        f"decode {p.EMBED_COUNT} x {p.EMBED_DIM} embeddings ({len(raw_bytes) / 1e6:.1f} MB)",
        lambda: json.loads(raw_bytes),
        lambda: decode(raw_bytes),
        genai_op,
        _check_embeddings,
    )


def embed_call(env: Env) -> Scenario:
    texts = p.embed_texts()
    url = _url(env, f"models/{p.EMBED_MODEL}:batchEmbedContents")
    http = env.raw_http
    model = f"models/{p.EMBED_MODEL}"

    def raw() -> Any:
        requests = [{"model": model, "content": {"parts": [{"text": t}]}} for t in texts]
        body = json.dumps({"requests": requests}).encode()
        return _read_values(
            "raw", json.loads(http.post(url, content=body, headers=HEADERS).content)
        )

    def ours() -> Any:
        return _read_values(
            "ours", env.ours_client.models.embed_content(model=p.EMBED_MODEL, contents=texts)
        )

    genai_op = None
    if env.genai_client is not None:
        client = env.genai_client

        def genai_op() -> Any:
            return _read_values(
                "genai", client.models.embed_content(model=p.EMBED_MODEL, contents=texts)
            )

    return Scenario(
        "embed",
        f"embed_content, {p.EMBED_COUNT} texts, loopback",
        raw,
        ours,
        genai_op,
        _check_embeddings,
        hits={"batchEmbedContents": 1},
    )


# -- 8. listing ------------------------------------------------------------------------------


def list_models(env: Env) -> Scenario:
    url = _url(env, "models")
    http = env.raw_http

    def raw() -> Any:
        models: list[Any] = []
        params = {"pageSize": str(p.MODELS_PAGE_SIZE)}
        while True:
            page = json.loads(http.get(url, params=params, headers=HEADERS).content)
            models.extend(page.get("models", []))
            token = page.get("nextPageToken")
            if not token:
                return _read_names("raw", models)
            params = {"pageSize": str(p.MODELS_PAGE_SIZE), "pageToken": token}

    def ours() -> Any:
        return _read_names(
            "ours", env.ours_client.models.list(config={"page_size": p.MODELS_PAGE_SIZE})
        )

    genai_op = None
    if env.genai_client is not None:
        client = env.genai_client

        def genai_op() -> Any:
            return _read_names(
                "genai", client.models.list(config={"page_size": p.MODELS_PAGE_SIZE})
            )

    def check(who: str, result: Any) -> None:
        names = result
        assert len(names) == p.MODELS_TOTAL, len(names)
        assert names[-1] == f"models/bench-model-{p.MODELS_TOTAL - 1:03d}", names[-1]
        assert len(set(names)) == p.MODELS_TOTAL

    pages = p.MODELS_TOTAL // p.MODELS_PAGE_SIZE
    return Scenario(
        "list",
        f"list {p.MODELS_TOTAL} models, {pages} pages, loopback",
        raw,
        ours,
        genai_op,
        check,
        hits={"listModels": pages},
    )


BUILDERS: list[Callable[[Env], Scenario]] = [
    client_construction,
    small_call,
    small_decode,
    large_decode,
    grounded_decode,
    request_build,
    request_from_dicts,
    big_call,
    stream,
    stream_offline,
    embed_decode,
    embed_call,
    list_models,
]
