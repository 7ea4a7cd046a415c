"""Generated objects <-> wire JSON, through hooks compiled from each class's field table
(`gemini_sdk._wire`).

Each class gets one decoder (per mode) and one encoder, compiled on first use: a conversion of
a generated class is one dictionary read and then straight-line code. The same hooks are
registered on one cattrs converter per mode (through hook factories; scalar codecs by their
Python type, enums by their base), which converts every other type; cattrs is loaded by the
first such conversion only.
Decoding walks the keys that are present (responses are sparse: a Part sets one or two of its
fields), wire camelCase or snake_case, each with its field's hook. It has two modes:

* wire (responses, `from_dict`): a key the table does not know is kept in `unknown_fields`, so
  that a response from a newer service survives decode and re-encode;
* user (a dict given to a constructor, a method's config dict): an unknown key is a typo and
  raises, naming the key and the class, before any request is made.

Both accept what the typed constructor accepts as well as wire JSON: bytes or base64 text,
datetime or RFC 3339 text, ints or decimal strings for 64-bit integers, enum members or names.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import orjson

from gemini_sdk import _wire

T = TypeVar("T")
Hook = Callable[[Any], Any]

loads = orjson.loads


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


class WireFormatError(ValueError):
    """Input that does not fit its schema; the message names the field's path."""


class _Bad(Exception):
    """A value that does not fit, on its way out: each level adds its step of the path."""

    def __init__(self, error: Exception, step: str) -> None:
        self.error, self.steps = error, [step]


# -- scalar codecs, by the codec name the field table carries -----------------------------------


def _expect(kind: str, value: Any) -> TypeError:
    return TypeError(f"expected {kind}, got {type(value).__name__} {value!r:.60}")


def _decode_str(value: Any) -> str:
    if type(value) is str or isinstance(value, str):
        return value
    raise _expect("a string", value)


def _decode_bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise _expect("a boolean", value)


def _decode_int(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise _expect("an integer", value)


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _decode_float(value: Any) -> float:
    if type(value) is float or type(value) is int:
        return value
    if type(value) is str and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    raise _expect("a number", value)


def _encode_float(value: float) -> Any:
    if value - value == 0:  # finite
        return value
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _int64_decoder(name: str, low: int, high: int) -> Hook:
    def decode(value: Any) -> int:
        if type(value) is str:
            try:
                number = int(value)
            except ValueError:
                pass
            else:
                if low <= number <= high:
                    return number
        elif type(value) is int and low <= value <= high:
            return value
        raise _expect(f"a{name} (a decimal string or a number, {low}..{high})", value)

    return decode


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BASE64_LENIENT = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


def _decode_bytes(value: Any) -> bytes:
    if type(value) is not str:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise _expect("bytes or base64 text", value)
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
        raise _expect("bytes or base64 text", value) from None


def _encode_bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _decode_timestamp(value: Any) -> datetime.datetime:
    if type(value) is str:
        return _wire.parse_timestamp(value)
    if isinstance(value, datetime.datetime):
        return value
    raise _expect("a datetime or an RFC 3339 timestamp string", value)


def _decode_duration(value: Any) -> str:
    if type(value) is str and _wire.DURATION.fullmatch(value):
        return value
    if isinstance(value, datetime.timedelta):
        return _wire.format_duration(value.total_seconds())
    if type(value) is int or type(value) is float:
        return _wire.format_duration(value)
    raise _expect('a duration like "3.5s", a timedelta or seconds', value)


def _passthrough(value: Any) -> Any:
    return value


# codec -> (decode, encode); an encode of None sends the value as it is.
_SCALARS: dict[str, tuple[Hook, Hook | None]] = {
    "string": (_decode_str, None),
    "bool": (_decode_bool, None),
    "int32": (_decode_int, None),
    "uint32": (_decode_int, None),
    "float": (_decode_float, _encode_float),
    "double": (_decode_float, _encode_float),
    "int64": (_int64_decoder(" 64-bit integer", *_wire.INT64_RANGE), str),
    "uint64": (_int64_decoder("n unsigned 64-bit integer", *_wire.UINT64_RANGE), str),
    "bytes": (_decode_bytes, _encode_bytes),
    "timestamp": (_decode_timestamp, _wire.format_timestamp),
    "duration": (_decode_duration, None),
    "any": (_passthrough, None),
}

# The class a value of that scalar may keep as it is, without a call to its decoder.
_EXACT: dict[str, type] = {
    "string": str,
    "bool": bool,
    "int32": int,
    "uint32": int,
    "float": float,
    "double": float,
}

# Item classes that a list of that scalar may hold as they are: one C-level pass over a
# 3,072-float embedding instead of a call per item.
_EXACT_ITEMS: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "bool": frozenset({bool}),
    "int32": frozenset({int}),
    "uint32": frozenset({int}),
    "float": frozenset({float, int}),
    "double": frozenset({float, int}),
}


