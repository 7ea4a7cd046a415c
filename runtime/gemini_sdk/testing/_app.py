"""The Starlette app: one catch-all route and a dispatcher driven by the spec's operation table,
beside the Live API's WebSocket route (testing/_live.py).

Per request: record it, route it (method + path template -> operation; paths under
`/v1beta/openai/` go to the OpenAI-compatible routes of `_openai`), fire matching faults,
authenticate the API key, check query names, parse and validate the body against the
operation's request class, count it against the key's rate limits, then call the operation's
handler. Every failure answers in the Google error envelope.

A request to an upload URL (an upload operation's path with an `upload_id` query) continues
an upload session instead: it is recorded (as its operation) and faults fire as for any
request, then the file store takes it; the session id stands in for the API key.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import attrs
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from _gemini_sdk_gen import operations as ops
from gemini_sdk._endpoint import OperationSpec
from gemini_sdk.testing import (  # noqa: F401 - register their handlers
    _batches,
    _caches,
    _file_handlers,
    _imagen,
    _interactions,
    _openai,
    _operation_handlers,
    _store_handlers,
    _videos,
)
from gemini_sdk.testing._call import Call, owner_of
from gemini_sdk.testing._errors import BAD_REQUEST_TYPE, ApiError, DropConnection, key_invalid
from gemini_sdk.testing._faults import Fault
from gemini_sdk.testing._handlers import HANDLERS, model_not_found
from gemini_sdk.testing._live import live_path, live_session
from gemini_sdk.testing._reply import Reply
from gemini_sdk.testing._routing import match
from gemini_sdk.testing._state import (
    RECORDED_CHUNK_LIMIT,
    SECRET_HEADERS,
    EmulatorState,
    RecordedRequest,
)
from gemini_sdk.testing._validate import parse_body, snake, validate

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

# Standard Google API query parameters, accepted on every operation, each with or without a
# leading `$` (the rendering declares `$alt`, `$callback`, `$prettyPrint`, `$.xgafv`).
SYSTEM_QUERY = frozenset(
    {"key", "alt", "prettyPrint", "fields", "quotaUser", ".xgafv"}
    | {"callback", "access_token", "upload_protocol", "uploadType"}
)


def _unregistered() -> ApiError:
    return ApiError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


def _bad_token() -> ApiError:
    return ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    )


@attrs.frozen
class Routed:
    operation: OperationSpec[Any]
    params: dict[str, str]

    @property
    def name(self) -> str:
        return self.operation.name


class OperationRouter:
    """Matches a method and path against every operation's path template."""

    def __init__(self, operations: Iterable[OperationSpec[Any]]) -> None:
        self._routes = [
            (op.method, _template_pattern(op.url_path(ops.API_VERSION)), op) for op in operations
        ]
        # Clients send the same few paths again and again: each is matched against every
        # template once (the table is bounded so that many distinct paths cannot grow it).
        self._seen: dict[tuple[str, str], tuple[OperationSpec[Any], dict[str, str]]] = {}

    def match(self, method: str, path: str) -> Routed:
        found = self._seen.get((method, path))
        if found is None:
            found = match(self._routes, method, path)
            if len(self._seen) >= _ROUTES_SEEN:
                self._seen.clear()
            self._seen[method, path] = found
        return Routed(found[0], dict(found[1]))


_ROUTES_SEEN = 4096


def _template_pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", template)
    # re.split alternates literal text and placeholder names.
    regex = "".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>[^/:]+)" for i, piece in enumerate(pieces)
    )
    return re.compile(regex)


def build_app(state: EmulatorState) -> Starlette:
    router = OperationRouter(ops.ALL)

    async def endpoint(request: Request) -> Response:
        return await _dispatch(state, router, request)

    async def live(websocket: WebSocket) -> None:
        await live_session(state, websocket)

    return Starlette(
        routes=[
            WebSocketRoute(live_path(ops.API_VERSION), live),
            Route("/{path:path}", endpoint, methods=METHODS),
        ]
    )


