"""The OpenAI-compatible routes under `/v1beta/openai/`, on the same app and models as REST.

Each route reads an OpenAI-shaped body, translates it into the Gemini request the REST
handlers take (`chat/completions` -> GenerateContent, `embeddings` -> BatchEmbedContents,
`images/generations` -> Predict), counts it against the same rate limits and answers with the
OpenAI shape of the result. The key comes as `Authorization: Bearer <key>`, as OpenAI's
clients send it (`x-goog-api-key` works too). Errors come in OpenAI's shape, `{"error":
{"message", "type", "param", "code"}}`, with the status the REST routes would answer, so the
`openai` package raises the class that status maps to, its `.code`, `.type` and `.param` set:
`type` follows the status (`invalid_request_error`, `requests` for 429, `server_error` for
5xx), `code` is `invalid_api_key` for a key that is not valid, `rate_limit_exceeded` for 429
and otherwise the Google status in lower case (`not_found`, `invalid_argument`, ...), and
`param` names the field a bad request got wrong (None when it is not about one field).

Requests are recorded and faults fire as for the REST routes; their operation names are
"OpenAI.ChatCompletions", "OpenAI.Embeddings", "OpenAI.ListModels", "OpenAI.GetModel" and
"OpenAI.GenerateImages".
"""

from __future__ import annotations

import base64
import re
import struct
import time
from collections.abc import Callable
from typing import Any

import attrs
import orjson
from starlette.requests import Request

from _gemini_sdk_gen import operations as ops
from gemini_sdk._endpoint import OperationSpec
from gemini_sdk.testing import _generate as gen
from gemini_sdk.testing import _routing
from gemini_sdk.testing._call import Call, owner_of
from gemini_sdk.testing._errors import (
    BAD_REQUEST_TYPE,
    ERROR_INFO_TYPE,
    ApiError,
    key_invalid,
    not_found,
)
from gemini_sdk.testing._handlers import HANDLERS, generation
from gemini_sdk.testing._imagen import IMAGE_SIZES, SIZES_1K
from gemini_sdk.testing._model_zoo import ModelCard
from gemini_sdk.testing._openai_chat import chat_request, completion, completion_chunks
from gemini_sdk.testing._openai_wire import PAYLOAD, bad_field, check_names, field, one_of, typed
from gemini_sdk.testing._reply import Reply, json_reply, stream_reply
from gemini_sdk.testing._state import EmulatorState
from gemini_sdk.testing._validate import parse_body, validate

PREFIX = f"/{ops.API_VERSION}/openai/"
DONE = b"data: [DONE]\r\n\r\n"
OWNER = "google"


@attrs.frozen
class OpenAICall:
    state: EmulatorState
    request: Request
    params: dict[str, str]
    body: dict[str, Any]
    api_key: str
    tier: str

    def gemini(self, operation: OperationSpec[Any], model: str, body: dict[str, Any]) -> Call:
        """The REST handlers' view of this request, after counting it against the quota."""
        self.state.quota.admit(self.api_key, self.tier, model, operation.name)
        url = self.request.url
        return Call(
            self.state,
            operation,
            {"model": model},
            {},
            body,
            owner_of(self.api_key),
            headers=self.request.headers,
            base_url=f"{url.scheme}://{url.netloc}",
        )


@attrs.frozen
class OpenAIRoute:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Callable[[OpenAICall], Reply]


@attrs.frozen
class OpenAIRouted:
    route: OpenAIRoute
    params: dict[str, str]

    @property
    def name(self) -> str:
        return self.route.name

    def serve(self, state: EmulatorState, request: Request, raw: bytes) -> Reply:
        api_key, tier = _authenticate(state, request)
        body = parse_body(raw) if self.route.method == "POST" else {}
        if not isinstance(body, dict):
            raise bad_field("", f'{PAYLOAD} Unknown name "": Root element must be a message.')
        return self.route.handler(OpenAICall(state, request, self.params, body, api_key, tier))


_ROUTES: list[OpenAIRoute] = []


def _route(name: str, method: str, path: str) -> Callable[[Any], Any]:
    def register(handler: Callable[[OpenAICall], Reply]) -> Callable[[OpenAICall], Reply]:
        _ROUTES.append(OpenAIRoute(name, method, re.compile(re.escape(PREFIX) + path), handler))
        return handler

    return register


def match(method: str, path: str) -> OpenAIRouted:
    return OpenAIRouted(*_routing.match(((r.method, r.pattern, r) for r in _ROUTES), method, path))


def error_reply(error: ApiError) -> Reply:
    body = {
        "error": {
            "message": error.message,
            "type": _error_type(error.code),
            "param": _error_param(error),
            "code": _error_code(error),
        }
    }
    return Reply(status=error.code, body=orjson.dumps(body), headers=error.headers)


def _error_type(status: int) -> str:
    if status == 429:
        return "requests"
    return "server_error" if status >= 500 else "invalid_request_error"


def _error_code(error: ApiError) -> str:
    reasons = {d.get("reason") for d in error.details if d.get("@type") == ERROR_INFO_TYPE}
    if "API_KEY_INVALID" in reasons:
        return "invalid_api_key"
    return "rate_limit_exceeded" if error.code == 429 else error.status.lower()


def _error_param(error: ApiError) -> str | None:
    for detail in error.details:
        if detail.get("@type") == BAD_REQUEST_TYPE:
            for violation in detail.get("fieldViolations") or ():
                if violation.get("field"):
                    return str(violation["field"])
    return None


