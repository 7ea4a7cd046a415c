"""The emulator's model catalogue: what `models.list` and `models.get` answer.

Limits follow the reference's token-limit table; names, versions, sampling defaults and
supported methods follow what the service lists for these models.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import attrs

GENERATE_METHODS = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
# The service serves the Live API from its own model variants of these two; the catalogue
# keeps one entry per model, so the base models list the method.
LIVE_METHODS = (*GENERATE_METHODS, "bidiGenerateContent")
EMBED_METHODS = ("embedContent", "batchEmbedContents", "countTokens", "asyncBatchEmbedContent")
MILLION = 1_048_576


@attrs.frozen(kw_only=True)
class ModelCard:
    """One model: its `Model` resource, and the facts its stand-in behaviour depends on."""

    id: str
    display_name: str
    version: str
    description: str
    input_limit: int
    output_limit: int
    methods: tuple[str, ...] = GENERATE_METHODS
    temperature: float | None = 1.0
    top_p: float | None = 0.95
    top_k: int | None = 64
    max_temperature: float | None = 2.0
    thinking: bool = False  # can think at all
    thinks_by_default: bool = False  # thinks when the request sets no budget
    thinking_required: bool = False  # a budget of 0 is refused
    thinking_levels: bool = False  # takes thinkingLevel (Gemini 3) instead of only a budget
    embedding_dim: int | None = None  # default (and largest) embedding size

    @property
    def name(self) -> str:
        return f"models/{self.id}"

    def supports(self, method: str) -> bool:
        # Streaming is generateContent's other wire form; the service lists only the one.
        wanted = "generateContent" if method == "streamGenerateContent" else method
        return wanted in self.methods

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "name": self.name,
            "baseModelId": self.id,
            "version": self.version,
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_limit,
            "outputTokenLimit": self.output_limit,
            "supportedGenerationMethods": list(self.methods),
        }
        optional = {
            "temperature": self.temperature,
            "topP": self.top_p,
            "topK": self.top_k,
            "maxTemperature": self.max_temperature,
        }
        wire.update({k: v for k, v in optional.items() if v is not None})
        if self.thinking:
            wire["thinking"] = True
        return wire


def _gemini(model_id: str, display: str, version: str, **facts: Any) -> ModelCard:
    facts.setdefault("input_limit", MILLION)
    facts.setdefault("output_limit", 65_536)
    return ModelCard(
        id=model_id,
        display_name=display,
        version=version,
        description=f"Emulated {display}: a deterministic stand-in for tests.",
        **facts,
    )


_THINKER = {"thinking": True, "thinks_by_default": True}
_NO_SAMPLING = {"temperature": None, "top_p": None, "top_k": None, "max_temperature": None}

DEFAULT_MODELS: tuple[ModelCard, ...] = (
    _gemini(
        "gemini-3-pro-preview",
        "Gemini 3 Pro Preview",
        "3-pro-preview-11-2025",
        thinking_required=True,
        thinking_levels=True,
        **_THINKER,
    ),
    _gemini("gemini-2.5-pro", "Gemini 2.5 Pro", "2.5", thinking_required=True, **_THINKER),
    _gemini("gemini-2.5-flash", "Gemini 2.5 Flash", "001", methods=LIVE_METHODS, **_THINKER),
    _gemini("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", "001", thinking=True),
    _gemini(
        "gemini-2.0-flash",
        "Gemini 2.0 Flash",
        "2.0",
        output_limit=8192,
        top_k=40,
        methods=LIVE_METHODS,
    ),
    _gemini("gemini-2.0-flash-lite", "Gemini 2.0 Flash-Lite", "2.0", output_limit=8192, top_k=40),
    _gemini("gemini-flash-latest", "Gemini Flash Latest", "Gemini Flash Latest", **_THINKER),
    _gemini("gemini-flash-lite-latest", "Gemini Flash-Lite Latest", "latest", thinking=True),
    _gemini("gemini-pro-latest", "Gemini Pro Latest", "latest", thinking_required=True, **_THINKER),
    _gemini(
        "gemini-2.5-flash-image",
        "Nano Banana",
        "2.0",
        input_limit=32_768,
        output_limit=32_768,
        methods=("generateContent", "countTokens", "batchGenerateContent"),
    ),
    _gemini(
        "gemma-3-27b-it",
        "Gemma 3 27B",
        "001",
        input_limit=131_072,
        output_limit=8192,
        methods=("generateContent", "countTokens"),
    ),
    _gemini(
        "gemini-embedding-001",
        "Gemini Embedding 001",
        "001",
        input_limit=2048,
        output_limit=1,
        methods=EMBED_METHODS,
        embedding_dim=3072,
        **_NO_SAMPLING,
    ),
    _gemini(
        "text-embedding-004",
        "Text Embedding 004",
        "004",
        input_limit=2048,
        output_limit=1,
        methods=("embedContent", "batchEmbedContents"),
        embedding_dim=768,
        **_NO_SAMPLING,
    ),
    _gemini(
        "imagen-4.0-generate-001",
        "Imagen 4",
        "001",
        input_limit=480,
        output_limit=8192,
        methods=("predict",),
        **_NO_SAMPLING,
    ),
    _gemini(
        "imagen-4.0-ultra-generate-001",
        "Imagen 4 Ultra",
        "001",
        input_limit=480,
        output_limit=8192,
        methods=("predict",),
        **_NO_SAMPLING,
    ),
    _gemini(
        "veo-3.1-generate-preview",
        "Veo 3.1",
        "3.1",
        input_limit=480,
        output_limit=8192,
        methods=("predictLongRunning",),
        **_NO_SAMPLING,
    ),
    _gemini(
        "veo-3.0-generate-001",
        "Veo 3",
        "3.0",
        input_limit=480,
        output_limit=8192,
        methods=("predictLongRunning",),
        **_NO_SAMPLING,
    ),
    _gemini(
        "aqa",
        "Model that performs Attributed Question Answering.",
        "001",
        input_limit=7168,
        output_limit=1024,
        methods=("generateAnswer",),
        temperature=0.2,
        top_p=1.0,
        top_k=40,
        max_temperature=None,
    ),
)


def synthetic_models(count: int) -> list[ModelCard]:
    """Plain text models that only make the catalogue longer (for paging tests)."""
    return [
        _gemini(f"emulated-model-{i:04d}", f"Emulated Model {i}", "001", output_limit=8192)
        for i in range(1, count + 1)
    ]


class Catalogue:
    """The models the emulator serves, in listing order; safe to extend while serving."""

    def __init__(self, cards: Iterable[ModelCard]) -> None:
        self._cards = {card.id: card for card in cards}
        self._lock = threading.Lock()

    def add(self, card: ModelCard) -> None:
        with self._lock:
            self._cards[card.id] = card

    def get(self, model_id: str) -> ModelCard | None:
        return self._cards.get(model_id.removeprefix("models/"))

    def all(self) -> list[ModelCard]:
        with self._lock:
            return list(self._cards.values())
