"""Base classes of every generated type: `WireModel` for objects, `WireEnum` (defined with
the codecs in `_wire`, below the converter) for enums.

Generated classes are declarative attrs classes, each with its field table (`_wire_fields`,
see `gemini_sdk._wire`); all behaviour lives here, once, built from those tables: JSON and
dict conversion (through `_convert`), and the check that turns friendly input (dicts, enum
strings, a model class where an instance is meant) into typed values or raises a TypeError
naming the field. A generated `__init__` only tests each set value's class inline and calls
`_checked` when that is not already exactly right.
"""

from __future__ import annotations

import datetime
import operator
import typing
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import attrs
from attrs import define, field

from gemini_sdk import _convert, _wire
from gemini_sdk._wire import WireEnum

__all__ = ["WireEnum", "WireModel", "all_of"]

M = TypeVar("M", bound="WireModel")


@define(kw_only=True)
class WireModel:
    """Shared behaviour of every generated object type."""

    _wire_fields: ClassVar[tuple[_wire.Field, ...]] = ()
    # SDK-only types (method configs) are only ever built from user input: a dict of one is
    # checked as such, so a misspelt key raises instead of being kept.
    _input_only: ClassVar[bool] = False

    # Fields the service sent that this version of the spec does not know; kept so that a
    # response reused as history goes back to the service unchanged.
    unknown_fields: dict[str, Any] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        # Only the fields that are set: a Part shows its text, not thirteen Nones.
        shown = [
            f"{f.name}={value!r}"
            for f in attrs.fields(type(self))
            if (value := getattr(self, f.name)) is not None
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    def _checked(self, name: str, value: Any) -> Any:
        """The slow path of a generated __init__: a value not of exactly the expected class is
        coerced where friendly input allows (a dict, an enum string, ...) or rejected."""
        cls = type(self)
        checks = _CHECKS.get(cls) or _build_checks(cls)
        try:
            return checks[name](value)
        except _Mismatch as mismatch:
            raise TypeError(f"{cls.__name__}.{name}{mismatch.where}: {mismatch.reason()}") from None

    @classmethod
    def from_dict(cls: type[M], data: typing.Mapping[str, Any]) -> M:
        """Build from wire JSON (camelCase keys) or from snake_case keys, with the values
        the constructor takes (bytes, datetimes, enum members) or their wire spellings.

        A value that does not fit raises WireFormatError naming its path.
        """
        return _convert.structure(data, cls)

    @classmethod
    def from_input(cls: type[M], data: typing.Mapping[str, Any]) -> M:
        """Build from a dict the caller wrote, as a constructor argument or a method's input:
        the same spellings as `from_dict`, but an unknown key is a typo and raises
        WireFormatError naming the key and the class, before anything is sent."""
        return _convert.structure(data, cls, user=True)

    def to_dict(self) -> dict[str, Any]:
        """The wire JSON object: camelCase keys, unset fields left out."""
        wire: dict[str, Any] = _convert.unstructure(self)
        return wire

    @classmethod
    def from_json(cls: type[M], text: str | bytes) -> M:
        return cls.from_dict(_convert.loads(text))

    def to_json(self) -> str:
        return _convert.dumps(self.to_dict()).decode()


class _Mismatch(Exception):
    def __init__(self, expected: str, value: object, where: str = "") -> None:
        self.expected, self.value, self.where = expected, value, where

    def reason(self) -> str:
        return f"expected {self.expected}, got {_describe(self.value)}"


class _Refused(_Mismatch):
    """A transform's own reason, which already describes the value it refused."""

    def __init__(self, said: str, value: object) -> None:
        super().__init__("", value)
        self.said = said

    def reason(self) -> str:
        return self.said


_NUMBERS = frozenset({float, int})


def all_of(values: list[Any], kind: type) -> bool:
    """Whether every item is exactly of `kind` (ints count as floats): one C-level pass,
    so a 3,072-float embedding costs no Python per item."""
    return {*map(type, values)} <= (_NUMBERS if kind is float else {kind})


def _describe(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


Check = Callable[[Any], Any]


_CHECKS: dict[type, dict[str, Check]] = {}


def _build_checks(cls: type[WireModel]) -> dict[str, Check]:
    checks = {f.attr: checker(f.kind) for f in cls._wire_fields}
    _CHECKS[cls] = checks
    return checks


def checker(kind: _wire.Kind) -> Check:
    """A function that returns the value (coerced where friendly input allows) or raises."""
    if isinstance(kind, _wire.Scalar):
        return _SCALAR_CHECKS[kind.codec]
    if isinstance(kind, _wire.ListOf):
        return _list_check(checker(kind.item))
    if isinstance(kind, _wire.MapOf):
        return _map_check(checker(kind.value))
    if isinstance(kind, _wire.EnumRef):
        return _enum_check(kind.resolve())
    if isinstance(kind, _wire.ModelRef):
        return _model_check(kind.resolve())
    return _transform_check(kind.transform)


def _transform_check(name: str) -> Check:
    from gemini_sdk._transform import TRANSFORMS

    transform = TRANSFORMS[name]

    def check(value: Any) -> Any:
        try:
            return transform(value)
        except (TypeError, ValueError) as error:
            raise _Refused(str(error), value) from None

    return check


def _identity(value: Any) -> Any:
    return value


def _check_str(value: Any) -> Any:
    if isinstance(value, str):
        return value
    raise _Mismatch("str", value)


def _check_bool(value: Any) -> Any:
    if value is True or value is False:
        return value
    raise _Mismatch("bool", value)


def _check_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Mismatch("int", value)


def _check_float(value: Any) -> Any:
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return value
    raise _Mismatch("float", value)


def _check_bytes(value: Any) -> Any:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise _Mismatch("bytes", value)


def _check_datetime(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return _wire.parse_timestamp(value)
        except ValueError:
            pass
    raise _Mismatch("datetime or an RFC 3339 timestamp string", value)


def _check_duration(value: Any) -> Any:
    if isinstance(value, str) and _wire.DURATION.fullmatch(value):
        return value
    if isinstance(value, datetime.timedelta):
        return _wire.format_duration(value.total_seconds())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _wire.format_duration(value)
    raise _Mismatch('a duration like "3600s", a timedelta or seconds', value)


def _int_check(name: str, low: int, high: int) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise _Mismatch(f"{name} ({low}..{high})", value)

    return check


# By the codec name of the field table. (The constructor is stricter than a dict: bytes fields
# take bytes, not base64 text, and 64-bit integers take ints.)
_SCALAR_CHECKS: dict[str, Check] = {
    "string": _check_str,
    "bool": _check_bool,
    "int32": _check_int,
    "uint32": _check_int,
    "float": _check_float,
    "double": _check_float,
    "int64": _int_check("int64", *_wire.INT64_RANGE),
    "uint64": _int_check("uint64", *_wire.UINT64_RANGE),
    "bytes": _check_bytes,
    "timestamp": _check_datetime,
    "duration": _check_duration,
    "any": _identity,
}


def _list_check(item: Check) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _Mismatch("a list", value)
        out = None
        for index, element in enumerate(value):
            try:
                checked = item(element)
            except _Mismatch as mismatch:
                mismatch.where = f"[{index}]{mismatch.where}"
                raise
            if checked is not element and out is None:
                out = list(value[:index])
            if out is not None:
                out.append(checked)
        if out is not None:
            return out
        return value if type(value) is list else list(value)

    return check


def _map_check(item: Check) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch("a dict", value)
        out = {}
        for key, element in value.items():
            if not isinstance(key, str):
                raise _Mismatch("str keys", key)
            try:
                out[key] = item(element)
            except _Mismatch as mismatch:
                mismatch.where = f"[{key!r}]{mismatch.where}"
                raise
        return out

    return check


def _enum_check(enum_cls: type[WireEnum]) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, enum_cls):
            return value
        if isinstance(value, str):
            member = enum_cls(value)
            if member.is_known:
                return member
            # What the caller builds names a member (a newer value than this version knows
            # comes back from the service, and decoding keeps it; it is not the caller's to send).
            names = ", ".join(repr(m.value) for m in enum_cls)
            raise _Mismatch(f"one of the {enum_cls.__name__} values ({names})", value)
        raise _Mismatch(f"{enum_cls.__name__} or str", value)

    return check


def _model_check(model_cls: type[WireModel]) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, model_cls):
            return value
        if isinstance(value, dict):
            try:
                return model_cls.from_input(value)
            except (TypeError, ValueError) as error:
                raise _Mismatch(f"{model_cls.__name__} ({error})", value) from None
        # `Tool(code_execution=types.ToolCodeExecution)`: the class stands for an empty instance.
        if isinstance(value, type) and issubclass(value, model_cls):
            return value()
        raise _Mismatch(f"{model_cls.__name__} or dict", value)

    return check


@attrs.frozen
class _RequiredPlan:
    required: tuple[tuple[str, str], ...]  # (attribute, wire name) of required fields
    nested: tuple[str, ...]  # fields that can hold objects with required fields inside
    read_nested: Callable[[Any], tuple[Any, ...]]


_REQUIRED: dict[type, _RequiredPlan] = {}


def missing_required(obj: WireModel, skip: tuple[str, ...] = ()) -> list[str]:
    """Paths of required fields left unset anywhere in a request, e.g. `Tool.function_declarations[0].name`.

    `skip` names top-level wire fields that the service fills from the URL instead.
    """
    return [f"{type(obj).__name__}.{path}" for path in _missing(obj, skip)]


def _missing(obj: WireModel, skip: tuple[str, ...]) -> list[str]:
    plan = _REQUIRED.get(type(obj)) or _required_plan(type(obj))
    out = (
        [name for name, wire in plan.required if getattr(obj, name) is None and wire not in skip]
        if plan.required
        else []
    )
    values = plan.read_nested(obj)
    if values.count(None) == len(values):
        # the common case (a text Part, a leaf): nothing set that could hide a required field,
        # found by one C-level count rather than a Python loop over the Nones
        return out
    for name, value in zip(plan.nested, values, strict=True):
        if value is None:
            continue
        if isinstance(value, WireModel):
            out += [f"{name}.{sub}" for sub in _missing(value, ())]
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, WireModel):
                    out += [f"{name}[{index}].{sub}" for sub in _missing(item, ())]
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, WireModel):
                    out += [f"{name}[{key!r}].{sub}" for sub in _missing(item, ())]
    return out


def _required_plan(cls: type[WireModel]) -> _RequiredPlan:
    table = cls._wire_fields
    required = tuple((f.attr, f.wire) for f in table if f.required)
    nested = tuple(f.attr for f in table if any(_requires(m, set()) for m in _models_in(f.kind)))
    plan = _REQUIRED[cls] = _RequiredPlan(required, nested, _reader(nested))
    return plan


def _reader(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda _: ()
    getter = operator.attrgetter(*names)
    return getter if len(names) > 1 else (lambda obj: (getter(obj),))


def _models_in(kind: _wire.Kind) -> list[type[WireModel]]:
    if isinstance(kind, _wire.ModelRef):
        return [kind.resolve()]
    if isinstance(kind, _wire.ListOf):
        return _models_in(kind.item)
    if isinstance(kind, _wire.MapOf):
        return _models_in(kind.value)
    if isinstance(kind, _wire.Friendly):
        return _models_in(kind.gives)
    return []


def _requires(cls: type[WireModel], seen: set[type]) -> bool:
    """Whether any object reachable from `cls` has a required field."""
    if cls in seen:
        return False
    seen.add(cls)
    return any(
        f.required or any(_requires(m, seen) for m in _models_in(f.kind)) for f in cls._wire_fields
    )
