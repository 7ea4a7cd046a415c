"""Our requests for the seed calls, compared with what Google's own SDK sends.

The recording (google_genai_requests.json, made by record.py) is data: method, path, query
and body of every request google-genai 3.6.1 made for the cases in cases.py. The
comparison folds only spellings the service treats as the same (snake_case keys that
google-genai leaves in nested objects, `40.0` for an int32 40, an empty `generationConfig`,
`True` for a query's `true`), and folds keys on google-genai's side only: ours are compared
exactly as sent.

Deliberate differences are left out of the cases: one content to embed calls embedContent
(google-genai always batches), and count_tokens with a config counts a whole
generateContentRequest (google-genai refuses the config for this API).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import gemini_sdk as genai
from gemini_sdk import types

from .cases import CASES, canned_response

RECORDING = json.loads((Path(__file__).parent / "google_genai_requests.json").read_text())


def _camel(key: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m[1].upper(), key)


# Keys whose values are free-form JSON (schemas the user wrote): their keys stay as written.
_OPAQUE = {"responseJsonSchema", "parametersJsonSchema", "args", "response"}


def _fold(value: Any, key: str = "", *, keys: bool = True) -> Any:
    """Proto-JSON spellings the service reads alike: snake_case keys (unless `keys` is
    False) and 40.0 for 40."""
    if isinstance(value, dict):
        if key in _OPAQUE:
            return value
        if not keys:
            return {k: _fold(v, k, keys=False) for k, v in value.items()}
        return {_camel(k): _fold(v, _camel(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fold(v, key, keys=keys) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _without_empty_generation_config(body: Any) -> Any:
    # google-genai always sends `generationConfig: {}` once a config object is given.
    if isinstance(body, dict) and body.get("generationConfig") == {}:
        body = {k: v for k, v in body.items() if k != "generationConfig"}
    return body


def _query_bool(value: str) -> str:
    # google-genai formats a query's booleans with str(), as `True`
    return value.lower() if value in ("True", "False") else value


def _record_ours(name: str) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = dict(request.url.params)
        log.append(
            {"method": request.method, "path": request.url.path, "query": query, "body": body}
        )
        ctype, data = canned_response(request.method, request.url.path, query, body)
        return httpx.Response(200, content=data, headers={"content-type": ctype})

    client = genai.Client(
        api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    CASES[name](client, types)
    return log


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_requests_as_google_genai(name: str) -> None:
    theirs = [
        {
            **r,
            "query": {k: _query_bool(v) for k, v in r["query"].items()},
            "body": _without_empty_generation_config(_fold(r["body"])),
        }
        for r in RECORDING["cases"][name]
    ]
    # Only google-genai's side has its keys folded: ours must be camelCase as sent.
    ours = [{**r, "body": _fold(r["body"], keys=False)} for r in _record_ours(name)]
    assert ours == theirs


def test_our_side_is_compared_as_sent() -> None:
    """A snake_case key we sent would not be folded into a match."""
    assert _fold({"generation_config": {"max_output_tokens": 40.0}}, keys=False) == {
        "generation_config": {"max_output_tokens": 40}
    }
    assert _fold({"responseJsonSchema": {"a_b": 1}}, keys=False) == {
        "responseJsonSchema": {"a_b": 1}
    }


def test_recording_covers_every_case() -> None:
    assert sorted(RECORDING["cases"]) == sorted(CASES)
    assert RECORDING["sdk"].startswith("google-genai ")
