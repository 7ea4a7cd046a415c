"""The one place where Python names are made from wire names.

Templates never build identifiers or type strings; they read what this module produced
through the IR.
"""

from __future__ import annotations

import keyword
import re

# Names that would shadow builtins or typing helpers used inside generated modules.
_SHADOWED = frozenset({"type", "format", "id", "filter", "list", "dict", "object", "property"})
# Arguments every generated stub takes for itself; a wire parameter must not reuse them.
_STUB_ARGUMENTS = frozenset(
    {"self", "body", "timeout", "extra_headers", "extra_query", "extra_body", "media", "mime_type"}
)
# Attributes that the shared model base class defines for itself.
_BASE_ATTRIBUTES = frozenset({"unknown_fields", "from_dict", "to_dict", "from_json", "to_json"})

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(name: str) -> str:
    """`thoughtSignature` -> `thought_signature`, `URLContext` -> `url_context`, `_x` -> `x`."""
    words = _NON_WORD.sub("_", _CAMEL_BOUNDARY.sub("_", name)).strip("_")
    return re.sub(r"_+", "_", words).lower()


def pascal_case(name: str) -> str:
    """`finishReason` -> `FinishReason`, `file_search` -> `FileSearch`."""
    words = _NON_WORD.sub("_", _CAMEL_BOUNDARY.sub("_", name)).split("_")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def attribute_name(wire_name: str, taken: set[str] | None = None) -> str:
    """The attribute for a wire field: snake_case, never a keyword, never private.

    A leading underscore on the wire (`_responseJsonSchema`) would make attrs strip it from
    the __init__ argument and clash with the public twin, so such names get a trailing
    underscore instead when the plain name is already taken.
    """
    name = snake_case(wire_name)
    if not name or name[0].isdigit():
        name = f"field_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _BASE_ATTRIBUTES:
        name = f"{name}_"
    while taken is not None and name in taken:
        name = f"{name}_"
    return name


def parameter_name(wire_name: str) -> str:
    """A function parameter: like an attribute, and also never shadowing a builtin."""
    name = attribute_name(wire_name)
    return f"{name}_" if name in _SHADOWED or name in _STUB_ARGUMENTS else name


def method_name(operation_id: str) -> str:
    """`GenerateContent` -> `generate_content`."""
    return attribute_name(operation_id)


def class_name(schema_name: str) -> str:
    """A schema name is already PascalCase on the wire; keep it, only make it an identifier."""
    name = _NON_WORD.sub("", schema_name)
    if not name or name[0].isdigit():
        name = f"T{name}"
    return name[0].upper() + name[1:]


def enum_member_name(value: str) -> str:
    """`BLOCK_NONE` stays; `flex` -> `FLEX`; `1:1` -> `V1_1`."""
    name = _NON_WORD.sub("_", value).strip("_").upper()
    if not name or name[0].isdigit():
        name = f"V{name}"
    if keyword.iskeyword(name):
        name = f"{name}_"
    return name


def module_name(class_name: str) -> str:
    """The module of the generated types that holds a class: `GenerateContentResponse` ->
    `generate_content_response`, `Import` -> `import_` (a keyword cannot be imported from)."""
    name = snake_case(class_name)
    return f"{name}_" if keyword.iskeyword(name) else name


def constant_name(operation_id: str) -> str:
    return snake_case(operation_id).upper()
