"""The mechanism behind every high-level method: arguments -> a checked, typed request.

A generated method only names its `MethodSpec` (from spec/sdk.yaml) and passes its arguments.
Here each argument goes through its transform and lands where the spec says (path, query or
a dotted body path); each set config field does the same; the body is assembled as the
operation's typed request; the result comes back as a response, a stream or a pager.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import attrs

from gemini_sdk import _functions, _generated, _schema, _wire
from gemini_sdk._endpoint import OperationSpec, PreparedRequest, Transport, prepare
from gemini_sdk._model import WireModel
from gemini_sdk._pager import AsyncPager, Pager
from gemini_sdk._steps import Media
from gemini_sdk._stream import AsyncStream, Stream
from gemini_sdk._transform import FINISHERS, RESULTS, TRANSFORMS, keep_media, resource_name
from gemini_sdk._upload import Progress, describe
from gemini_sdk._wait import Until, Wait

T = TypeVar("T")
P = ParamSpec("P")

_PER_CALL = ("timeout", "extra_headers", "extra_query", "extra_body")


@attrs.frozen
class Placement:
    param: str
    # "path.NAME" | "query.NAME" | "body.wire.path" | "options" | "media" | ...; "path" alone
    # for a resource name that fills the path parameters it holds.
    to: str
    transform: str | None = None
    optional: bool = False
    # A resource name's forms (`fileSearchStores/{file_search_store}`): the value is checked
    # against them, and fills the path (one form per route) or lands whole where `to` says.
    names: tuple[str, ...] = ()


@attrs.frozen
class MethodSpec:
    name: str
    operation: OperationSpec[Any]
    placements: tuple[Placement, ...]
    returns: str = "response"
    config_type: str | None = None  # a name in the generated types module, resolved on use
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    # (param, operation, list field): several items go to `operation`, one request each.
    fan_out: tuple[str, OperationSpec[Any], str] | None = None
    # (body path, fields, model field): with a config, these body fields move into the
    # nested request at `body path`, which also gets the full model name.
    moves_into: tuple[str, tuple[str, ...], str] | None = None
    # What the caller gets instead of the response: one of its fields, or a transform of it.
    result_field: str | None = None
    result_transform: str | None = None
    # The `alt` query parameter when it differs from the operation's (`media` for a download).
    alt: str | None = None
    # (config attribute, text it must contain or None for any value): the answer is JSON,
    # and each response is told so with `expect_json()`.
    json_when: tuple[tuple[str, str | None], ...] = ()
    # The operations a resource name may address, in the order of its placement's `names`:
    # the one whose path template the name matches is called. Empty: `operation` alone.
    routes: tuple[OperationSpec[Any], ...] = ()
    # The parameter whose object, when one is passed, gives the class the answer is decoded as.
    result_like: str | None = None
    # The query parameter that names the body fields a partial update sets (`updateMask`).
    update_mask: str | None = None
    # The body object that declares an upload's MIME type and size (`body.file`).
    media_metadata: str | None = None
    # The argument a download also keeps its bytes on (a Video given as `file`).
    fills: str | None = None
    # For `returns="wait"`: (field, done value, failed value, error field), as attributes.
    until: tuple[str, str, str, str] | None = None
    # The name of a function in FINISHERS that converts and checks the gathered body.
    finish: str | None = None

    @property
    def config(self) -> type[WireModel] | None:
        if self.config_type is None:
            return None
        return _generated.type_named(self.config_type)  # type: ignore[no-any-return]


@attrs.define
class _Call:
    """Everything one call gathered before it is sent."""

    path: dict[str, Any] = attrs.field(factory=dict)
    query: dict[str, Any] = attrs.field(factory=dict)
    body: dict[tuple[str | int, ...], Any] = attrs.field(factory=dict)
    http_options: Any = None
    expects_json: bool = False
    media: Any = None
    media_type: str | None = None
    save_to: str | None = None
    operation: OperationSpec[Any] | None = None  # the route a resource name chose
    decode_as: type[WireModel] | None = None
    fill: Any = None  # what the downloaded bytes are also stored on
    poll_interval: float | None = None
    max_wait: float | None = None
    progress: Progress | None = None
    # The Python type the response schema was made from, which `.parsed` gives.
    parse_as: Any = None
    # The Python functions among the tools, by name, and the config for calling them.
    functions: dict[str, Any] = attrs.field(factory=dict)
    function_calling: Any = None


def _place(call: _Call, to: str, value: Any) -> None:
    kind, _, rest = to.partition(".")
    if kind == "path":
        call.path[rest] = value
    elif kind == "query":
        call.query[rest] = value
    elif kind == "body":
        call.body[_body_path(rest)] = value
    elif kind == "options":
        call.http_options = value
    elif kind in _CALL_FIELDS:
        # which of them spec/sdk.yaml may name is the loader's to check (its list of the
        # places outside the request)
        setattr(call, kind, value)
    else:
        raise ValueError(f"unknown placement {to!r}")


# Placements that set what the call carries beside its request (`media`, `save_to`, ...).
_CALL_FIELDS = frozenset(attrs.fields_dict(_Call))


_INDEXED = re.compile(r"(\w+)\[(\d+)\]")


def _body_path(dotted: str) -> tuple[str | int, ...]:
    """`instances[0].prompt` -> ("instances", 0, "prompt")."""
    path: list[str | int] = []
    for step in dotted.split("."):
        indexed = _INDEXED.fullmatch(step)
        if indexed:
            path += [indexed[1], int(indexed[2])]
        else:
            path.append(step)
    return tuple(path)


def _gather(spec: MethodSpec, args: dict[str, Any]) -> _Call:
    for alias, target in spec.aliases.items():
        value = args.pop(alias, None)
        if value is not None:
            if args.get(target) is not None:
                raise TypeError(f"{spec.name}: pass {target!r} or {alias!r}, not both")
            args[target] = value
    call = _Call()
    for placement in spec.placements:
        value = args.get(placement.param)
        if value is None:
            if placement.optional:
                continue
            raise TypeError(f"{spec.name}: missing required argument {placement.param!r}")
        try:
            if placement.transform is not None:
                value = TRANSFORMS[placement.transform](value)
            if placement.names:
                value = _name(spec, placement, call, value)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{spec.name}: {placement.param}: {error}") from None
        if value is not None:
            _place(call, placement.to, value)
    if spec.result_like is not None:
        given = args.get(spec.result_like)
        if isinstance(given, WireModel):
            call.decode_as = type(given)
    if spec.fills is not None:
        call.fill = args.get(spec.fills)
    config = args.get("config")
    if config is not None and spec.config is not None:
        config = checked_config(spec.name, spec.config, config)
        placed = place_config(call, config)
        if spec.update_mask is not None:
            masked = [to.removeprefix("body.") for to in placed if to.startswith("body.")]
            if not masked:
                raise ValueError(f"{spec.name}: config: set at least one field to change")
            call.query[spec.update_mask] = ",".join(masked)
        call.expects_json = _asks_for_json(spec, config)
        sources = (_schema.source_of(getattr(config, attr)) for attr, _ in spec.json_when)
        call.parse_as = next((source for source in sources if source is not None), None)
        call.functions = _functions.functions_in(getattr(config, "tools", None))
    if spec.finish is not None:
        FINISHERS[spec.finish](spec.name, call.body)
    return call


def _name(spec: MethodSpec, placement: Placement, call: _Call, value: Any) -> str | None:
    """Check a resource name; a name for the path fills its parameters (and picks the route)
    and is placed no further, any other is placed whole."""
    index, ids, full = resource_name(value, placement.names)
    if placement.to != "path":
        return full
    call.operation = spec.routes[index] if spec.routes else spec.operation
    for param in call.operation.path_params:
        if param.py_name in ids:
            call.path[param.wire_name] = ids[param.py_name]
    return None


def checked_config(where: str, cls: type[WireModel], config: Any) -> Any:
    """`config` as an instance of `cls`: a dict is read strictly, anything else must be one."""
    if isinstance(config, dict):
        try:
            return cls.from_dict(config)
        except (TypeError, ValueError) as error:
            # an unknown key (a typo would land nowhere) is among the errors
            raise TypeError(f"{where}: config: {error}") from None
    if not isinstance(config, cls):
        raise TypeError(
            f"{where}: config must be {cls.__name__} or dict, got {type(config).__name__}"
        )
    return config


def place_config(call: _Call, config: Any) -> list[str]:
    """Each set field of a config where the spec says it lands; returns those placements (an
    update mask names the body ones)."""
    placed = []
    for f in type(config)._wire_fields:
        if f.to is not None:
            value = getattr(config, f.attr)
            if value is not None:
                _place(call, f.to, value)
                placed.append(f.to)
    return placed


def _asks_for_json(spec: MethodSpec, config: Any) -> bool:
    for attr, text in spec.json_when:
        value = getattr(config, attr)
        if value is not None and (text is None or text in value):
            return True
    return False


def assemble(cls: type[WireModel], values: Mapping[tuple[str | int, ...], Any]) -> WireModel:
    """Build `cls` from (wire path -> typed value) pairs, creating nested objects on the way.

    Below a free-form JSON field the path builds plain dicts and lists instead.
    """
    plan = _assembly_plan(cls)
    kwargs: dict[str, Any] = {}
    nested: dict[str, dict[tuple[str | int, ...], Any]] = {}
    for path, value in values.items():
        wire = str(path[0])
        if len(path) == 1:
            kwargs[plan[wire][0]] = value
        else:
            nested.setdefault(wire, {})[path[1:]] = value
    for wire, sub in nested.items():
        attr, nested_cls = plan[wire]
        kwargs[attr] = assemble(nested_cls, sub) if nested_cls is not None else _json_tree(sub)
    return cls(**kwargs)


def _json_tree(values: Mapping[tuple[str | int, ...], Any]) -> Any:
    """Plain JSON from (path -> value) pairs: int steps make lists, str steps make dicts."""
    root: Any = None
    for path, value in values.items():
        root = _json_set(root, path, value)
    return root


def _json_set(node: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return value
    step, rest = path[0], path[1:]
    if isinstance(step, int):
        node = node if isinstance(node, list) else []
        node.extend([None] * (step + 1 - len(node)))
    else:
        node = node if isinstance(node, dict) else {}
    node[step] = _json_set(
        node[step] if (isinstance(step, int) or step in node) else None, rest, value
    )
    return node


_PLANS: dict[type, dict[str, tuple[str, type[WireModel] | None]]] = {}


def _assembly_plan(cls: type[WireModel]) -> dict[str, tuple[str, type[WireModel] | None]]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = {
            f.wire: (f.attr, f.kind.resolve() if isinstance(f.kind, _wire.ModelRef) else None)
            for f in cls._wire_fields
        }
    return plan


def _move_into(spec: MethodSpec, call: _Call) -> None:
    """Fields that must travel inside a nested request once a config put anything there."""
    assert spec.moves_into is not None
    target, fields, model_field = spec.moves_into
    prefix = _body_path(target.removeprefix("body."))
    if not any(path[: len(prefix)] == prefix for path in call.body):
        return
    for name in fields:
        if (name,) in call.body:
            call.body[prefix + (name,)] = call.body.pop((name,))
    model = _resource_name(spec.operation, call.path)
    call.body[prefix + (model_field,)] = model
    for path, value in call.body.items():
        if path[: len(prefix)] == prefix and isinstance(value, WireModel):
            call.body[path] = _naming_model(value, model_field, model)


def _naming_model(obj: WireModel, model_field: str, model: str) -> WireModel:
    """`obj`, or a copy in which every request nested in it that names no model names the
    URL's: the requests a batch carries run on the batch's model. The caller's objects are
    left as they are."""
    changes: dict[str, Any] = {}
    if model_field in attrs.fields_dict(type(obj)):
        if getattr(obj, model_field) is not None:
            return obj
        changes[model_field] = model
        return attrs.evolve(obj, **changes)
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, WireModel):
            named = _naming_model(value, model_field, model)
            if named is not value:
                changes[field.name] = named
        elif isinstance(value, list) and value and isinstance(value[0], WireModel):
            items = [_naming_model(item, model_field, model) for item in value]
            if any(new is not old for new, old in zip(items, value, strict=True)):
                changes[field.name] = items
    return attrs.evolve(obj, **changes) if changes else obj


def _resource_name(operation: OperationSpec[Any], path_values: Mapping[str, Any]) -> str:
    """`models/{model}:x` with model=m -> `models/m`: the name a nested request needs."""
    template = operation.path.split(":")[0]
    return template.format(**{p.py_name: path_values[p.wire_name] for p in operation.path_params})


def _request(spec: MethodSpec, call: _Call, extra: dict[str, Any]) -> PreparedRequest:
    if spec.moves_into is not None:
        _move_into(spec, call)
    operation = call.operation or spec.operation
    if spec.media_metadata is not None:
        try:
            size, call.media_type = describe(call.media, call.media_type)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{spec.name}: {error}") from None
        where = _body_path(spec.media_metadata.removeprefix("body."))
        call.body[where + ("mimeType",)] = call.media_type
        call.body[where + ("sizeBytes",)] = size
    options = {
        "http_options": call.http_options,
        "kind": spec.returns if spec.returns in ("pager", "media", "wait") else None,
        "wait": _wait(spec, call),
        "alt": spec.alt,
        "media": call.media,
        "mime_type": call.media_type,
        "decode_as": call.decode_as,
        "progress": call.progress,
        **extra,
    }
    path_values = {
        p.py_name: call.path[p.wire_name] for p in operation.path_params if p.wire_name in call.path
    }
    if spec.fan_out is not None:
        param, many_op, list_field = spec.fan_out
        placement = next(p for p in spec.placements if p.param == param)
        key = _body_path(placement.to.removeprefix("body."))
        items = call.body.pop(key)
        if len(items) != 1:
            return _fan_out(spec, call, key, items, many_op, list_field, path_values, options)
        call.body[key] = items[0]
    body = assemble(operation.request, call.body) if operation.request else None
    return prepare(operation, path_values, call.query, body, **options)


def _wait(spec: MethodSpec, call: _Call) -> Wait | None:
    if spec.until is None:
        return None
    # `progress` here is a wait's, told (polls, seconds)
    chosen: dict[str, Any] = {
        "poll_interval": call.poll_interval,
        "max_wait": call.max_wait,
        "progress": call.progress,
    }
    try:
        return Wait(Until(*spec.until), **{k: v for k, v in chosen.items() if v is not None})
    except TypeError as error:
        raise TypeError(f"{spec.name}: {error}") from None


def _fan_out(
    spec: MethodSpec,
    call: _Call,
    key: tuple[str | int, ...],
    items: list[Any],
    many_op: OperationSpec[Any],
    list_field: str,
    path_values: dict[str, Any],
    options: dict[str, Any],
) -> PreparedRequest:
    assert spec.operation.request is not None and many_op.request is not None
    model_name = _resource_name(spec.operation, call.path)
    requests = []
    for item in items:
        values = {**call.body, key: item}
        for bound in spec.operation.path_bound_fields:
            values[(bound,)] = model_name
        requests.append(assemble(spec.operation.request, values))
    body = assemble(many_op.request, {(list_field,): requests})
    return prepare(many_op, path_values, call.query, body, **options)


def _per_call(args: dict[str, Any]) -> dict[str, Any]:
    """The per-call transport options the caller actually set."""
    popped = {name: args.pop(name, None) for name in _PER_CALL}
    return {name: value for name, value in popped.items() if value is not None}


def _json_expected(response: Any, parse_as: Any = None) -> Any:
    response.expect_json(parse_as)
    return response


def _result(spec: MethodSpec, call: _Call, result: Any) -> Any:
    """What the caller gets from what `execute` returned, as the method's spec says."""
    if spec.returns == "nothing":
        return None
    if spec.returns == "media":
        return _save(call, result.data)
    if spec.returns == "pager":
        return (
            result if spec.result_transform is None else result._map(RESULTS[spec.result_transform])
        )
    if spec.returns == "stream":
        return result._watch(on_item=_json_expected) if call.expects_json else result
    if spec.result_field is not None:
        made = _field_of(spec, result)
    elif spec.result_transform is not None:
        made = RESULTS[spec.result_transform](result)
    else:
        return _json_expected(result, call.parse_as) if call.expects_json else result
    from gemini_sdk._helpers import keep_received, received  # loaded with the types already

    # what the caller gets in place of the answer reports the answer's status and headers
    return keep_received(made, received(result))


