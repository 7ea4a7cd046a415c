"""What generated endpoint stubs stand on: operation descriptors and two thin base classes.

A generated stub only names its operation and passes its arguments along; building the URL,
checking the request and calling the transport happens here, once for every operation.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union, cast
from urllib.parse import quote

import attrs

from gemini_sdk._model import WireModel, missing_required

if TYPE_CHECKING:
    import httpx

    from gemini_sdk._http import AsyncTransport, SyncTransport
    from gemini_sdk._upload import UploadSource

R = TypeVar("R", bound=WireModel)

# Seconds, or an httpx.Timeout for separate connect/read/write/pool limits.
Timeout = Union[float, "httpx.Timeout"]  # noqa: UP007 - a runtime alias, 3.10 needs Union


@attrs.frozen
class Param:
    py_name: str
    wire_name: str


@functools.cache
def generated_type(name: str) -> type[WireModel]:
    """A generated type by its name. Descriptors name their types rather than hold them, so
    that importing the descriptor tables builds no type: each is built on its first call."""
    from _gemini_sdk_gen import types

    return cast("type[WireModel]", getattr(types, name))


@attrs.frozen
class OperationSpec(Generic[R]):
    name: str
    method: str
    path: str
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    request_type: str | None  # names in the generated types module
    response_type: str
    streaming: bool = False
    long_running: bool = False
    upload: bool = False
    items_attr: str | None = None
    path_bound_fields: tuple[str, ...] = ()

    @property
    def request(self) -> type[WireModel] | None:
        return None if self.request_type is None else generated_type(self.request_type)

    @property
    def response(self) -> type[R]:
        return cast("type[R]", generated_type(self.response_type))


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
) -> PreparedRequest:
    path_args = {}
    for param in operation.path_params:
        value = path_values.get(param.py_name)
        if not isinstance(value, str) or not value:
            raise ValueError(
                f"{operation.name}: path parameter {param.py_name!r} must be a non-empty "
                f"string, got {value!r}"
            )
        path_args[param.py_name] = quote(value, safe="/-_.~")
    path = operation.path.format(**path_args)

    params = {k: _query_value(v) for k, v in query.items() if v is not None}
    if extra_query:
        params.update({k: _query_value(v) for k, v in extra_query.items()})

    json_body: dict[str, Any] | None = None
    if operation.request is not None:
        if not isinstance(body, operation.request):
            raise TypeError(
                f"{operation.name}: body must be {operation.request.__name__}, "
                f"got {type(body).__name__}"
            )
        missing = missing_required(body, skip=operation.path_bound_fields)
        if missing:
            raise ValueError(f"{operation.name}: required field(s) not set: {', '.join(missing)}")
        json_body = body.to_dict()
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
    )


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


class SyncEndpointsBase:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def _call(
        self,
        operation: OperationSpec[R],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        **options: Any,
    ) -> R:
        request = prepare(operation, path_values, query, body, **options)
        result: R = self._transport.call(request)
        return result

    def _stream(
        self,
        operation: OperationSpec[R],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        **options: Any,
    ) -> Iterator[R]:
        request = prepare(operation, path_values, {**query, "alt": "sse"}, body, **options)
        return self._transport.stream(request)

    def _upload(
        self,
        operation: OperationSpec[R],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        *,
        media: UploadSource,
        mime_type: str | None,
        **options: Any,
    ) -> R:
        request = prepare(operation, path_values, query, body, **options)
        result: R = self._transport.upload(request, media, mime_type)
        return result


class AsyncEndpointsBase:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def _call(
        self,
        operation: OperationSpec[R],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        **options: Any,
    ) -> R:
        request = prepare(operation, path_values, query, body, **options)
        result: R = await self._transport.call(request)
        return result

    async def _stream(
        self,
        operation: OperationSpec[R],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        **options: Any,
    ) -> AsyncIterator[R]:
        request = prepare(operation, path_values, {**query, "alt": "sse"}, body, **options)
        return await self._transport.stream(request)

    async def _upload(
        self,
        operation: OperationSpec[R],
        path_values: Mapping[str, Any],
        query: Mapping[str, Any],
        body: WireModel | None,
        *,
        media: UploadSource,
        mime_type: str | None,
        **options: Any,
    ) -> R:
        request = prepare(operation, path_values, query, body, **options)
        result: R = await self._transport.upload(request, media, mime_type)
        return result
