"""Record and replay: a proxy in front of an upstream (the real API or any URL) that writes each
exchange to a cassette directory, and an app that answers from those cassettes offline, so an
application's contract tests run without a network.

    python -m gemini_sdk.testing --record https://generativelanguage.googleapis.com --cassettes c/
    python -m gemini_sdk.testing --replay c/

One JSON file per exchange (`0001-POST-v1beta-models-gemini-2.5-flash-generateContent.json`), numbered in
the order the answers completed: the request (method, path, query, headers, body) and the
answer (status, headers, body; a stream's body as the list of chunks it came in, so a replay
streams it the same way). Bodies are text when they are UTF-8, `{"base64": ...}` otherwise.

What never reaches a cassette: the `x-goog-api-key` and `authorization` headers, the `key`
query parameter, cookies, and the key's text wherever else it appears. Upload URLs the
upstream hands out (`x-goog-upload-url`, `location`) are rewritten to point back at the
proxy, so the upload's chunks are recorded too; a cassette spells the server's own address
`{base}`, which a replay fills in with its own.

A replay matches a request by method, path, query (without `key`) and body (JSON compared
after sorting its keys). Several recordings of one request (a polled operation, say) answer
in the order they were recorded, the last one repeating once they are used up. A request
without a recording is answered 501 UNIMPLEMENTED in the Google error envelope, with an
`x-gemini-replay: miss` header and a message naming the request and the directory (the
client raises errors.MethodNotImplemented, which it does not retry). The Live API's WebSocket is
neither recorded nor replayed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gemini_sdk.testing._errors import ApiError
from gemini_sdk.testing._reply import SSE_TYPE
from gemini_sdk.testing._state import SECRET_HEADERS

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
BASE = "{base}"
REDACTED = "REDACTED"
MISS_HEADER = "x-gemini-replay"

# Hop-by-hop, recomputed by whoever serves the body next, or credentials.
_REQUEST_DROPPED = SECRET_HEADERS | {
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "accept-encoding",
    "cookie",
}
_RESPONSE_DROPPED = frozenset(
    {
        "content-length",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "set-cookie",
        "date",
        "server",
    }
)
_URL_HEADERS = ("x-goog-upload-url", "location")
# An upstream that has nothing to say within this long is taken to be gone.
UPSTREAM_TIMEOUT = httpx.Timeout(600.0, connect=30.0)


def _pack(data: bytes) -> str | dict[str, str]:
    try:
        return data.decode()
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def _unpack(packed: str | Mapping[str, str]) -> bytes:
    if isinstance(packed, str):
        return packed.encode()
    return base64.b64decode(packed["base64"])


def _body_digest(body: bytes) -> str:
    """The body as matching sees it: JSON with its keys sorted, anything else as it is."""
    if body:
        try:
            body = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
        except orjson.JSONDecodeError:
            pass
    return hashlib.sha256(body).hexdigest()


def _match_key(method: str, path: str, query: Iterable[tuple[str, str]], body: bytes) -> str:
    kept = sorted((name, value) for name, value in query if name != "key")
    return orjson.dumps([method.upper(), path, kept, _body_digest(body)]).decode()


def _base_of(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _secrets(request: Request) -> list[str]:
    """The credentials a request carries, to be cut out of everything written."""
    found = [request.headers.get("x-goog-api-key", ""), request.query_params.get("key", "")]
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        found.append(authorization[7:])
    return [secret for secret in found if secret]


def _scrubbed(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _scrubbed_pack(data: bytes, secrets: list[str]) -> str | dict[str, str]:
    packed = _pack(data)
    return _scrubbed(packed, secrets) if isinstance(packed, str) else packed


def _slug(method: str, path: str) -> str:
    return f"{method}-{re.sub(r'[^A-Za-z0-9._-]+', '-', path.strip('/'))[:60]}"


class CassetteWriter:
    """Numbers and writes the exchanges of one recording into `directory`."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = len(list(self.directory.glob("*.json")))

    def write(self, exchange: dict[str, Any]) -> Path:
        request = exchange["request"]
        with self._lock:
            self._count += 1
            path = (
                self.directory
                / f"{self._count:04d}-{_slug(request['method'], request['path'])}.json"
            )
            path.write_bytes(orjson.dumps(exchange, option=orjson.OPT_INDENT_2))
        return path


