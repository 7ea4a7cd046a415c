"""The one cattrs converter between generated types and wire JSON.

Hooks are compiled once per class with `make_dict_structure_fn` / `make_dict_unstructure_fn`,
renamed from each field's `wire` metadata. Around them sits one wrapper per class that keeps
unknown keys (and accepts snake_case keys) without slowing the common case, where every key
is a known camelCase wire name.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import re
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from gemini_sdk import _wire
from gemini_sdk._model import WireEnum, WireModel
from gemini_sdk._model import _strip_optional as _model_strip_optional

T = TypeVar("T")

loads = orjson.loads


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


class WireFormatError(ValueError):
    """Wire JSON that does not fit its schema; the message names the field."""


# -- scalar codecs ---------------------------------------------------------------------------


def _expect(kind: str, value: Any) -> TypeError:
    return TypeError(f"expected {kind}, got {type(value).__name__} {value!r:.60}")


def _structure_str(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    raise _expect("a string", value)


def _structure_bool(value: Any, _: Any) -> bool:
    if value is True or value is False:
        return value
    raise _expect("a boolean", value)


def _structure_int(value: Any, _: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise _expect("an integer", value)


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _structure_float(value: Any, _: Any) -> float:
    if type(value) is float or type(value) is int:
        return value
    if type(value) is str and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    raise _expect("a number", value)


def _unstructure_float(value: float) -> Any:
    if value - value == 0:  # finite
        return value
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _structure_int64(value: Any, _: Any) -> int:
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    elif type(value) is int:
        return value
    raise _expect("a 64-bit integer (a decimal string or a number)", value)


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BASE64_LENIENT = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


def _structure_bytes(value: Any, _: Any) -> bytes:
    if type(value) is not str:
        raise _expect("base64 text", value)
    try:
        if len(value) % 4 == 0 and _BASE64.fullmatch(value):
            return binascii.a2b_base64(value)
        # URL-safe and unpadded spellings are accepted on input too
        text = value.strip()
        if not _BASE64_LENIENT.fullmatch(text) or len(text.rstrip("=")) % 4 == 1:
            raise ValueError("not base64")
        text = text.rstrip("=").replace("+", "-").replace("/", "_")
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise _expect("base64 text", value) from None


def _unstructure_bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _structure_timestamp(value: Any, _: Any) -> datetime.datetime:
    if type(value) is str:
        return _wire.parse_timestamp(value)
    raise _expect("an RFC 3339 timestamp string", value)


def _structure_duration(value: Any, _: Any) -> str:
    if type(value) is str and _wire.DURATION.fullmatch(value):
        return value
    raise _expect('a duration string like "3.5s"', value)


def _passthrough(value: Any, _: Any = None) -> Any:
    return value


def _structure_float_list(value: Any, _: Any) -> list[float]:
    # Embeddings are long float lists; the generated __init__ checks their items in one
    # C-level pass (falling back to a per-item check only when one is off), so not here.
    if type(value) is list:
        return value
    raise _expect("a list", value)


def _build(detailed: bool) -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=detailed)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_unstructure_hook(float, _unstructure_float)
    conv.register_structure_hook(bytes, _structure_bytes)
    conv.register_unstructure_hook(bytes, _unstructure_bytes)
    conv.register_structure_hook(datetime.datetime, _structure_timestamp)
    conv.register_unstructure_hook(datetime.datetime, _wire.format_timestamp)
    conv.register_structure_hook_func(lambda t: t == list[float], _structure_float_list)
    codecs: list[tuple[Any, Callable[[Any, Any], Any], Callable[[Any], Any]]] = [
        (_wire.Int64, _structure_int64, str),
        (_wire.UInt64, _structure_int64, str),
        (_wire.Duration, _structure_duration, _passthrough),
    ]
    for alias, structure_hook, unstructure_hook in codecs:
        conv.register_structure_hook_func(_equals(alias), structure_hook)
        conv.register_unstructure_hook_func(_equals(alias), unstructure_hook)
    conv.register_structure_hook_func(lambda t: t is Any, _passthrough)
    conv.register_unstructure_hook_func(lambda t: t is Any, _passthrough)
    # Enums are str subclasses: register by class so cattrs' str handling does not win.
    conv.register_structure_hook(WireEnum, _structure_enum)
    conv.register_unstructure_hook(WireEnum, _unstructure_enum)
    conv.register_structure_hook_factory(
        _is_wire_model, lambda cls: _model_structure(conv, cls, detailed)
    )
    conv.register_unstructure_hook_factory(
        _is_wire_model, lambda cls: _model_unstructure(conv, cls)
    )
    return conv


def _equals(alias: Any) -> Callable[[Any], bool]:
    return lambda tp: bool(tp == alias)


def _is_wire_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, WireModel) and attrs.has(tp)


def _structure_enum(value: Any, enum_cls: type[WireEnum]) -> WireEnum:
    member = enum_cls._value2member_map_.get(value)
    if member is not None:
        return member  # type: ignore[return-value]
    if type(value) is not str:
        raise _expect(f"a {enum_cls.__name__} value", value)
    return enum_cls(value)


def _unstructure_enum(value: WireEnum) -> Any:
    return value._value_


def _wire_fields(cls: type) -> list[attrs.Attribute]:  # type: ignore[type-arg]
    return [f for f in attrs.fields(cls) if "wire" in f.metadata]


def _model_structure(
    conv: cattrs.Converter, cls: type[WireModel], detailed: bool
) -> Callable[[Any, Any], Any]:
    fields = _wire_fields(cls)
    attrs.resolve_types(cls)
    hooks = {f.name: _transform_hook(f) or _field_structure_hook(conv, f.type) for f in fields}
    if detailed:
        return _detailed_structure(conv, cls, fields, hooks)
    # Responses are sparse (a Part sets one or two of its sixteen fields): walk the keys that
    # are present, wire or snake_case, each with its field's hook; keep the unknown ones.
    by_key = {key: (f.name, hooks[f.name]) for f in fields for key in (f.metadata["wire"], f.name)}

    def structure(data: Any, _: Any) -> Any:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise _expect(f"a JSON object for {cls.__name__}", data)
        kwargs: dict[str, Any] = {}
        unknown: dict[str, Any] | None = None
        for key, value in data.items():
            entry = by_key.get(key)
            if entry is None:
                if unknown is None:
                    unknown = {}
                unknown[key] = value
            else:
                kwargs[entry[0]] = entry[1](value, None)
        if unknown:
            kwargs["unknown_fields"] = unknown
        return cls(**kwargs)

    return structure


def _detailed_structure(
    conv: cattrs.Converter,
    cls: type[WireModel],
    fields: list[attrs.Attribute],  # type: ignore[type-arg]
    hooks: dict[str, Callable[[Any, Any], Any]],
) -> Callable[[Any, Any], Any]:
    """cattrs' compiled function, with detailed validation: only run to explain a failure,
    since its errors carry the path to the bad value."""
    overrides: dict[str, Any] = {
        f.name: override(rename=f.metadata["wire"], struct_hook=hooks[f.name]) for f in fields
    }
    overrides["unknown_fields"] = override(omit=True)
    compiled = make_dict_structure_fn(
        cast(Any, cls), conv, _cattrs_forbid_extra_keys=False, **overrides
    )
    aliases: dict[str, str] = {
        key: f.metadata["wire"] for f in fields for key in (f.metadata["wire"], f.name)
    }

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, Mapping):
            raise _expect(f"a JSON object for {cls.__name__}", data)
        wire: dict[str, Any] = {}
        for key, value in data.items():
            wire[cast(str, aliases.get(key, key))] = value
        return compiled(wire, cls)

    return structure


def _optional_scalar(kind: type, what: str) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        if type(value) is kind or value is None:
            return value
        return _SCALAR_HOOKS[kind](value, None)

    return structure


_SCALAR_HOOKS: dict[type, Callable[[Any, Any], Any]] = {
    str: _structure_str,
    bool: _structure_bool,
    int: _structure_int,
    float: _structure_float,
}
_OPTIONAL_SCALARS = {kind: _optional_scalar(kind, kind.__name__) for kind in _SCALAR_HOOKS}


def _field_structure_hook(conv: cattrs.Converter, tp: Any) -> Callable[[Any, Any], Any]:
    """One call per field: None handled here, the inner hook found once, on first use.

    (cattrs' generic path goes through its Optional handler and a dispatch per value; and
    resolving the inner hook lazily keeps self-referencing types from recursing.)
    """
    inner = _model_strip_optional(tp)
    if inner in _OPTIONAL_SCALARS:
        return _OPTIONAL_SCALARS[inner]
    hook: Callable[[Any, Any], Any] | None = None

    def structure(value: Any, _: Any) -> Any:
        nonlocal hook
        if value is None:
            return None
        if hook is None:
            hook = conv.get_structure_hook(inner)
        return hook(value, inner)

    return structure


def _transform_hook(f: attrs.Attribute) -> Callable[[Any, Any], Any] | None:  # type: ignore[type-arg]
    name = f.metadata.get("transform")
    if name is None:
        return None
    from gemini_sdk._transform import TRANSFORMS

    transform = TRANSFORMS[name]
    return lambda value, _: None if value is None else transform(value)


def _field_unstructure_hook(conv: cattrs.Converter, tp: Any) -> Callable[[Any], Any] | None:
    """A direct hook for a field that is never None when called (None fields are omitted):
    models and lists of models skip cattrs' Optional and iterable dispatch per value."""
    inner = _model_strip_optional(tp)
    if _is_wire_model(inner):
        return _deferred_unstructure_hook(conv, inner)
    if typing.get_origin(inner) is list and _is_wire_model(typing.get_args(inner)[0]):
        item = _deferred_unstructure_hook(conv, typing.get_args(inner)[0])
        return lambda values: [item(value) for value in values]
    return None


