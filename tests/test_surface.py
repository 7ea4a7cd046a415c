"""The import surface: what `gemini_sdk`, `gemini_sdk.types` and `gemini_sdk.errors` expose,
that importing the package stays cheap, and that types check their values when built."""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import pickle
import pkgutil
import subprocess
import sys
from typing import Any

import pytest

import _gemini_sdk_gen.types as generated
import gemini_sdk
from gemini_sdk import types
from gemini_sdk._model import WireEnum, WireModel


def test_types_exposes_every_generated_name() -> None:
    missing = [name for name in generated.__all__ if not hasattr(types, name)]
    assert missing == []
    for name in generated.__all__:
        assert getattr(types, name) is getattr(generated, name), name
    assert set(generated.__all__) <= set(types.__all__)


def test_every_generated_class_and_enum_is_exported() -> None:
    package = importlib.import_module("_gemini_sdk_gen._types")
    modules = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]
    defined = {
        name
        for module in modules
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and value.__module__ == module.__name__
        and issubclass(value, (WireModel, WireEnum))
    }
    assert len(defined) > 200
    assert defined <= set(generated.__all__)
    models = [n for n in defined if issubclass(getattr(generated, n), WireModel)]
    enums = [n for n in defined if issubclass(getattr(generated, n), WireEnum)]
    assert models and enums


SEED_NAMES = [
    "GenerateContentConfig",
    "SafetySetting",
    "ThinkingConfig",
    "Tool",
    "GoogleSearch",
    "FileSearch",
    "ComputerUse",
    "Part",
    "Content",
    "EmbedContentConfig",
    "GenerateContentResponse",
    "Candidate",
    "UsageMetadata",
    "GroundingMetadata",
    "File",
    "Model",
    "EmbedContentResponse",
    "ContentEmbedding",
    "FinishReason",
    "HarmCategory",
    "HarmBlockThreshold",
    "Environment",
    "ToolCodeExecution",
    "HttpOptions",
    "HttpRetryOptions",
]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_names(name: str) -> None:
    value = getattr(types, name)
    assert inspect.isclass(value)
    assert issubclass(value, (WireModel, WireEnum))


def test_seed_enum_members() -> None:
    assert types.HarmCategory.HARM_CATEGORY_HATE_SPEECH == "HARM_CATEGORY_HATE_SPEECH"
    assert types.HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE == "BLOCK_MEDIUM_AND_ABOVE"
    assert types.Environment.ENVIRONMENT_BROWSER == "ENVIRONMENT_BROWSER"
    assert types.FinishReason.STOP == "STOP"
    assert issubclass(types.FinishReason, enum.Enum)
    assert types.ToolCodeExecution is types.CodeExecution


def test_seed_constructors() -> None:
    setting = types.SafetySetting(
        category=types.HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT,
        threshold="BLOCK_ONLY_HIGH",
    )
    assert setting.threshold is types.HarmBlockThreshold.BLOCK_ONLY_HIGH
    tool = types.Tool(code_execution=types.ToolCodeExecution)
    assert isinstance(tool.code_execution, types.CodeExecution)
    assert types.Tool(url_context={}).to_dict() == {"urlContext": {}}
    thinking = types.ThinkingConfig(include_thoughts=True, thinking_budget=1024)
    assert thinking.to_dict() == {"includeThoughts": True, "thinkingBudget": 1024}
    assert types.ThinkingConfig(thinking_level="low").thinking_level is types.ThinkingLevel.LOW
    part = types.Part.from_bytes(data=b"\x00\x01", mime_type="image/jpeg")
    assert part.to_dict() == {"inlineData": {"data": "AAE=", "mimeType": "image/jpeg"}}


def test_client_and_version_on_the_package() -> None:
    assert gemini_sdk.Client.__name__ == "Client"
    assert isinstance(gemini_sdk.__version__, str) and gemini_sdk.__version__
    with pytest.raises(AttributeError):
        _ = gemini_sdk.NoSuchThing  # type: ignore[attr-defined]


HEAVY = ["httpx", "cattrs", "_gemini_sdk_gen", "gemini_sdk._http", "gemini_sdk._client"]

PROBE = """
import json, sys
import gemini_sdk
before = [m for m in {heavy!r} if m in sys.modules]
gemini_sdk.types.Part
after = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps([before, after]))
"""


def test_import_is_lazy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    before, after = json.loads(out.stdout)
    assert before == []
    assert "_gemini_sdk_gen" in after  # the probe does see modules once they load


TYPES_PROBE = """
import json, sys
from gemini_sdk import types

def built():
    prefix = "_gemini_sdk_gen._types."
    return sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix))

first = built()
types.Part
print(json.dumps([first, built()]))
"""

