"""The typed intermediate representation between spec/ and the templates.

Everything a template prints (class names, attribute names, annotations, constants) is
computed here or in codegen.naming, never inside a template.
"""

from __future__ import annotations

import textwrap
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scalar:
    """One wire scalar: what Python holds, what the constructor takes, and the codec name
    the runtime (gemini_sdk._wire.Scalar) and the test strategies look up."""

    annotation: str
    codec: str
    accepted: str | None = None  # when the constructor takes more than the annotation
    exact: str | None = None  # the class whose instances need no further check


# The one table of scalars: (JSON type, format) -> Scalar.
SCALARS: dict[tuple[str, str | None], Scalar] = {
    ("string", None): Scalar("str", "string", exact="str"),
    ("string", "byte"): Scalar("bytes", "bytes", "bytes | bytearray | memoryview", "bytes"),
    ("string", "int64"): Scalar("Int64", "int64", "int"),
    ("string", "uint64"): Scalar("UInt64", "uint64", "int"),
    ("string", "date-time"): Scalar("datetime.datetime", "timestamp", "datetime.datetime | str"),
    ("string", "google-duration"): Scalar(
        "Duration", "duration", "str | datetime.timedelta | float"
    ),
    ("string", "google-fieldmask"): Scalar("str", "string", exact="str"),
    ("integer", "int32"): Scalar("int", "int32", exact="int"),
    ("integer", "uint32"): Scalar("int", "uint32", exact="int"),
    ("integer", None): Scalar("int", "int32", exact="int"),
    ("number", "float"): Scalar("float", "float", "float", "float"),
    ("number", "double"): Scalar("float", "double", "float", "float"),
    ("number", None): Scalar("float", "double", "float", "float"),
    ("boolean", None): Scalar("bool", "bool", exact="bool"),
    ("any", None): Scalar("Any", "any"),
}


def docstring(text: str, indent: int) -> str:
    """`text` as a triple-quoted Python literal whose lines after the first are indented by
    `indent` spaces, as a docstring at that depth; backslashes and quotes stay literal."""
    body = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body = body[:-1] + '\\"'  # a quote next to the closing ones would end the literal
    first, *rest = body.split("\n")
    if not rest:
        return f'"""{first}"""'
    pad = " " * indent
    lines = [first, *(pad + line if line else "" for line in rest), pad]
    return '"""' + "\n".join(lines) + '"""'


# The width a class docstring's Attributes section is wrapped to: with the class body's
# indent of 4 it fills the generated code's line length of 100.
_DOC_WIDTH = 96


def _summary(doc: str) -> str:
    """A one-line doc wrapped to fit beside its opening quotes; longer docs come wrapped."""
    return doc if "\n" in doc else textwrap.fill(doc, _DOC_WIDTH - 3, break_on_hyphens=False)


class TypeRef(ABC):
    """A field's type. One subclass per kind; each knows its annotations and the runtime
    kind object the field table carries (`codec`)."""

    annotation: str  # the Python annotation, without `| None`

    @property
    def optional(self) -> str:
        return f"{self.annotation} | None"

    @property
    def stored(self) -> str:
        """What the attribute holds once constructed."""
        return self.annotation

    @property
    def accepted(self) -> str:
        """What the constructor takes: the friendly spellings the construction check accepts."""
        return self.annotation

    @property
    def exact(self) -> str | None:
        """The class whose instances need no further check, if there is one."""
        return None

    def annotation_in(self, module: str) -> str:
        """The annotation as seen from another module that imports the types as `module`."""
        return self.annotation

    @property
    @abstractmethod
    def codec(self) -> str:
        """The Python expression of this type's entry in a generated field table."""

    def fast_check(self, var: str) -> str | None:
        # `.__class__`, not type(): a parameter may be named `type` (Schema.type)
        return None if self.exact is None else f"{var}.__class__ is {self.exact}"


@dataclass(frozen=True)
class ScalarRef(TypeRef):
    scalar: Scalar

    @property
    def annotation(self) -> str:
        return self.scalar.annotation

    @property
    def accepted(self) -> str:
        return self.scalar.accepted or self.annotation

    @property
    def exact(self) -> str | None:
        return self.scalar.exact

    @property
    def codec(self) -> str:
        return f'Scalar("{self.scalar.codec}")'


@dataclass(frozen=True)
class _ClassRef(TypeRef):
    """A reference to another generated class, named in the table rather than held: the
    class may live in a module that is only loaded when first used."""

    target: str  # the spec name of the schema
    annotation: str  # its class name

    @property
    def exact(self) -> str:
        return self.annotation

    def annotation_in(self, module: str) -> str:
        return f"{module}.{self.annotation}"

    @property
    def codec(self) -> str:
        return f'{type(self).__name__}("{self.annotation}")'


@dataclass(frozen=True)
class ModelRef(_ClassRef):
    @property
    def accepted(self) -> str:
        # builtins.type: a field named `type` (Schema.type) shadows the builtin in a class body
        return f"{self.annotation} | dict[str, Any] | builtins.type[{self.annotation}]"