def _deferred_unstructure_hook(conv: cattrs.Converter, cls: Any) -> Callable[[Any], Any]:
    # resolved on first use, so self-referencing types do not recurse while being built
    hook: Callable[[Any], Any] | None = None

    def unstructure(value: Any) -> Any:
        nonlocal hook
        if hook is None:
            hook = conv.get_unstructure_hook(cls)
        return hook(value)

    return unstructure


def _model_unstructure(conv: cattrs.Converter, cls: type[WireModel]) -> Callable[[Any], Any]:
    fields = _wire_fields(cls)
    attrs.resolve_types(cls)
    overrides: dict[str, Any] = {
        f.name: override(
            rename=f.metadata["wire"],
            omit_if_default=True,
            # friendly-input fields hold wire types already: dispatch on the value's class
            unstruct_hook=conv.unstructure
            if "transform" in f.metadata
            else _field_unstructure_hook(conv, f.type),
        )
        for f in fields
    }
    overrides["unknown_fields"] = override(omit=True)
    compiled = make_dict_unstructure_fn(cls, conv, **overrides)

    def unstructure(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = compiled(obj)
        if obj.unknown_fields:
            for key, value in obj.unknown_fields.items():
                out.setdefault(key, value)
        return out

    return unstructure


_converter = _build(detailed=False)
_detailed: cattrs.Converter | None = None


def converter() -> cattrs.Converter:
    return _converter


def structure(data: Any, cls: type[T]) -> T:
    """Wire JSON -> an instance of `cls`; a mismatch raises WireFormatError naming the field."""
    try:
        return _converter.structure(data, cls)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise WireFormatError(_explain(data, cls, error)) from None


def unstructure(obj: Any) -> Any:
    return _converter.unstructure(obj)


def _explain(data: Any, cls: type, error: Exception) -> str:
    """Re-run with cattrs' detailed validation, only on failure, to find the field's path."""
    global _detailed
    if _detailed is None:
        _detailed = _build(detailed=True)
    try:
        _detailed.structure(data, cls)
    except cattrs.BaseValidationError as detailed:
        return "; ".join(cattrs.transform_error(detailed, path=cls.__name__))
    except Exception as other:  # noqa: BLE001 - the first failure's message still helps
        return f"{cls.__name__}: {other}"
    return f"{cls.__name__}: {error}"