def _field_of(spec: MethodSpec, result: Any) -> Any:
    """The one field of the answer the caller gets (files.upload's `file`): an answer without
    it is not the call's result."""
    assert spec.result_field is not None
    found = getattr(result, spec.result_field)
    if found is None:
        from gemini_sdk import errors

        raise errors.UnexpectedResponseError(
            f"unexpected answer: {spec.name}: the answer has no {spec.result_field}"
        )
    return found


def _save(call: _Call, data: bytes) -> bytes:
    if call.save_to is not None:
        with open(call.save_to, "wb") as out:
            out.write(data)
    if call.fill is not None:
        keep_media(call.fill, data)
    return data


class RawResponse(Generic[T]):
    """What a method reached through `with_raw_response` returns: the HTTP status and
    headers of the answer, and `parse()` for what the method itself returns (for a stream,
    the stream, still to be read)."""

    def __init__(self, parsed: T, status_code: int | None, headers: Mapping[str, str]) -> None:
        self.status_code = status_code
        self.headers = headers
        self._parsed = parsed

    def parse(self) -> T:
        return self._parsed

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code}, parsed={type(self._parsed).__name__})"


def _raw(result: Any, parsed: Any) -> RawResponse[Any]:
    """`parsed` with the status and headers of the answer `result` came from: a stream's
    own HTTP response, a download's, a pager's first page, or what the transport kept on a
    decoded answer."""
    from gemini_sdk._helpers import received

    if isinstance(result, (Stream, AsyncStream)):
        return RawResponse(parsed, result.response.status_code, result.response.headers)
    if isinstance(result, Media):
        return RawResponse(parsed, result.status_code, result.headers)
    kept = received(result.response if isinstance(result, (Pager, AsyncPager)) else result)
    if isinstance(kept, tuple):
        return RawResponse(parsed, *kept)
    return RawResponse(parsed, kept.status_code, kept.headers or {})