def _authenticate(state: EmulatorState, request: Request) -> tuple[str, str]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    key = token.strip() if scheme.lower() == "bearer" else ""
    key = key or request.headers.get("x-goog-api-key", "")
    if not key:
        raise ApiError(
            401,
            "Request is missing required authentication credential. Expected an API key as "
            "'Authorization: Bearer <key>'.",
        )
    tier = state.tier_of(key)
    if tier is None:
        raise key_invalid()
    return key, tier


# -- chat --------------------------------------------------------------------------------------


@_route("OpenAI.ChatCompletions", "POST", "chat/completions")
def chat_completions(call: OpenAICall) -> Reply:
    model = field(call.body, "model", "TYPE_STRING", required=True).removeprefix("models/")
    card = call.state.catalogue.get(model)
    chat = chat_request(call.body, thinking_levels=card is not None and card.thinking_levels)
    operation = ops.STREAM_GENERATE_CONTENT if chat.stream else ops.GENERATE_CONTENT
    request_type = operation.request
    assert request_type is not None  # a generation always has a body
    body = validate(chat.generate, request_type, path_bound=operation.path_bound_fields)
    answer, envelope = generation(call.gemini(operation, chat.model, body))
    created = int(time.time())
    if not chat.stream:
        return json_reply(completion(gen.response(answer, envelope), chat.model, created))
    chunks = completion_chunks(
        gen.chunks(answer, envelope), chat.model, created, include_usage=chat.include_usage
    )
    return stream_reply(list(chunks), sse=True, hook=call.state.stream_hook, closing=DONE)


# -- embeddings --------------------------------------------------------------------------------


@_route("OpenAI.Embeddings", "POST", "embeddings")
def embeddings(call: OpenAICall) -> Reply:
    check_names(call.body, ("model", "input", "dimensions", "encoding_format", "user"))
    model = field(call.body, "model", "TYPE_STRING", required=True).removeprefix("models/")
    given = call.body.get("input")
    if given is None:
        raise bad_field("input", "Missing required field 'input'.")
    texts = [given] if isinstance(given, str) else typed(given, "a list", "input")
    for index, text in enumerate(texts):
        typed(text, "TYPE_STRING", f"input[{index}]")
    dimensions = field(call.body, "dimensions", "TYPE_INT32")
    encoding = one_of(call.body, "encoding_format", ("float", "base64")) or "float"
    requests = []
    for text in texts:
        request: dict[str, Any] = {
            "model": f"models/{model}",
            "content": {"parts": [{"text": text}]},
        }
        if dimensions is not None:
            request["outputDimensionality"] = dimensions
        requests.append(request)
    operation = ops.BATCH_EMBED_CONTENTS
    answer = _answer(
        HANDLERS[operation.name](call.gemini(operation, model, {"requests": requests}))
    )
    data = [
        {"object": "embedding", "index": index, "embedding": _encoded(item["values"], encoding)}
        for index, item in enumerate(answer["embeddings"])
    ]
    tokens = answer["usageMetadata"]["promptTokenCount"]
    return json_reply(
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


def _encoded(values: list[float], encoding: str) -> Any:
    if encoding == "float":
        return values
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def _answer(reply: Reply) -> Any:
    return orjson.loads(reply.body)


# -- models ------------------------------------------------------------------------------------


def _model_object(card: ModelCard) -> dict[str, Any]:
    # The service lists no creation time; 0 keeps the field OpenAI's clients expect.
    return {"id": card.name, "object": "model", "created": 0, "owned_by": OWNER}


@_route("OpenAI.ListModels", "GET", "models")
def list_models(call: OpenAICall) -> Reply:
    cards = call.state.catalogue.all()
    return json_reply({"object": "list", "data": [_model_object(card) for card in cards]})


@_route("OpenAI.GetModel", "GET", "models/(?P<model>.+)")
def get_model(call: OpenAICall) -> Reply:
    model = call.params["model"].removeprefix("models/")
    card = call.state.catalogue.get(model)
    if card is None:
        raise not_found(f"Model models/{model} is not found.")
    return json_reply(_model_object(card))


# -- images ------------------------------------------------------------------------------------


def _aspect_ratio(size: str) -> tuple[str, str]:
    """(aspectRatio, imageSize) of an OpenAI `size` such as "1024x1024"."""
    for ratio, (width, height) in SIZES_1K.items():
        for image_size, factor in IMAGE_SIZES.items():
            if size == f"{width * factor}x{height * factor}":
                return ratio, image_size
    sizes = [f"{w * f}x{h * f}" for f in IMAGE_SIZES.values() for w, h in SIZES_1K.values()]
    raise bad_field("size", f"Invalid value at 'size': {size!r} is not one of {', '.join(sizes)}.")


@_route("OpenAI.GenerateImages", "POST", "images/generations")
def generate_images(call: OpenAICall) -> Reply:
    check_names(call.body, ("model", "prompt", "n", "size", "response_format", "user"))
    model = field(call.body, "model", "TYPE_STRING", required=True).removeprefix("models/")
    prompt = field(call.body, "prompt", "TYPE_STRING", required=True)
    one_of(call.body, "response_format", ("b64_json",))
    parameters: dict[str, Any] = {"sampleCount": field(call.body, "n", "TYPE_INT32") or 1}
    size = field(call.body, "size", "TYPE_STRING")
    if size is not None:
        parameters["aspectRatio"], parameters["imageSize"] = _aspect_ratio(size)
    body = {"instances": [{"prompt": prompt}], "parameters": parameters}
    answer = _answer(HANDLERS[ops.PREDICT.name](call.gemini(ops.PREDICT, model, body)))
    data = [{"b64_json": p["bytesBase64Encoded"]} for p in answer["predictions"]]
    return json_reply({"created": int(time.time()), "data": data})
