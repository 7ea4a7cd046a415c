"""Python functions as tools: their declarations, and automatic function calling.

A function's declaration comes from its signature (one parameter per argument, described by
its annotation as `_schema` describes types), its name and its docstring (the text before the
sections is the description; an argument's description comes from a Google-style `Args:`
section or Sphinx-style `:param name:` lines). Whatever cannot be described raises TypeError
naming the function and the parameter, before any request.

Automatic function calling is one plan without I/O (`calling`): it yields the requests to
send and the functions to call, and is sent back the responses and the results. `run` and
`run_async` drive it; the only difference is that the async driver awaits what needs it.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from gemini_sdk import _generated, _schema
from gemini_sdk.errors import ResponseValidationError

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import Content, FunctionCall, FunctionDeclaration, Part

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


# Yields a request to send (a PreparedRequest: not imported, since _endpoint's imports lead
# back here through the transforms) or an Invoke; is sent the response or the result.
Plan = Generator[Any, Any, Any]


def calling(
    request_for: Callable[[list[Content]], Any],
    contents: list[Content],
    functions: Mapping[str, Callable[..., Any]],
    maximum_remote_calls: int,
    keep_history: bool,
) -> Plan:
    """Send the contents; while the model asks for functions we have and requests are left,
    call them and send their results back with the turns so far. Returns the last response."""
    t = _generated.types
    history = list(contents)
    sent = 0
    while True:
        response = yield request_for(history)
        sent += 1
        calls = response.function_calls or []
        if not calls or sent >= maximum_remote_calls or any(c.name not in functions for c in calls):
            break
        parts: list[Part] = []
        for call in calls:
            fn = functions[call.name]
            arguments = _arguments(fn, call)
            if isinstance(arguments, str):
                outcome: Any = {"error": f"the arguments do not fit: {arguments}"}
            else:
                outcome = yield Invoke(fn, arguments)
            parts.append(
                t.Part(
                    function_response=t.FunctionResponse(
                        name=call.name, id=call.id, response=outcome
                    )
                )
            )
        history += [response.candidates[0].content, t.Content(role="user", parts=parts)]
    if keep_history:
        response._function_calling_history = history if len(history) > len(contents) else []
    return response


def _advance(plan: Plan, outcome: Any) -> tuple[Any, Any]:
    """The plan's next step and None, or None and what the plan returned."""
    try:
        return plan.send(outcome), None
    except StopIteration as done:
        return None, done.value


def run(execute: Callable[[Any], Any], plan: Plan) -> Any:
    step, returned = _advance(plan, None)
    while step is not None:
        step, returned = _advance(plan, step.call() if isinstance(step, Invoke) else execute(step))
    return returned


async def run_async(execute: Callable[[Any], Any], plan: Plan) -> Any:
    step, returned = _advance(plan, None)
    while step is not None:
        done = await (step.call_async() if isinstance(step, Invoke) else execute(step))
        step, returned = _advance(plan, done)
    return returned
