"""Every wire operation through `client.endpoints` (sync) and `client.aio.endpoints` (async):
the method, exact path, query and JSON body sent, and the typed value returned.

Requests are built from each method's signature and a minimal valid instance of the
operation's request type, so a new operation in the spec is covered without editing this file.
"""

from __future__ import annotations

import datetime
import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import as_received

import _gemini_sdk_gen
import gemini_sdk as genai
from _gemini_sdk_gen import operations as ops
from gemini_sdk import _wire
from gemini_sdk._endpoint import OperationSpec
from gemini_sdk._model import WireModel

KEY = "endpoint-test-key"
BASE = "https://generativelanguage.googleapis.com"
UPLOAD_URL = f"{BASE}/upload/session?upload_id=s1"
OPTIONS = {"timeout", "extra_headers", "extra_query", "extra_body", "media", "mime_type"}
MANIFEST = json.loads((Path(_gemini_sdk_gen.__file__).parent / "manifest.json").read_text())


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- minimal valid instances -----------------------------------------------------------------


_SCALAR_VALUES: dict[str, Any] = {
    "any": {},
    "int64": 1,
    "uint64": 1,
    "duration": "1s",
    "string": "s",
    "bool": True,
    "int32": 1,
    "uint32": 1,
    "float": 1.5,
    "double": 1.5,
    "bytes": b"b",
    "timestamp": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
}


def minimal_value(kind: _wire.Kind, seen: tuple[type, ...]) -> Any:
    if isinstance(kind, _wire.Scalar):
        return _SCALAR_VALUES[kind.codec]
    if isinstance(kind, _wire.ListOf):
        return [minimal_value(kind.item, seen)]
    if isinstance(kind, _wire.MapOf):
        return {"k": minimal_value(kind.value, seen)}
    if isinstance(kind, _wire.EnumRef):
        return list(kind.resolve())[-1]  # not the *_UNSPECIFIED member
    if isinstance(kind, _wire.ModelRef):
        return minimal(kind.resolve(), seen=seen)
    raise AssertionError(f"no minimal value for {kind!r}")


def minimal(cls: type[WireModel], skip: tuple[str, ...] = (), seen: tuple[type, ...] = ()) -> Any:
    """`cls` with its required fields (recursively) set to small values, `skip` left out."""
    assert cls not in seen, f"required fields loop through {cls.__name__}"
    values = {
        f.attr: minimal_value(f.kind, (*seen, cls))
        for f in cls._wire_fields
        if f.required and f.wire not in skip
    }
    return cls(**values)


def query_value(annotation: Any) -> tuple[Any, str]:
    text = str(annotation)
    if "bool" in text:
        return True, "true"
    if "int" in text:
        return 7, "7"
    return "q-value", "q-value"


# -- the fake server -------------------------------------------------------------------------


class Server:
    def __init__(self, op: OperationSpec[Any]) -> None:
        self.op = op
        self.requests: list[httpx.Request] = []
        self.payload = minimal(op.response).to_dict()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(as_received(request))
        if self.op.upload:
            if request.headers.get("x-goog-upload-command") == "start":
                return httpx.Response(200, headers={"x-goog-upload-url": UPLOAD_URL})
            assert request.headers["x-goog-upload-command"] == "upload, finalize"
            assert request.headers["x-goog-upload-offset"] == "0"
            assert request.content == b"abc"
        if self.op.streaming:
            data = b"data: " + json.dumps(self.payload).encode() + b"\n\n"
            return httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=self.payload)


def make_client(server: Server) -> genai.Client:
    return genai.Client(
        api_key=KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
    )


