"""The typed intermediate representation between spec/ and the templates.

Everything a template prints (class names, attribute names, annotations, constants) is
computed here or in codegen.naming, never inside a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class TypeRef:
    """A field's type: a scalar, a reference to a model or enum, a list, or a string map."""

    kind: str  # "scalar" | "model" | "enum" | "list" | "map"
    annotation: str  # the Python annotation, without `| None`
    wire_type: str = ""  # JSON type for scalars
    wire_format: str | None = None
    target: str | None = None  # spec name of the referenced schema
    item: TypeRef | None = None  # element type of a list or value type of a map

    @property
    def optional(self) -> str:
        return f"{self.annotation} | None"

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

    @property
    def required_fields(self) -> list[Field]:
        return [f for f in self.fields if f.required]


@dataclass(frozen=True)
class Param:
    wire_name: str
    py_name: str
    type: TypeRef


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
    path: str  # with {py_name} placeholders
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

    def returns(self, is_async: bool) -> str:
        response = f"t.{self.response.class_name}"
        if self.streaming:
            return f"{'AsyncIterator' if is_async else 'Iterator'}[{response}]"
        return response

    @property
    def transport_method(self) -> str:
        return "_stream" if self.streaming else "_upload" if self.upload else "_call"


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

    def counts(self) -> dict[str, int]:
        return {
            "enums": len(self.enums),
            "models": len(self.models),
            "operations": len(self.operations),
            "fields": sum(len(m.fields) for m in self.models),
        }
