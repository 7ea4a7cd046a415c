"""Python functions as tools: their declarations, and automatic function calling.

A function's declaration comes from its signature (one parameter per argument, described by
its annotation as `_schema` describes types), its name and its docstring (the text before the
sections is the description; an argument's description comes from a Google-style `Args:`
section or Sphinx-style `:param name:` lines). Whatever cannot be described raises TypeError
naming the function and the parameter, before any request.

Automatic function calling is one plan without I/O (`calling`): it yields the requests to
send and the functions to call, and is sent back the model's turns and the results. `run`
and `run_async` drive it for a method answering with one response; `CallingStream` and
`AsyncCallingStream` for a stream, whose chunks of each answer are yielded as they come and
merged into the turn the plan reads. The only difference between sync and async is that the
async drivers await what needs it.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from gemini_sdk import _generated, _schema
from gemini_sdk._stream import AsyncStream, Stream, Watched
from gemini_sdk.errors import ResponseValidationError

if TYPE_CHECKING:
    import httpx

    from _gemini_sdk_gen.types import (
        Content,
        FunctionCall,
        FunctionDeclaration,
        GenerateContentResponse,
        Part,
    )

T = TypeVar("T")
R = TypeVar("R", bound="_OverRounds[Any]")

# What the service takes as a function's name.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")
DEFAULT_MAXIMUM_REMOTE_CALLS = 10

_SECTION = re.compile(
    r"^\s*(Args|Arguments|Parameters|Returns?|Yields?|Raises|Examples?|Notes?):\s*$"
)
_SPHINX_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+):\s*(.*)$")
_GOOGLE_ARG = re.compile(r"^(\s*)(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def _docstring(fn: Callable[..., Any]) -> tuple[str | None, dict[str, str]]:
    """The description, and the arguments' descriptions by name."""
    doc = inspect.getdoc(fn)
    if not doc:
        return None, {}
    lines = doc.splitlines()
    summary: list[str] = []
    args: dict[str, str] = {}
    section, current, indent = None, None, None
    for line in lines:
        heading = _SECTION.match(line)
        sphinx = _SPHINX_PARAM.match(line)
        if heading:
            section, current, indent = heading[1], None, None
        elif sphinx:
            section, current = "sphinx", sphinx[1]
            args[current] = sphinx[2].strip()
        elif line.lstrip().startswith(":"):
            section, current = "sphinx", None  # :returns: and the like
        elif section is None:
            summary.append(line)
        elif section in ("Args", "Arguments", "Parameters"):
            arg = _GOOGLE_ARG.match(line)
            if arg and (indent is None or len(arg[1]) <= indent):
                indent, current = len(arg[1]), arg[2].lstrip("*")
                args[current] = arg[3].strip()
            elif current is not None and line.strip():
                args[current] = f"{args[current]} {line.strip()}".strip()
        elif section == "sphinx" and current is not None and line.strip():
            args[current] = f"{args[current]} {line.strip()}"
    description = " ".join(" ".join(summary).split())
    return description or None, args