class Call:
    """The arguments for one operation's endpoint method, and what it must send."""

    def __init__(self, op: OperationSpec[Any], method: Any) -> None:
        signature = inspect.signature(method)
        positional = [
            p.name
            for p in signature.parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        keyword = [
            p for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        path_names = [p for p in positional if p != "body"]
        assert path_names == [p.py_name for p in op.path_params]
        assert ("body" in positional) == (op.request is not None)
        query_params = [p for p in keyword if p.name not in OPTIONS]
        assert [p.name for p in query_params] == [p.py_name for p in op.query_params]
        assert ({"media", "mime_type"} <= {p.name for p in keyword}) == op.upload

        self.args = [f"p{i}" for i, _ in enumerate(path_names, 1)]
        self.path = op.url_path("v1beta").format(**dict(zip(path_names, self.args, strict=True)))
        self.kwargs: dict[str, Any] = {}
        self.query: dict[str, str] = {}
        wire = {p.py_name: p.wire_name for p in op.query_params}
        for p in query_params:
            value, text = query_value(p.annotation)
            self.kwargs[p.name] = value
            self.query[wire[p.name]] = text
        if op.alt is not None:
            self.query["alt"] = op.alt
        # a stream asked for by a flag in the body or the query rather than by `alt`
        place, _, flag = (op.stream_flag or "").partition(".")
        if place == "query":
            self.query[flag] = "true"
        self.body = None
        self.sent: dict[str, Any] | None = None
        if op.request is not None:
            self.body = minimal(op.request, op.path_bound_fields)
            self.args.append(self.body)
            self.sent = {**self.body.to_dict(), **({flag: True} if place == "body" else {})}
        if op.upload:
            self.kwargs.update(media=b"abc", mime_type="text/plain")


def check(op: OperationSpec[Any], call: Call, server: Server, result: Any) -> None:
    if op.upload:
        assert len(server.requests) == 2
        assert str(server.requests[1].url) == UPLOAD_URL
    else:
        assert len(server.requests) == 1
    request = server.requests[0]
    assert request.method == op.method
    assert request.url.scheme + "://" + request.url.host == BASE
    assert request.url.path == call.path
    assert dict(request.url.params) == call.query
    assert request.headers["x-goog-api-key"] == KEY
    if call.body is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == call.sent
    if op.streaming:
        items = list(result)
        assert len(items) == 1
        result = items[0]
    assert isinstance(result, op.response)
    assert result.to_dict() == server.payload


# -- the tests -------------------------------------------------------------------------------


def test_every_operation_of_the_manifest_is_covered() -> None:
    assert len(ops.ALL) == MANIFEST["counts"]["operations"]
    assert [op.name for op in ops.ALL] == MANIFEST["operations"]
    client = genai.Client(api_key=KEY)
    for endpoints in (client.endpoints, client.aio.endpoints):
        methods = {
            name
            for name, value in inspect.getmembers(type(endpoints), inspect.isfunction)
            if not name.startswith("_")
        }
        assert methods == {snake(op.name) for op in ops.ALL}
    client.close()


def op_id(op: OperationSpec[Any]) -> str:
    return op.name


@pytest.mark.parametrize("op", ops.ALL, ids=op_id)
def test_endpoint_sync(op: OperationSpec[Any]) -> None:
    server = Server(op)
    client = make_client(server)
    method = getattr(client.endpoints, snake(op.name))
    call = Call(op, method)

    result = method(*call.args, **call.kwargs)

    check(op, call, server, result)


@pytest.mark.parametrize("op", ops.ALL, ids=op_id)
async def test_endpoint_async(op: OperationSpec[Any]) -> None:
    server = Server(op)
    client = make_client(server)
    method = getattr(client.aio.endpoints, snake(op.name))
    assert inspect.iscoroutinefunction(method)
    call = Call(op, method)

    result = await method(*call.args, **call.kwargs)

    if op.streaming:
        items = [item async for item in result]

        class Replay:
            def __iter__(self) -> typing.Iterator[Any]:
                return iter(items)

        result = Replay()
    check(op, call, server, result)


WITH_PATH = [op for op in ops.ALL if op.path_params]


@pytest.mark.parametrize("op", WITH_PATH, ids=op_id)
def test_empty_path_param_fails_before_the_network(op: OperationSpec[Any]) -> None:
    server = Server(op)
    client = make_client(server)
    method = getattr(client.endpoints, snake(op.name))
    call = Call(op, method)
    last = len(op.path_params) - 1
    args = [*call.args]
    args[last] = ""

    with pytest.raises(ValueError, match=op.path_params[last].py_name):
        method(*args, **call.kwargs)

    assert server.requests == []


@pytest.mark.parametrize("op", WITH_PATH[:5], ids=op_id)
async def test_empty_path_param_fails_before_the_network_async(op: OperationSpec[Any]) -> None:
    server = Server(op)
    client = make_client(server)
    method = getattr(client.aio.endpoints, snake(op.name))
    call = Call(op, method)
    args = ["", *call.args[1:]]

    with pytest.raises(ValueError):
        await method(*args, **call.kwargs)

    assert server.requests == []


def test_path_params_are_escaped() -> None:
    server = Server(ops.GET_MODEL)
    client = make_client(server)

    client.endpoints.get_model("a b:c")

    assert server.requests[0].url.raw_path == b"/v1beta/models/a%20b%3Ac"
