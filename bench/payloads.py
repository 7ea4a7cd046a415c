"""Deterministic wire payloads (camelCase JSON, as the service sends them) and request data.

Everything is built once, from a seeded RNG, so every contender decodes the same bytes.
"""

from __future__ import annotations

import json
import random
from typing import Any

MODEL = "gemini-2.5-flash"
EMBED_MODEL = "gemini-embedding-001"

LARGE_PARTS = 1_000
GROUNDED_CANDIDATES = 200
STREAM_CHUNKS = 2_000
EMBED_COUNT = 100
EMBED_DIM = 768
MODELS_TOTAL = 120
MODELS_PAGE_SIZE = 40
HISTORY_TURNS = 500
TOOL_COUNT = 16

_WORDS = (
    "the model answers with grounded text about rivers mountains cities history science "
    "weather travel food music code python rust tokens latency throughput streaming "
    "request response schema function tool call result search query source citation"
).split()


def _text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(_WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _usage(prompt: int, out: int) -> dict[str, Any]:
    return {
        "promptTokenCount": prompt,
        "candidatesTokenCount": out,
        "totalTokenCount": prompt + out,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }


def small_response() -> bytes:
    """A typical one-candidate, one-part answer (about 500 bytes)."""
    return _dumps(
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"text": "Hello! How can I help you today?"}],
                        "role": "model",
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": _usage(2, 9),
            "modelVersion": MODEL,
            "responseId": "x2NhaOeHBsWrnvgP7MSd6QY",
        }
    )


def large_response() -> bytes:
    """One candidate of LARGE_PARTS parts, nine text parts to each function call (~1 MB)."""
    rng = random.Random(1)
    parts: list[dict[str, Any]] = []
    for index in range(LARGE_PARTS):
        if index % 10 == 9:
            parts.append(
                {
                    "functionCall": {
                        "name": f"lookup_{index % 7}",
                        "args": {"query": _text(rng, 40), "limit": index % 20, "exact": True},
                    }
                }
            )
        else:
            parts.append({"text": _text(rng, 1_100)})
    body = {
        "candidates": [
            {
                "content": {"parts": parts, "role": "model"},
                "finishReason": "STOP",
                "index": 0,
                "safetyRatings": [
                    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
                ],
            }
        ],
        "usageMetadata": _usage(1_200, 250_000),
        "modelVersion": MODEL,
        "responseId": "large-response-0001",
    }
    return _dumps(body)


def grounded_response() -> bytes:
    """GROUNDED_CANDIDATES candidates, each with search grounding metadata."""
    rng = random.Random(2)
    candidates = []
    for index in range(GROUNDED_CANDIDATES):
        text = _text(rng, 400)
        chunks = [
            {
                "web": {
                    "uri": f"https://vertexaisearch.cloud.google.com/grounding-api-redirect/{index}-{c}",
                    "title": f"source-{c}.example.com",
                }
            }
            for c in range(5)
        ]
        supports = [
            {
                "segment": {
                    "startIndex": s * 80,
                    "endIndex": s * 80 + 79,
                    "text": text[s * 80 :][:79],
                },
                "groundingChunkIndices": [s, (s + 1) % 5],
                "confidenceScores": [round(rng.random(), 6), round(rng.random(), 6)],
            }
            for s in range(5)
        ]
        candidates.append(
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": "STOP",
                "index": index,
                "groundingMetadata": {
                    "webSearchQueries": [_text(rng, 30), _text(rng, 25), _text(rng, 35)],
                    "groundingChunks": chunks,
                    "groundingSupports": supports,
                    "searchEntryPoint": {"renderedContent": "<style>.c{}</style><div>x</div>"},
                },
            }
        )
    body = {
        "candidates": candidates,
        "usageMetadata": _usage(40, 20_000),
        "modelVersion": MODEL,
        "responseId": "grounded-0001",
    }
    return _dumps(body)


def stream_body() -> bytes:
    """STREAM_CHUNKS server-sent events, each one small GenerateContentResponse."""
    rng = random.Random(3)
    events = []
    for index in range(STREAM_CHUNKS):
        candidate: dict[str, Any] = {
            "content": {"parts": [{"text": _text(rng, 24) + " "}], "role": "model"},
            "index": 0,
        }
        if index == STREAM_CHUNKS - 1:
            candidate["finishReason"] = "STOP"
        chunk = {
            "candidates": [candidate],
            "usageMetadata": _usage(5, index + 1),
            "modelVersion": MODEL,
            "responseId": "stream-0001",
        }
        events.append(b"data: " + _dumps(chunk) + b"\r\n\r\n")
    return b"".join(events)