def _parameters(fn: Callable[..., Any], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON Schema of the arguments, and each argument's annotation."""
    try:
        hints = typing.get_type_hints(fn)
    except (NameError, TypeError) as error:
        raise TypeError(f"{name}: its annotations cannot be resolved: {error}") from None
    _, described = _docstring(fn)
    properties: dict[str, Any] = {}
    required: list[str] = []
    annotations: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        where = f"{name}: parameter {param.name!r}"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise TypeError(f"{where}: only named parameters can be declared ({param})")
        if param.name not in hints:
            raise TypeError(f"{where} has no annotation; annotate it (str, int, a dataclass, ...)")
        annotation = hints[param.name]
        schema = dict(_schema.describe(annotation, where).json_schema())
        if param.name in described:
            schema["description"] = described[param.name]
        if param.default is param.empty:
            required.append(param.name)
        elif _is_json_scalar(getattr(param.default, "value", param.default)):
            schema["default"] = getattr(param.default, "value", param.default)  # an Enum's too
        properties[param.name] = schema
        annotations[param.name] = annotation
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return parameters, annotations


def _is_json_scalar(value: Any) -> bool:
    return value is None or type(value) in (str, int, float, bool)


def declaration(fn: Callable[..., Any]) -> FunctionDeclaration:
    """The FunctionDeclaration of `fn`, which remembers `fn` for automatic calling."""
    if not callable(fn):
        raise TypeError(f"expected a function, got {type(fn).__name__} {fn!r:.60}")
    name = getattr(fn, "__name__", "")
    if not _NAME.fullmatch(name):
        raise TypeError(
            f"cannot declare {fn!r:.60}: its name {name!r} is not a valid function name "
            "(a letter or _, then letters, digits, _ . : or -, 64 at most); use a def"
        )
    description, _ = _docstring(fn)
    parameters, _ = _parameters(fn, name)
    declared = _generated.types.FunctionDeclaration(
        name=name, description=description or "", parameters_json_schema=parameters
    )
    declared._callable = fn
    return declared


def functions_in(tools: Any) -> dict[str, Callable[..., Any]]:
    """The functions behind the declarations of `tools` (a config's), by name."""
    found = {}
    for tool in tools or ():
        for declared in tool.function_declarations or ():
            fn = getattr(declared, "_callable", None)
            if fn is not None:
                found[declared.name] = fn
    return found


# -- automatic function calling ----------------------------------------------------------------


@attrs.frozen
class Invoke:
    """A step of the plan: call `function` with `arguments`; what is sent back is
    `{"result": ...}` or, when it raised, `{"error": ...}`."""

    function: Callable[..., Any]
    arguments: Mapping[str, Any]

    def call(self) -> dict[str, Any]:
        try:
            return self.result(self.function(**self.arguments))
        except Exception as error:  # noqa: BLE001 - the model is told of any failure
            return self.failure(error)

    async def call_async(self) -> dict[str, Any]:
        """The same, awaiting the function's answer when it is awaitable."""
        try:
            value = self.function(**self.arguments)
            return self.result(await value if inspect.isawaitable(value) else value)
        except Exception as error:  # noqa: BLE001 - the model is told of any failure
            return self.failure(error)

    def result(self, value: Any) -> dict[str, Any]:
        return {"result": _jsonable(value)}

    def failure(self, error: Exception) -> dict[str, Any]:
        # The model is told, so that it can correct its call or explain the failure.
        return {"error": f"{type(error).__name__}: {error}"}


def _jsonable(value: Any) -> Any:
    """A function's result as JSON values (orjson writes dataclasses, enums and datetimes)."""
    if hasattr(value, "model_dump") and hasattr(type(value), "model_fields"):  # pydantic
        return value.model_dump(mode="json")
    if hasattr(value, "_wire_fields"):
        return value.to_dict()
    if attrs.has(type(value)):
        return attrs.asdict(value)
    return value


def _arguments(fn: Callable[..., Any], call: FunctionCall) -> dict[str, Any] | str:
    """The call's arguments as `fn`'s parameter types, or why they do not fit."""
    _, annotations = _parameters(fn, call.name or "")
    given = dict(call.args or {})
    unknown = sorted(set(given) - set(annotations))
    if unknown:
        return f"unknown argument(s) {', '.join(unknown)}"
    try:
        return {key: _schema.load(annotations[key], value, key) for key, value in given.items()}
    except ResponseValidationError as error:
        return str(error)


# Yields an Ask (its request a PreparedRequest: not imported, since _endpoint's imports lead
# back here through the transforms) or an Invoke; is sent the model's turn or the result.
Plan = Generator[Any, Any, None]


@attrs.frozen
class Ask:
    """A step of the plan: send `request`. Its answer, one response or the chunks of a
    stream, is the model's turn of round `round`; each response of it carries `history`."""

    request: Any
    round: int
    # The contents sent first and the calling turns after them ([] before any call); None
    # when the caller asked not to keep them.
    history: list[Content] | None

    def tag(self, response: Any) -> Any:
        response._function_calling_history = self.history
        response._calling_round = self.round
        return response


def calling(
    request_for: Callable[[list[Content]], Any],
    contents: list[Content],
    functions: Mapping[str, Callable[..., Any]],
    maximum_remote_calls: int,
    keep_history: bool,
) -> Plan:
    """Send the contents; while the model's turn asks for functions we have and requests
    are left, call them and send their results back with the turns so far."""
    t = _generated.types
    history = list(contents)
    for sent in range(1, maximum_remote_calls + 1):
        made = history if sent > 1 else []
        turn = yield Ask(request_for(history), sent, made if keep_history else None)
        parts = (turn.parts or []) if turn is not None else []
        calls = [part.function_call for part in parts if part.function_call is not None]
        if not calls or sent == maximum_remote_calls or any(c.name not in functions for c in calls):
            return
        results: list[Part] = []
        for call in calls:
            fn = functions[call.name]
            arguments = _arguments(fn, call)
            if isinstance(arguments, str):
                outcome: Any = {"error": f"the arguments do not fit: {arguments}"}
            else:
                outcome = yield Invoke(fn, arguments)
            results.append(
                t.Part(
                    function_response=t.FunctionResponse(
                        name=call.name, id=call.id, response=outcome
                    )
                )
            )
        history = [*history, turn, t.Content(role="user", parts=results)]


def model_turn(responses: list[GenerateContentResponse]) -> Content | None:
    """The model's turn from one response or from every chunk of a stream, parts in order."""
    parts: list[Any] = []
    content_type: type[Content] | None = None
    role = "model"
    unknown: dict[str, Any] = {}
    for response in responses:
        turn = first_content(response)
        if turn is None:
            continue
        content_type = type(turn)
        parts.extend(turn.parts or [])
        role = turn.role or role
        unknown.update(turn.unknown_fields or {})
        if len(responses) == 1:
            return turn
    if not parts or content_type is None:
        return None
    return content_type(role=role, parts=parts, unknown_fields=unknown or None)


def first_content(response: GenerateContentResponse) -> Content | None:
    return response.candidates[0].content if response.candidates else None


def last_round(responses: list[GenerateContentResponse]) -> list[GenerateContentResponse]:
    """The responses of the last round of automatic function calling among `responses` (the
    chunks of a stream over several rounds); all of them when nothing called functions."""
    if not responses:
        return responses
    last = getattr(responses[-1], "_calling_round", None)
    return [r for r in responses if getattr(r, "_calling_round", None) == last]


class Rounds(Watched[Any]):
    """A plan's progress, for the drivers: the step it is at, the responses of the round
    being answered, and the watchers of a stream over every round. For a stream, `stream`
    is the round's own; the reader holds this, never the calling stream, so that dropping
    the calling stream releases the connection at once."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self._plan = plan
        self.step: Ask | Invoke | None = plan.send(None)
        self.stream: Any = None
        self._responses: list[Any] = []

    def seen(self, response: Any) -> Any:
        """One response (or chunk) of the round asked for."""
        assert isinstance(self.step, Ask)
        self._responses.append(self.step.tag(response))
        for on_item in self._on_item:
            on_item(response)
        return response

    def answered(self) -> Ask | Invoke | None:
        """The round is over: the plan gets the model's turn; its next step."""
        turn, self._responses = model_turn(self._responses), []
        return self.advance(turn)

    def advance(self, outcome: Any) -> Ask | Invoke | None:
        try:
            self.step = self._plan.send(outcome)
        except StopIteration:
            self.step = None
        return self.step


# The drivers: the only difference between sync and async is who awaits.


def run(execute: Callable[[Any], Any], plan: Plan) -> Any:
    """Drive `plan`, each request answered by one response; returns the last."""
    rounds = Rounds(plan)
    last = None
    while rounds.step is not None:
        if isinstance(rounds.step, Invoke):
            rounds.advance(rounds.step.call())
        else:
            last = rounds.seen(execute(rounds.step.request))
            rounds.answered()
    return last


async def run_async(execute: Callable[[Any], Any], plan: Plan) -> Any:
    rounds = Rounds(plan)
    last = None
    while rounds.step is not None:
        if isinstance(rounds.step, Invoke):
            rounds.advance(await rounds.step.call_async())
        else:
            last = rounds.seen(await execute(rounds.step.request))
            rounds.answered()
    return last


def _read_rounds(rounds: Rounds, execute: Callable[[Any], Any]) -> Generator[Any, None, None]:
    while True:
        with rounds.stream as stream:
            for chunk in stream:
                yield rounds.seen(chunk)
        rounds.answered()
        while isinstance(rounds.step, Invoke):
            rounds.advance(rounds.step.call())
        if rounds.step is None:
            break
        rounds.stream = execute(rounds.step.request)
    rounds.ended()


async def _aread_rounds(rounds: Rounds, execute: Callable[[Any], Any]) -> AsyncGenerator[Any, None]:
    while True:
        async with rounds.stream as stream:
            async for chunk in stream:
                yield rounds.seen(chunk)
        rounds.answered()
        while isinstance(rounds.step, Invoke):
            rounds.advance(await rounds.step.call_async())
        if rounds.step is None:
            break
        rounds.stream = await execute(rounds.step.request)
    rounds.ended()


class _OverRounds(Generic[T]):
    """What both calling streams add to a stream: the response and the watchers are those
    of the rounds."""

    _rounds: Rounds

    @property
    def response(self) -> httpx.Response:
        response: httpx.Response = self._rounds.stream.response
        return response

    def _watch(
        self: R,
        on_item: Callable[[T], object] | None = None,
        on_end: Callable[[], object] | None = None,
    ) -> R:
        self._rounds.watch(on_item, on_end)
        return self


# read-only: each round's stream owns its response
class CallingStream(_OverRounds[T], Stream[T]):  # type: ignore[override]
    """The chunks of every answer of automatic function calling, in turn: when an answer
    ends asking for functions, they are called and the next answer is read. `response` is
    the HTTP response of the answer being read, and `close()` releases it."""

    def __init__(self, rounds: Rounds, execute: Callable[[Any], Any]) -> None:
        self._rounds = rounds
        self._items = _read_rounds(rounds, execute)


class AsyncCallingStream(_OverRounds[T], AsyncStream[T]):  # type: ignore[override]
    """`CallingStream` for asyncio."""

    def __init__(self, rounds: Rounds, execute: Callable[[Any], Any]) -> None:
        self._rounds = rounds
        self._items = _aread_rounds(rounds, execute)


def stream(execute: Callable[[Any], Any], plan: Plan) -> CallingStream[Any]:
    """A stream over `plan`'s rounds; the first request is sent now, as for any stream."""
    rounds = Rounds(plan)
    assert isinstance(rounds.step, Ask)
    rounds.stream = execute(rounds.step.request)
    return CallingStream(rounds, execute)


async def stream_async(execute: Callable[[Any], Any], plan: Plan) -> AsyncCallingStream[Any]:
    rounds = Rounds(plan)
    assert isinstance(rounds.step, Ask)
    rounds.stream = await execute(rounds.step.request)
    return AsyncCallingStream(rounds, execute)