def _transform(name: str) -> Hook:
    from gemini_sdk._transform import TRANSFORMS

    return TRANSFORMS[name]


# -- per-class decoders and encoders ------------------------------------------------------------


def _at_item(values: Any, item: Hook, error: Exception) -> _Bad:
    """The path step of a list or map item that failed (found again, only on failure)."""
    pairs = values.items() if isinstance(values, Mapping) else enumerate(values)
    for key, value in pairs:
        try:
            item(value)
        except _Bad as bad:
            bad.steps.append(f"[{key!r}]" if isinstance(key, str) else f"[{key}]")
            return bad
        except (TypeError, ValueError) as failure:
            return _Bad(failure, f"[{key!r}]" if isinstance(key, str) else f"[{key}]")
    return _Bad(error, "")


class _Codec:
    """The decoders (of one mode) and encoders of every class, made on first use."""

    def __init__(self, user: bool) -> None:
        self.user = user
        self.decoders: dict[type, Hook] = {}
        self.encoders: dict[type, Hook] = {}

    def decoder(self, cls: type) -> Hook:
        return self.decoders.get(cls) or self._model_decoder(cls)

    def encoder(self, cls: type) -> Hook:
        return self.encoders.get(cls) or self._model_encoder(cls)

    # decoding

    def _decode_hook(self, kind: _wire.Kind) -> Hook:
        if isinstance(kind, _wire.Scalar):
            return _SCALARS[kind.codec][0]
        if isinstance(kind, _wire.ModelRef):
            return self._lazy(kind, self.decoder)
        if isinstance(kind, _wire.EnumRef):
            return _enum_decoder(kind)
        if isinstance(kind, _wire.ListOf):
            return self._list_decoder(kind.item)
        if isinstance(kind, _wire.MapOf):
            return _map_decoder(self._decode_hook(kind.value))
        return _transform(kind.transform)

    def _list_decoder(self, kind: _wire.Kind) -> Hook:
        exact = _EXACT_ITEMS.get(kind.codec) if isinstance(kind, _wire.Scalar) else None
        # a list of objects finds its items' decoder once per list, not through a stub per item
        ref = kind if isinstance(kind, _wire.ModelRef) else None
        item = None if ref is not None else self._decode_hook(kind)

        def decode(values: Any) -> Any:
            nonlocal item
            if type(values) is not list and not isinstance(values, (list, tuple)):
                raise _expect("a list", values)
            if exact is not None and {*map(type, values)} <= exact:
                return values if type(values) is list else list(values)
            if item is None:
                item = self.decoder(ref.resolve())  # type: ignore[union-attr]
            try:
                return [item(value) for value in values]
            except (_Bad, TypeError, ValueError) as error:
                raise _at_item(values, item, error) from None

        return decode

    def _model_decoder(self, cls: type) -> Hook:
        table: tuple[_wire.Field, ...] = cls._wire_fields  # type: ignore[attr-defined]
        # key (wire or snake_case) -> (attribute, the class a value may keep as it is, hook)
        keys: dict[str, tuple[str, Hook]] = {}  # key (wire or snake_case) -> (attribute, hook)
        # the same hooks by field position, for the compiled fast path
        names: dict[str, Any] = {"new": object.__new__, "cls": cls, "_Bad": _Bad}
        for index, f in enumerate(table):
            hook = self._decode_hook(f.kind)
            keys[f.wire] = keys[f.attr] = (f.attr, hook)
            names[f"e{index}"] = _kept(f.kind)
            names[f"h{index}"] = (
                _stub(names, f"h{index}", f.kind, self.decoder)
                if isinstance(f.kind, _wire.ModelRef)
                else hook
            )
        slow = self._walk(cls, keys)
        names["slow"] = slow
        if len(table) > _WIDE:
            names["names"] = names
            names["slots"] = {
                f.wire: (cls.__dict__[f.attr].__set__, _exact(f.kind), f"h{index}")
                for index, f in enumerate(table)
            }
            source = _wide_source(table)
        else:
            source = _fast_source(table)
        exec(source, names)  # noqa: S102 - source built from the field table
        decode: Hook = names["decode"]
        self.decoders[cls] = decode
        return decode

    def _walk(self, cls: type, keys: dict[str, tuple[str, Hook]]) -> Hook:
        """The general decoder: any spelling of the keys, unknown ones kept (or, in user
        mode, refused), and the path to a value that does not fit."""
        name = cls.__name__
        strict = self.user

        def decode(data: Any) -> Any:
            if type(data) is not dict and not isinstance(data, Mapping):
                raise _expect(f"a JSON object for {name}", data)
            kwargs: dict[str, Any] = {}
            unknown: dict[str, Any] | None = None
            entry = ("", _passthrough)
            try:
                for key, value in data.items():
                    entry = keys.get(key)  # type: ignore[assignment]
                    if entry is None:
                        if unknown is None:
                            unknown = {}
                        unknown[key] = value
                    elif value is not None:  # JSON null: not set
                        kwargs[entry[0]] = entry[1](value)
            except _Bad as bad:
                bad.steps.append(f".{entry[0]}")
                raise
            except (TypeError, ValueError) as error:
                raise _Bad(error, f".{entry[0]}") from None
            if unknown:
                if strict:
                    raise TypeError(f"unknown field(s) of {name}: {', '.join(sorted(unknown))}")
                kwargs["unknown_fields"] = unknown
            return cls(**kwargs)

        return decode

    # encoding

    def _encode_hook(self, kind: _wire.Kind) -> Hook | None:
        if isinstance(kind, _wire.Scalar):
            return _SCALARS[kind.codec][1]
        if isinstance(kind, _wire.ModelRef):
            return self._lazy(kind, self.encoder)
        if isinstance(kind, _wire.EnumRef):
            return _enum_value
        if isinstance(kind, _wire.ListOf):
            return self._list_encoder(kind.item)
        if isinstance(kind, _wire.MapOf):
            value = self._encode_hook(kind.value)
            if value is None:
                return dict
            return lambda values: {key: value(item) for key, item in values.items()}
        # friendly-input fields hold their wire type once constructed
        return self._encode_hook(kind.gives)

    def _list_encoder(self, kind: _wire.Kind) -> Hook:
        if isinstance(kind, _wire.ModelRef):
            # a list of objects finds its items' encoder once per list
            item: Hook | None = None

            def encode_objects(values: Any) -> Any:
                nonlocal item
                if item is None:
                    item = self.encoder(kind.resolve())
                return [item(value) for value in values]

            return encode_objects
        return _list_encoder(self._encode_hook(kind))

    def _model_encoder(self, cls: type) -> Hook:
        table: tuple[_wire.Field, ...] = cls._wire_fields  # type: ignore[attr-defined]
        names: dict[str, Any] = {"extra": _add_unknown}
        lines = ["def encode(obj):", "    out = {}"]
        for index, f in enumerate(table):
            hook = self._encode_hook(f.kind)
            if isinstance(f.kind, _wire.ModelRef):
                hook = _stub(names, f"h{index}", f.kind, self.encoder)
            names[f"h{index}"] = hook
            value = "v" if hook is None else f"h{index}(v)"
            lines += [
                f"    v = obj.{f.attr}",
                "    if v is not None:",
                f"        out[{f.wire!r}] = {value}",
            ]
        lines += [
            "    if obj.unknown_fields:",
            "        extra(out, obj.unknown_fields)",
            "    return out",
        ]
        # straight-line attribute reads, compiled per class: a third of a loop's cost
        exec("\n".join(lines), names)  # noqa: S102 - source built from the field table
        encode: Hook = names["encode"]
        self.encoders[cls] = encode
        return encode

    @staticmethod
    def _lazy(ref: _wire.ModelRef, hooks: Callable[[type], Hook]) -> Hook:
        # resolved on first use: the class may not be loaded yet, and a class may reach itself
        hook: Hook | None = None

        def call(value: Any) -> Any:
            nonlocal hook
            if hook is None:
                hook = hooks(ref.resolve())
            return hook(value)

        return call