@dataclass(frozen=True)
class EnumRef(_ClassRef):
    @property
    def accepted(self) -> str:
        return f"{self.annotation} | str"


@dataclass(frozen=True)
class ListRef(TypeRef):
    item: TypeRef

    @property
    def annotation(self) -> str:
        return f"list[{self.item.annotation}]"

    @property
    def accepted(self) -> str:
        return f"Sequence[{self.item.accepted}]"

    def annotation_in(self, module: str) -> str:
        return f"list[{self.item.annotation_in(module)}]"

    @property
    def codec(self) -> str:
        return f"ListOf({self.item.codec})"

    def fast_check(self, var: str) -> str | None:
        item = self.item.exact
        if item is None:
            return None
        return f"{var}.__class__ is list and all_of({var}, {item})"


@dataclass(frozen=True)
class MapRef(TypeRef):
    value: TypeRef

    @property
    def annotation(self) -> str:
        return f"dict[str, {self.value.annotation}]"

    @property
    def accepted(self) -> str:
        return f"Mapping[str, {self.value.accepted}]"

    def annotation_in(self, module: str) -> str:
        return f"dict[str, {self.value.annotation_in(module)}]"

    @property
    def codec(self) -> str:
        return f"MapOf({self.value.codec})"


@dataclass(frozen=True)
class TransformRef(TypeRef):
    """Friendly input: the constructor takes `annotation` and the named runtime transform
    turns it into `gives`."""

    name: str
    annotation: str
    gives: TypeRef

    @property
    def stored(self) -> str:
        return self.gives.annotation

    @property
    def codec(self) -> str:
        return f'Friendly("{self.name}", {self.gives.codec})'


@dataclass(frozen=True)
class Field:
    wire_name: str
    attr_name: str
    type: TypeRef
    required: bool = False
    output_only: bool = False
    # SDK-only types: where the field lands in a request.
    to: str | None = None

    @property
    def fast_check(self) -> str | None:
        """An expression true when the value needs no further checking, or None when every
        value must go through the run-time check (or, for `Any`, none at all)."""
        return self.type.fast_check(self.attr_name)

    @property
    def unchecked(self) -> bool:
        return isinstance(self.type, ScalarRef) and self.type.scalar.codec == "any"

    @property
    def table_entry(self) -> str:
        """This field's row of the generated class's field table (gemini_sdk._wire.Field)."""
        flags = "".join(
            f", {flag}=True" for flag in ("required", "output_only") if getattr(self, flag)
        )
        if self.to is not None:
            flags += f', to="{self.to}"'
        return f'Field("{self.attr_name}", "{self.wire_name}", {self.type.codec}{flags})'


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
    doc: str = ""
    # member name -> proto number, where the spec gives them; else the declared order holds
    numbers: dict[str, int] = field(default_factory=dict)

    @property
    def full_doc(self) -> str:
        """The class docstring's text."""
        return _summary(self.doc)

    @property
    def numbers_keyword(self) -> str:
        """The class keyword that hands `WireEnum` the spec's numbers, or ""."""
        if not self.numbers:
            return ""
        pairs = ", ".join(f'"{name}": {number}' for name, number in self.numbers.items())
        return f", numbers={{{pairs}}}"


@dataclass(frozen=True)
class Model:
    spec_name: str
    class_name: str
    fields: list[Field]
    deprecated: bool = False
    sdk_only: bool = False
    # Only ever built from user input (a method's config): a dict of it is checked strictly.
    input_only: bool = False
    mixins: list[str] = field(default_factory=list)
    doc: str = ""
    # SDK-only types: one line per attribute (by attribute name) for the Attributes section.
    field_docs: dict[str, str] = field(default_factory=dict)

    @property
    def full_doc(self) -> str:
        """The class docstring's text: the doc, then an Attributes section from field_docs."""
        if not self.field_docs:
            return _summary(self.doc)
        entries = [
            textwrap.fill(
                f"{attr}: {text}",
                _DOC_WIDTH,
                initial_indent="    ",
                subsequent_indent="        ",
                break_on_hyphens=False,
            )
            for attr, text in self.field_docs.items()
        ]
        return "\n".join([_summary(self.doc), "", "Attributes:", *entries])

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
    # Where a flag asks for a stream, where `alt=sse` does not: "body.NAME" or "query.NAME".
    stream_flag: str | None = None

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
        return "sse" if self.streaming and self.stream_flag is None else None


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
    # A resource name's forms (path templates), checked by the runtime before any request.
    names: list[str] = field(default_factory=list)
    positional: bool = False