def embeddings_response() -> bytes:
    rng = random.Random(4)
    return _dumps(
        {
            "embeddings": [
                {"values": [round(rng.uniform(-0.12, 0.12), 9) for _ in range(EMBED_DIM)]}
                for _ in range(EMBED_COUNT)
            ]
        }
    )


def embed_texts() -> list[str]:
    rng = random.Random(5)
    return [_text(rng, 120) for _ in range(EMBED_COUNT)]


def model_pages() -> dict[str | None, bytes]:
    """pageToken (None for the first page) -> the ListModelsResponse body of that page."""
    rng = random.Random(6)
    models = [
        {
            "name": f"models/bench-model-{i:03d}",
            "version": "001",
            "displayName": f"Bench Model {i}",
            "description": _text(rng, 120),
            "inputTokenLimit": 1_048_576,
            "outputTokenLimit": 65_536,
            "supportedGenerationMethods": ["generateContent", "countTokens", "createCachedContent"],
            "temperature": 1.0,
            "topP": 0.95,
            "topK": 64,
            "maxTemperature": 2.0,
            "thinking": i % 2 == 0,
        }
        for i in range(MODELS_TOTAL)
    ]
    pages: dict[str | None, bytes] = {}
    count = MODELS_TOTAL // MODELS_PAGE_SIZE
    for page in range(count):
        token = None if page == 0 else f"page-{page}"
        body: dict[str, Any] = {
            "models": models[page * MODELS_PAGE_SIZE : (page + 1) * MODELS_PAGE_SIZE]
        }
        if page + 1 < count:
            body["nextPageToken"] = f"page-{page + 1}"
        pages[token] = _dumps(body)
    return pages


# -- request data: plain Python values that each contender turns into its own objects -------


def history() -> list[tuple[str, str, dict[str, Any] | None]]:
    """HISTORY_TURNS turns of (role, text, function call or response); every tenth pair of
    turns is a function call answered by a function response."""
    rng = random.Random(7)
    turns: list[tuple[str, str, dict[str, Any] | None]] = []
    for index in range(HISTORY_TURNS):
        role = "user" if index % 2 == 0 else "model"
        extra: dict[str, Any] | None = None
        if index % 20 == 19:
            extra = {
                "call": {
                    "name": f"tool_{index % TOOL_COUNT}",
                    "args": {"city": _text(rng, 12), "days": index % 7},
                }
            }
        elif index % 20 == 0 and index:
            extra = {
                "response": {
                    "name": f"tool_{(index - 1) % TOOL_COUNT}",
                    "response": {"result": _text(rng, 60), "ok": True},
                }
            }
        turns.append((role, _text(rng, 200), extra))
    return turns


def tool_schemas() -> list[dict[str, Any]]:
    """TOOL_COUNT function declarations in wire form, with nested parameter schemas."""
    tools = []
    for index in range(TOOL_COUNT):
        tools.append(
            {
                "name": f"tool_{index}",
                "description": f"Tool number {index}: looks things up and returns a summary.",
                "parameters": {
                    "type": "OBJECT",
                    "properties": {
                        "city": {"type": "STRING", "description": "City name"},
                        "days": {"type": "INTEGER", "description": "Days ahead"},
                        "units": {
                            "type": "STRING",
                            "format": "enum",
                            "enum": ["metric", "imperial"],
                        },
                        "filters": {
                            "type": "ARRAY",
                            "items": {
                                "type": "OBJECT",
                                "properties": {
                                    "field": {"type": "STRING"},
                                    "op": {"type": "STRING", "enum": ["eq", "lt", "gt"]},
                                    "value": {"type": "NUMBER"},
                                },
                                "required": ["field", "op"],
                            },
                        },
                        "options": {
                            "type": "OBJECT",
                            "properties": {
                                "verbose": {"type": "BOOLEAN"},
                                "limit": {"type": "INTEGER"},
                            },
                        },
                    },
                    "required": ["city"],
                },
            }
        )
    return tools


SYSTEM_TEXT = "You are a helpful assistant that uses tools when they help."