CLIENT_PROBE = """
import json, sys
import gemini_sdk
gemini_sdk.Client(api_key="k")
prefix = "_gemini_sdk_gen._types."
print(json.dumps([
    sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix)),
    [m for m in ("cattrs", "asyncio", "httpcore") if m in sys.modules],
]))
"""


def test_client_builds_only_its_options_types() -> None:
    """The operation and method tables name their types: a client builds none of them, nor
    loads cattrs or builds its httpx client (httpcore loads with that), until its first
    call; a sync client never loads asyncio."""
    out = subprocess.run(
        [sys.executable, "-c", CLIENT_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    built, heavy = json.loads(out.stdout)
    assert set(built) <= {"http_options", "http_retry_options"}
    assert heavy == []


def test_types_are_built_on_first_use() -> None:
    out = subprocess.run(
        [sys.executable, "-c", TYPES_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    before, after = json.loads(out.stdout)
    assert before == []
    # Part and what its fields refer to, nothing else
    assert {"part", "blob", "function_call", "function_response"} <= set(after)
    assert "schema" not in after and "generate_content_response" not in after


def test_a_client_closed_before_its_first_call_stays_closed() -> None:
    client = gemini_sdk.Client(api_key="k", http_options={"base_url": "http://127.0.0.1:9"})
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")


def test_lazy_names_behave_like_module_attributes() -> None:
    from gemini_sdk.types import Part

    assert Part is types.Part
    assert {"Part", "HarmCategory", "WireModel"} <= set(dir(types))
    assert types.ToolCodeExecution is types.CodeExecution
    with pytest.raises(AttributeError, match="gemini_sdk.types.*NoSuchType"):
        _ = types.NoSuchType  # type: ignore[attr-defined]


def test_instances_pickle() -> None:
    part = types.Part(text="hi", inline_data=types.Blob(data=b"\x00", mime_type="image/png"))
    again = pickle.loads(pickle.dumps(part))
    assert type(again) is types.Part and isinstance(again.inline_data, types.Blob)
    assert again.to_dict() == part.to_dict()
    category = types.HarmCategory.HARM_CATEGORY_HATE_SPEECH
    assert pickle.loads(pickle.dumps(category)) is category


def test_errors_as_exceptions() -> None:
    from gemini_sdk import errors as exceptions

    expected = {
        "ResourceExhausted": 429,
        "Unauthenticated": 401,
        "NotFound": 404,
        "DeadlineExceeded": 504,
        "ServiceUnavailable": 503,
    }
    for name, code in expected.items():
        cls = getattr(exceptions, name)
        assert issubclass(cls, exceptions.APIError)
        assert issubclass(cls, Exception)
        assert cls.http_code == code
        assert name in exceptions.__all__
    assert issubclass(exceptions.APITimeoutError, exceptions.DeadlineExceeded)
    assert issubclass(exceptions.APIConnectionError, exceptions.ServiceUnavailable)
    assert issubclass(exceptions.StreamInterruptedError, exceptions.APIConnectionError)


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (
            lambda: types.GenerateContentConfig(temperature="hot"),
            "GenerateContentConfig.temperature",
        ),
        (lambda: types.GenerateContentConfig(top_k=1.5), "GenerateContentConfig.top_k"),
        (
            lambda: types.GenerateContentConfig(stop_sequences="END"),
            "GenerateContentConfig.stop_sequences",
        ),
        (
            lambda: types.GenerateContentConfig(response_logprobs="yes"),
            "GenerateContentConfig.response_logprobs",
        ),
        (lambda: types.Part(text=5), "Part.text"),
        (lambda: types.Part(thought_signature="not bytes"), "Part.thought_signature"),
        (lambda: types.Content(parts="hello"), "Content.parts"),
        (lambda: types.Content(parts=[types.Part(text="a"), 5]), "Content.parts[1]"),
        (lambda: types.SafetySetting(category=3), "SafetySetting.category"),
        (lambda: types.ThinkingConfig(thinking_budget="lots"), "ThinkingConfig.thinking_budget"),
        (lambda: types.Tool(google_search="yes"), "Tool.google_search"),
        (
            lambda: types.EmbedContentConfig(output_dimensionality=True),
            "EmbedContentConfig.output_dimensionality",
        ),
        (lambda: types.File(size_bytes=2**70), "File.size_bytes"),
        (lambda: types.HttpOptions(headers={"a": 1}), "HttpOptions.headers"),
    ],
)
def test_wrong_value_type_names_the_field(build: Any, where: str) -> None:
    with pytest.raises(TypeError) as caught:
        build()
    assert str(caught.value).startswith(where)