def recording_app(upstream: str, cassettes: str | os.PathLike[str]) -> Starlette:
    """A proxy to `upstream` that writes every exchange into `cassettes`."""
    upstream = upstream.rstrip("/")
    writer = CassetteWriter(cassettes)

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        secrets = _secrets(request)
        headers = {k: v for k, v in request.headers.items() if k not in _REQUEST_DROPPED}
        # The credentials go on to the upstream, which needs them; only the cassette lacks them.
        headers.update({k: v for k, v in request.headers.items() if k in SECRET_HEADERS})
        http = httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT)
        try:
            sent = http.build_request(
                request.method,
                upstream + request.url.path,
                params=list(request.query_params.multi_items()),
                headers=headers,
                content=raw,
            )
            answer = await http.send(sent, stream=True)
        except httpx.HTTPError as error:
            await http.aclose()
            failure = ApiError(
                502,
                f"The recording proxy could not reach {upstream}: {error}",
                status="UNAVAILABLE",
            )
            return Response(failure.body(), status_code=502, media_type="application/json")
        recorded_request = {
            "method": request.method,
            "path": request.url.path,
            "query": {
                k: _scrubbed(v, secrets)
                for k, v in request.query_params.multi_items()
                if k != "key"
            },
            "headers": {
                k: _scrubbed(v, secrets) for k, v in headers.items() if k not in SECRET_HEADERS
            },
            "body": _scrubbed_pack(raw, secrets),
        }
        kept = {
            k: v.replace(upstream, BASE) if k in _URL_HEADERS else v
            for k, v in answer.headers.items()
            if k not in _RESPONSE_DROPPED
        }
        client_headers = {k: v.replace(BASE, _base_of(request)) for k, v in kept.items()}

        def finish(body: dict[str, Any]) -> None:
            response = {
                "status": answer.status_code,
                "headers": {k: _scrubbed(v, secrets) for k, v in kept.items()},
                **body,
            }
            writer.write({"request": recorded_request, "response": response})

        if not answer.headers.get("content-type", "").startswith(SSE_TYPE):
            try:
                content = await answer.aread()
            finally:
                await answer.aclose()
                await http.aclose()
            finish({"body": _scrubbed_pack(content, secrets)})
            return Response(content, status_code=answer.status_code, headers=client_headers)

        async def relay() -> AsyncIterator[bytes]:
            chunks: list[bytes] = []
            try:
                async for chunk in answer.aiter_bytes():
                    chunks.append(chunk)
                    yield chunk
            finally:
                await answer.aclose()
                await http.aclose()
            finish({"chunks": [_scrubbed_pack(chunk, secrets) for chunk in chunks]})

        return StreamingResponse(relay(), status_code=answer.status_code, headers=client_headers)

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=METHODS)])


class Cassettes:
    """The recordings in a directory, by what a replay matches on."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"replay: no cassette directory {self.directory}")
        self._answers: dict[str, list[dict[str, Any]]] = {}
        self._paths: dict[tuple[str, str], int] = {}
        for path in sorted(self.directory.glob("*.json")):
            exchange = orjson.loads(path.read_bytes())
            request = exchange["request"]
            key = _match_key(
                request["method"],
                request["path"],
                request["query"].items(),
                _unpack(request["body"]),
            )
            self._answers.setdefault(key, []).append(exchange["response"])
            where = (request["method"], request["path"])
            self._paths[where] = self._paths.get(where, 0) + 1
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def answer(
        self, method: str, path: str, query: Iterable[tuple[str, str]], body: bytes
    ) -> dict[str, Any] | None:
        """The next recorded answer to this request, or None when none was recorded."""
        key = _match_key(method, path, query, body)
        answers = self._answers.get(key)
        if not answers:
            return None
        with self._lock:
            used = self._used.get(key, 0)
            self._used[key] = used + 1
        return answers[min(used, len(answers) - 1)]

    def miss(self, method: str, path: str) -> ApiError:
        near = self._paths.get((method, path), 0)
        hint = (
            f"{near} recording(s) of {method} {path} differ from it in query or body"
            if near
            else f"nothing was recorded for {method} {path}"
        )
        return ApiError(
            501,
            f"Replay miss: no recorded answer to this request in {self.directory} ({hint}). "
            "Record it against the service with --record UPSTREAM --cassettes DIR.",
            headers={MISS_HEADER: "miss"},
        )


def replaying_app(cassettes: str | os.PathLike[str]) -> Starlette:
    """An app answering every request from the recordings in `cassettes`."""
    recorded = Cassettes(cassettes)

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        query = list(request.query_params.multi_items())
        answer = recorded.answer(request.method, request.url.path, query, raw)
        if answer is None:
            miss = recorded.miss(request.method, request.url.path)
            return Response(
                miss.body(), status_code=501, headers=miss.headers, media_type="application/json"
            )
        base = _base_of(request)
        headers = {k: v.replace(BASE, base) for k, v in answer["headers"].items()}
        if "chunks" not in answer:
            return Response(_unpack(answer["body"]), status_code=answer["status"], headers=headers)
        chunks = [_unpack(chunk) for chunk in answer["chunks"]]

        async def stream() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return StreamingResponse(stream(), status_code=answer["status"], headers=headers)

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=METHODS)])


def cassette_app(
    record: str | None,
    cassettes: str | os.PathLike[str] | None,
    replay: str | os.PathLike[str] | None,
) -> Starlette | None:
    """The recorder or the replayer these options ask for; None for neither."""
    if record is not None and replay is not None:
        raise ValueError("record and replay: pass one of them, not both")
    if record is not None:
        if cassettes is None:
            raise ValueError("record needs cassettes: the directory to write the recordings to")
        if not record.startswith(("http://", "https://")):
            raise ValueError(f"record: expected the upstream's http(s) URL, got {record!r}")
        return recording_app(record, cassettes)
    if cassettes is not None:
        raise ValueError("cassettes is the directory a recording writes to; it needs record")
    return replaying_app(replay) if replay is not None else None
