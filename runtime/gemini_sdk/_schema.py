"""Python types -> the schemas the service takes, and JSON values -> instances of those types.

What a type may be: str, int, float, bool, an Enum, a Literal, list / Sequence / tuple[X, ...]
of one, a dict, Optional and other unions, a dataclass, an attrs class, a TypedDict, and
anything containing a pydantic model (then the user's pydantic describes and validates the
whole type). Each kind of type is one `_Kind`, which knows both its JSON Schema and how a JSON
value becomes an instance, so the schema sent and the answer read back cannot disagree.

Two schema dialects leave here. JSON Schema (`response_json_schema`, a function's parameters)
is sent as built. `Schema` (`response_schema`) is the service's OpenAPI subset: references are
inlined, `null` becomes `nullable`, annotations it has no field for are dropped, and keywords
that change which answers fit but that it cannot express (`additionalProperties` with a
schema, tuples' `prefixItems`, `not`, ...) raise, naming where they are.

pydantic is imported only when a type is found to hold one of its models.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from gemini_sdk import _generated, errors

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import Schema

Json = dict[str, Any]

SUPPORTED = (
    "str, int, float, bool, an Enum, a Literal, a list, a dict, Optional or another union of "
    "these, a dataclass, an attrs class, a TypedDict or a pydantic model"
)


class _Mismatch(Exception):
    """A value that does not fit, on its way out to the path where it was found."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path, self.reason = path, reason