def _stub(
    names: dict[str, Any], key: str, ref: _wire.ModelRef, hooks: Callable[[type], Hook]
) -> Hook:
    """The hook of an object field in a compiled function until its first value: it finds the
    field class's hook (the class may not be loaded yet, and may be the one being built) and
    puts it in the function's namespace, so later values go to it directly."""

    def first(value: Any) -> Any:
        hook = names[key] = hooks(ref.resolve())
        return hook(value)

    return first


def _add_unknown(out: dict[str, Any], unknown: dict[str, Any]) -> None:
    for key, value in unknown.items():
        out.setdefault(key, value)


def _exact(kind: _wire.Kind) -> type | None:
    """The class a decoded scalar may keep as it is, without a call to its hook."""
    return _EXACT.get(kind.codec) if isinstance(kind, _wire.Scalar) else None


def _kept(kind: _wire.Kind) -> Any:
    """What lets a decoded value skip its hook: the exact class of a scalar, or the item
    classes of a list of scalars; None when every value goes through the hook."""
    if isinstance(kind, _wire.Scalar):
        return _exact(kind)
    if isinstance(kind, _wire.ListOf) and isinstance(kind.item, _wire.Scalar):
        return _EXACT_ITEMS.get(kind.item.codec)
    return None


def _fast_source(table: tuple[_wire.Field, ...]) -> str:
    """A decoder for the common case, compiled per class: every key is a known wire name.
    Each field is read once with `get`, a value of its exact class is kept without a call,
    and the object is filled in directly (every value has been decoded to what the
    constructor would store). The keys found are counted down from the dict's length: one
    left over is an unknown key (or a null), and goes to the general walk, as does anything
    else, a failure included; the walk also explains failures. (Counting costs about half of
    what `known.issuperset(data)` does, which builds a set of the keys for every object.)
    What the body uses is bound as defaults (local reads); the hooks stay global, since a
    stub replaces itself there."""
    bound = ["new=new", "cls=cls", "dict=dict", "len=len"]
    body = [
        "    if data.__class__ is not dict:",
        "        return slow(data)",
        "    n = len(data)",
        "    try:",
    ]
    for index, f in enumerate(table):
        value = f"v{index}"
        body += [
            f"        {value} = data.get({f.wire!r})",
            f"        if {value} is not None:",
            "            n -= 1",
        ]
        if _kept(f.kind) is None:
            body.append(f"            {value} = h{index}({value})")
            continue
        bound.append(f"e{index}=e{index}")
        if isinstance(f.kind, _wire.ListOf):
            kept = f"{value}.__class__ is not list or not {{*map(type, {value})}} <= e{index}"
        else:
            kept = f"{value}.__class__ is not e{index}"
        body += [f"            if {kept}:", f"                {value} = h{index}({value})"]
    body += [
        *([] if table else ["        pass"]),  # a class without fields
        "    except (TypeError, ValueError, _Bad):",
        "        return slow(data)",
        "    if n:",
        "        return slow(data)",
        "    obj = new(cls)",
        *(f"    obj.{f.attr} = v{index}" for index, f in enumerate(table)),
        "    obj.unknown_fields = None",
        "    return obj",
    ]
    return "\n".join([f"def decode(data, {', '.join(bound)}):", *body])


