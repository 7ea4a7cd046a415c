"""The typed intermediate representation between spec/ and the templates.

Everything a template prints (class names, attribute names, annotations, constants) is
computed here or in codegen.naming, never inside a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Wire formats that need a codec beyond plain JSON; each maps to a runtime alias.
SCALARS: dict[tuple[str, str | None], str] = {
    ("string", None): "str",
    ("string", "byte"): "bytes",
    ("string", "int64"): "Int64",
    ("string", "uint64"): "UInt64",
    ("string", "date-time"): "datetime.datetime",
    ("string", "google-duration"): "Duration",
    ("string", "google-fieldmask"): "str",
    ("integer", "int32"): "int",
    ("integer", "uint32"): "int",
    ("integer", None): "int",
    ("number", "float"): "float",
    ("number", "double"): "float",
    ("number", None): "float",
    ("boolean", None): "bool",
    ("any", None): "Any",
}


# Scalars whose exact class proves the value right (int64 still needs its range checked).
_EXACT = {"str": "str", "bool": "bool", "int": "int", "float": "float", "bytes": "bytes"}

_ACCEPTED_SCALARS = {
    "bytes": "bytes | bytearray | memoryview",
    "Int64": "int",
    "UInt64": "int",
    "Duration": "str | datetime.timedelta | float",
    "datetime.datetime": "datetime.datetime | str",
    "float": "float",
}


@dataclass(frozen=True)
class TypeRef:
    """A field's type: a scalar, a reference to a model or enum, a list, or a string map."""

    kind: str  # "scalar" | "model" | "enum" | "list" | "map" | "transform"
    annotation: str  # the Python annotation, without `| None`
    wire_type: str = ""  # JSON type for scalars
    wire_format: str | None = None
    target: str | None = None  # spec name of the referenced schema, or the transform's name
    item: TypeRef | None = None  # list element, map value, or what a transform gives

    @property
    def optional(self) -> str:
        return f"{self.annotation} | None"

    def fast_check(self, var: str) -> str | None:
        # `.__class__`, not type(): a parameter may be named `type` (Schema.type)
        exact = _EXACT.get(self.annotation) if self.kind == "scalar" else None
        if self.kind in ("model", "enum"):
            exact = self.annotation
        if exact is not None:
            return f"{var}.__class__ is {exact}"
        if self.kind == "list" and self.item is not None:
            item = _EXACT.get(self.item.annotation) if self.item.kind == "scalar" else None
            if self.item.kind in ("model", "enum"):
                item = self.item.annotation
            if item is not None:
                return f"{var}.__class__ is list and all_of({var}, {item})"
        return None

    @property
    def stored(self) -> str:
        """What the attribute holds once constructed (a transform's input is normalised)."""
        if self.kind == "transform" and self.item is not None:
            return self.item.annotation
        return self.annotation

    @property
    def accepted(self) -> str:
        """What the constructor takes: the friendly spellings the construction check accepts."""
        if self.kind == "model":
            # builtins.type: a field named `type` (Schema.type) shadows the builtin in a class body
            return f"{self.annotation} | dict[str, Any] | builtins.type[{self.annotation}]"
        if self.kind == "enum":
            return f"{self.annotation} | str"
        if self.kind in ("list", "map") and self.item is not None:
            container = "Sequence[" if self.kind == "list" else "Mapping[str, "
            return f"{container}{self.item.accepted}]"
        if self.kind == "scalar":
            return _ACCEPTED_SCALARS.get(self.annotation, self.annotation)
        return self.annotation

    def annotation_in(self, module: str) -> str:
        """The annotation as seen from another module that imports the types as `module`."""
        if self.kind in ("model", "enum"):
            return f"{module}.{self.annotation}"
        if self.kind == "list" and self.item is not None:
            return f"list[{self.item.annotation_in(module)}]"
        if self.kind == "map" and self.item is not None:
            return f"dict[str, {self.item.annotation_in(module)}]"
        return self.annotation

    @property
    def references(self) -> list[str]:
        if self.target is not None:
            return [self.target]
        return self.item.references if self.item is not None else []


@dataclass(frozen=True)
class Field:
    wire_name: str
    attr_name: str
    type: TypeRef
    required: bool = False
    output_only: bool = False
    input_only: bool = False
    deprecated: bool = False
    immutable: bool = False
    # SDK-only types: where the field lands in a request, and its friendly-input transform.
    to: str | None = None

    @property
    def transform(self) -> str | None:
        return self.type.target if self.type.kind == "transform" else None

    @property
    def fast_check(self) -> str | None:
        """An expression true when the value needs no further checking, or None when every
        value must go through the run-time check (or, for `Any`, none at all)."""
        return self.type.fast_check(self.attr_name)

    @property
    def unchecked(self) -> bool:
        return self.type.kind == "scalar" and self.type.annotation == "Any"


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str
    deprecated: bool = False


