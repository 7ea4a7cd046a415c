"""Checks a JSON request body against a generated class the way Google's JSON parser does.

Generic over every generated class: the walk reads wire names, kinds and the `required` flag
from each class's field table, so the emulator validates exactly what the spec says.
It answers with Google's own wording: unknown names, values of the wrong type and unknown enum
values are JSON payload errors; missing required fields are reported afterwards, in the
`* Request.path: ...` style of the service's semantic checks. Paths use the proto (snake_case)
names, as Google's messages do. The result is the body normalised to canonical wire JSON
(camelCase keys, int64 as strings, padded base64, enum values by their canonical names), ready
for `from_dict`. Where the service is more lenient than the rendering, the rule and its reason
are in testing/_leniency.py.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import typing
from collections.abc import Collection
from typing import Any

import attrs
import orjson

from gemini_sdk import _wire
from gemini_sdk._model import WireEnum, WireModel
from gemini_sdk.testing import _leniency
from gemini_sdk.testing._errors import BAD_REQUEST_TYPE, ApiError

_TYPE_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1beta."
_PAYLOAD = "Invalid JSON payload received."

# What a field holds: the kind of its field table entry.
Shape = _wire.Kind
ANY = _wire.Scalar("any")

_SCALAR_LABELS = {
    "string": "TYPE_STRING",
    "int32": "TYPE_INT32",
    "uint32": "TYPE_INT32",
    "int64": "TYPE_INT64",
    "uint64": "TYPE_UINT64",
    "float": "TYPE_FLOAT",
    "double": "TYPE_FLOAT",
    "bool": "TYPE_BOOL",
    "bytes": "TYPE_BYTES",
    "duration": "type.googleapis.com/google.protobuf.Duration",
    "timestamp": "type.googleapis.com/google.protobuf.Timestamp",
}

# Proto oneofs the generated classes cannot express: at most one member may be set.
ONEOFS: dict[str, tuple[str, frozenset[str]]] = {
    "Part": (
        "data",
        frozenset(
            {
                "text",
                "inlineData",
                "fileData",
                "functionCall",
                "functionResponse",
                "executableCode",
                "codeExecutionResult",
                "toolCall",
                "toolResponse",
            }
        ),
    ),
}


@attrs.frozen
class FieldInfo:
    wire: str
    proto: str
    shape: Shape
    required: bool


def snake(wire: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", wire).lower()


# Per-class plans, built on first use. (functools.cache would do, but mypy holds that model
# classes are unhashable, since their instances are.)
_FIELDS: dict[type, tuple[FieldInfo, ...]] = {}
_KEYS: dict[type, dict[str, FieldInfo]] = {}


def fields_of(cls: type[WireModel]) -> tuple[FieldInfo, ...]:
    plan = _FIELDS.get(cls)
    if plan is None:
        plan = _FIELDS[cls] = tuple(
            FieldInfo(f.wire, snake(f.wire), _shape(f.kind), f.required) for f in cls._wire_fields
        )
    return plan


def _shape(kind: _wire.Kind) -> Shape:
    # Friendly inputs exist only on SDK config types, never on the wire.
    return ANY if isinstance(kind, _wire.Friendly) else kind


def keys_of(cls: type[WireModel]) -> dict[str, FieldInfo]:
    """Every accepted key of `cls`, wire camelCase and proto snake_case, to its field."""
    keys = _KEYS.get(cls)
    if keys is None:
        keys = _KEYS[cls] = {k: info for info in fields_of(cls) for k in (info.wire, info.proto)}
    return keys


@functools.cache
def enum_values(cls: type[WireEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in cls.__members__.values())


@functools.cache
def _enum_names(cls: type[WireEnum]) -> dict[str, str]:
    """Each value of `cls` by its case-folded spelling (_leniency.ENUM_CASE)."""
    return {value.casefold(): value for value in enum_values(cls)}


def type_label(shape: Shape) -> str:
    if isinstance(shape, _wire.Scalar):
        return _SCALAR_LABELS.get(shape.codec, "type.googleapis.com/google.protobuf.Value")
    if isinstance(shape, (_wire.EnumRef, _wire.ModelRef)):
        return _TYPE_PREFIX + shape.name
    if isinstance(shape, _wire.MapOf):
        return "type.googleapis.com/google.protobuf.Struct"
    assert isinstance(shape, _wire.ListOf)
    return type_label(shape.item)


def render(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 200 else text[:197] + "..."


class _Walker:
    def __init__(self) -> None:
        self.payload_errors: list[tuple[str, str]] = []

    def fail(self, field: str, description: str) -> None:
        self.payload_errors.append((field, description))

    def message(self, data: dict[str, Any], cls: type[WireModel], path: str) -> dict[str, Any]:
        plan = keys_of(cls)
        out: dict[str, Any] = {}
        at = f" at '{path}'" if path else ""
        oneof = ONEOFS.get(cls.__name__)
        oneof_set: str | None = None
        for key, value in data.items():
            info = plan.get(key)
            if info is None:
                self.fail(path, f'{_PAYLOAD} Unknown name "{key}"{at}: Cannot find field.')
                continue
            if value is None:  # _leniency.NULL_IS_UNSET
                continue
            if oneof is not None and info.wire in oneof[1]:
                if oneof_set is not None:
                    self.fail(
                        path,
                        f'{_PAYLOAD} Unknown name "{key}"{at}: Oneof field '
                        f"'{oneof[0]}' is already set. Cannot set '{info.proto}'",
                    )
                    continue
                oneof_set = info.proto
            if isinstance(value, list) and not isinstance(info.shape, _wire.ListOf):
                if info.shape != ANY:
                    self.fail(
                        path,
                        f'{_PAYLOAD} Unknown name "{key}"{at}: '
                        "Proto field is not repeating, cannot start list.",
                    )
                    continue
            out[info.wire] = self.value(value, info.shape, _join(path, info.proto))
        return out

    def value(self, value: Any, shape: Shape, path: str) -> Any:
        if isinstance(shape, _wire.ListOf):
            # _leniency.LONE_VALUE
            items = value if isinstance(value, list) else [value]
            return [self.value(v, shape.item, f"{path}[{i}]") for i, v in enumerate(items)]
        if isinstance(shape, _wire.ModelRef):
            if isinstance(value, dict):
                return self.message(value, shape.resolve(), path)
            return self.invalid(value, shape, path)
        if isinstance(shape, _wire.MapOf):
            if not isinstance(value, dict):
                return self.invalid(value, shape, path)
            return {k: self.value(v, shape.value, f"{path}[{k}]") for k, v in value.items()}
        if isinstance(shape, _wire.EnumRef):
            return self.enum(value, shape, path)
        assert isinstance(shape, _wire.Scalar), shape
        return self.scalar(value, shape, path)

    def invalid(self, value: Any, shape: Shape, path: str, note: str = "") -> Any:
        self.fail(path, f"Invalid value at '{path}' ({type_label(shape)}), {note or render(value)}")
        return value

    def enum(self, value: Any, shape: _wire.EnumRef, path: str) -> Any:
        cls = shape.resolve()
        known = enum_values(cls)
        if isinstance(value, str) and value.casefold() in _enum_names(cls):
            return _enum_names(cls)[value.casefold()]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(known):
            return known[value]
        return self.invalid(value, shape, path)

    def scalar(self, value: Any, shape: _wire.Scalar, path: str) -> Any:
        checked = _SCALAR_CHECKS[shape.codec](value)
        if checked is _BAD:
            return self.invalid(value, shape, path)
        if checked is _BAD_BASE64:
            return self.invalid(value, shape, path, f'Base64 decoding failed for "{value}"')
        return checked


_BAD = object()
_BAD_BASE64 = object()
_INT = re.compile(r"-?\d+")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(value: Any, low: int, high: int) -> Any:
    if isinstance(value, str) and _INT.fullmatch(value):
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return _BAD


def _int64(value: Any, low: int, high: int) -> Any:
    checked = _integer(value, low, high)
    return checked if checked is _BAD else str(checked)


def _float(value: Any) -> Any:
    if _is_number(value) or value in ("NaN", "Infinity", "-Infinity"):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return _BAD


def _bytes(value: Any) -> Any:
    if not isinstance(value, str):
        return _BAD
    padded = value + "=" * (-len(value) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return _BAD_BASE64
    return base64.b64encode(raw).decode("ascii")


def _timestamp(value: Any) -> Any:
    if isinstance(value, str):
        try:
            _wire.parse_timestamp(value)
            return value
        except ValueError:
            pass
    return _BAD


_SCALAR_CHECKS: dict[str, typing.Callable[[Any], Any]] = {
    "any": lambda v: v,
    "string": lambda v: v if isinstance(v, str) else _BAD,
    "bool": lambda v: v if isinstance(v, bool) else _BAD,
    "int32": lambda v: _integer(v, *_wire.INT32_RANGE),
    "uint32": lambda v: _integer(v, *_wire.INT32_RANGE),
    "int64": lambda v: _int64(v, *_wire.INT64_RANGE),
    "uint64": lambda v: _int64(v, *_wire.UINT64_RANGE),
    "float": _float,
    "double": _float,
    "bytes": _bytes,
    "duration": lambda v: v if isinstance(v, str) and _wire.DURATION.fullmatch(v) else _BAD,
    "timestamp": _timestamp,
}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def parse_body(raw: bytes) -> Any:
    """The JSON text of a request body; an empty body is an empty message, as for Google."""
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, f"{_PAYLOAD} Unexpected token.") from None


def validate(
    data: Any, cls: type[WireModel], *, path_bound: Collection[str] = (), partial: bool = False
) -> dict[str, Any]:
    """The body as canonical wire JSON, or ApiError 400 describing everything wrong with it.

    `path_bound` names top-level wire fields the service takes from the URL instead; a
    `partial` body (a PATCH's, which carries only what its update mask names) may leave
    required fields out.
    """
    if not isinstance(data, dict):
        raise _payload_error([("", f'{_PAYLOAD} Unknown name "": Root element must be a message.')])
    walker = _Walker()
    normal = walker.message(data, cls, "")
    if walker.payload_errors:
        raise _payload_error(walker.payload_errors)
    missing = [] if partial else missing_fields(normal, cls, "", skip=path_bound)
    if missing:
        raise ApiError(400, "".join(f"* {cls.__name__}.{line}\n" for line in missing))
    return normal


def _payload_error(errors: list[tuple[str, str]]) -> ApiError:
    violations = [{"field": field, "description": text} for field, text in errors]
    return ApiError(
        400,
        "\n".join(text for _, text in errors),
        details=[{"@type": BAD_REQUEST_TYPE, "fieldViolations": violations}],
    )


def missing_fields(
    data: dict[str, Any],
    cls: type[WireModel],
    path: str,
    *,
    skip: Collection[str] = (),
    within: str = "",
) -> list[str]:
    """`path: reason` for each required field left out, anywhere in normalised wire JSON.

    `within` ("Class.field") names the field that holds this message, for the rules of
    _leniency.UNREQUIRED that apply there only.
    """
    missing: list[str] = []
    for info in fields_of(cls):
        value = data.get(info.wire)
        if value is not None:
            # (a scalar or an enum holds no required field: its path is not worth making)
            if not isinstance(info.shape, _LEAVES):
                missing += _missing_within(
                    value, info.shape, _join(path, info.proto), f"{cls.__name__}.{info.wire}"
                )
        elif (
            info.required
            and info.wire not in skip
            and _leniency.required_here(cls.__name__, info.wire, within)
        ):
            reason = _missing_reason(cls, info, data)
            if reason:
                missing.append(f"{_join(path, info.proto)}: {reason}")
    return missing


_LEAVES = (_wire.Scalar, _wire.EnumRef)


def _missing_within(value: Any, shape: Shape, path: str, within: str) -> list[str]:
    if isinstance(shape, _wire.ModelRef) and isinstance(value, dict):
        return missing_fields(value, shape.resolve(), path, within=within)
    if isinstance(shape, _wire.ListOf) and isinstance(value, list):
        return [
            m
            for i, v in enumerate(value)
            for m in _missing_within(v, shape.item, f"{path}[{i}]", within)
        ]
    if isinstance(shape, _wire.MapOf) and isinstance(value, dict):
        return [
            m
            for k, v in value.items()
            for m in _missing_within(v, shape.value, f"{path}[{k}]", within)
        ]
    return []


def _missing_reason(cls: type[WireModel], info: FieldInfo, data: dict[str, Any]) -> str:
    if cls.__name__ == "Schema" and info.wire == "type":
        # A schema may leave out its type when it is a union of alternatives.
        if data.get("anyOf"):
            return ""
        return "must be specified when not using one_of or any_of"
    return f"{info.proto} is not specified"