@dataclass(frozen=True)
class Method:
    name: str
    constant: str
    operation: Operation
    params: list[MethodParam]
    returns: str  # "response" | "stream" | "pager" | "nothing" | "media"
    fan_out: dict[str, str] | None = None
    moves_into: dict[str, Any] | None = None
    # The query parameter naming the body fields a partial update sets (`updateMask`).
    update_mask: str | None = None
    # The body object that gets an upload's `mimeType` and `sizeBytes` (`body.file`).
    media_metadata: str | None = None
    # The argument a media download also stores its bytes on (a Video given as `file`).
    fills: str | None = None
    # For `returns: wait`: (field, done value, failed value, error field) as attribute names.
    until: tuple[str, str, str, str] | None = None
    # What the caller gets instead of the response itself: one of its fields, or the result
    # of a named runtime transform (with the annotation of what it returns).
    result_field: Field | None = None
    result_transform: str | None = None
    result_class: str | None = None
    # A class of the runtime's _results that the transform returns instead (`TokenCount`).
    result_helper: str | None = None
    # (config attribute, text it must contain or None for any value): the answer is JSON.
    json_when: list[tuple[str, str | None]] = field(default_factory=list)
    doc: str = ""
    # The operations a resource name may address (empty: `operation` alone).
    routes: list[Operation] = field(default_factory=list)
    # The parameter whose object gives the class the answer is decoded as.
    result_like: str | None = None
    # A runtime function (named in the runtime's FINISHERS) that converts and checks the
    # gathered request body before it is assembled.
    finish: str | None = None

    @property
    def positional(self) -> list[MethodParam]:
        return [p for p in self.params if p.positional]

    @property
    def keyword(self) -> list[MethodParam]:
        return [p for p in self.params if not p.positional]

    @property
    def config(self) -> Model | None:
        return next((p.config for p in self.params if p.config is not None), None)

    @property
    def alt(self) -> str | None:
        """The `alt` a call sends instead of the operation's: the file's bytes for media."""
        return "media" if self.returns == "media" else None

    def result(self, is_async: bool) -> str:
        if self.result_like is not None:
            return f"OperationT | t.{self.operation.response.class_name}"
        if self.returns == "nothing":
            return "None"
        if self.returns == "media":
            return "bytes"
        if self.result_field is not None:
            # the runtime raises when the answer lacks it
            return self.result_field.type.annotation_in("t")
        if self.result_helper is not None:
            return self.result_helper
        if self.returns == "pager":
            paging = self.operation.paging
            assert paging is not None
            pager = "AsyncPager" if is_async else "Pager"
            # a result transform on a pager applies to each item
            each = f"t.{self.result_class}" if self.result_class else None
            return f"{pager}[{each or paging.item_type.annotation_in('t')}]"
        if self.result_class is not None:
            return f"t.{self.result_class}"
        item = f"t.{self.operation.response.class_name}"
        if self.returns == "stream":
            return f"{'AsyncStream' if is_async else 'Stream'}[{item}]"
        if self.fan_out:
            many = self.fan_out["response_class"]
            return f"{item} | t.{many}"
        return item


@dataclass(frozen=True)
class Resource:
    name: str
    class_name: str
    methods: list[Method]
    # A runtime mixin giving the resource hand-written helpers (`Async` + it for asyncio),
    # and the constant of the method it polls.
    mixin: str | None = None
    polls: str | None = None
    mixin_module: str = "_operations"
    # Methods of any resource the mixin calls, by the name it knows them by -> constant.
    uses: dict[str, str] = field(default_factory=dict)
    children: list[Resource] = field(default_factory=list)  # nested: `stores.documents`

    @property
    def attr(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def tree(self) -> list[Resource]:
        """This resource and every one nested in it, parents first."""
        return [self, *(r for child in self.children for r in child.tree)]

    def bases(self, is_async: bool) -> str:
        if self.mixin is None:
            return "Resource"
        return f"{'Async' if is_async else ''}{self.mixin}"

    def raw_class_name(self, is_async: bool) -> str:
        """The protocol `with_raw_response` is typed as (a class for type checkers alone)."""
        return f"{'Async' if is_async else ''}{self.class_name}WithRawResponse"


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

    @property
    def result_helpers(self) -> list[str]:
        """The runtime classes that methods return (the resources module imports them)."""
        return sorted(
            {
                m.result_helper
                for top in self.resources
                for r in top.tree
                for m in r.methods
                if m.result_helper
            }
        )

    @property
    def operation_imports(self) -> list[str]:
        """What the resources module takes from gemini_sdk._operations: the resource mixins
        (sync and async), and the type variable of results decoded like an argument."""
        every = [r for top in self.resources for r in top.tree]
        names = {
            f"{prefix}{r.mixin}"
            for r in every
            if r.mixin and r.mixin_module == "_operations"
            for prefix in ("", "Async")
        }
        if any(m.result_like for r in every for m in r.methods):
            names.add("OperationT")
        return sorted(names)

    def counts(self) -> dict[str, int]:
        return {
            "enums": len(self.enums),
            "models": len(self.models),
            "operations": len(self.operations),
            "fields": sum(len(m.fields) for m in self.models),
            "sdk_types": sum(1 for m in self.models if m.sdk_only),
            "resource_methods": sum(len(r.methods) for top in self.resources for r in top.tree),
        }
