"""What generated endpoint stubs stand on: operation descriptors, `prepare`, and one base.

A generated stub only names its operation and passes its arguments along; building the URL
and checking the request happens here, once for every operation, and the transport's one
`execute` does the rest, for stubs and high-level methods alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, Union
from urllib.parse import quote, unquote

import attrs

from gemini_sdk import _generated
from gemini_sdk._model import WireModel, missing_required

if TYPE_CHECKING:
    import httpx

    from gemini_sdk._upload import Progress, UploadSource

R = TypeVar("R", bound=WireModel)

# Seconds, or an httpx.Timeout for separate connect/read/write/pool limits.
Timeout = Union[float, "httpx.Timeout"]  # noqa: UP007 - a runtime alias, 3.10 needs Union


@attrs.frozen
class Param:
    py_name: str
    wire_name: str


@attrs.frozen
class OperationSpec(Generic[R]):
    name: str
    method: str
    path: str
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    # Names in the generated types module, not the classes: importing the descriptor
    # tables then builds no type, and each is built on the first call that needs it.
    request_type: str | None
    response_type: str
    # What a call gives back: "response" (decoded), "stream" (of decoded events) or
    # "upload" (the resumable protocol, then the decoded response).
    kind: str = "response"
    # The `alt` query parameter every call of the operation sends (`sse` for a stream).
    alt: str | None = None
    # Where every call sets a flag instead, for a stream that `alt` does not select:
    # "body.NAME" (`true` in the JSON body) or "query.NAME" (`NAME=true`).
    stream_flag: str | None = None
    items_attr: str | None = None
    path_bound_fields: tuple[str, ...] = ()
    # What comes before the API version in the URL ("upload" for media uploads); `path`
    # comes after it, so the version is the client's to choose.
    root: str = ""

    def url_path(self, api_version: str) -> str:
        """The path template at `api_version`: `/v1beta/models/{model}:generateContent`."""
        root = f"/{self.root}" if self.root else ""
        return f"{root}/{api_version}/{self.path}"

    @property
    def request(self) -> type[WireModel] | None:
        if self.request_type is None:
            return None
        return _generated.type_named(self.request_type)  # type: ignore[no-any-return]

    @property
    def response(self) -> type[R]:
        return _generated.type_named(self.response_type)  # type: ignore[no-any-return]

    @property
    def streaming(self) -> bool:
        return self.kind == "stream"

    @property
    def upload(self) -> bool:
        return self.kind == "upload"


@attrs.frozen
class PreparedRequest:
    """A checked request, ready for the transport: nothing here touches the network."""

    operation: OperationSpec[Any]
    method: str
    path: str
    query: dict[str, str]
    json: dict[str, Any] | None
    headers: dict[str, str]
    timeout: Timeout | None
    # The operation's kind, or what a high-level method makes of it ("pager", "media").
    kind: str
    # A call's own `types.HttpOptions`, merged over the client's by the transport.
    http_options: Any = None
    media: UploadSource | None = None
    mime_type: str | None = None
    # The class to decode the answer as, when the caller's own object says it better than the
    # operation's declared response (an operation refreshed as the kind it was).
    decode_as: type[WireModel] | None = None

    @property
    def response(self) -> type[WireModel]:
        return self.decode_as or self.operation.response

    wait: Any = None  # a _wait.Wait, for the "wait" kind
    # Told (bytes done, total) as an upload's or a download's bytes go.
    progress: Progress | None = None


def prepare(
    operation: OperationSpec[Any],
    path_values: Mapping[str, Any],
    query: Mapping[str, Any],
    body: WireModel | None,
    *,
    timeout: Timeout | None = None,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, Any] | None = None,
    extra_body: Mapping[str, Any] | None = None,
    http_options: Any = None,
    kind: str | None = None,
    alt: str | None = None,
    media: UploadSource | None = None,
    mime_type: str | None = None,
    decode_as: type[WireModel] | None = None,
    wait: Any = None,
    progress: Progress | None = None,
) -> PreparedRequest:
    path_args = {
        param.py_name: _segment(operation, param, path_values.get(param.py_name))
        for param in operation.path_params
    }
    path = operation.path.format(**path_args)

    params = {k: _query_value(v) for k, v in query.items() if v is not None}
    alt = alt or operation.alt
    if alt is not None:
        params["alt"] = alt
    if extra_query:
        params.update({k: _query_value(v) for k, v in extra_query.items()})

    json_body: dict[str, Any] | None = None
    if operation.request is not None:
        if not isinstance(body, operation.request):
            raise TypeError(
                f"{operation.name}: body must be {operation.request.__name__}, "
                f"got {type(body).__name__}"
            )
        # A PATCH is a partial update: it carries only the fields its update mask names.
        missing = (
            []
            if operation.method == "PATCH"
            else missing_required(body, skip=operation.path_bound_fields)
        )
        if missing:
            raise ValueError(f"{operation.name}: required field(s) not set: {', '.join(missing)}")
        json_body = body.to_dict()
    if operation.stream_flag is not None:
        place, _, flag = operation.stream_flag.partition(".")
        if place == "query":
            params[flag] = "true"
        else:
            json_body = {**(json_body or {}), flag: True}
    if extra_body:
        json_body = _deep_merge(json_body or {}, extra_body)
    return PreparedRequest(
        operation=operation,
        method=operation.method,
        path=path,
        query=params,
        json=json_body,
        headers=dict(extra_headers or {}),
        timeout=timeout,
        kind=kind or operation.kind,
        http_options=http_options,
        media=media,
        mime_type=mime_type,
        decode_as=decode_as,
        wait=wait,
        progress=progress,
    )


# What would make a value more than one path segment, as it is or once percent-decoded.
_NOT_IN_SEGMENT = re.compile(r"[/?#\\]|%2f|%3f|%23|%5c", re.IGNORECASE)
# What is one segment as it is (what `quote` leaves alone, not `.` or `..`): model names and
# ids, checked by one match instead of the three steps below.
_PLAIN_SEGMENT = re.compile(r"(?!\.\.?$)[A-Za-z0-9._~-]+")


def _segment(operation: OperationSpec[Any], param: Param, value: Any) -> str:
    """`value` as ONE path segment, percent-encoded; anything that could reach another
    resource (`..`, a `/`, a query or a fragment, raw or escaped) raises before any request."""
    if value.__class__ is str and _PLAIN_SEGMENT.fullmatch(value):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError(
            f"{operation.name}: path parameter {param.py_name!r} must be a non-empty "
            f"string, got {value!r}"
        )
    if _NOT_IN_SEGMENT.search(value) or unquote(value) in (".", ".."):
        raise ValueError(
            f"{operation.name}: path parameter {param.py_name!r} must be one path segment "
            "(an id such as 'abc-123': no '/', '\\', '?' or '#', raw or percent-encoded, "
            f"and not '.' or '..'), got {value!r}"
        )
    return quote(value, safe="-_.~")


def _query_value(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def unchanged(result: Any) -> Any:
    return result


class Transport(Protocol):
    """What stubs and resources call: `SyncTransport`, or `AsyncTransport` (then awaited)."""

    def execute(
        self, request: PreparedRequest, finish: Callable[[Any], Any] = unchanged
    ) -> Any: ...


class EndpointsBase:
    """The base of both generated stub classes: an async stub awaits what `_call` returns."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _call(
        self,
        operation: OperationSpec[Any],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        **options: Any,
    ) -> Any:
        return self._transport.execute(prepare(operation, path_values, query, body, **options))