@dataclass(frozen=True)
class Enum:
    spec_name: str
    class_name: str
    members: list[EnumMember]


@dataclass(frozen=True)
class Model:
    spec_name: str
    class_name: str
    fields: list[Field]
    deprecated: bool = False
    sdk_only: bool = False
    mixins: list[str] = field(default_factory=list)

    @property
    def bases(self) -> str:
        return ", ".join([*self.mixins, "WireModel"])

    @property
    def required_fields(self) -> list[Field]:
        return [f for f in self.fields if f.required]


@dataclass(frozen=True)
class Param:
    wire_name: str
    py_name: str
    type: TypeRef
    required: bool = False


@dataclass(frozen=True)
class Paging:
    """A list operation: pageToken in, nextPageToken and one repeated field out."""

    items_attr: str
    item_type: TypeRef


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method_name: str
    constant: str
    http_method: str
    path: str  # after the API version, with {py_name} placeholders
    path_params: list[Param]
    query_params: list[Param]
    request: Model | None
    response: Model
    streaming: bool = False
    long_running: bool = False
    upload: bool = False
    deprecated: bool = False
    paging: Paging | None = None
    # Required request-body fields that the service takes from the path instead.
    path_bound_fields: list[str] = field(default_factory=list)
    # What comes before the API version in the URL ("upload" for media uploads).
    root: str = ""

    def returns(self, is_async: bool) -> str:
        response = f"t.{self.response.class_name}"
        if self.streaming:
            return f"{'AsyncStream' if is_async else 'Stream'}[{response}]"
        return response

    @property
    def kind(self) -> str:
        """What the runtime's `execute` makes of a call (see `OperationSpec.kind`)."""
        return "stream" if self.streaming else "upload" if self.upload else "response"

    @property
    def alt(self) -> str | None:
        return "sse" if self.streaming else None


@dataclass(frozen=True)
class Transform:
    name: str
    alias: str | None  # a type alias emitted into the types module
    accepts: str  # the annotation users see
    gives: TypeRef


@dataclass(frozen=True)
class MethodParam:
    name: str
    annotation: str
    to: str | None  # placement; None for the config parameter
    transform: str | None = None
    optional: bool = False
    aliases: list[str] = field(default_factory=list)
    config: Model | None = None


@dataclass(frozen=True)
class Method:
    name: str
    constant: str
    operation: Operation
    params: list[MethodParam]
    returns: str  # "response" | "stream" | "pager" | "nothing" | "media"
    fan_out: dict[str, str] | None = None
    moves_into: dict[str, Any] | None = None
    # What the caller gets instead of the response itself: one of its fields, or the result
    # of a named runtime transform (with the annotation of what it returns).
    result_field: Field | None = None
    result_transform: str | None = None
    result_class: str | None = None
    # (config attribute, text it must contain or None for any value): the answer is JSON.
    json_when: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def config(self) -> Model | None:
        return next((p.config for p in self.params if p.config is not None), None)

    @property
    def alt(self) -> str | None:
        """The `alt` a call sends instead of the operation's: the file's bytes for media."""
        return "media" if self.returns == "media" else None

    def result(self, is_async: bool) -> str:
        if self.returns == "nothing":
            return "None"
        if self.returns == "media":
            return "bytes"
        if self.result_field is not None:
            return self.result_field.type.annotation_in("t") + " | None"
        if self.result_class is not None:
            return f"t.{self.result_class}"
        item = f"t.{self.operation.response.class_name}"
        if self.returns == "stream":
            return f"{'AsyncStream' if is_async else 'Stream'}[{item}]"
        if self.returns == "pager":
            paging = self.operation.paging
            assert paging is not None
            pager = "AsyncPager" if is_async else "Pager"
            return f"{pager}[{paging.item_type.annotation_in('t')}]"
        if self.fan_out:
            many = self.fan_out["response_class"]
            return f"{item} | t.{many}"
        return item


@dataclass(frozen=True)
class Resource:
    name: str
    class_name: str
    methods: list[Method]


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    revision: str
    base_url: str
    spec_hash: str
    enums: list[Enum]
    models: list[Model]
    operations: list[Operation]
    transforms: list[Transform] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> class name
    # The type of `Client(http_options=...)` and of every config's `http_options`; the
    # concrete clients are generated only with it.
    options_class: str | None = None

    def counts(self) -> dict[str, int]:
        return {
            "enums": len(self.enums),
            "models": len(self.models),
            "operations": len(self.operations),
            "fields": sum(len(m.fields) for m in self.models),
            "sdk_types": sum(1 for m in self.models if m.sdk_only),
            "resource_methods": sum(len(r.methods) for r in self.resources),
        }