class Resource:
    """The base of every generated resource, sync and async: an async method awaits
    what `_invoke` returns."""

    # Set on the copy that `with_raw_response` makes: its methods return RawResponse.
    _raw = False

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    @property
    def with_raw_response(self) -> Any:
        """This resource with every method returning a RawResponse (`.status_code`,
        `.headers`, `.parse()` for the usual result) instead; on `client.aio`, awaited.

        Each generated resource types it (`ModelsWithRawResponse`, in the generated
        `raw_responses` stub). The helpers written by hand that send many requests a call
        (operations.wait, batches.run) raise TypeError here."""
        raw = copy.copy(self)
        raw._raw = True
        return raw

    def _invoke(self, spec: MethodSpec, **args: Any) -> Any:
        extra = _per_call(args)
        call = _gather(spec, args)
        request = _request(spec, call, extra)

        def finish(result: Any) -> Any:
            return _result(spec, call, result)

        if self._raw:
            return self._transport.execute(request, lambda result: _raw(result, finish(result)))
        if call.functions and spec.returns in _DRIVERS:
            is_async = inspect.iscoroutinefunction(self._transport.execute)
            plan = _calling_plan(spec, call, extra, is_async)
            if plan is not None:
                execute = lambda request: self._transport.execute(request, finish)  # noqa: E731
                return _DRIVERS[spec.returns][is_async](execute, plan)
        return self._transport.execute(request, finish)

    def _refuse_raw(self, helper: str) -> None:
        """A helper written by hand sends many requests a call, so its result is no one
        answer's: it has no raw form, and a RawResponse from it would tell of one request."""
        if self._raw:
            raise TypeError(
                f"{helper} is not available through with_raw_response: it sends many requests "
                "a call; call it on the resource itself"
            )

    def _prepare(self, spec: MethodSpec, args: dict[str, Any]) -> tuple[_Call, PreparedRequest]:
        extra = _per_call(args)
        call = _gather(spec, args)
        return call, _request(spec, call, extra)