async def _dispatch(state: EmulatorState, router: OperationRouter, request: Request) -> Response:
    raw = await request.body()
    method, path = request.method, request.url.path
    query = dict(request.query_params)
    openai = path.startswith(_openai.PREFIX)
    routed: Routed | _openai.OpenAIRouted | ApiError
    try:
        routed = _openai.match(method, path) if openai else router.match(method, path)
    except ApiError as error:
        routed = error
    operation = None if isinstance(routed, ApiError) else routed.name
    upload_id = query.get("upload_id")
    if not (isinstance(routed, Routed) and routed.operation.upload):
        upload_id = None
    if state.records_requests:
        state.record(_recorded(request, query, raw, operation, chunk=upload_id is not None))

    command = request.headers.get("x-goog-upload-command")
    faults = state.faults.take(method, path, operation, command)
    for fault in faults:
        if fault.kind == "delay":
            await fault.hold()
    drop = next((f for f in faults if f.kind == "drop"), None)
    if drop is not None:
        if upload_id is not None and drop.after_bytes:
            _arrived_before_the_drop(state, upload_id, path, request, raw, drop.after_bytes)
        raise DropConnection
    try:
        status = next((f for f in faults if f.kind == "status"), None)
        if status is not None:
            raise status.error()
        if isinstance(routed, ApiError):
            raise routed
        if upload_id is not None:
            short = next((f for f in faults if f.kind == "wrong_offset"), None)
            keep = short.after_bytes if short is not None else None
            reply = state.files.chunk(upload_id, path, request.headers, raw, keep=keep)
        elif isinstance(routed, _openai.OpenAIRouted):
            reply = routed.serve(state, request, raw)
        else:
            reply = _serve(state, routed, request, query, raw)
    except ApiError as error:
        if openai:
            reply = _openai.error_reply(error)
        else:
            reply = Reply(status=error.code, body=error.body(), headers=error.headers)
    cut = next((f for f in faults if f.kind == "cut_stream"), None)
    return _response(reply, cut)


def _arrived_before_the_drop(
    state: EmulatorState, upload_id: str, path: str, request: Request, raw: bytes, size: int
) -> None:
    # Whatever the store refuses (a wrong offset, say) would not have arrived either.
    with contextlib.suppress(ApiError):
        state.files.chunk(upload_id, path, request.headers, raw, keep=size)


def _serve(
    state: EmulatorState, routed: Routed, request: Request, query: dict[str, str], raw: bytes
) -> Reply:
    api_key, tier = _authenticate(state, request, query)
    operation = routed.operation
    handler = HANDLERS.get(operation.name)
    if handler is None:
        raise ApiError(501, f"The emulator does not implement {operation.name} yet.")
    _check_query(operation, query)
    model = routed.params.get("model")
    _, colon, verb = request.url.path.rpartition(":")
    if model is not None and colon and state.catalogue.get(model) is None:
        # The service resolves the URL's model before it reads the body.
        raise model_not_found(model, verb)
    body: dict[str, Any] = {}
    if operation.request is not None:
        body = validate(
            parse_body(raw),
            operation.request,
            path_bound=operation.path_bound_fields,
            partial=operation.method == "PATCH",
        )
    if model is not None:
        state.quota.admit(api_key, tier, model, operation.name)
    call = Call(
        state,
        operation,
        routed.params,
        query,
        body,
        owner_of(api_key),
        headers=request.headers,
        base_url=f"{request.url.scheme}://{request.url.netloc}",
    )
    return handler(call)


def _authenticate(
    state: EmulatorState, request: Request, query: Mapping[str, str]
) -> tuple[str, str]:
    """The API key and its tier."""
    key = request.headers.get("x-goog-api-key") or query.get("key")
    if not key:
        if request.headers.get("authorization", "").lower().startswith("bearer "):
            raise _bad_token()
        raise _unregistered()
    tier = state.tier_of(key)
    if tier is None:
        raise key_invalid()
    return key, tier


def _check_query(operation: OperationSpec[Any], query: Mapping[str, str]) -> None:
    known = {p.wire_name for p in operation.query_params}
    known |= {snake(name) for name in known}
    unknown = [
        name for name in query if name not in known and name.removeprefix("$") not in SYSTEM_QUERY
    ]
    if unknown:
        descriptions = [
            f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
            f"parameter. Field '{name}' could not be found in request message."
            for name in unknown
        ]
        violations = [{"field": "", "description": text} for text in descriptions]
        raise ApiError(
            400,
            "\n".join(descriptions),
            details=[{"@type": BAD_REQUEST_TYPE, "fieldViolations": violations}],
        )


def _recorded(
    request: Request, query: Mapping[str, str], raw: bytes, operation: str | None, *, chunk: bool
) -> RecordedRequest:
    body: Any = None
    if chunk:  # file bytes: kept as they are, unless too long to keep
        body = raw if raw and len(raw) <= RECORDED_CHUNK_LIMIT else None
    elif raw:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = raw
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        query={k: v for k, v in query.items() if k != "key"},
        headers={k: v for k, v in request.headers.items() if k not in SECRET_HEADERS},
        body=body,
        operation=operation,
        body_size=len(raw),
    )


def _response(reply: Reply, cut: Fault | None) -> Response:
    if reply.stream is None and cut is None:
        return Response(
            reply.body,
            status_code=reply.status,
            headers=dict(reply.headers),
            media_type=reply.media_type,
        )
    chunks = reply.stream() if reply.stream is not None else _once(reply.body)
    if cut is not None:
        chunks = cut.cut(chunks)
    return StreamingResponse(
        chunks, status_code=reply.status, headers=dict(reply.headers), media_type=reply.media_type
    )


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body