# Above this many fields a class is decoded by walking the keys present (a Part sets one or
# two of its fourteen) instead of reading every field.
_WIDE = 6


def _wide_source(table: tuple[_wire.Field, ...]) -> str:
    """The fast path of a wide class: every field starts unset, then each key present is
    decoded (its hook found by name, since a stub replaces itself in the namespace) and
    stored through its slot. An unknown key is not in `slots`: its KeyError sends the dict
    to the general walk."""
    return "\n".join(
        [
            "def decode(data, new=new, cls=cls, slots=slots, names=names, dict=dict):",
            "    if data.__class__ is not dict:",
            "        return slow(data)",
            "    obj = new(cls)",
            *(f"    obj.{f.attr} = None" for f in table),
            "    obj.unknown_fields = None",
            "    try:",
            "        for key, value in data.items():",
            "            put, exact, hook = slots[key]",
            "            if value is not None:",
            "                put(obj, value if value.__class__ is exact else names[hook](value))",
            "    except (KeyError, TypeError, ValueError, _Bad):",
            "        return slow(data)",
            "    return obj",
        ]
    )


def _map_decoder(item: Hook) -> Hook:
    def decode(values: Any) -> Any:
        if type(values) is not dict and not isinstance(values, Mapping):
            raise _expect("a JSON object", values)
        if item is _passthrough:
            return values if type(values) is dict else dict(values)
        try:
            return {_decode_str(key): item(value) for key, value in values.items()}
        except (_Bad, TypeError, ValueError) as error:
            raise _at_item(values, item, error) from None

    return decode