def _child(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{path}[{step}]"
    return f"{path}.{step}" if path else step


class _Kind:
    def json_schema(self) -> Json:
        raise NotImplementedError

    def load(self, value: Any, path: str) -> Any:
        raise NotImplementedError


@attrs.frozen
class _Scalar(_Kind):
    json_type: str
    decode: Callable[[Any], Any]

    def json_schema(self) -> Json:
        return {"type": self.json_type}

    def load(self, value: Any, path: str) -> Any:
        try:
            return self.decode(value)
        except TypeError as error:
            raise _Mismatch(path, str(error)) from None


def _exactly(what: str, *classes: type) -> Callable[[Any], Any]:
    """A check that takes JSON values of exactly these classes: an answer's "3" is not the
    int 3, nor is its `true` the int 1."""

    def decode(value: Any) -> Any:
        if type(value) in classes:
            return value
        if float in classes and type(value) is int:
            return float(value)
        if int in classes and type(value) is float and value.is_integer():
            return int(value)
        raise TypeError(f"expected {what}, got {type(value).__name__} {value!r:.60}")

    return decode


_SCALARS: dict[Any, _Scalar] = {
    str: _Scalar("string", _exactly("a string", str)),
    int: _Scalar("integer", _exactly("an integer", int)),
    float: _Scalar("number", _exactly("a number", float)),
    bool: _Scalar("boolean", _exactly("a boolean", bool)),
    type(None): _Scalar("null", _exactly("null", type(None))),
}


@attrs.frozen
class _Choice(_Kind):
    """An Enum (`cls`) or a Literal (`cls` None): one of fixed values."""

    values: tuple[Any, ...]
    cls: type[enum.Enum] | None = None

    def json_schema(self) -> Json:
        json_type = "string" if isinstance(self.values[0], str) else "integer"
        schema: Json = {"type": json_type, "enum": list(self.values)}
        if self.cls is not None:
            schema["title"] = self.cls.__name__
        return schema

    def load(self, value: Any, path: str) -> Any:
        for allowed in self.values:
            # response_schema's enums are strings: an integer value comes back as its text
            if (type(value) is type(allowed) and value == allowed) or value == str(allowed):
                return allowed if self.cls is None else self.cls(allowed)
        shown = ", ".join(repr(v) for v in self.values)
        raise _Mismatch(path, f"expected one of {shown}, got {value!r:.60}")


@attrs.frozen
class _List(_Kind):
    item: _Kind | None
    build: Callable[[list[Any]], Any] = list

    def json_schema(self) -> Json:
        schema: Json = {"type": "array"}
        if self.item is not None:
            schema["items"] = self.item.json_schema()
        return schema

    def load(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise _Mismatch(path, f"expected a list, got {type(value).__name__}")
        if self.item is None:
            return self.build(value)
        item = self.item
        return self.build([item.load(v, _child(path, i)) for i, v in enumerate(value)])


@attrs.frozen
class _Dict(_Kind):
    value: _Kind | None

    def json_schema(self) -> Json:
        schema: Json = {"type": "object"}
        if self.value is not None:
            schema["additionalProperties"] = self.value.json_schema()
        return schema

    def load(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch(path, f"expected an object, got {type(value).__name__}")
        if self.value is None:
            return value
        return {k: self.value.load(v, _child(path, k)) for k, v in value.items()}


@attrs.frozen
class _Object(_Kind):
    """A dataclass, attrs class or TypedDict: named fields, some required."""

    name: str
    doc: str | None
    fields: tuple[tuple[str, _Kind], ...]
    required: frozenset[str]
    build: Callable[..., Any]

    def json_schema(self) -> Json:
        schema: Json = {
            "type": "object",
            "title": self.name,
            "properties": {name: kind.json_schema() for name, kind in self.fields},
        }
        if self.doc:
            schema["description"] = self.doc
        required = [name for name, _ in self.fields if name in self.required]
        if required:
            schema["required"] = required
        return schema

    def load(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch(path, f"expected an object ({self.name}), got {type(value).__name__}")
        kwargs = {}
        for name, kind in self.fields:
            if name in value:
                kwargs[name] = kind.load(value[name], _child(path, name))
            elif name in self.required:
                raise _Mismatch(_child(path, name), "required field missing")
        return self.build(**kwargs)


@attrs.frozen
class _Union(_Kind):
    options: tuple[_Kind, ...]
    shown: str

    def json_schema(self) -> Json:
        return {"anyOf": [option.json_schema() for option in self.options]}

    def load(self, value: Any, path: str) -> Any:
        others = [option for option in self.options if option is not _SCALARS[type(None)]]
        if value is not None and len(others) == 1:  # Optional[X]: X says what is wrong
            return others[0].load(value, path)
        deepest: _Mismatch | None = None
        for option in self.options:
            try:
                return option.load(value, path)
            except _Mismatch as mismatch:
                if mismatch.path != path and (deepest is None or deepest.path == path):
                    deepest = mismatch
        # a value that matched an option's shape but failed inside it says more
        raise deepest or _Mismatch(path, f"expected {self.shown}, got {value!r:.60}")


@attrs.frozen
class _Pydantic(_Kind):
    """A type holding a pydantic model: pydantic describes and validates all of it."""

    adapter: Any

    def json_schema(self) -> Json:
        schema: Json = self.adapter.json_schema()
        return schema

    def load(self, value: Any, path: str) -> Any:
        import pydantic

        try:
            return self.adapter.validate_python(value)
        except pydantic.ValidationError as error:
            first = error.errors()[0]
            where = path
            for step in first["loc"]:
                where = _child(where, step)
            raise _Mismatch(where, first["msg"]) from None


def _type_name(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", None) or repr(annotation).replace("typing.", "")


def _holds_pydantic(annotation: Any) -> bool:
    pydantic = sys.modules.get("pydantic")  # a pydantic model means pydantic is imported
    if pydantic is None:
        return False
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return True
    return any(_holds_pydantic(arg) for arg in typing.get_args(annotation))


_UNIONS = (typing.Union, types.UnionType)


@functools.lru_cache(maxsize=256)
def describe(annotation: Any, where: str) -> _Kind:
    """The kind of `annotation`; TypeError naming `where` for a type it cannot describe."""
    if _holds_pydantic(annotation):
        import pydantic

        return _Pydantic(pydantic.TypeAdapter(annotation))
    return _describe(annotation, where, ())


def _describe(annotation: Any, where: str, outer: tuple[type, ...]) -> _Kind:
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        return scalar
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in _UNIONS:
        options = tuple(_describe(arg, where, outer) for arg in args)
        return _Union(options, " | ".join(_type_name(arg) for arg in args))
    if origin is typing.Literal:
        return _choice(args, None, where)
    if origin in (list, Sequence, tuple) or annotation in (list, tuple):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            raise TypeError(f"{where}: a tuple of fixed length cannot be described; use list")
        item = _describe(args[0], f"{where}[]", outer) if args else None
        return _List(item, tuple if tuple in (origin, annotation) else list)
    if origin in (dict, Mapping) or annotation is dict:
        if args and args[0] is not str:
            raise TypeError(f"{where}: a dict's keys must be str, got {_type_name(args[0])}")
        return _Dict(_describe(args[1], f"{where}[]", outer) if args else None)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(tuple(member.value for member in annotation), annotation, where)
    if isinstance(annotation, type) and _field_types(annotation, where) is not None:
        if annotation in outer:
            raise TypeError(f"{where}: {annotation.__name__} contains itself; it cannot be inlined")
        return _object(annotation, where, (*outer, annotation))
    raise TypeError(f"{where}: cannot describe {_type_name(annotation)}; expected {SUPPORTED}")


def _choice(values: tuple[Any, ...], cls: type[enum.Enum] | None, where: str) -> _Choice:
    kinds = {type(value) for value in values}
    if kinds not in ({str}, {int}):
        raise TypeError(f"{where}: the values must all be str or all be int, got {values!r:.60}")
    return _Choice(values, cls)


def _field_types(cls: type, where: str) -> tuple[dict[str, Any], frozenset[str]] | None:
    """A record class's field annotations and the names that are required, or None."""
    try:
        return _record_fields(cls)
    except NameError as error:  # an annotation naming what its module does not define
        raise TypeError(
            f"{where}: the annotations of {cls.__name__} do not resolve: {error}"
        ) from None


def _record_fields(cls: type) -> tuple[dict[str, Any], frozenset[str]] | None:
    if typing.is_typeddict(cls):
        return typing.get_type_hints(cls), frozenset(cls.__required_keys__)  # type: ignore[attr-defined]
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        fields = [f for f in dataclasses.fields(cls) if f.init]
        required = {
            f.name
            for f in fields
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
        return {f.name: hints[f.name] for f in fields}, frozenset(required)
    if attrs.has(cls):
        hints = typing.get_type_hints(cls)
        fields = [f for f in attrs.fields(cls) if f.init]
        names = {f.name: hints.get(f.name, f.type) for f in fields}
        return names, frozenset(f.name for f in fields if f.default is attrs.NOTHING)
    return None


def _object(cls: type, where: str, outer: tuple[type, ...]) -> _Object:
    described = _field_types(cls, where)
    assert described is not None
    hints, required = described
    fields = tuple(
        (name, _describe(hint, _child(where, name), outer)) for name, hint in hints.items()
    )
    build = dict if typing.is_typeddict(cls) else cls
    return _Object(cls.__name__, _own_doc(cls), fields, required, build)


def _own_doc(cls: type) -> str | None:
    """The class's docstring, unless it is the signature a dataclass writes for itself."""
    doc = cls.__doc__
    if not doc or (dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}(")):
        return None
    return " ".join(doc.split())


# -- JSON Schema -> Schema ----------------------------------------------------------------------

_SCHEMA_KEYS = frozenset(
    {
        "anyOf",
        "default",
        "description",
        "enum",
        "example",
        "format",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "nullable",
        "pattern",
        "properties",
        "propertyOrdering",
        "required",
        "title",
        "type",
    }
)
# Keywords that narrow which answers fit and that Schema cannot say: dropping them would
# accept answers the type refuses.
_REFUSED = ("prefixItems", "not", "patternProperties", "if", "then", "else", "dependentSchemas")


def openapi_schema(json_schema: Json) -> Json:
    """A JSON Schema as the fields of a Schema (the wire's camelCase keys)."""
    defs = json_schema.get("$defs") or json_schema.get("definitions") or {}
    return _Inliner(defs).convert(json_schema, "", ())


@attrs.frozen
class _Inliner:
    defs: Mapping[str, Json]

    def convert(self, node: Json, where: str, refs: tuple[str, ...]) -> Json:
        node = dict(node)
        ref = node.pop("$ref", None)
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            if name in refs or name not in self.defs:
                problem = "refers to itself" if name in refs else "is not defined"
                raise TypeError(f"{where or 'schema'}: {name} {problem}; it cannot be inlined")
            node = {**self.convert(self.defs[name], where, (*refs, name)), **node}
        for key in _REFUSED:
            if key in node:
                raise TypeError(
                    f"{where or 'schema'}: {key!r} cannot be expressed in response_schema; "
                    "pass the type as response_json_schema instead"
                )
        extra = node.pop("additionalProperties", None)
        if isinstance(extra, dict):
            raise TypeError(
                f"{where or 'schema'}: a dict of values (additionalProperties) cannot be "
                "expressed in response_schema; pass the type as response_json_schema instead"
            )
        all_of = node.pop("allOf", None)
        if all_of is not None:
            if len(all_of) != 1:
                raise TypeError(f"{where or 'schema'}: 'allOf' of several schemas is not supported")
            node = {**self.convert(all_of[0], where, refs), **node}
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        if "const" in node:
            node["enum"] = [node.pop("const")]
        self._inclusive(node)
        self._nullable(node)
        return self._typed(node, where, refs)

    def _inclusive(self, node: Json) -> None:
        """Exclusive bounds as Schema's inclusive ones: exact for integers, and for other
        numbers the nearest bound Schema can say (the bound itself)."""
        step = 1 if node.get("type") == "integer" else 0
        for exclusive, inclusive, sign in (
            ("exclusiveMinimum", "minimum", 1),
            ("exclusiveMaximum", "maximum", -1),
        ):
            bound = node.pop(exclusive, None)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                node.setdefault(inclusive, bound + sign * step)

    def _nullable(self, node: Json) -> None:
        kind = node.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if len(kinds) != len(kind):
                node["nullable"] = True
            node["type"] = kinds[0] if len(kinds) == 1 else kinds
        options = node.get("anyOf")
        if options is not None:
            kept = [o for o in options if o.get("type") != "null"]
            if len(kept) != len(options):
                node["nullable"] = True
            if len(kept) == 1:
                del node["anyOf"]
                node.update({k: v for k, v in kept[0].items() if k not in node})
            else:
                node["anyOf"] = kept

    def _typed(self, node: Json, where: str, refs: tuple[str, ...]) -> Json:
        out: Json = {}
        for key, value in node.items():
            if key not in _SCHEMA_KEYS:
                continue  # an annotation Schema has no field for
            if key == "type":
                if isinstance(value, list):
                    raise TypeError(f"{where or 'schema'}: a value of several types {value}")
                out["type"] = value.upper()
            elif key == "properties":
                out[key] = {
                    name: self.convert(sub, _child(where, name), refs)
                    for name, sub in value.items()
                }
            elif key == "items":
                out[key] = self.convert(value, f"{where}[]", refs)
            elif key == "anyOf":
                out[key] = [self.convert(sub, where, refs) for sub in value]
            else:
                out[key] = value
        if "enum" in out:
            if not all(isinstance(v, str) for v in out["enum"]):
                # the service's enum is of strings: integers are sent as their text
                out["enum"] = [str(v) for v in out["enum"]]
                out["type"] = "STRING"
        properties = out.get("properties") or {}
        if len(properties) > 1 and "propertyOrdering" not in out:
            # the model writes the fields in this order, as the type declares them
            out["propertyOrdering"] = list(properties)
        return out


# -- what the transforms and `.parsed` use ------------------------------------------------------


class TypedJsonSchema(dict[str, Any]):
    """A JSON Schema made from a Python type, which it remembers for `.parsed`."""

    __slots__ = ("source",)

    def __init__(self, schema: Json, source: Any) -> None:
        super().__init__(schema)
        self.source = source


def is_python_type(value: Any) -> bool:
    """Whether `value` is a type to describe (a class or `list[X]`, `X | None`, ...)."""
    return isinstance(value, type) or typing.get_origin(value) is not None


def json_schema_of(annotation: Any, where: str = "response_json_schema") -> TypedJsonSchema:
    return TypedJsonSchema(describe(annotation, where).json_schema(), annotation)


def schema_of(annotation: Any, where: str = "response_schema") -> Schema:
    """The Schema of `annotation`, which remembers it for `.parsed`."""
    fields = openapi_schema(describe(annotation, where).json_schema())
    schema = _generated.types.Schema.from_input(fields)
    schema._source = annotation
    return schema


def source_of(schema: Any) -> Any:
    """The Python type a schema was made from, or None."""
    if isinstance(schema, TypedJsonSchema):
        return schema.source
    return getattr(schema, "_source", None)


def load(annotation: Any, value: Any, where: str = "") -> Any:
    """A JSON value as an instance of `annotation`; ResponseValidationError naming the path
    of the first field that does not fit."""
    try:
        return describe(annotation, _type_name(annotation)).load(value, where)
    except _Mismatch as mismatch:
        at = f"{mismatch.path}: " if mismatch.path else ""
        raise errors.ResponseValidationError(
            f"{at}{mismatch.reason}", path=mismatch.path, text=None
        ) from None


def parse(annotation: Any, text: str) -> Any:
    """A JSON answer (or, for an Enum, the bare value `text/x.enum` answers with) as an
    instance of `annotation`."""
    try:
        value = orjson.loads(text)
    except ValueError:
        if not (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
            raise errors.ResponseValidationError(
                f"the answer is not JSON: {text!r:.80}", path="", text=text
            ) from None
        value = text
    try:
        return load(annotation, value)
    except errors.ResponseValidationError as error:
        error.text = text
        raise
