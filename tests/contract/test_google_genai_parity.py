"""Our requests for the seed calls, compared with what Google's own SDK sends.

The recording (google_genai_requests.json, made by record.py) is data: method, path, query,
resumable-upload headers and body of every request google-genai 3.6.1 made for the cases in
cases.py. The comparison folds only spellings the service treats as the same (snake_case keys
that google-genai leaves in nested objects, `40.0` for an int32 40, `7` for an int64 "7",
URL-safe base64 for the standard alphabet, an empty `generationConfig`, `True` for a query's
`true`, and the start's headers that google-genai sends again with each chunk of an upload),
and folds on google-genai's side only: ours are compared exactly as sent.

Deliberate differences are left out of the cases: one content to embed calls embedContent
(google-genai always batches), and count_tokens with a config counts a whole
generateContentRequest (google-genai refuses the config for this API). google-genai has no
generate_images for this API (it is Vertex AI's only), so no image generation is compared.
Headers google-genai sends and we do not are listed in _THEIRS_ONLY, each with its reason.
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

from .cases import CASES, canned_response, logged

RECORDING = json.loads((Path(__file__).parent / "google_genai_requests.json").read_text())


def _camel(key: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m[1].upper(), key)


# Keys whose values are free-form JSON (schemas the user wrote): their keys stay as written.
_OPAQUE = {"responseJsonSchema", "parametersJsonSchema", "args", "response"}
# int64 fields, which proto JSON spells as strings and reads from numbers too.
_INT64 = {"sizeBytes"}
# Headers of google-genai's that ours lack, as (case, header): why the difference stays.
_THEIRS_ONLY = {
    ("upload_path", "x-goog-upload-file-name"): (
        "google-genai names a path's file to the upload session; the File's metadata "
        "(displayName) is what the API documents, and it is the user's to set"
    ),
}


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
    if keys and key in _INT64 and isinstance(value, int):
        return str(value)
    if keys and key == "data" and isinstance(value, str):
        # google-genai encodes bytes URL-safe; the service reads either alphabet.
        return value.replace("-", "+").replace("_", "/")
    return value


def _their_headers(name: str, headers: dict[str, str]) -> dict[str, str]:
    # google-genai repeats the start's headers on every chunk; they describe the upload only
    # at its start, so the service reads just the command and offset of a chunk.
    start = headers.get("x-goog-upload-command") == "start"
    return {
        k: v
        for k, v in headers.items()
        if (name, k) not in _THEIRS_ONLY
        and (start or not k.startswith(("x-goog-upload-header-", "x-goog-upload-protocol")))
    }


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
        query = dict(request.url.params)
        entry = logged(request.method, request.url.path, query, request.headers, request.content)
        log.append(entry)
        base = f"{request.url.scheme}://{request.url.host}"
        ctype, data, extra = canned_response(
            request.method, request.url.path, query, entry["body"], base
        )
        return httpx.Response(200, content=data, headers={"content-type": ctype, **extra})

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
            "headers": _their_headers(name, r["headers"]),
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


def test_folds_only_the_spellings_named() -> None:
    assert _fold({"file": {"size_bytes": 7}}) == {"file": {"sizeBytes": "7"}}
    assert _fold({"inline_data": {"data": "_9j_"}}) == {"inlineData": {"data": "/9j/"}}
    # Our side keeps both as sent: a number for an int64, or URL-safe base64, stays a mismatch.
    assert _fold({"sizeBytes": 7, "data": "_9j_"}, keys=False) == {"sizeBytes": 7, "data": "_9j_"}
    chunk = {"x-goog-upload-command": "upload, finalize", "x-goog-upload-protocol": "resumable"}
    assert _their_headers("upload_stream", chunk) == {"x-goog-upload-command": "upload, finalize"}
    start = {"x-goog-upload-command": "start", "x-goog-upload-protocol": "resumable"}
    assert _their_headers("upload_stream", start) == start


def test_each_header_left_out_is_still_theirs_only() -> None:
    """An entry of _THEIRS_ONLY goes once we send the header too, or google-genai stops."""
    for case, header in _THEIRS_ONLY:
        assert any(header in r["headers"] for r in RECORDING["cases"][case])
        assert not any(header in r["headers"] for r in _record_ours(case))


def test_recording_covers_every_case() -> None:
    assert sorted(RECORDING["cases"]) == sorted(CASES)
    assert RECORDING["sdk"].startswith("google-genai ")