def _enum_decoder(ref: _wire.EnumRef) -> Hook:
    enum_cls: Any = None
    members: dict[Any, Any] = {}

    def decode(value: Any) -> Any:
        nonlocal enum_cls, members
        # a known value is one lookup in the class's own table, found once
        member = members.get(value)
        if member is not None:
            return member
        if enum_cls is None:
            enum_cls = ref.resolve()
            members = enum_cls._value2member_map_
        return _decode_enum(enum_cls, value)

    return decode


def _decode_enum(enum_cls: Any, value: Any) -> Any:
    member = enum_cls._value2member_map_.get(value)
    if member is not None:
        return member
    if type(value) is not int and not isinstance(value, str):
        raise _expect(f"a {enum_cls.__name__} value", value)
    return enum_cls(value)


def _enum_value(member: Any) -> Any:
    return member._value_


def _list_encoder(item: Hook | None) -> Hook:
    if item is None:
        return list
    if item is _encode_float:
        # NaN and infinities need a spelling; one C-level sum finds whether any is there
        def encode_floats(values: Any) -> Any:
            total = sum(values)
            return list(values) if total - total == 0 else [_encode_float(v) for v in values]

        return encode_floats
    return lambda values: [item(value) for value in values]


_WIRE = _Codec(user=False)
_USER = _Codec(user=True)

# The Python types whose values one scalar codec alone decodes and encodes. int is left out,
# since int32 and int64 fields spell it differently on the wire; str keeps cattrs' hook.
_SCALAR_TYPES: dict[str, type] = {
    "bool": bool,
    "double": float,
    "bytes": bytes,
    "timestamp": datetime.datetime,
}

# wire mode, user mode; built on first conversion so that importing the package and building a
# client do not load cattrs.
_CONVERTERS: dict[bool, Any] = {}


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and hasattr(cls, "_wire_fields")


def _structure_hook(decode: Hook) -> Callable[[Any, type], Any]:
    # cattrs passes the class too; a decoder is already made for its one class
    return lambda value, _: decode(value)


def _converter(user: bool) -> Any:
    """The cattrs converter of one mode: the table-compiled hooks of `_Codec`, registered as
    hook factories, so cattrs' dispatch finds a class's hook with one cached lookup."""
    converter = _CONVERTERS.get(user)
    if converter is not None:
        return converter
    import cattrs

    converter = cattrs.Converter()
    codec = _USER if user else _WIRE
    converter.register_structure_hook_factory(
        _is_model, lambda cls: _structure_hook(codec.decoder(cls))
    )
    # encoding has one mode: both converters share the compiled encoders
    converter.register_unstructure_hook_factory(_is_model, _WIRE.encoder)
    # by the enums' base class: they are str subclasses, which cattrs' str hook would catch
    converter.register_structure_hook(_wire.WireEnum, lambda value, cls: _decode_enum(cls, value))
    converter.register_unstructure_hook(_wire.WireEnum, _enum_value)
    for name, python_type in _SCALAR_TYPES.items():
        decode, encode = _SCALARS[name]
        converter.register_structure_hook(python_type, _structure_hook(decode))
        converter.register_unstructure_hook(python_type, encode or _passthrough)
    _CONVERTERS[user] = converter
    return converter


def structure(data: Any, cls: type[T], *, user: bool = False) -> T:
    """Wire JSON (or a friendly dict) -> an instance of `cls`.

    With `user`, or for a class only ever built from user input, the dict is user input:
    unknown keys raise. Any mismatch raises WireFormatError naming the path to the field.
    """
    codec = _USER if user or getattr(cls, "_input_only", False) else _WIRE
    try:
        # a generated class goes to its decoder directly: cattrs' dispatch would find the
        # same hook a few hundred ns later, and is loaded only for the other types
        decode = codec.decoders.get(cls)
        if decode is not None:
            return decode(data)  # type: ignore[no-any-return]
        if _is_model(cls):
            return codec.decoder(cls)(data)  # type: ignore[no-any-return]
        return _converter(codec.user).structure(data, cls)  # type: ignore[no-any-return]
    except _Bad as bad:
        path = "".join(reversed(bad.steps))
        raise WireFormatError(f"{cls.__name__}{path}: {bad.error}") from None
    except (TypeError, ValueError) as error:
        raise WireFormatError(f"{cls.__name__}: {error}") from None


def unstructure(obj: Any) -> Any:
    """A generated object (or enum member, or scalar) -> wire JSON."""
    encode = _WIRE.encoders.get(type(obj))
    if encode is not None:
        return encode(obj)
    if _is_model(type(obj)):
        return _WIRE.encoder(type(obj))(obj)
    return _converter(False).unstructure(obj)