# How automatic function calling runs, by what the method returns: (sync, async).
_DRIVERS: dict[str, tuple[Any, Any]] = {
    "response": (_functions.run, _functions.run_async),
    "stream": (_functions.stream, _functions.stream_async),
}


def _calling_plan(
    spec: MethodSpec, call: _Call, extra: dict[str, Any], is_async: bool
) -> _functions.Plan | None:
    """Automatic function calling for a method that answers with one response or a stream of
    them and whose tools hold Python functions, unless the config turns it off."""
    config = call.function_calling
    maximum = _functions.DEFAULT_MAXIMUM_REMOTE_CALLS
    if config is not None and config.maximum_remote_calls is not None:
        maximum = config.maximum_remote_calls
    if maximum <= 0 or (config is not None and config.disable):
        return None
    if not is_async:
        for name, fn in call.functions.items():
            if inspect.iscoroutinefunction(fn):
                raise TypeError(
                    f"{spec.name}: tools: {name} is a coroutine function; call it through "
                    "client.aio, or disable automatic_function_calling"
                )
    key = next(
        _body_path(p.to.removeprefix("body.")) for p in spec.placements if p.param == "contents"
    )

    def request_for(history: list[Any]) -> PreparedRequest:
        return _request(spec, attrs.evolve(call, body={**call.body, key: history}), extra)

    keep = config is None or not config.ignore_call_history
    return _functions.calling(request_for, call.body[key], call.functions, maximum, keep)


def awaited(
    method: Callable[Concatenate[Any, P], T],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]:
    """The `client.aio` side of a hand-written resource method whose body hands its work to
    the transport and returns what the transport gives (`drive`, `execute`): on an async
    resource that same body returns the transport's coroutine, which this awaits. One body,
    one signature and one docstring serve both sides."""

    async def on_async(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        result: T = await method(self, *args, **kwargs)  # type: ignore[misc]
        return result

    functools.update_wrapper(on_async, method)
    return on_async
